//! One product's page (`/products/{key}`): its days over the period (销量, 实收单价, sales,
//! profit, margin, stock), its channels and time slots, its price history with every change of
//! at least `[business.pricing] min_price_change_pct` marked, its 商品健康 quadrant in the
//! period and the one before, its elasticity, 真实保本价 and 高光利润率 (智能调价's basis as of
//! the period's last day with orders), and the orders it appeared in (product.md §2).
//!
//! The days and channels come from the stores' product points, so their sums are the product's
//! row of 商品分析 for the same filters; the slots and orders read the period's lines.
//!
//! Cost, for `S` selected stores over `D` days: one pass over each store's series names to
//! find the key, its points in the period (≤ channels × D per store), the period's key column
//! (`lines` u32 compares) and the figures of the orders holding it; 商品健康 over 2 × D days (all
//! products: it ranks them) and the pricing basis over `history_days` of this key alone.

mod lines;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::facts::{day_number, series::NO_LINE};
use crate::filters::{Filters, Period};
use crate::order::{cents_to_yuan, day_from_days, SALES_SCALE};
use crate::overview::{line_time, parts, Part};
use crate::pricing::days::{gather, DaySum, Days};
use crate::pricing::{bases, Elasticity, Inputs, PlanResponse};
use crate::products::from_facts::Latest;
use crate::products::stock_value;
use crate::today::health::{health_with, Quadrant};
pub use lines::{OrderRow, SlotRow};

/// One day of the product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    /// The day.
    pub day: NaiveDate,
    /// 销量 (0 on a day without a sale).
    pub quantity: f64,
    /// 实收单价 = sales / 销量; `null` without a sale.
    pub unit_price: Option<f64>,
    /// Σ 实收价格 × 销量.
    pub sales: f64,
    /// Σ 商品采购成本.
    pub cost: f64,
    /// Σ 利润额.
    pub profit: f64,
    /// profit / sales × 100; `null` without sales.
    pub margin_pct: Option<f64>,
    /// Orders holding it.
    pub orders: i64,
    /// 剩余库存 of the day's latest line with one; `null` when none had.
    pub stock: Option<f64>,
}

/// The product on one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    /// 渠道.
    pub channel: String,
    /// 销量.
    pub quantity: f64,
    /// Sales.
    pub sales: f64,
    /// Profit.
    pub profit: f64,
    /// Margin (%).
    pub margin_pct: Option<f64>,
    /// Orders.
    pub orders: i64,
    /// Its share of the product's sales (%).
    pub sales_share_pct: Option<f64>,
}

/// A move of 实收单价 between two consecutive days with sales.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceChange {
    /// The later day.
    pub day: NaiveDate,
    /// The earlier day's 实收单价.
    pub from_price: f64,
    /// This day's.
    pub to_price: f64,
    /// (to − from) / from × 100.
    pub change_pct: f64,
}

/// The product's quadrant in the period and in the one before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quadrants {
    /// In the period (as many days as the period, ending at its last day with orders).
    pub now: Option<Quadrant>,
    /// In the period before.
    pub previous: Option<Quadrant>,
    /// The emoji of `now`.
    pub emoji: Option<&'static str>,
    /// What to do with it.
    pub advice: Option<&'static str>,
    /// The period before.
    pub previous_period: Option<Period>,
}

/// The product's sums over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// 销量.
    pub quantity: f64,
    /// Sales.
    pub sales: f64,
    /// 商品采购成本.
    pub cost: f64,
    /// Profit.
    pub profit: f64,
    /// Margin (%).
    pub margin_pct: Option<f64>,
    /// Orders.
    pub orders: i64,
    /// 实收单价.
    pub unit_price: Option<f64>,
    /// 单品成本.
    pub unit_cost: Option<f64>,
}

