//! 今日必做's history from the stores' aggregates: the days with orders and the order cards'
//! daily counts from the cells, the product histories from the daily product points, and raw
//! orders only for the days whose order-level cards list rows (the window ending yesterday).
//!
//! Cost: `O(stores × days in the period)` cells, the products' window ([`window`]: its points and
//! one step back per series), and the lines of four days; nothing proportional to the history.

use std::collections::BTreeSet;
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

/// [`load_at`] as of [`yesterday`] (an empty history when the period has no order).
#[cfg(test)]
pub(super) fn load<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    window: i64,
) -> History<'a> {
    match yesterday(snaps, filters, business) {
        Some(y) => load_at(snaps, filters, business, window, y),
        None => History::new(
            Vec::new(),
            Default::default(),
            BTreeSet::new(),
            DayCounts::new(),
            &business.consumable_category,
        ),
    }
}

/// The history of a test's one-day period `d` (all stores and channels), yesterday's window.
#[cfg(test)]
pub(super) fn load_day<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    d: NaiveDate,
    business: &Business,
) -> History<'a> {
    let filters = Filters {
        store: None,
        from: d,
        to: d,
        channel: None,
        requested: None,
    };
    load(snaps, &filters, business, 1)
}

/// Builds the history of [`History`] as of `y` (the period's last day with orders) from the
/// aggregates, with the raw orders of the `window` days ending at `y`. Only the days the cards
/// ask about are read: the weeks before the trend's oldest day, never the rest of the period
/// (so a long period or history costs nothing here).
pub(super) fn load_at<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    window: i64,
    y: NaiveDate,
) -> History<'a> {
    let parts = parts(snaps, filters, business);
    let first = back(y, WINDOW_DAYS.max(COUNT_DAYS));
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut counts = DayCounts::new();
    let mut bins = Bins::new();
    for p in &parts {
        let sel = p.facts.select(first, y, p.channel);
        for ((d, channel, cell), aov) in sel.cells().zip(sel.aov_orders()) {
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
            for (band, orders) in b.bands.iter_mut().zip(aov) {
                *band += orders;
            }
        }
    }
    let raw = Filters {
        from: back(y, window - 1),
        to: y,
        ..filters.clone()
    };
    let orders = orders(snaps, &raw, business);
    let products = window::products(&parts, back(y, WINDOW_DAYS), y);
    let consumable = business.consumable_category.as_str();
    let mut h = History::new(orders, products, days, counts, consumable);
    h.bins = bins;
    h.rules = business.today.clone();
    h
}
