//! The product totals from the stores' daily product points ([`crate::facts::series`]).
//!
//! Cost: the points of the period, `O(Σ products × days sold)` over the selected stores and
//! channels, plus one hash per (store, product) to merge stores by key; no line is read.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::depth::{Extra, SoldDays};
use super::Acc;
use crate::facts::day_number;
use crate::facts::series::{Point, Points, NO_LINE};
use crate::order::{cents_to_yuan, SALES_SCALE};
use crate::overview::{line_time, Part};

/// Exact totals of one key, and the lines the name and stock come from.
#[derive(Default)]
struct Exact {
    sales: i64,
    cost: i64,
    profit: i64,
    quantity: i64,
    recent_quantity: i64,
    orders: usize,
    name: Option<Latest>,
    stock: Option<Latest>,
    /// Sales and profit of the first half of the period.
    first_sales: i64,
    first_profit: i64,
    sold: SoldDays,
    /// The days sold in the store being read (`store`), folded into `sold` when the next store
    /// starts: a key's series on several channels count a store-day once.
    store_days: Vec<u64>,
    store: Option<usize>,
}

impl Exact {
    /// Adds one day's point; days are numbered from 1970 (`from` is the period's first,
    /// `recent` the first of the recent days, `second` the first of the second half).
    fn add(&mut self, pt: &Point, from: i64, recent: i64, second: i64) {
        self.sales += pt.sales;
        self.cost += pt.cost;
        self.profit += pt.profit;
        self.quantity += pt.quantity;
        if pt.day >= recent {
            self.recent_quantity += pt.quantity;
        }
        self.orders += pt.orders as usize;
        if pt.day < second {
            self.first_sales += pt.sales;
            self.first_profit += pt.profit;
        }
        if pt.quantity > 0 {
            let i = (pt.day - from) as usize;
            if self.store_days.len() <= i / 64 {
                self.store_days.resize(i / 64 + 1, 0);
            }
            self.store_days[i / 64] |= 1 << (i % 64);
        }
    }

    /// Starts store `store`'s points, folding the previous store's days into `sold`.
    fn enter(&mut self, store: usize) {
        if self.store != Some(store) {
            self.fold();
            self.store = Some(store);
        }
    }

    /// Adds the days of the store read so far to `sold` (once per store and day).
    fn fold(&mut self) {
        for (w, word) in self.store_days.iter_mut().enumerate() {
            while *word != 0 {
                let bit = word.trailing_zeros() as usize;
                self.sold.add(w * 64 + bit);
                *word &= *word - 1;
            }
        }
    }
}

/// A line as the tie rule sees it: the latest order time wins, then the later store, then the
/// later line. Its day decides first (a later day is a later time), and within one store the
/// later line (lines are in time order): the order time, a lookup into the store's columns
/// that missed the cache for every series, is only read between stores on the same day.
#[derive(Clone, Copy)]
pub(crate) struct Latest {
    pub day: i64,
    pub store: usize,
    pub line: u32,
}

impl Latest {
    /// `candidate` if it is later than `current` (or there is none), else `current`.
    pub(crate) fn max(
        current: Option<Latest>,
        candidate: Latest,
        time: impl Fn(usize, u32) -> i64,
    ) -> Option<Latest> {
        let Some(cur) = current else {
            return Some(candidate);
        };
        let later = if cur.day != candidate.day {
            candidate.day > cur.day
        } else if cur.store == candidate.store {
            candidate.line > cur.line
        } else {
            (time(candidate.store, candidate.line), candidate.store)
                > (time(cur.store, cur.line), cur.store)
        };
        Some(if later { candidate } else { cur })
    }

    /// Keeps in `name` and `stock` the later of each and this series' latest line, and its
    /// latest line with a 剩余库存 (`points` of one series in store `store`).
    pub(crate) fn note(
        points: &Points<'_>,
        store: usize,
        (name, stock): (&mut Option<Latest>, &mut Option<Latest>),
        time: impl Fn(usize, u32) -> i64 + Copy,
    ) {
        // In one series the last point (and its last line) is the latest.
        if let Some(pt) = points.last() {
            let at = Latest {
                day: pt.day,
                store,
                line: pt.last_line,
            };
            *name = Latest::max(*name, at, time);
        }
        if let Some(pt) = points.iter().rev().find(|pt| pt.stock_line != NO_LINE) {
            let at = Latest {
                day: pt.day,
                store,
                line: pt.stock_line,
            };
            *stock = Latest::max(*stock, at, time);
        }
    }
}

/// Totals per key of the parts' points in `from..=to`, as the line path's [`Acc`].
pub(super) fn accumulate<'a>(
    parts: &[Part<'a>],
    (from, to): (NaiveDate, NaiveDate),
    recent_from: NaiveDate,
    half: usize,
) -> HashMap<&'a str, Acc<'a>> {
    let (from, to, recent) = (day_number(from), day_number(to), day_number(recent_from));
    let second = from + half as i64;
    let mut exact: HashMap<&'a str, Exact> = HashMap::new();
    let time = |store: usize, j: u32| line_time(parts, store, j);
    for (store, p) in parts.iter().enumerate() {
        let channel = p.channel.map(|s| p.facts.channel_index(s));
        let data = &p.snap.data;
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
            e.enter(store);
            for pt in points {
                e.add(&pt, from, recent, second);
            }
            Latest::note(&points, store, (&mut e.name, &mut e.stock), time);
        }
    }
    exact
        .into_iter()
        .map(|(key, e)| (key, into_acc(parts, e)))
        .collect()
}

fn into_acc<'a>(parts: &[Part<'a>], mut e: Exact) -> Acc<'a> {
    e.fold();
    let line = |at: Latest| (parts[at.store].snap, at.line as usize);
    let (name, category) = e.name.map_or(("", ""), |at| {
        let (snap, j) = line(at);
        let (l, strings) = (&snap.data.lines, &snap.data.strings);
        (strings.get(l.product[j]), strings.get(l.category1[j]))
    });
    Acc {
        name,
        category,
        name_time: e.name.map(|at| line_time(parts, at.store, at.line)),
        sales: e.sales as f64 / SALES_SCALE,
        cost: cents_to_yuan(e.cost),
        profit: cents_to_yuan(e.profit),
        quantity: e.quantity as f64 / 1000.0,
        recent_quantity: e.recent_quantity as f64 / 1000.0,
        orders: e.orders,
        last_order: 0,
        stock: e.stock.map(|at| {
            let (snap, j) = line(at);
            (
                line_time(parts, at.store, at.line),
                snap.data.lines.stock[j],
            )
        }),
        extra: Extra {
            sold: e.sold,
            first_sales: e.first_sales as f64 / SALES_SCALE,
            first_profit: cents_to_yuan(e.first_profit),
        },
    }
}
