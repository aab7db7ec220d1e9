//! 商品分析 (`products`): per-product figures, rankings, the margin × volume quadrants and the
//! inventory warnings (docs/metrics.md §商品分析).
//!
//! Rows are per product key (店内码, else 条码, else 商品名称); consumables (一级分类名 =
//! `[business] consumable_category`) are left out. Without a store filter a key is one row across
//! all stores; its orders are the distinct (store, 订单ID) pairs holding it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use crate::order::{orders, pct, ratio};
use depth::Extra;
pub use depth::{Abc, LowTurnover, Migration, PriceBand, QuadrantTrend};

/// Rows kept per ranking; the UI cuts them to 10, 20 or 50.
pub const RANKING_LEN: usize = 50;

/// Days at the end of the period in which a sale makes a product with no stock 缺货.
pub const RECENT_DAYS: i64 = 7;

/// Tolerance when comparing a margin with `high_margin_pct`, so that a margin of exactly 30 %
/// computed in floating point (29.999999999999996) still counts as high.
const MARGIN_EPSILON: f64 = 1e-9;

/// One product's figures over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRow {
    /// Product key: 店内码, else 条码, else 商品名称.
    pub key: String,
    /// 商品名称 of the latest line (by order time).
    pub name: String,
    /// 一级分类名 of the latest line (`未分类` when empty).
    pub category: String,
    /// Σ 实收价格 × 销量.
    pub sales: f64,
    /// Σ 商品采购成本.
    pub cost: f64,
    /// Σ 利润额.
    pub profit: f64,
    /// Σ 销量.
    pub quantity: f64,
    /// Σ 销量 over the last [`RECENT_DAYS`] days of the period.
    pub recent_quantity: f64,
    /// Distinct orders holding the product (a SKU twice in one order counts once).
    pub orders: usize,
    /// 剩余库存 of the period's latest line that has one; `null` when no line has.
    pub stock: Option<f64>,
    /// Sales / quantity; `null` when quantity is 0.
    pub avg_price: Option<f64>,
    /// Profit / sales × 100; `null` when sales is 0.
    pub margin_pct: Option<f64>,
    /// Its margin × 动销指数 quadrant (see [`Quadrants`]).
    pub quadrant: Quadrant,
    /// 动销指数: the share of the selected stores' days it sold (Σ 销量 > 0 that day in that
    /// store): store-days sold / (stores × days), 0–1.
    pub activity: f64,
    /// Store-days of the period it sold (one store: days).
    pub days_sold: usize,
    /// Days of stock at the period's average daily quantity ([`depth::turnover_days`]); `null`
    /// without a positive stock or without sales.
    pub turnover_days: Option<f64>,
    /// Its ABC class by sales (`A`, `B`, `C`; see [`depth::abc_class`]).
    pub abc: &'static str,
}

/// The top [`RANKING_LEN`] rows by each measure, best first (ties keep the order of sales).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rankings {
    /// By sales.
    pub by_sales: Vec<ProductRow>,
    /// By profit.
    pub by_profit: Vec<ProductRow>,
    /// By margin; products without a margin (no sales) are left out.
    pub by_margin: Vec<ProductRow>,
    /// By quantity.
    pub by_quantity: Vec<ProductRow>,
    /// By orders.
    pub by_orders: Vec<ProductRow>,
}

/// A quadrant of margin × 动销指数.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Quadrant {
    /// High margin, high volume.
    #[serde(rename = "明星")]
    Star,
    /// High margin, low volume.
    #[serde(rename = "潜力")]
    Potential,
    /// Low margin, high volume.
    #[serde(rename = "引流")]
    Traffic,
    /// Low margin, low volume.
    #[serde(rename = "淘汰")]
    Weed,
}

impl Quadrant {
    /// All four, in display order.
    pub const ALL: [Quadrant; 4] = [Self::Star, Self::Potential, Self::Traffic, Self::Weed];

    /// The quadrant of a margin and a 动销指数. A margin at or above `high_margin_pct` is high
    /// (a `null` margin is low); a 动销指数 at or above `median` is high.
    pub fn of(margin_pct: Option<f64>, activity: f64, high_margin_pct: f64, median: f64) -> Self {
        let high_margin = margin_pct.is_some_and(|m| m >= high_margin_pct - MARGIN_EPSILON);
        match (high_margin, activity >= median - MARGIN_EPSILON) {
            (true, true) => Self::Star,
            (true, false) => Self::Potential,
            (false, true) => Self::Traffic,
            (false, false) => Self::Weed,
        }
    }
}

