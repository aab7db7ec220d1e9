//! The product totals from the stores' daily product points ([`crate::facts::series`]).
//!
//! Cost: the points of the period, `O(Σ products × days sold)` over the selected stores and
//! channels, plus one hash per (store, product) to merge stores by key; no line is read.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Acc;
use crate::facts::day_number;
use crate::facts::series::NO_LINE;
use crate::order::{cents_to_yuan, SALES_SCALE};
use crate::overview::Part;

/// Exact totals of one key, and the (order time, store, line) the name and stock come from.
#[derive(Default)]
struct Exact {
    sales: i64,
    cost: i64,
    profit: i64,
    quantity: i64,
    recent_quantity: i64,
    orders: usize,
    name: Option<(i64, usize, u32)>,
    stock: Option<(i64, usize, u32)>,
}

/// Totals per key of the parts' points in `from..=to`, as the line path's [`Acc`].
pub(super) fn accumulate<'a>(
    parts: &[Part<'a>],
    from: NaiveDate,
    to: NaiveDate,
    recent_from: NaiveDate,
) -> HashMap<&'a str, Acc<'a>> {
    let (from, to, recent) = (day_number(from), day_number(to), day_number(recent_from));
    let mut exact: HashMap<&'a str, Exact> = HashMap::new();
    for (store, p) in parts.iter().enumerate() {
        let channel = p.channel.map(|s| p.facts.channel_index(s));
        let data = &p.snap.data;
        let time = |j: u32| data.orders.time[data.lines.order[j as usize] as usize];
        let series = p.facts.series();
        for (k, s) in series.all().iter().enumerate() {
            if channel.is_some_and(|c| c != Some(s.channel)) {
                continue;
            }
            let points = series.points(k, from, to);
            if points.is_empty() {
                continue;
            }
            let e = exact.entry(data.strings.get(s.key)).or_default();
            for pt in points {
                e.sales += pt.sales;
                e.cost += pt.cost;
                e.profit += pt.profit;
                e.quantity += pt.quantity;
                if pt.day >= recent {
                    e.recent_quantity += pt.quantity;
                }
                e.orders += pt.orders as usize;
            }
            // The latest order time wins; on a tie, the later store, then the later line. In one
            // series the last point (and its last line) is the latest, so one lookup each.
            if let Some(pt) = points.last() {
                e.name = e.name.max(Some((time(pt.last_line), store, pt.last_line)));
            }
            if let Some(pt) = points.iter().rev().find(|pt| pt.stock_line != NO_LINE) {
                e.stock = e
                    .stock
                    .max(Some((time(pt.stock_line), store, pt.stock_line)));
            }
        }
    }
    exact
        .into_iter()
        .map(|(key, e)| (key, into_acc(parts, e)))
        .collect()
}

fn into_acc<'a>(parts: &[Part<'a>], e: Exact) -> Acc<'a> {
    let line = |(_, store, j): (i64, usize, u32)| (parts[store].snap, j as usize);
    let (name, category) = e.name.map_or(("", ""), |at| {
        let (snap, j) = line(at);
        let (l, strings) = (&snap.data.lines, &snap.data.strings);
        (strings.get(l.product[j]), strings.get(l.category1[j]))
    });
    Acc {
        name,
        category,
        name_time: e.name.map(|(t, _, _)| t),
        sales: e.sales as f64 / SALES_SCALE,
        cost: cents_to_yuan(e.cost),
        profit: cents_to_yuan(e.profit),
        quantity: e.quantity as f64 / 1000.0,
        recent_quantity: e.recent_quantity as f64 / 1000.0,
        orders: e.orders,
        last_order: 0,
        stock: e.stock.map(|at| {
            let (snap, j) = line(at);
            (at.0, snap.data.lines.stock[j])
        }),
    }
}
