//! 今日必做's history from the stores' aggregates: the days with orders from the cells, the
//! product histories from the daily product points, and raw orders only for the four days whose
//! order-level cards list rows (yesterday and the three days of its trend).
//!
//! Cost: `O(stores × days in the period)` cells, the products' window ([`window`]: its points and
//! one step back per series), and the lines of four days; nothing proportional to the history.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use storeboard_data::StoreSnapshot;

use super::history::{back, History};
use super::{window, TREND_DAYS};
use crate::config::Business;
use crate::filters::Filters;
use crate::order::orders;
use crate::overview::parts;

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
    let products = window::products(&parts, back(y, WINDOW_DAYS), y);
    History::new(orders, products, days)
}