/// Products per quadrant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuadrantCount {
    /// The quadrant.
    pub quadrant: Quadrant,
    /// Products in it.
    pub count: usize,
}

/// The margin × 动销指数 quadrants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quadrants {
    /// The margin threshold used (`[business] high_margin_pct`).
    pub high_margin_pct: f64,
    /// The median quantity ([`percentile`] 50 of all rows; 0 when there are none): shown, no
    /// longer a threshold.
    pub median_quantity: f64,
    /// Products per quadrant, in [`Quadrant::ALL`] order; each row's own is `quadrant`.
    pub counts: Vec<QuadrantCount>,
    /// The median 动销指数 ([`percentile`] 50 of all rows; 0 when there are none): the threshold.
    pub median_activity: f64,
}

/// The inventory warnings; each list in the order of `products` (sales, descending).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryWarnings {
    /// 缺货: latest stock ≤ 0 but sold in the last [`RECENT_DAYS`] days of the period.
    pub out_of_stock: Vec<ProductRow>,
    /// 滞销: stock > 10 and stock / (quantity + 1) > 5.
    pub slow_moving: Vec<ProductRow>,
    /// 畅销缺货: quantity > `quantity_p75` and stock < `stock_p25`.
    pub hot_low_stock: Vec<ProductRow>,
    /// 75th [`percentile`] of all rows' quantities (0 when there are none).
    pub quantity_p75: f64,
    /// 25th [`percentile`] of the stocks of rows that have one; `null` when none has.
    pub stock_p25: Option<f64>,
}

/// The whole products tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Products {
    /// The filters it was computed for.
    pub filters: Filters,
    /// True when no product matched.
    pub empty: bool,
    /// Every product, by sales descending (ties by key).
    pub products: Vec<ProductRow>,
    /// The rankings.
    pub rankings: Rankings,
    /// The quadrants.
    pub quadrants: Quadrants,
    /// The inventory warnings.
    pub inventory_warnings: InventoryWarnings,
    /// The ABC analysis.
    pub abc: Abc,
    /// The price bands by 实收单价.
    pub price_bands: Vec<PriceBand>,
    /// 低周转.
    pub low_turnover: LowTurnover,
    /// The quadrant counts by day, week and month.
    pub quadrant_trend: QuadrantTrend,
    /// The migration between the period's halves; `null` for a one-day period.
    pub migration: Option<Migration>,
}

/// The `pct`-th percentile (0–100, above 100 counts as 100) of ascending `sorted` values by
/// linear interpolation between closest ranks (numpy's default, Excel `PERCENTILE.INC`,
/// Hyndman–Fan type 7): with `h = (n − 1) × pct / 100`, the value is
/// `v[⌊h⌋] + (h − ⌊h⌋) × (v[⌊h⌋ + 1] − v[⌊h⌋])`. `h` is computed in integers, so a percentile
/// that falls on a rank is exactly that value (p70 of 11 values is the eighth): a value at a
/// threshold compares equal to it. The median is `pct = 50`. `None` for no values.
pub fn percentile(sorted: &[f64], pct: u32) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let scaled = last * pct.min(100) as usize;
    let (i, rest) = (scaled / 100, scaled % 100);
    let low = sorted[i];
    if rest == 0 {
        return Some(low);
    }
    let high = sorted[i + 1];
    Some(low + (high - low) * (rest as f64 / 100.0))
}

/// Running totals of one product key.
#[derive(Debug, Default)]
struct Acc<'a> {
    name: &'a str,
    category: &'a str,
    /// Order time of the line the name comes from.
    name_time: Option<i64>,
    sales: f64,
    cost: f64,
    profit: f64,
    quantity: f64,
    recent_quantity: f64,
    orders: usize,
    /// 1 + the sequence number of the last order counted (0: none yet).
    last_order: usize,
    /// (order time, stock) of the latest line with a stock.
    stock: Option<(i64, f32)>,
    /// The days sold and the first half's figures.
    extra: Extra,
}