/// One product's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductPage {
    /// The filters.
    pub filters: Filters,
    /// Product key.
    pub key: String,
    /// 商品名称 of its latest line.
    pub name: String,
    /// 一级分类名 of that line.
    pub category: String,
    /// Its sums.
    pub totals: Totals,
    /// Every day of the period.
    pub daily: Vec<DayRow>,
    /// Per channel, by sales descending.
    pub channels: Vec<ChannelRow>,
    /// The eight time slots.
    pub slots: Vec<SlotRow>,
    /// The moves of at least the threshold.
    pub price_changes: Vec<PriceChange>,
    /// The threshold (%).
    pub price_change_threshold_pct: f64,
    /// Its quadrant now and before.
    pub quadrant: Quadrants,
    /// Its elasticity.
    pub elasticity: Option<Elasticity>,
    /// 真实保本价.
    pub break_even_price: Option<f64>,
    /// 高光利润率.
    pub highlight_margin_pct: Option<f64>,
    /// 营销费率 (0–1) behind the break-even.
    pub marketing_rate: Option<f64>,
    /// The orders it appeared in, newest first.
    pub orders: Vec<OrderRow>,
}

/// The page of product `key` for the filters, or `None` when it sold nothing in them.
pub fn product(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    key: &str,
    plans: &HashMap<String, PlanResponse>,
) -> Option<ProductPage> {
    let parts = parts(snaps, filters, business);
    let (from, to) = (day_number(filters.from), day_number(filters.to));
    let found = gather(&parts, from, to, Some(key));
    let p = found.first()?;
    let daily = daily_rows(&p.selected, &stocks(&parts, key, from, to));
    let (slots, orders) = lines::read(&parts, key, filters.from, filters.to, business);
    let d = p.selected.last_sale().map_or(filters.to, day_from_days);
    let last = crate::today::yesterday(snaps, filters, business).unwrap_or(d);
    let rules = &business.pricing;
    let no_quadrants = HashMap::new();
    let inputs = Inputs {
        rules,
        plans,
        quadrants: &no_quadrants,
    };
    let basis = bases(snaps, filters, business, last, Some(key), &inputs).pop();
    Some(ProductPage {
        filters: filters.clone(),
        key: key.to_owned(),
        name: p.name.to_owned(),
        category: p.category.to_owned(),
        totals: totals(&p.selected),
        price_changes: price_changes(&daily, rules.min_price_change_pct),
        price_change_threshold_pct: rules.min_price_change_pct,
        daily,
        channels: channels(&parts, key, from, to),
        slots,
        quadrant: quadrants(snaps, filters, business, key, last),
        elasticity: basis.as_ref().map(|b| b.elasticity.clone()),
        break_even_price: basis.as_ref().map(|b| b.break_even_price),
        highlight_margin_pct: basis.as_ref().and_then(|b| b.highlight_margin_pct),
        marketing_rate: basis.as_ref().map(|b| b.marketing_rate),
        orders,
    })
}

fn yuan_sales(s: i64) -> f64 {
    s as f64 / SALES_SCALE
}

fn margin(s: &DaySum) -> Option<f64> {
    crate::pricing::basis::margin(s)
}

fn totals(days: &Days) -> Totals {
    let mut t = DaySum::default();
    days.iter().for_each(|(_, s)| t.add(s));
    Totals {
        quantity: t.quantity as f64 / 1000.0,
        sales: yuan_sales(t.sales),
        cost: cents_to_yuan(t.cost),
        profit: cents_to_yuan(t.profit),
        margin_pct: margin(&t),
        orders: t.orders,
        unit_price: (t.quantity > 0).then(|| t.sales as f64 / t.quantity as f64 / 100.0),
        unit_cost: (t.quantity > 0).then(|| t.cost as f64 * 10.0 / t.quantity as f64),
    }
}

/// Every day of the span, zeros where it did not sell.
fn daily_rows(days: &Days, stock: &BTreeMap<i64, f64>) -> Vec<DayRow> {
    days.iter()
        .map(|(d, s)| DayRow {
            day: day_from_days(d),
            quantity: s.quantity as f64 / 1000.0,
            unit_price: (s.quantity > 0).then(|| s.sales as f64 / s.quantity as f64 / 100.0),
            sales: yuan_sales(s.sales),
            cost: cents_to_yuan(s.cost),
            profit: cents_to_yuan(s.profit),
            margin_pct: margin(s),
            orders: s.orders,
            stock: stock.get(&d).copied(),
        })
        .collect()
}

