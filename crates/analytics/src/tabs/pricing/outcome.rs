//! A saved plan against what really happened: per product, the predicted daily quantity and
//! profit next to the real ones over the days from the plan's first day (at most
//! [`MAX_DAYS`]), and the response measured from them, which then becomes the product's
//! elasticity (docs/metrics.md, 智能调价).
//!
//! Cost: the products' points over those days (one [`gather`] over at most 14 days).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use storeboard_data::StoreSnapshot;

use super::days::{gather, sum};
use super::elasticity::PlanResponse;
use super::Predicted;
use crate::config::Business;
use crate::facts::day_number;
use crate::filters::Filters;
use crate::order::SALES_SCALE;
use crate::overview::parts;

/// The longest stretch after a plan that is compared with it.
pub const MAX_DAYS: i64 = 14;

/// One product of a saved plan, as saved (an [`super::Item`]; unknown fields are ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanItem {
    /// Product key.
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// 实收单价 when the plan was made.
    pub current_price: f64,
    /// The plan's price.
    pub new_price: f64,
    /// 单品成本 then.
    pub unit_cost: f64,
    /// 营销费率 then.
    pub marketing_rate: f64,
    /// The figures per day then.
    pub current: Predicted,
    /// The predicted figures per day.
    pub predicted: Predicted,
}

/// One product after the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemOutcome {
    /// Product key.
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// The plan's price.
    pub new_price: f64,
    /// The real 实收单价 since (`null` without a sale).
    pub actual_price: Option<f64>,
    /// Predicted 销量 per day.
    pub predicted_daily_qty: f64,
    /// Real 销量 per day.
    pub actual_daily_qty: f64,
    /// Predicted profit per day.
    pub predicted_daily_profit: f64,
    /// Real profit per day (sales × (1 − 平台费率 − 营销费率) − cost, the plan's model).
    pub actual_daily_profit: f64,
    /// The measured response, when the real price moved enough and the value is plausible.
    pub measured_elasticity: Option<f64>,
}

/// A plan's outcome so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The plan's first day.
    pub from: NaiveDate,
    /// The last day compared (`null`: no day after the plan exists yet).
    pub to: Option<NaiveDate>,
    /// Days compared.
    pub days: i64,
    /// Whether enough days exist for the measured responses to be used.
    pub feeds_back: bool,
    /// Per product.
    pub items: Vec<ItemOutcome>,
    /// Σ predicted profit per day.
    pub predicted_daily_profit: f64,
    /// Σ real profit per day.
    pub actual_daily_profit: f64,
}

/// The outcome of `items` priced from `from` on the filters' stores and channel.
pub fn outcome(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    from: NaiveDate,
    items: &[PlanItem],
) -> Outcome {
    let rules = &business.pricing;
    let span = Filters {
        from,
        to: from + Duration::days(MAX_DAYS - 1),
        requested: None,
        ..filters.clone()
    };
    let last = crate::today::yesterday(snaps, &span, business);
    let mut out = Outcome {
        from,
        to: last,
        days: last.map_or(0, |l| (l - from).num_days() + 1),
        feeds_back: false,
        items: Vec::new(),
        predicted_daily_profit: 0.0,
        actual_daily_profit: 0.0,
    };
    let Some(last) = last else {
        return out;
    };
    out.feeds_back = out.days >= rules.plan_feedback_days;
    let parts = parts(snaps, filters, business);
    let (a, b) = (day_number(from), day_number(last));
    let products = gather(&parts, a, b, None);
    let by_key: HashMap<&str, _> = products.iter().map(|p| (p.key, p)).collect();
    let days = out.days as f64;
    for item in items {
        let s = by_key
            .get(item.key.as_str())
            .map(|p| sum(&p.selected, a, b))
            .unwrap_or_default();
        let qty = s.quantity as f64 / 1000.0;
        let sales = s.sales as f64 / SALES_SCALE;
        let cost = s.cost as f64 / 100.0;
        let m = item.marketing_rate.clamp(0.0, rules.marketing_rate_cap);
        let actual_price = (qty > 0.0).then(|| sales / qty);
        let actual_daily_qty = qty / days;
        let actual_daily_profit = (sales * (1.0 - rules.platform_fee_rate - m) - cost) / days;
        let measured_elasticity = actual_price.and_then(|p| {
            let moved = (p - item.current_price) / item.current_price * 100.0;
            let base = item.current.daily_qty;
            let e = (actual_daily_qty / base - 1.0) * 100.0 / moved;
            (moved.abs() >= rules.plan_min_price_move_pct && base > 0.0 && rules.keeps(e))
                .then_some(e)
        });
        out.predicted_daily_profit += item.predicted.daily_profit;
        out.actual_daily_profit += actual_daily_profit;
        out.items.push(ItemOutcome {
            key: item.key.clone(),
            name: item.name.clone(),
            new_price: item.new_price,
            actual_price,
            predicted_daily_qty: item.predicted.daily_qty,
            actual_daily_qty,
            predicted_daily_profit: item.predicted.daily_profit,
            actual_daily_profit,
            measured_elasticity,
        });
    }
    out
}

/// Adds the measured responses of a plan's outcome to `into` for the products that have none
/// yet: call it for the newest plan first, so the latest measurement wins.
pub fn collect_responses(
    outcome: &Outcome,
    plan_id: i64,
    plan_name: &str,
    into: &mut HashMap<String, PlanResponse>,
) {
    if !outcome.feeds_back {
        return;
    }
    for i in &outcome.items {
        if let Some(value) = i.measured_elasticity {
            into.entry(i.key.clone()).or_insert_with(|| PlanResponse {
                value,
                plan_id,
                plan_name: plan_name.to_owned(),
            });
        }
    }
}