/// A stock as shown: the stored `f32` rounded to thousandths.
pub(crate) fn stock_value(stock: f32) -> f64 {
    (f64::from(stock) * 1000.0).round() / 1000.0
}

/// The rows by sales descending (ties by key), each placed in its quadrant, with their
/// [`Extra`]s in the same order; `days` is the period's length.
fn into_rows(
    acc: HashMap<&str, Acc<'_>>,
    business: &Business,
    (days, stores): (usize, usize),
) -> (Vec<ProductRow>, Vec<Extra>, Quadrants) {
    let mut rows: Vec<(ProductRow, Extra)> = acc
        .into_iter()
        .map(|(key, a)| (row(key, &a, (days, stores)), a.extra))
        .collect();
    rows.sort_by(|(a, _), (b, _)| b.sales.total_cmp(&a.sales).then_with(|| a.key.cmp(&b.key)));
    let (mut rows, extras): (Vec<ProductRow>, Vec<Extra>) = rows.into_iter().unzip();
    let median = percentile(&sorted(rows.iter().map(|r| r.quantity)), 50).unwrap_or(0.0);
    let median_activity = percentile(&sorted(rows.iter().map(|r| r.activity)), 50).unwrap_or(0.0);
    let high = business.high_margin_pct;
    for r in &mut rows {
        r.quadrant = Quadrant::of(r.margin_pct, r.activity, high, median_activity);
    }
    let counts = Quadrant::ALL
        .iter()
        .map(|&q| QuadrantCount {
            quadrant: q,
            count: rows.iter().filter(|r| r.quadrant == q).count(),
        })
        .collect();
    let quadrants = Quadrants {
        high_margin_pct: high,
        median_quantity: median,
        counts,
        median_activity,
    };
    (rows, extras, quadrants)
}

/// One key's row (its quadrant and ABC class set later).
fn row(key: &str, a: &Acc<'_>, (days, stores): (usize, usize)) -> ProductRow {
    let stock = a.stock.map(|(_, s)| stock_value(s));
    let days_sold = a.extra.sold.count();
    ProductRow {
        key: key.to_owned(),
        name: a.name.to_owned(),
        category: if a.category.is_empty() {
            "未分类"
        } else {
            a.category
        }
        .to_owned(),
        sales: a.sales,
        cost: a.cost,
        profit: a.profit,
        quantity: a.quantity,
        recent_quantity: a.recent_quantity,
        orders: a.orders,
        stock,
        avg_price: ratio(a.sales, a.quantity),
        margin_pct: pct(a.profit, a.sales),
        quadrant: Quadrant::Weed,
        activity: depth::activity(days_sold, (stores, days)),
        days_sold,
        turnover_days: depth::turnover_days(stock, a.quantity, days).filter(|d| d.is_finite()),
        abc: "C",
    }
}

/// The best [`RANKING_LEN`] rows by `measure` (rows without a value are left out).
fn top(rows: &[ProductRow], measure: impl Fn(&ProductRow) -> Option<f64>) -> Vec<ProductRow> {
    let mut ranked: Vec<(f64, &ProductRow)> =
        rows.iter().filter_map(|r| Some((measure(r)?, r))).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0)); // stable: ties keep the sales order
    ranked
        .into_iter()
        .take(RANKING_LEN)
        .map(|(_, r)| r.clone())
        .collect()
}

fn rankings(rows: &[ProductRow]) -> Rankings {
    Rankings {
        by_sales: top(rows, |r| Some(r.sales)),
        by_profit: top(rows, |r| Some(r.profit)),
        by_margin: top(rows, |r| r.margin_pct),
        by_quantity: top(rows, |r| Some(r.quantity)),
        by_orders: top(rows, |r| Some(r.orders as f64)),
    }
}

fn sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v
}

