//! 经营分析报告: the overview tab.

mod charts;
pub(crate) mod columns;
pub(crate) mod export;
pub(crate) mod tops;
mod view;

/// Adds the products tab's TOP50 lists for the same filters to the overview's JSON, under
/// `product_tops`, for the 经营分析报告's eight product sheets: the products tab comes from its
/// cache (or is computed once and cached), nothing is rescanned.
pub(crate) async fn add_product_tops(
    tabs: &storeboard_tabs::TabsState,
    query: &storeboard_tabs::TabQuery,
    json: &mut serde_json::Value,
) -> Result<(), storeboard_tabs::TabsError> {
    let answer = tabs.products(query).await?;
    json["product_tops"] = tops::product_tops(&answer.products.products);
    Ok(())
}

use storeboard_tabs::Tab;

use super::JsonTab;

/// The overview tab in the registry.
pub(crate) static TAB: JsonTab = JsonTab {
    tab: Tab::Overview,
    label: "📊 订单数据概览",
    title: "经营分析报告",
    view: view::overview,
    workbook: export::workbook,
};

#[cfg(test)]
mod tests {
    use storeboard_tabs::Tab;

    use super::columns::*;
    use crate::columns::contract::{assert_fields, assert_picked};
    use crate::export::testkit::rendered_tab;

    #[test]
    fn every_column_names_a_field_of_the_answer() {
        let json = rendered_tab(Tab::Overview);
        let rows = |key: &str| json[key].as_array().cloned().unwrap_or_default();
        assert_fields("kpis", KPIS, std::slice::from_ref(&json["kpis"]));
        assert_fields("channels", CHANNELS, &rows("channels"));
        assert_fields("daily", DAILY, &rows("daily"));
        assert_fields("aov_bands", AOV_BANDS, &rows("aov_bands"));
        assert_fields("categories", CATEGORIES, &rows("categories"));
        assert_fields("profit_buckets", PROFIT_BUCKETS, &rows("profit_buckets"));
        assert_picked("channels", CHANNELS, CHANNELS_PAGE);
    }
}
