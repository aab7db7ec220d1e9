//! 订单数据概览 (`overview`): KPI cards with 环比 and 上周同期, channel cards, AOV bands, daily
//! trend, categories and the order-profit distribution.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use crate::order::{pct, ratio};

/// One KPI card: this period, the previous one, the change, and the same days last week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    /// This period's value (`null` when it is a ratio over 0).
    pub value: Option<f64>,
    /// The previous period's value.
    pub previous: Option<f64>,
    /// Percent change, or percentage points for `profit_margin_pct`; `null` when the base is 0 or absent.
    pub change: Option<f64>,
    /// The same days a week earlier (periods of at most 7 days only).
    pub last_week: Option<f64>,
    /// Change against `last_week`, as `change` is against `previous` (percent, percentage
    /// points for `profit_margin_pct`); `null` when last week's value is 0 or absent.
    pub last_week_change: Option<f64>,
}

/// The six KPI cards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// 订单总数.
    pub orders: Kpi,
    /// 商品实收额.
    pub sales: Kpi,
    /// 总利润 (Σ 订单实际利润).
    pub profit: Kpi,
    /// 平均客单价.
    pub avg_order_value: Kpi,
    /// 总利润率 (%).
    pub profit_margin_pct: Kpi,
    /// 动销商品数.
    pub active_products: Kpi,
    /// GMV: Σ 商品原价 × 销量 (lines with 商品原价 > 0) + 打包袋金额 + 用户支付配送费 per order.
    pub gmv: Kpi,
    /// 营销成本率 (%): 营销成本 / GMV; changes in percentage points.
    pub marketing_rate_pct: Kpi,
}

/// The raw values of one period.
#[derive(Debug, Clone, Copy)]
struct Values {
    orders: f64,
    sales: f64,
    profit: f64,
    aov: Option<f64>,
    margin: Option<f64>,
    active: f64,
    gmv: f64,
    marketing_rate: Option<f64>,
}

impl Values {
    /// The KPI values from a period's sums (yuan): the ratios derived here once for both paths.
    fn new(
        orders: f64,
        (sales, profit): (f64, f64),
        active: usize,
        (gmv, marketing): (f64, f64),
    ) -> Values {
        Values {
            orders,
            sales,
            profit,
            aov: ratio(sales, orders),
            margin: pct(profit, sales),
            active: active as f64,
            gmv,
            marketing_rate: pct(marketing, gmv),
        }
    }
}

fn change(cur: Option<f64>, prev: Option<f64>) -> Option<f64> {
    let (c, p) = (cur?, prev?);
    (p != 0.0).then(|| (c - p) / p * 100.0)
}

fn kpi(cur: Option<f64>, prev: Option<f64>, week: Option<Option<f64>>) -> Kpi {
    let last_week = week.flatten();
    Kpi {
        value: cur,
        previous: prev,
        change: change(cur, prev),
        last_week,
        last_week_change: change(cur, last_week),
    }
}

/// A difference in percentage points, `null` when `base` is absent (or 0, when `zero_is_absent`).
fn points(cur: Option<f64>, base: Option<f64>, zero_is_absent: bool) -> Option<f64> {
    let (c, b) = (cur?, base?);
    (!zero_is_absent || b != 0.0).then_some(c - b)
}

fn kpis(cur: &Values, prev: &Values, week: Option<&Values>) -> Kpis {
    let margin_change = points(cur.margin, prev.margin, false);
    let week_margin = week.and_then(|w| w.margin);
    Kpis {
        orders: kpi(
            Some(cur.orders),
            Some(prev.orders),
            week.map(|w| Some(w.orders)),
        ),
        sales: kpi(
            Some(cur.sales),
            Some(prev.sales),
            week.map(|w| Some(w.sales)),
        ),
        profit: kpi(
            Some(cur.profit),
            Some(prev.profit),
            week.map(|w| Some(w.profit)),
        ),
        avg_order_value: kpi(cur.aov, prev.aov, week.map(|w| w.aov)),
        profit_margin_pct: Kpi {
            change: margin_change,
            last_week_change: points(cur.margin, week_margin, true),
            ..kpi(cur.margin, prev.margin, week.map(|w| w.margin))
        },
        active_products: kpi(
            Some(cur.active),
            Some(prev.active),
            week.map(|w| Some(w.active)),
        ),
        gmv: kpi(Some(cur.gmv), Some(prev.gmv), week.map(|w| Some(w.gmv))),
        marketing_rate_pct: Kpi {
            change: points(cur.marketing_rate, prev.marketing_rate, false),
            last_week_change: points(
                cur.marketing_rate,
                week.and_then(|w| w.marketing_rate),
                true,
            ),
            ..kpi(
                cur.marketing_rate,
                prev.marketing_rate,
                week.map(|w| w.marketing_rate),
            )
        },
    }
}

