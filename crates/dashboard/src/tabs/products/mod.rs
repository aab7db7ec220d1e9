//! 商品分析: the products tab.

mod charts;
pub(crate) mod columns;
mod depth;
pub(crate) mod export;
mod view;

use serde_json::{json, Value};
use storeboard_tabs::Tab;

use super::{TabView, ViewFuture};
use crate::export::ExportError;
use crate::query::ViewQuery;
use crate::views::Href;
use crate::DashboardState;

/// The products tab in the registry.
pub(crate) struct Products;

impl TabView for Products {
    fn tab(&self) -> Tab {
        Tab::Products
    }

    fn label(&self) -> &'static str {
        "📦 商品分析"
    }

    fn title(&self) -> &'static str {
        "商品分析"
    }

    fn view<'a>(
        &'a self,
        state: &'a DashboardState,
        q: &'a ViewQuery,
        href: Href<'a>,
    ) -> ViewFuture<'a> {
        Box::pin(async move {
            // The computed tab itself: only the rows shown become JSON, however many products.
            let answer = state
                .tabs
                .products(&q.tab_query())
                .await
                .map_err(|e| crate::errors::refused(&e))?;
            let mut view = view::products(&answer.products, q, href);
            view["empty"] = json!(answer.products.empty);
            Ok((view, Some(answer.filters)))
        })
    }

    fn workbook(&self, json: &Value) -> Result<Vec<u8>, ExportError> {
        export::workbook(json)
    }
}

#[cfg(test)]
mod tests {
    use storeboard_tabs::Tab;

    use super::columns::*;
    use crate::columns::contract::{assert_fields, assert_picked};
    use crate::export::testkit::rendered_tab;

    #[test]
    fn every_column_names_a_field_of_the_answer() {
        let json = rendered_tab(Tab::Products);
        let rows = |path: &str| {
            let v = path.split('.').fold(&json, |v, part| &v[part]);
            v.as_array().cloned().unwrap_or_default()
        };
        assert_fields("products", PRODUCT, &rows("products"));
        assert_fields("rankings.by_sales", PRODUCT, &rows("rankings.by_sales"));
        assert_picked("products", PRODUCT, PRODUCTS_PAGE);
        assert_picked("warnings", PRODUCT, WARNINGS_PAGE);
    }
}
