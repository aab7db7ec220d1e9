//! `GET {base}products/{key}?store=&from=&to=&channel=`: one product's page, in the page's
//! frame (header, tab bar, filters) with the drill-down crumbs 全部门店 → 门店 → 渠道 → 商品; an
//! htmx request (the filters, the quick ranges, a table's pages) gets the content and the
//! header out-of-band, as a tab's fragment does, and the address bar follows.

mod chart;
pub(crate) mod columns;
mod view;

use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::Value as Ctx;
use serde_json::{json, Value};
use storeboard_analytics::Filters;

use crate::handlers::{self, base, user};
use crate::links::{self, PageFilters};
use crate::page::{self, Controls};
use crate::query::ViewQuery;
use crate::views::{Href, PAGE_SIZE};
use crate::DashboardState;

/// The product's view and the filters it was computed with, or the error to show.
async fn compute(
    state: &DashboardState,
    q: &ViewQuery,
    key: &str,
    href: Href<'_>,
) -> (Value, Option<Filters>, actix_web::http::StatusCode) {
    let orders_page = q
        .get("p_orders")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    match state
        .tabs
        .product(&q.tab_query(), key.to_owned(), PAGE_SIZE, orders_page)
        .await
    {
        Ok(answer) => {
            let filters = answer.page.filters.clone();
            let json = serde_json::to_value(&answer).unwrap_or(Value::Null);
            (
                view::product(&json, q, href),
                Some(filters),
                actix_web::http::StatusCode::OK,
            )
        }
        Err(e) => {
            let (status, message) = crate::errors::refused(&e);
            (json!({"error": message}), None, status)
        }
    }
}

/// `GET /products/{key}`.
pub(crate) async fn page(
    state: web::Data<DashboardState>,
    key: web::Path<String>,
    req: HttpRequest,
) -> HttpResponse {
    let q = ViewQuery::parse(req.query_string());
    let base = base(&req);
    let key = key.into_inner();
    let route = format!("products/{}", links::encode_segment(&key));
    let fragment = |next: &ViewQuery| format!("{base}{route}{}", next.suffix());
    let (mut view, resolved, status) = compute(&state, &q, &key, Href::new(&base, &fragment)).await;
    let name = view["name"].as_str().unwrap_or(&key).to_owned();
    let crumbs = links::crumbs(&base, &PageFilters::of(&q), Some((&key, &name)));
    view["pricing_href"] = json!(format!(
        "{base}?{}",
        q.filters_only()
            .with("tab", crate::pricing::NAME)
            .with("scenario", "free")
            .with("keys", &key)
            .encode()
    ));
    let content = state.sources.templates.render(
        "product.html",
        Ctx::from_serialize(json!({"base": base, "view": view, "filters": resolved})),
    );
    let content = match content {
        Ok(html) => html,
        Err(e) => handlers::error_html(&state, &e.to_string()),
    };
    let (status_bar, stores, channels) = handlers::header(&state).await;
    let products = page::tab("products").unwrap_or_else(page::first);
    let controls = Controls {
        base: &base,
        current: products,
        query: &q,
        resolved: resolved.as_ref(),
        today: chrono::Local::now().date_naive(),
        route: Some(&route),
    };
    let mut ctx = json!({
        "base": base,
        "status": status_bar,
        "user": user(&req),
        "controls": controls.context(stores, channels),
        "crumbs": crumbs,
        "content": content,
    });
    if req.headers().contains_key("HX-Request") {
        ctx["oob"] = json!(true);
        let url = format!("{base}{route}{}", q.suffix());
        return handlers::html(&state, "filters.html", &ctx, status, Some(url));
    }
    ctx["debug"] = json!(state.sources.debug);
    ctx["assets"] = handlers::assets(&state, &base);
    handlers::html(&state, "page.html", &ctx, status, None)
}