/// One band or bucket of a distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// Label (`¥10-20`).
    pub label: String,
    /// Orders in it.
    pub orders: usize,
    /// Share of all orders (%).
    pub share_pct: Option<f64>,
    /// Sales of its orders.
    pub sales: f64,
    /// Profit / sales of its orders (%).
    pub margin_pct: Option<f64>,
}

pub(crate) const AOV_BOUNDS: [f64; 8] = [
    f64::NEG_INFINITY,
    10.0,
    20.0,
    30.0,
    40.0,
    50.0,
    100.0,
    200.0,
];
pub(crate) const AOV_LABELS: [&str; 8] = [
    "¥0-10",
    "¥10-20",
    "¥20-30",
    "¥30-40",
    "¥40-50",
    "¥50-100",
    "¥100-200",
    "¥200+",
];
pub(crate) const PROFIT_BOUNDS: [f64; 8] = [
    f64::NEG_INFINITY,
    -100.0,
    -50.0,
    -20.0,
    0.0,
    20.0,
    50.0,
    100.0,
];
pub(crate) const PROFIT_LABELS: [&str; 8] = [
    "<-100", "-100~-50", "-50~-20", "-20~0", "0~20", "20~50", "50~100", ">100",
];

/// One day of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayPoint {
    /// The day.
    pub date: NaiveDate,
    /// Orders.
    pub orders: usize,
    /// Sales.
    pub sales: f64,
    /// Σ 订单实际利润.
    pub profit: f64,
    /// Profit / sales (%).
    pub margin_pct: Option<f64>,
}

/// One category row (line-level figures).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRow {
    /// 一级分类名 (`未分类` when empty).
    pub category: String,
    /// Σ 实收价格 × 销量.
    pub sales: f64,
    /// Σ 利润额.
    pub profit: f64,
    /// Profit / sales (%).
    pub margin_pct: Option<f64>,
    /// Σ 销量.
    pub quantity: f64,
    /// Σ 商品采购成本.
    pub cost: f64,
}

/// The whole overview tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// The filters it was computed for.
    pub filters: Filters,
    /// True when no order matched.
    pub empty: bool,
    /// The six KPI cards.
    pub kpis: Kpis,
    /// Channel cards (without the excluded channels).
    pub channels: Vec<ChannelCard>,
    /// Orders by order value band, with cost rate and the previous period.
    pub aov_bands: Vec<AovBand>,
    /// One point per day of the period.
    pub daily: Vec<DayPoint>,
    /// Categories by sales.
    pub categories: Vec<CategoryRow>,
    /// Orders by 订单实际利润 bucket.
    pub profit_buckets: Vec<Band>,
    /// The channel insight lines.
    pub insights: Vec<Insight>,
    /// 成本结构.
    pub cost_structure: CostStructure,
    /// 盈利订单数 and 平均订单利润.
    pub profit_summary: ProfitSummary,
    /// The best, worst and anomaly days.
    pub days: Days,
}

/// Computes the overview tab, from the stores' aggregates ([`crate::facts`]): its cost follows
/// the stores, days and channels asked for, not the history kept.
pub fn overview(snaps: &[Arc<StoreSnapshot>], filters: &Filters, business: &Business) -> Overview {
    period::overview(snaps, filters, business)
}

/// The overview computed from the raw lines, order by order: the reference the aggregates are
/// checked against in tests, and the baseline the benches time them against.
pub fn overview_from_lines(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Overview {
    from_lines::overview(snaps, filters, business)
}

mod channels;
pub mod depth;
mod from_lines;
mod period;
pub(crate) use period::{distinct_sold, line_time, parts, Part};
#[cfg(test)]
mod depth_tests;
#[cfg(test)]
mod tests;

pub use channels::{ChannelCard, ChannelChange, CostRates};
pub use depth::{AovBand, CostStructure, Days, Insight, ProfitSummary};
