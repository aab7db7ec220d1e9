//! 💰 智能调价: the scenarios with their product counts, the plan a scenario (or a free pick)
//! gives, its predicted effect, the saved plans, and a saved plan against what happened. The
//! figures come from `storeboard-tabs` (`/api/v1/pricing`, `/api/v1/pricing/plans`); saving and
//! deleting go through that JSON API from the page's script, as uploads do.

pub(crate) mod columns;
pub(crate) mod export;
mod view;

use actix_web::http::StatusCode;
use serde_json::Value;
use storeboard_tabs::PricingParams;

use crate::query::ViewQuery;
use crate::views::Href;
use crate::DashboardState;

/// The name in URLs and on the tab bar.
pub(crate) const NAME: &str = "pricing";

/// The tab bar's label.
pub(crate) const LABEL: &str = "💰 智能调价";

/// The pricing parameters of the page's query.
pub(crate) fn params(q: &ViewQuery) -> PricingParams {
    let get = |k: &str| q.get(k).map(str::to_owned);
    PricingParams {
        store: get("store"),
        channel: get("channel"),
        scenario: get("scenario"),
        direction: get("direction"),
        level: get("level"),
        target_margin: get("target_margin"),
        max_change: get("max_change"),
        keys: get("keys"),
        unlock: get("unlock"),
        rounding: get("rounding"),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<Value, (StatusCode, String)> {
    serde_json::to_value(v).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// The tab's view: a saved plan when the query names one (`plan=3`), else the plan the
/// parameters give and the saved plans.
pub(crate) async fn render(
    state: &DashboardState,
    q: &ViewQuery,
    base: &str,
    can_edit: bool,
    href: Href<'_>,
) -> Result<Value, (StatusCode, String)> {
    let refused = |e: storeboard_tabs::TabsError| crate::errors::refused(&e);
    if let Some(id) = q.get("plan") {
        let id: i64 = id
            .parse()
            .map_err(|_| (StatusCode::BAD_REQUEST, format!("方案编号无效: {id}")))?;
        let plan = state.tabs.plan(id).await.map_err(refused)?;
        return Ok(view::plan(&json(&plan)?, q, base, can_edit, href));
    }
    let priced = state.tabs.pricing(&params(q)).await.map_err(refused)?;
    let plans = state.tabs.plans().await.map_err(refused)?;
    Ok(view::pricing(
        &json(&priced)?,
        &json(&plans)?,
        q,
        base,
        can_edit,
        href,
    ))
}
