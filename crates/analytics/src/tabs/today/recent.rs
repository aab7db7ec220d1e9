//! 今日必做's history from the stores' aggregates: the days with orders and the order cards'
//! daily counts from the cells, the product histories from the daily product points, and raw
//! orders only for the days whose order-level cards list rows (the window ending yesterday).
//!
//! Cost: `O(stores × days in the period)` cells, the products' window ([`window`]: its points and
//! one step back per series), and the lines of four days; nothing proportional to the history.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use storeboard_data::StoreSnapshot;

use super::history::{back, Bins, DayCounts, History};
use super::{window, TREND_DAYS};
use crate::config::Business;
use crate::filters::Filters;
use crate::order::orders;
use crate::overview::parts;

/// The days the product rules look at before yesterday: two weeks for the weekly comparisons
/// of the trend's oldest day (`back(d, 13)` with `d` = yesterday − 3).
const WINDOW_DAYS: i64 = 13 + TREND_DAYS;

/// Days of per-day counts the order and line cards' trends read: four windows of a week.
const COUNT_DAYS: i64 = 4 * 7;

/// The last day with kept orders in the filters' period, store and channel.
pub(super) fn yesterday(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Option<NaiveDate> {
    parts(snaps, filters, business)
        .iter()
        .filter_map(|p| {
            let sel = p.facts.select(filters.from, filters.to, p.channel);
            sel.cells().last().map(|(d, _, _)| d)
        })
        .max()
}

/// Builds the history of [`History`] from the aggregates, with the raw orders of the `window`
/// days ending yesterday.
pub(super) fn load<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    window: i64,
) -> History<'a> {
    let parts = parts(snaps, filters, business);
    let consumable = business.consumable_category.as_str();
    // The days the cards ask about: yesterday within the period, and the weeks before the
    // trend's oldest day (never more, so a long history costs nothing here).
    let first = back(filters.from, WINDOW_DAYS.max(COUNT_DAYS));
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut counts = DayCounts::new();
    let mut bins = Bins::new();
    for p in &parts {
        let sel = p.facts.select(first, filters.to, p.channel);
        for (d, channel, cell) in sel.cells() {
            days.insert(d);
            let c = counts.entry(d).or_default();
            c[0] += cell.loss_orders;
            c[1] += cell.high_delivery;
            c[2] += cell.price_anomalies;
            let b = bins
                .entry((d, p.snap.data.strings.get(channel)))
                .or_default();
            b.orders += cell.orders;
            b.sales += cell.sales;
            for (band, bin) in b.bands.iter_mut().zip(&cell.aov) {
                *band += bin.orders;
            }
        }
    }
    let Some(&y) = days.range(filters.from..=filters.to).next_back() else {
        return History::new(Vec::new(), BTreeMap::new(), days, counts, consumable);
    };
    let raw = Filters {
        from: back(y, window - 1),
        to: y,
        ..filters.clone()
    };
    let orders = orders(snaps, &raw, business);
    let products = window::products(&parts, back(y, WINDOW_DAYS), y);
    let mut h = History::new(orders, products, days, counts, consumable);
    h.bins = bins;
    h.rules = business.today.clone();
    h
}
