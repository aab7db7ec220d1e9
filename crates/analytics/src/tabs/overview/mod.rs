//! 订单数据概览 (`overview`): KPI cards with 环比 and 上周同期, channel cards, AOV bands, daily
//! trend, categories and the order-profit distribution.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use storeboard_data::schema::Column;

use crate::order::{line_col, orders, pct, ratio, total, units, yuan, OrderFigures};

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
}

fn values(orders: &[OrderFigures<'_>], active: usize) -> Values {
    let sales = total(orders, |o| o.sales);
    let profit = total(orders, |o| o.profit);
    let n = orders.len() as f64;
    Values {
        orders: n,
        sales,
        profit,
        aov: ratio(sales, n),
        margin: pct(profit, sales),
        active: active as f64,
    }
}

/// Distinct product keys with 销量 > 0 (consumables included; across stores a key counts once).
/// Marks string ids per snapshot first (no hashing per line), then unions the few distinct names.
fn active_products(orders: &[OrderFigures<'_>]) -> usize {
    let mut keys: HashSet<&str> = HashSet::new();
    for (snap, group) in by_snapshot(orders) {
        let l = &snap.data.lines;
        let mut seen = vec![false; snap.data.strings.len()];
        for o in group {
            for j in o.lines.clone() {
                if l.quantity[j] > 0 {
                    seen[l.key[j] as usize] = true;
                }
            }
        }
        keys.extend(
            seen.iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .map(|(k, _)| snap.data.strings.get(k as u32)),
        );
    }
    keys.len()
}

/// Orders grouped by their snapshot, in order (orders come snapshot by snapshot).
fn by_snapshot<'o, 'a>(
    orders: &'o [OrderFigures<'a>],
) -> Vec<(&'a StoreSnapshot, &'o [OrderFigures<'a>])> {
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=orders.len() {
        if i == orders.len() || !std::ptr::eq(orders[i].snap, orders[start].snap) {
            if i > start {
                groups.push((orders[start].snap, &orders[start..i]));
            }
            start = i;
        }
    }
    groups
}

fn change(cur: Option<f64>, prev: Option<f64>) -> Option<f64> {
    let (c, p) = (cur?, prev?);
    (p != 0.0).then(|| (c - p) / p * 100.0)
}

fn kpi(cur: Option<f64>, prev: Option<f64>, week: Option<Option<f64>>) -> Kpi {
    Kpi {
        value: cur,
        previous: prev,
        change: change(cur, prev),
        last_week: week.flatten(),
    }
}

fn kpis(cur: &Values, prev: &Values, week: Option<&Values>) -> Kpis {
    let margin_change = match (cur.margin, prev.margin) {
        (Some(c), Some(p)) => Some(c - p),
        _ => None,
    };
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
            ..kpi(cur.margin, prev.margin, week.map(|w| w.margin))
        },
        active_products: kpi(
            Some(cur.active),
            Some(prev.active),
            week.map(|w| Some(w.active)),
        ),
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

/// Lower-inclusive bands: `bounds[k]..bounds[k+1]`, the last open-ended.
fn bands(
    orders: &[OrderFigures<'_>],
    bounds: &[f64],
    labels: &[&str],
    key: fn(&OrderFigures<'_>) -> f64,
) -> Vec<Band> {
    let mut acc = vec![(0usize, 0.0f64, 0.0f64); labels.len()];
    for o in orders {
        let k = bounds.iter().rposition(|&b| key(o) >= b).unwrap_or(0);
        acc[k].0 += 1;
        acc[k].1 += o.sales;
        acc[k].2 += o.profit;
    }
    let n = orders.len() as f64;
    labels
        .iter()
        .zip(acc)
        .map(|(label, (count, sales, profit))| Band {
            label: (*label).to_owned(),
            orders: count,
            share_pct: pct(count as f64, n),
            sales,
            margin_pct: pct(profit, sales),
        })
        .collect()
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

fn add_day(
    days: &mut BTreeMap<NaiveDate, (usize, f64, f64)>,
    day: NaiveDate,
    acc: (usize, f64, f64),
) {
    let e = days.entry(day).or_insert((0, 0.0, 0.0));
    e.0 += acc.0;
    e.1 += acc.1;
    e.2 += acc.2;
}

fn daily(orders: &[OrderFigures<'_>], filters: &Filters) -> Vec<DayPoint> {
    let mut days: BTreeMap<NaiveDate, (usize, f64, f64)> = BTreeMap::new();
    let mut d = filters.from;
    while d <= filters.to {
        days.insert(d, (0, 0.0, 0.0));
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    // Orders come sorted by day within each store: accumulate runs of one day, one map
    // lookup per run instead of per order.
    let mut run: Option<(NaiveDate, (usize, f64, f64))> = None;
    for o in orders {
        match &mut run {
            Some((day, acc)) if *day == o.day => {
                acc.0 += 1;
                acc.1 += o.sales;
                acc.2 += o.profit;
            }
            _ => {
                if let Some((day, acc)) = run.replace((o.day, (1, o.sales, o.profit))) {
                    add_day(&mut days, day, acc);
                }
            }
        }
    }
    if let Some((day, acc)) = run {
        add_day(&mut days, day, acc);
    }
    days.into_iter()
        .map(|(date, (n, sales, profit))| DayPoint {
            date,
            orders: n,
            sales,
            profit,
            margin_pct: pct(profit, sales),
        })
        .collect()
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
}

fn categories(orders: &[OrderFigures<'_>]) -> Vec<CategoryRow> {
    let (actual, profit) = (line_col(Column::ActualPrice), line_col(Column::Profit));
    let mut acc: HashMap<&str, (f64, f64, f64)> = HashMap::new();
    for (snap, group) in by_snapshot(orders) {
        // Accumulate by string id, then merge by name: one hash per category, not per line.
        let mut by_sym: Vec<(f64, f64, f64)> = vec![(0.0, 0.0, 0.0); snap.data.strings.len()];
        let l = &snap.data.lines;
        for o in group {
            for j in o.lines.clone() {
                let e = &mut by_sym[l.category1[j] as usize];
                e.0 += yuan(l.money[actual][j]) * units(l.quantity[j]);
                e.1 += yuan(l.money[profit][j]);
                e.2 += units(l.quantity[j]);
            }
        }
        for &sym in snap.category_syms() {
            let (sales, p, q) = by_sym[sym as usize];
            let name = snap.data.strings.get(sym);
            let e = acc
                .entry(if name.is_empty() { "未分类" } else { name })
                .or_default();
            e.0 += sales;
            e.1 += p;
            e.2 += q;
        }
    }
    let mut rows: Vec<CategoryRow> = acc
        .into_iter()
        .map(|(c, (sales, profit, quantity))| CategoryRow {
            category: c.to_owned(),
            sales,
            profit,
            margin_pct: pct(profit, sales),
            quantity,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.sales
            .total_cmp(&a.sales)
            .then_with(|| a.category.cmp(&b.category))
    });
    rows
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
    /// Orders by order value band.
    pub aov_bands: Vec<Band>,
    /// One point per day of the period.
    pub daily: Vec<DayPoint>,
    /// Categories by sales.
    pub categories: Vec<CategoryRow>,
    /// Orders by 订单实际利润 bucket.
    pub profit_buckets: Vec<Band>,
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
    let cur = orders(snaps, filters, business);
    let prev = orders(snaps, &filters.previous(), business);
    let week = filters.last_week().map(|w| {
        let os = orders(snaps, &w, business);
        values(&os, active_products(&os))
    });
    // The line-level sections on a second thread, the order-level ones here.
    let ((categories, active), (channels, aov_bands, daily, profit_buckets)) =
        std::thread::scope(|scope| {
            let lines = scope.spawn(|| (categories(&cur), active_products(&cur)));
            let order_level = (
                channel_cards(&cur, business),
                bands(&cur, &AOV_BOUNDS, &AOV_LABELS, |o| o.sales),
                daily(&cur, filters),
                bands(&cur, &PROFIT_BOUNDS, &PROFIT_LABELS, |o| o.profit),
            );
            let line_level = lines
                .join()
                .unwrap_or_else(|_| (categories(&cur), active_products(&cur)));
            (line_level, order_level)
        });
    Overview {
        filters: filters.clone(),
        empty: cur.is_empty(),
        kpis: kpis(
            &values(&cur, active),
            &values(&prev, active_products(&prev)),
            week.as_ref(),
        ),
        channels,
        aov_bands,
        daily,
        categories,
        profit_buckets,
    }
}

mod channels;
mod period;
pub(crate) use period::{line_time, parts, Part};
#[cfg(test)]
mod tests;

use channels::channel_cards;
pub use channels::{ChannelCard, CostRates};
