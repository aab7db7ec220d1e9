//! What pricing knows of each product as of "yesterday" d: its current 实收单价, 单品成本,
//! 营销费率, 真实保本价, margin, 高光利润率, daily quantity, stock, days without a sale, 商品原价,
//! the 14-day sales trend and its elasticity (docs/metrics.md, 智能调价).
//!
//! Cost, for the products sold in the `lookback_days` before d: [`gather`] over
//! `history_days` (one pass over those points), then per product a few binary searches and one
//! pass over its days for 高光利润率 and the weekly elasticity; plus the kept orders of the
//! `window_days` before d for the marketing allocation (one pass over their lines).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use super::days::{gather_each, sum, DaySum, Days, ProductDays};
use super::elasticity::{resolve, Elasticity, PlanResponse};
use super::rules::PricingRules;
use crate::config::Business;
use crate::facts::day_number;
use crate::filters::Filters;
use crate::order::{
    cents, cents_to_yuan, day_from_days, exact, line_col, order_col, Rules, MARKETING, SALES_SCALE,
};
use crate::overview::{parts, Part};
use crate::today::health::Quadrant;
use storeboard_data::schema::Column;

/// One product as pricing sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Basis {
    /// Product key.
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// 一级分类名.
    pub category: String,
    /// 实收单价 over the 7 days ending at its last sale.
    pub current_price: f64,
    /// 单品成本 = Σ商品采购成本 / Σ销量 over the window (the last sale's 7 days when it did
    /// not sell in the window).
    pub unit_cost: f64,
    /// Its share of its orders' 营销成本 (pro rata to line sales) / its sales, over the window.
    pub marketing_rate: f64,
    /// 单品成本 / max(0.1, 1 − 0.08 − min(0.5, 营销费率)).
    pub break_even_price: f64,
    /// Σ利润额 / Σ sales × 100 over the window (or the last sale's 7 days).
    pub margin_pct: Option<f64>,
    /// The highest daily margin in the history read.
    pub highlight_margin_pct: Option<f64>,
    /// The day of that margin.
    pub highlight_day: Option<NaiveDate>,
    /// Σ销量 over the window / its days.
    pub daily_quantity: f64,
    /// 剩余库存 of its latest line with one.
    pub stock: Option<f64>,
    /// Stock / daily quantity.
    pub stock_days: Option<f64>,
    /// Its last day with a sale.
    pub last_sale: NaiveDate,
    /// Days from the last sale to d.
    pub idle_days: i64,
    /// 商品原价 of its latest line, when the export has one.
    pub original_price: Option<f64>,
    /// Σ销量 of the last 14 days to d.
    pub quantity_14d: f64,
    /// Σ销量 of the 14 days before.
    pub previous_quantity_14d: f64,
    /// Its elasticity and where it comes from.
    pub elasticity: Elasticity,
    /// Its 商品健康 quadrant over the 30 days to d, when it sold then.
    pub quadrant: Option<Quadrant>,
}

/// What the bases are computed from, besides the snapshots.
pub struct Inputs<'r> {
    /// The rules.
    pub rules: &'r PricingRules,
    /// Saved plans' measured responses, by product key.
    pub plans: &'r HashMap<String, PlanResponse>,
    /// Quadrants by product key (empty: none known).
    pub quadrants: &'r HashMap<String, Quadrant>,
}

/// The bases of the products sold in the `lookback_days` to `d` on the filters' stores and
/// channel (the filters' days are not read), or of `only` (if it sold in the `history_days`);
/// by key.
pub fn bases(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    d: NaiveDate,
    only: Option<&str>,
    inputs: &Inputs<'_>,
) -> Vec<Basis> {
    let rules = inputs.rules;
    let parts = parts(snaps, filters, business);
    let to = day_number(d);
    let history = rules.history_days.max(rules.lookback_days).max(28);
    let window_from = d - Duration::days(rules.window_days.max(1) - 1);
    let marketing = allocated_marketing(&parts, business, (window_from, d), only);
    let mut out = Vec::new();
    gather_each(&parts, to - history + 1, to, only, |p| {
        // One product asked by key (its page) is described however long ago it sold.
        let recent = p
            .selected
            .last_sale()
            .is_some_and(|day| day > to - rules.lookback_days.max(1));
        if only.is_none() && !recent {
            return;
        }
        let m = marketing.get(p.key).copied().unwrap_or(0.0);
        out.extend(basis(p, to, m, inputs));
    });
    out
}

