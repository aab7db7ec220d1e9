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
use crate::overview::{line_time, parts, Part};
use crate::products::Latest;

/// The days the product rules look at before yesterday: two weeks for the weekly comparisons
/// of the trend's oldest day (`back(d, 13)` with `d` = yesterday − 3).
const WINDOW_DAYS: i64 = 13 + TREND_DAYS;

/// Builds the history of [`History`] from the aggregates.
pub(super) fn load<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> History<'a> {
    let parts = parts(snaps, filters, business);
    // The days the cards ask about: yesterday within the period, and the weeks before the
    // trend's oldest day (never more, so a long history costs nothing here).
    let first = back(filters.from, WINDOW_DAYS);
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    for p in &parts {
        let sel = p.facts.select(first, filters.to, p.channel);
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

/// One day of one product: its sums and its latest stock reading (which line of which store).
#[derive(Clone, Copy, Default)]
struct Day {
    sums: Option<Sums>,
    stock: Option<Latest>,
}

impl Day {
    /// Adds one series' point of this day; the later stock line wins by the products tab's
    /// rule ([`Latest::max`]), `time` giving a line's order time when two stores tie.
    fn add(&mut self, sums: Sums, stock: Option<Latest>, time: impl Fn(usize, u32) -> i64) {
        match &mut self.sums {
            Some(s) => s.add(&sums),
            None => self.sums = Some(sums),
        }
        if let Some(new) = stock {
            self.stock = Latest::max(self.stock, new, time);
        }
    }
}

/// One product's points from every selected series, and where its name comes from: the window's
/// days in an array indexed by day (the series come sorted, nothing is sorted again), and the
/// few days before it.
struct Merged {
    name: Option<(usize, u32)>,
    window: [Day; WINDOW_DAYS as usize + 1],
    before: Vec<(i64, Day)>,
}

impl Default for Merged {
    fn default() -> Self {
        Self {
            name: None,
            window: [Day::default(); WINDOW_DAYS as usize + 1],
            before: Vec::new(),
        }
    }
}

fn products<'a>(
    parts: &[Part<'a>],
    from: NaiveDate,
    y: NaiveDate,
) -> BTreeMap<&'a str, Product<'a>> {
    let (from, to) = (day_number(from), day_number(y));
    let mut merged: HashMap<&'a str, Merged> = HashMap::new();
    let time = |store: usize, j: u32| line_time(parts, store, j);
    for (store, p) in parts.iter().enumerate() {
        let channel = p.channel.map(|s| p.facts.channel_index(s));
        let snap = p.snap;
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
            // Both end at `to`: the window is the tail of the whole series (no second search).
            let start = all.len() - series.points(k, from, to).len();
            let (before, window) = all.split_at(start);
            let mut add = |pt: &Point| {
                let sums = Sums {
                    quantity: pt.quantity,
                    sales: pt.sales as f64 / SALES_SCALE,
                    profit: cents_to_yuan(pt.profit),
                };
                let stock = (pt.stock_line != NO_LINE).then_some(Latest {
                    day: pt.day,
                    store,
                    line: pt.stock_line,
                });
                match m.window.get_mut((pt.day - from) as usize) {
                    Some(day) if pt.day >= from => day.add(sums, stock, time),
                    _ => {
                        let mut day = Day::default();
                        day.add(sums, stock, time);
                        m.before.push((pt.day, day));
                    }
                }
            };
            window.iter().for_each(|pt| add(&pt));
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
                add(&pt);
            }
        }
    }
    // Sorted by key once, so ties in the cards come out in key order.
    let mut merged: Vec<(&'a str, Merged)> = merged.into_iter().collect();
    merged.sort_unstable_by(|a, b| a.0.cmp(b.0));
    merged
        .into_iter()
        .map(|(key, m)| (key, into_product(parts, from, m)))
        .collect()
}

fn into_product<'a>(parts: &[Part<'a>], from: i64, m: Merged) -> Product<'a> {
    let (name, category) = m.name.map_or(("", ""), |(store, j)| {
        let data = &parts[store].snap.data;
        let j = j as usize;
        (
            data.strings.get(data.lines.product[j]),
            data.strings.get(data.lines.category1[j]),
        )
    });
    let mut before = m.before;
    before.sort_unstable_by_key(|(d, _)| *d);
    let time = |store: usize, j: u32| line_time(parts, store, j);
    let mut days: Vec<(i64, Day)> = Vec::with_capacity(before.len() + m.window.len());
    for (d, day) in before {
        match days.last_mut() {
            Some((last, merged)) if *last == d => {
                if let Some(sums) = day.sums {
                    merged.add(sums, day.stock, time);
                }
            }
            _ => days.push((d, day)),
        }
    }
    days.extend((from..).zip(m.window).filter(|(_, day)| day.sums.is_some()));
    let summed = days
        .iter()
        .filter_map(|(d, day)| Some((day_from_days(*d), day.sums?)));
    let latest = days.iter().filter_map(|(d, day)| {
        let at = day.stock?;
        let stock = parts[at.store].snap.data.lines.stock[at.line as usize];
        Some((
            day_from_days(*d),
            (line_time(parts, at.store, at.line), stock),
        ))
    });
    Product::from_parts(name, category, summed.collect(), latest.collect())
}
