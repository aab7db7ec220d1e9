//! The aggregates answer exactly what the raw lines answer, on generated chains.

use chrono::NaiveDate;
use storeboard_fixtures::ExportSpec;

use crate::config::Business;
use crate::filters::Filters;
use crate::testkit::{assert_same, assert_same_by_key, generated};
use crate::{overview, timeslots};

fn spec() -> ExportSpec {
    ExportSpec {
        stores: vec!["一号店".into(), "二号店".into(), "三号店".into()],
        days: 12,
        orders_per_store_day: 25,
        ..ExportSpec::default()
    }
}

/// Periods across the data (2026-10-29 + 12 days), before it, over its edges, and channel
/// filters that exist in some stores only or nowhere.
fn filter_cases() -> Vec<Filters> {
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).expect("valid");
    let mut cases = Vec::new();
    for store in [None, Some("二号店"), Some("不存在")] {
        for (from, to) in [
            (d(10, 29), d(11, 9)),
            (d(11, 3), d(11, 3)),
            (d(11, 2), d(11, 8)),
            (d(10, 1), d(10, 31)),
            (d(9, 1), d(9, 30)),
        ] {
            for channel in [None, Some("美团闪购"), Some("收银机订单"), Some("没有")] {
                cases.push(Filters {
                    store: store.map(str::to_owned),
                    from,
                    to,
                    channel: channel.map(str::to_owned),
                    requested: None,
                });
            }
        }
    }
    cases
}

#[test]
fn the_overview_from_aggregates_equals_the_overview_from_lines() {
    let snaps = generated(&spec());
    let business = Business::default();
    for f in filter_cases() {
        let (fast, slow) = (
            overview::overview(&snaps, &f, &business),
            overview::overview_from_lines(&snaps, &f, &business),
        );
        assert_same(&fast, &slow, &format!("{f:?}"));
    }
}

#[test]
fn the_time_slots_from_aggregates_equal_the_time_slots_from_lines() {
    let snaps = generated(&spec());
    let business = Business::default();
    for f in filter_cases() {
        let (fast, slow) = (
            timeslots::timeslots(&snaps, &f, &business),
            timeslots::timeslots_from_lines(&snaps, &f, &business),
        );
        assert_same(&fast, &slow, &format!("{f:?}"));
    }
}

#[test]
fn the_products_from_aggregates_equal_the_products_from_lines() {
    let snaps = generated(&spec());
    let business = Business::default();
    for f in filter_cases() {
        let (fast, slow) = (
            crate::products::products(&snaps, &f, &business),
            crate::products::products_from_lines(&snaps, &f, &business),
        );
        // Exact sums make ties where float sums of the same lines did not (¥43.90 against
        // ¥43.900000000000006): tied rows follow their keys, so rows are compared by key.
        assert_same_by_key(&fast, &slow, &format!("{f:?}"));
    }
}

#[test]
fn today_from_aggregates_equals_today_from_every_line() {
    // A longer history than the window 今日必做 reads, with stock readings (the generator
    // writes 剩余库存) so the stock and slow-mover rules reach before the window.
    let snaps = generated(&ExportSpec { days: 30, ..spec() });
    let business = Business::default();
    for f in filter_cases() {
        for window in crate::today::WINDOWS {
            let (fast, slow) = (
                crate::today::today_window(&snaps, &f, &business, window),
                crate::today::today_from_lines(&snaps, &f, &business, window),
            );
            assert_same_by_key(&fast, &slow, &format!("{f:?} window {window}"));
        }
    }
}
