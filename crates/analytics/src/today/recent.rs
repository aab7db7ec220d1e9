//! 今日必做's history from the stores' aggregates: the days with orders from the cells, the
//! product histories from the daily product points, and raw orders only for the four days whose
//! order-level cards list rows (yesterday and the three days of its trend).
//!
//! Cost: `O(stores × (days in the period + Σ product series))` binary searches, the points of
//! the 17-day window the product rules read, one step back per product for its latest stock and
//! sale before the window, and the lines of four days; nothing proportional to the history.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use storeboard_data::StoreSnapshot;

use super::history::{back, History, Product, Sums};
use super::TREND_DAYS;
use crate::config::Business;
use crate::facts::day_number;
use crate::facts::series::{Point, NO_LINE};
use crate::filters::Filters;
use crate::order::{cents_to_yuan, day_from_days, orders, SALES_SCALE};
use crate::overview::{parts, Part};

/// The days the product rules look at before yesterday: two weeks for the weekly comparisons
/// of the trend's oldest day (`back(d, 13)` with `d` = yesterday − 3).
const WINDOW_DAYS: i64 = 13 + TREND_DAYS;

/// A line's place in the order it was read: (order time, store, line).
type At = (i64, usize, u32);

/// Builds the history of [`History`] from the aggregates.
pub(super) fn load<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> History<'a> {
    let parts = parts(snaps, filters, business);
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    for p in &parts {
        let sel = p.facts.select(NaiveDate::MIN, filters.to, p.channel);
        days.extend(sel.cells().map(|(d, _, _)| d));
    }
    let Some(&y) = days.range(filters.from..=filters.to).next_back() else {
        return History::new(Vec::new(), BTreeMap::new(), days);
    };
    let raw = Filters {
        from: back(y, TREND_DAYS),
        to: y,
        ..filters.clone()
    };
    let orders = orders(snaps, &raw, business);
    let products = products(&parts, back(y, WINDOW_DAYS), y);
    History::new(orders, products, days)
}

/// One product's points from every selected series, and where its name comes from. Points are
/// gathered in vectors and sorted once (maps built from sorted input), not inserted one by one.
#[derive(Default)]
struct Merged<'a> {
    name: Option<(usize, u32)>,
    days: Vec<(i64, Sums)>,
    stock: Vec<(i64, At, &'a StoreSnapshot)>,
}

fn products<'a>(
    parts: &[Part<'a>],
    from: NaiveDate,
    y: NaiveDate,
) -> BTreeMap<&'a str, Product<'a>> {
    let (from, to) = (day_number(from), day_number(y));
    let mut merged: HashMap<&'a str, Merged<'a>> = HashMap::new();
    for (store, p) in parts.iter().enumerate() {
        let channel = p.channel.map(|s| p.facts.channel_index(s));
        let snap = p.snap;
        let time = |j: u32| snap.data.orders.time[snap.data.lines.order[j as usize] as usize];
        let series = p.facts.series();
        for (k, s) in series.all().iter().enumerate() {
            if channel.is_some_and(|c| c != Some(s.channel)) {
                continue;
            }
            let all = series.points(k, i64::MIN, to);
            let Some(last) = all.last() else {
                continue;
            };
            let m = merged.entry(snap.data.strings.get(s.key)).or_default();
            // The name is the one of the last line read: the later store, then the later line.
            m.name = m.name.max(Some((store, last.last_line)));
            let start = all.partition_point(|pt| pt.day < from);
            let (before, window) = all.split_at(start);
            let mut add = |pt: &Point| {
                m.days.push((
                    pt.day,
                    Sums {
                        quantity: pt.quantity,
                        sales: pt.sales as f64 / SALES_SCALE,
                        profit: cents_to_yuan(pt.profit),
                    },
                ));
                if pt.stock_line != NO_LINE {
                    m.stock
                        .push((pt.day, (time(pt.stock_line), store, pt.stock_line), snap));
                }
            };
            window.iter().for_each(&mut add);
            // Before the window only three facts matter: that the product was seen, its latest
            // sale and its latest stock reading. The latest of each is enough.
            let last_sale = before.iter().rposition(|pt| pt.quantity > 0);
            let last_stock = before.iter().rposition(|pt| pt.stock_line != NO_LINE);
            let mut picked: Vec<usize> = [Some(0), last_sale, last_stock]
                .into_iter()
                .flatten()
                .collect();
            picked.sort_unstable();
            picked.dedup();
            for pt in picked.into_iter().filter_map(|i| before.get(i)) {
                add(pt);
            }
        }
    }
    // Sorted by key once, so ties in the cards come out in key order.
    let mut merged: Vec<(&'a str, Merged<'a>)> = merged.into_iter().collect();
    merged.sort_unstable_by(|a, b| a.0.cmp(b.0));
    merged
        .into_iter()
        .map(|(key, m)| (key, into_product(parts, m)))
        .collect()
}

fn into_product<'a>(parts: &[Part<'a>], m: Merged<'a>) -> Product<'a> {
    let (name, category) = m.name.map_or(("", ""), |(store, j)| {
        let data = &parts[store].snap.data;
        let j = j as usize;
        (
            data.strings.get(data.lines.product[j]),
            data.strings.get(data.lines.category1[j]),
        )
    });
    let mut days = m.days;
    days.sort_unstable_by_key(|(d, _)| *d);
    let mut summed: Vec<(NaiveDate, Sums)> = Vec::with_capacity(days.len());
    for (d, s) in days {
        match summed.last_mut() {
            Some((last, sum)) if day_number(*last) == d => sum.add(&s),
            _ => summed.push((day_from_days(d), s)),
        }
    }
    // Per day, the stock of the latest line: (order time, store, line) decides, as when the
    // lines are read in order.
    let mut stock = m.stock;
    stock.sort_unstable_by_key(|a| (a.0, a.1));
    let mut latest: Vec<(NaiveDate, (i64, f32))> = Vec::with_capacity(stock.len());
    for (d, (time, _, j), snap) in stock {
        let value = (time, snap.data.lines.stock[j as usize]);
        match latest.last_mut() {
            Some((last, v)) if day_number(*last) == d => *v = value,
            _ => latest.push((day_from_days(d), value)),
        }
    }
    Product::from_parts(
        name,
        category,
        summed.into_iter().collect(),
        latest.into_iter().collect(),
    )
}