fn basis(p: &ProductDays<'_>, d: i64, marketing: f64, inputs: &Inputs<'_>) -> Option<Basis> {
    let rules = inputs.rules;
    let last = p.selected.last_sale()?;
    let week = sum(&p.selected, last - 6, last);
    let window_days = rules.window_days.max(1);
    let window = sum(&p.selected, d - window_days + 1, d);
    let measured = if window.quantity > 0 { window } else { week };
    if week.quantity <= 0 || measured.quantity <= 0 {
        return None;
    }
    let per_unit = |money_cents: i64, s: &DaySum| money_cents as f64 / s.quantity as f64 * 10.0;
    let current_price = week.sales as f64 / week.quantity as f64 / 100.0;
    let unit_cost = per_unit(measured.cost, &measured);
    let sales_yuan = window.sales as f64 / SALES_SCALE;
    let marketing_rate = if sales_yuan > 0.0 {
        (marketing / sales_yuan).max(0.0)
    } else {
        0.0
    };
    let break_even_price = rules.break_even(Some(unit_cost), marketing_rate)?;
    let (highlight_margin_pct, highlight_day) = highlight(&p.selected);
    let daily_quantity = window.quantity as f64 / 1000.0 / window_days as f64;
    let q = |s: DaySum| s.quantity as f64 / 1000.0;
    Some(Basis {
        key: p.key.to_owned(),
        name: p.name.to_owned(),
        category: p.category.to_owned(),
        current_price,
        unit_cost,
        marketing_rate,
        break_even_price,
        margin_pct: margin(&measured),
        highlight_margin_pct,
        highlight_day: highlight_day.map(day_from_days),
        daily_quantity,
        stock: p.stock,
        stock_days: p
            .stock
            .filter(|_| daily_quantity > 0.0)
            .map(|s| s / daily_quantity),
        last_sale: day_from_days(last),
        idle_days: d - last,
        original_price: p.original_price,
        quantity_14d: q(sum(&p.selected, d - 13, d)),
        previous_quantity_14d: q(sum(&p.selected, d - 27, d - 14)),
        elasticity: resolve(
            inputs.plans.get(p.key),
            &p.selected,
            p.all_channels.as_ref(),
            p.category,
            d,
            rules,
        ),
        quadrant: inputs.quadrants.get(p.key).copied(),
    })
}

/// Σ利润额 / sales × 100 (sales in 1/100,000 yuan, profit in cents).
pub fn margin(s: &DaySum) -> Option<f64> {
    (s.sales != 0).then(|| s.profit as f64 * 1000.0 / s.sales as f64 * 100.0)
}

/// The highest daily margin and its (first) day.
fn highlight(days: &Days) -> (Option<f64>, Option<i64>) {
    let mut best: Option<(f64, i64)> = None;
    for (day, s) in days.iter() {
        if s.sales <= 0 {
            continue;
        }
        if let Some(m) = margin(s) {
            if best.is_none_or(|(b, _)| m > b) {
                best = Some((m, day));
            }
        }
    }
    (best.map(|b| b.0), best.map(|b| b.1))
}

/// Each product's share of its orders' 营销成本 (yuan) over `days`: an order's 营销成本 split
/// over its product lines (consumables left out) pro rata to 实收价格 × 销量.
///
/// Cost: the orders of the days on the selected stores and channel, their seven marketing
/// columns read; only orders with marketing get their figures (the fee filter, the sales) and
/// their lines read, one hash per line by string id, one per key and store by name.
pub(crate) fn allocated_marketing<'a>(
    parts: &[Part<'a>],
    business: &Business,
    days: (NaiveDate, NaiveDate),
    only: Option<&str>,
) -> HashMap<&'a str, f64> {
    let mut out: HashMap<&'a str, f64> = HashMap::new();
    for p in parts {
        for (sym, m) in store_marketing(p.snap, p.channel, business, days, only) {
            *out.entry(p.snap.data.strings.get(sym)).or_default() += m;
        }
    }
    out
}

/// [`allocated_marketing`] in one store, by key string id.
fn store_marketing(
    snap: &StoreSnapshot,
    channel: Option<u32>,
    business: &Business,
    days: (NaiveDate, NaiveDate),
    only: Option<&str>,
) -> HashMap<u32, f64> {
    let data = &snap.data;
    let (o, l) = (&data.orders, &data.lines);
    let rules = Rules::new(snap, business);
    let actual = &l.money[line_col(Column::ActualPrice)];
    let marketing_cols = MARKETING.map(|c| &o.money[order_col(c)]);
    let mut out: HashMap<u32, f64> = HashMap::new();
    for i in snap.orders_between(days.0, days.1) {
        if channel.is_some_and(|c| o.channel[i] != c)
            || marketing_cols.iter().all(|col| cents(col[i]) == 0)
        {
            continue;
        }
        let Some(e) = exact(snap, i, &rules) else {
            continue;
        };
        if e.marketing == 0 || e.sales <= 0 {
            continue;
        }
        let share = cents_to_yuan(e.marketing) / e.sales as f64;
        for j in e.lines {
            if rules.consumable.is_some_and(|c| l.category1[j] == c)
                || only.is_some_and(|k| k != data.strings.get(l.key[j]))
            {
                continue;
            }
            let line_sales = (cents(actual[j]) * i64::from(l.quantity[j])) as f64;
            *out.entry(l.key[j]).or_default() += share * line_sales;
        }
    }
    out
}