fn warnings(rows: &[ProductRow]) -> InventoryWarnings {
    let quantity_p75 = percentile(&sorted(rows.iter().map(|r| r.quantity)), 75).unwrap_or(0.0);
    let stock_p25 = percentile(&sorted(rows.iter().filter_map(|r| r.stock)), 25);
    let flagged = |test: &dyn Fn(&ProductRow, f64) -> bool| -> Vec<ProductRow> {
        let has = |r: &&ProductRow| r.stock.is_some_and(|s| test(r, s));
        rows.iter().filter(has).cloned().collect()
    };
    InventoryWarnings {
        out_of_stock: flagged(&|r, stock| stock <= 0.0 && r.recent_quantity > 0.0),
        slow_moving: flagged(&|r, stock| stock > 10.0 && stock / (r.quantity + 1.0) > 5.0),
        hot_low_stock: flagged(&|r, stock| {
            r.quantity > quantity_p75 && stock_p25.is_some_and(|p| stock < p)
        }),
        quantity_p75,
        stock_p25,
    }
}

/// Computes the products tab over the kept orders of `filters` (fee-channel filter applied).
/// Latest name, category and stock are those of the line with the latest order time (the later
/// one in store and file order on a tie), across stores when no store is selected.
///
/// Answered from the stores' daily product points ([`crate::facts`]): the cost follows the
/// products and days asked for, not the history kept.
pub fn products(snaps: &[Arc<StoreSnapshot>], filters: &Filters, business: &Business) -> Products {
    let parts = crate::overview::parts(snaps, filters, business);
    let recent_from = recent_from(filters);
    let acc = from_facts::accumulate(
        &parts,
        (filters.from, filters.to),
        recent_from,
        half(filters),
    );
    assemble(filters, acc, business, parts.len())
}

/// The products tab computed from the raw lines, order by order: the reference the aggregates
/// are checked against in tests, and the baseline the benches time them against.
pub fn products_from_lines(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Products {
    let kept = orders(snaps, filters, business);
    let acc = from_lines::accumulate(
        &kept,
        business,
        (filters.from, recent_from(filters)),
        half(filters),
    );
    assemble(filters, acc, business, stores_on_channel(snaps, filters))
}

/// The selected stores that have the filter's channel (what [`crate::overview::parts`] keeps):
/// 动销指数's store count on the raw-line path.
fn stores_on_channel(snaps: &[Arc<StoreSnapshot>], filters: &Filters) -> usize {
    snaps
        .iter()
        .filter(|s| filters.store.as_deref().is_none_or(|name| s.name == name))
        .filter(|s| {
            filters.channel.as_deref().is_none_or(|c| {
                s.channel_syms()
                    .iter()
                    .any(|&sym| s.data.strings.get(sym) == c)
            })
        })
        .count()
}

fn recent_from(filters: &Filters) -> NaiveDate {
    (filters.to - Duration::days(RECENT_DAYS - 1)).max(filters.from)
}

/// Days in the period.
fn period_days(filters: &Filters) -> usize {
    usize::try_from((filters.to - filters.from).num_days() + 1).unwrap_or(0)
}

/// Days in the period's first half.
fn half(filters: &Filters) -> usize {
    depth::first_half_days(period_days(filters))
}

/// The tab from the per-key totals; `stores` is the number of stores selected (动销指数's
/// store-days are out of `stores × days`).
fn assemble(
    filters: &Filters,
    acc: HashMap<&str, Acc<'_>>,
    business: &Business,
    stores: usize,
) -> Products {
    let days = period_days(filters);
    let (mut rows, extras, quadrants) = into_rows(acc, business, (days, stores));
    let abc = depth::abc(&mut rows);
    let thresholds = (quadrants.high_margin_pct, quadrants.median_activity);
    let period = (filters.from, filters.to);
    Products {
        filters: filters.clone(),
        empty: rows.is_empty(),
        rankings: rankings(&rows),
        inventory_warnings: warnings(&rows),
        abc,
        price_bands: depth::price_bands(&rows),
        low_turnover: LowTurnover {
            threshold_days: depth::LOW_TURNOVER_DAYS,
            rows: rows
                .iter()
                .filter(|r| depth::is_low_turnover(r))
                .cloned()
                .collect(),
        },
        quadrant_trend: depth::trend(&rows, &extras, (period.0, period.1, stores), thresholds),
        migration: depth::migration(&rows, &extras, (filters.from, days, stores), thresholds),
        quadrants,
        products: rows,
    }
}

pub mod depth;
pub(crate) mod from_facts;
mod from_lines;
pub(crate) use from_facts::Latest;
pub mod page;

#[cfg(test)]
mod tests;
