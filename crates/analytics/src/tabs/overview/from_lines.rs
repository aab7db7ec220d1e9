//! The overview from the raw lines, order by order: the reference the aggregates
//! ([`super::period`]) are checked against.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use super::channels::{channel_cards, with_previous};
use super::depth::{self, CostSums};
use super::{
    kpis, Band, CategoryRow, DayPoint, Overview, Values, AOV_BOUNDS, AOV_LABELS, PROFIT_BOUNDS,
    PROFIT_LABELS,
};
use crate::config::Business;
use crate::filters::Filters;
use crate::order::{
    cents, line_col, order_col, orders, pct, total, units, yuan, OrderFigures, MARKETING,
};

fn values(orders: &[OrderFigures<'_>], active: usize) -> Values {
    Values::new(
        orders.len() as f64,
        (total(orders, |o| o.sales), total(orders, |o| o.profit)),
        active,
        (total(orders, |o| o.gmv), total(orders, |o| o.marketing)),
    )
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
pub(super) fn by_snapshot<'o, 'a>(
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

fn categories(orders: &[OrderFigures<'_>]) -> Vec<CategoryRow> {
    let (actual, profit) = (line_col(Column::ActualPrice), line_col(Column::Profit));
    let cost = line_col(Column::Cost);
    let mut acc: HashMap<&str, (f64, f64, f64, f64)> = HashMap::new();
    for (snap, group) in by_snapshot(orders) {
        // Accumulate by string id, then merge by name: one hash per category, not per line.
        let mut by_sym = vec![(0.0, 0.0, 0.0, 0.0); snap.data.strings.len()];
        let l = &snap.data.lines;
        for o in group {
            for j in o.lines.clone() {
                let e = &mut by_sym[l.category1[j] as usize];
                e.0 += yuan(l.money[actual][j]) * units(l.quantity[j]);
                e.1 += yuan(l.money[profit][j]);
                e.2 += units(l.quantity[j]);
                e.3 += yuan(l.money[cost][j]);
            }
        }
        for &sym in snap.category_syms() {
            let (sales, p, q, c) = by_sym[sym as usize];
            let name = snap.data.strings.get(sym);
            let e = acc
                .entry(if name.is_empty() { "未分类" } else { name })
                .or_default();
            e.0 += sales;
            e.1 += p;
            e.2 += q;
            e.3 += c;
        }
    }
    let mut rows: Vec<CategoryRow> = acc
        .into_iter()
        .map(|(c, (sales, profit, quantity, cost))| CategoryRow {
            category: c.to_owned(),
            sales,
            profit,
            margin_pct: pct(profit, sales),
            quantity,
            cost,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.sales
            .total_cmp(&a.sales)
            .then_with(|| a.category.cmp(&b.category))
    });
    rows
}

/// Σ total cost (yuan) of the orders of each AOV band.
fn aov_costs(orders: &[OrderFigures<'_>]) -> [f64; 8] {
    let mut out = [0.0; 8];
    for o in orders {
        let k = AOV_BOUNDS.iter().rposition(|&b| o.sales >= b).unwrap_or(0);
        out[k] += o.product_cost + o.consumable_cost + o.marketing + o.delivery_net + o.fee;
    }
    out
}

/// The summed costs of the orders, each marketing column read from the order's columns.
fn cost_sums(orders: &[OrderFigures<'_>]) -> CostSums {
    let mut s = CostSums::default();
    for o in orders {
        s.sales += o.sales;
        s.product_cost += o.product_cost;
        s.consumables += o.consumable_cost;
        s.delivery_net += o.delivery_net;
        s.platform_fee += o.fee;
        let money = &o.snap.data.orders.money;
        for (sum, col) in s.marketing.iter_mut().zip(MARKETING) {
            *sum += cents(money[order_col(col)][o.index]) as f64 / 100.0;
        }
    }
    s
}

/// The overview from the raw lines.
pub(super) fn overview(
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
    let channels = with_previous(channels, channel_cards(&prev, business));
    let prev_bands = bands(&prev, &AOV_BOUNDS, &AOV_LABELS, |o| o.sales);
    let count = |f: fn(f64) -> bool| cur.iter().filter(|o| f(o.profit)).count();
    let cur_values = values(&cur, active);
    Overview {
        filters: filters.clone(),
        empty: cur.is_empty(),
        kpis: kpis(
            &cur_values,
            &values(&prev, active_products(&prev)),
            week.as_ref(),
        ),
        insights: depth::insights(&channels),
        channels,
        aov_bands: depth::aov_bands(aov_bands, &aov_costs(&cur), &prev_bands),
        days: depth::days(&daily),
        daily,
        cost_structure: depth::cost_structure(&cost_sums(&cur), &categories),
        categories,
        profit_buckets,
        profit_summary: depth::profit_summary(
            cur.len(),
            count(|p| p > 0.0),
            count(|p| p < 0.0),
            cur_values.profit,
        ),
    }
}