/// Per day, the stock of its latest line with one (over the stores and selected channels).
fn stocks(parts: &[Part<'_>], key: &str, from: i64, to: i64) -> BTreeMap<i64, f64> {
    let mut latest: BTreeMap<i64, Latest> = BTreeMap::new();
    let time = |store: usize, j: u32| line_time(parts, store, j);
    for_key_series(parts, key, |store, _, points| {
        for pt in points.iter().filter(|pt| pt.stock_line != NO_LINE) {
            let (day, line) = (pt.day, pt.stock_line);
            if day < from || day > to {
                continue;
            }
            let at = Latest { day, store, line };
            let cur = latest.get(&day).copied();
            if let Some(best) = Latest::max(cur, at, time) {
                latest.insert(day, best);
            }
        }
    });
    latest
        .into_iter()
        .map(|(d, at)| {
            let snap = parts[at.store].snap;
            (d, stock_value(snap.data.lines.stock[at.line as usize]))
        })
        .collect()
}

/// Calls `f(store, channel name, points of the period… )` for each series of `key` on the
/// parts' channels, with all its points (the caller picks days).
fn for_key_series<'a>(
    parts: &[Part<'a>],
    key: &str,
    mut f: impl FnMut(usize, &'a str, crate::facts::series::Points<'_>),
) {
    for (store, p) in parts.iter().enumerate() {
        let strings = &p.snap.data.strings;
        let wanted = p.channel.and_then(|s| p.facts.channel_index(s));
        let series = p.facts.series();
        for (k, s) in series.all().iter().enumerate() {
            if (p.channel.is_some() && wanted != Some(s.channel)) || strings.get(s.key) != key {
                continue;
            }
            let channel = strings.get(p.facts.channels()[usize::from(s.channel)]);
            f(store, channel, series.points(k, i64::MIN, i64::MAX));
        }
    }
}

fn channels(parts: &[Part<'_>], key: &str, from: i64, to: i64) -> Vec<ChannelRow> {
    let mut by: BTreeMap<&str, DaySum> = BTreeMap::new();
    for_key_series(parts, key, |_, channel, points| {
        let acc = by.entry(channel).or_default();
        for pt in points.iter().filter(|pt| pt.day >= from && pt.day <= to) {
            acc.add(&DaySum {
                quantity: pt.quantity,
                sales: pt.sales,
                cost: pt.cost,
                profit: pt.profit,
                orders: i64::from(pt.orders),
            });
        }
    });
    let total: i64 = by.values().map(|s| s.sales).sum();
    let mut rows: Vec<(i64, ChannelRow)> = by
        .into_iter()
        .filter(|(_, s)| s.quantity != 0 || s.sales != 0)
        .map(|(channel, s)| {
            let row = ChannelRow {
                channel: channel.to_owned(),
                quantity: s.quantity as f64 / 1000.0,
                sales: yuan_sales(s.sales),
                profit: cents_to_yuan(s.profit),
                margin_pct: margin(&s),
                orders: s.orders,
                sales_share_pct: (total != 0).then(|| s.sales as f64 / total as f64 * 100.0),
            };
            (s.sales, row)
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.channel.cmp(&b.1.channel)));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// The moves of 实收单价 of at least `threshold` % between consecutive days with a sale.
fn price_changes(daily: &[DayRow], threshold: f64) -> Vec<PriceChange> {
    let priced: Vec<(NaiveDate, f64)> = daily
        .iter()
        .filter_map(|r| r.unit_price.map(|p| (r.day, p)))
        .collect();
    priced
        .windows(2)
        .filter_map(|w| {
            let ((_, a), (day, b)) = (w[0], w[1]);
            let change_pct = (b - a) / a * 100.0;
            // The same tolerance as elsewhere: a move of exactly 5% counts.
            (a > 0.0 && change_pct.abs() + 1e-9 >= threshold).then_some(PriceChange {
                day,
                from_price: a,
                to_price: b,
                change_pct,
            })
        })
        .collect()
}

/// The 商品健康 quadrant over the period's length ending at `d`, and over the one before.
fn quadrants(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    key: &str,
    d: NaiveDate,
) -> Quadrants {
    let mut rules = business.health.clone();
    rules.window_days = u32::try_from(filters.days().clamp(1, 366)).unwrap_or(30);
    rules.trend_weeks = 0;
    let h = health_with(snaps, filters, business, d, &rules);
    let row = h.products.iter().find(|p| p.key == key);
    let now = row.map(|r| r.quadrant);
    Quadrants {
        now,
        previous: row.and_then(|r| r.previous_quadrant),
        emoji: now.map(Quadrant::emoji),
        advice: now.map(Quadrant::advice),
        previous_period: Some(h.previous_period),
    }
}
