//! `GET /api/v1/products/{key}?store=&from=&to=&channel=&limit=&page=`: one product's page
//! ([`storeboard_analytics::product`]) as JSON, its orders by pages (`limit` default 200,
//! `0` = all; `page` from 1), with `orders_total`, `orders_page` and `orders_limit`.
//!
//! Not cached: one product over a period costs milliseconds (docs/performance.md), and the
//! cache is kept for the tabs every colleague opens.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use storeboard_analytics::product::{product, ProductPage};
use storeboard_analytics::Filters;

use crate::error::TabsError;
use crate::paging::{parse_page, parse_row_limit};
use crate::query::TabQuery;
use crate::TabsState;

/// A product page with one page of its orders.
#[derive(Debug, Serialize)]
pub struct ProductAnswer {
    /// The page; `orders` holds the requested page only.
    #[serde(flatten)]
    pub page: ProductPage,
    /// Every order it appeared in.
    pub orders_total: usize,
    /// The page of orders (from 1).
    pub orders_page: usize,
    /// Orders per page (0 = all).
    pub orders_limit: usize,
}

impl TabsState {
    /// The page of product `key` for `query`, with the `page`-th `limit` orders; a product that
    /// sold nothing in the selection is [`TabsError::NoProduct`].
    pub async fn product(
        &self,
        query: &TabQuery,
        key: String,
        limit: usize,
        page: usize,
    ) -> Result<ProductAnswer, TabsError> {
        let snaps = self.selected(query.store().as_deref());
        let today = chrono::Local::now().date_naive();
        let filters = query.resolve_within(&snaps, today, self.max_period_days())?;
        let state = self.clone();
        web::block(move || {
            let d = storeboard_analytics::today::yesterday(&snaps, &filters, &state.business);
            let plans = d.map_or_else(HashMap::new, |d| state.plan_responses(&snaps, &filters, d));
            let found = product(&snaps, &filters, &state.business, &key, &plans);
            let mut page_of = found.ok_or_else(|| no_product(&key, &filters))?;
            let total = page_of.orders.len();
            let (start, end) = match limit {
                0 => (0, total),
                n => {
                    let s = n.saturating_mul(page - 1).min(total);
                    (s, s.saturating_add(n).min(total))
                }
            };
            page_of.orders = page_of.orders.drain(start..end).collect();
            Ok(ProductAnswer {
                page: page_of,
                orders_total: total,
                orders_page: page,
                orders_limit: limit,
            })
        })
        .await
        .map_err(|_| TabsError::Cancelled)?
    }
}

fn no_product(key: &str, f: &Filters) -> TabsError {
    let scope = format!(
        "{} / {}",
        f.store.as_deref().unwrap_or("全部门店 (all stores)"),
        f.channel.as_deref().unwrap_or("全部渠道 (all channels)")
    );
    TabsError::NoProduct {
        key: key.to_owned(),
        scope,
        from: f.from,
        to: f.to,
    }
}

/// `GET /api/v1/products/{key}`.
pub(crate) async fn handler(
    state: web::Data<TabsState>,
    key: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, TabsError> {
    let query = web::Query::<TabQuery>::from_query(req.query_string())
        .map_err(|e| TabsError::BadQuery(e.to_string()))?
        .into_inner();
    let limit = parse_row_limit(req.query_string())?;
    let page = parse_page(req.query_string())?;
    let answer = state.product(&query, key.into_inner(), limit, page).await?;
    crate::handlers::json_response(&answer)
}
