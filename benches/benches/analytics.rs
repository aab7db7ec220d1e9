//! Analytics speed on the 28-store × 30-day database (about 430k lines), uncached: each tab from
//! the aggregates kept with the snapshots against the previous code path (the same tab from the
//! raw lines, `*_from_lines`) in the same run, and one plain pass summing 实收价格 × 销量 over the
//! period's lines (the least work any figure computed from lines needs).
//!
//! Run: `cargo bench -p storeboard-benches --bench analytics` (or `cargo make bench`).
//! Env: `BENCH_ITERS=30`, `BENCH_CHAIN_ORDERS=128`, `BENCH_DAYS=30` (e.g. `BENCH_DAYS=365
//! BENCH_CHAIN_ORDERS=20` for a year of the chain at a sixth of its orders, ~0.9M lines).

mod common;

use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;
use common::{bench_dir, chain_database_days};
use storeboard_analytics::{facts, overview, products, timeslots, today, Business, Filters};
use storeboard_data::{OrderStore, StoreSnapshot};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let iters: usize = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let orders: u32 = std::env::var("BENCH_CHAIN_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let days: u32 = std::env::var("BENCH_DAYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = chain_database_days(&bench_dir(), orders, days);
    let store = OrderStore::open(&dir).expect("opens the chain database");
    let snaps = store.registry().all();
    let lines: usize = snaps.iter().map(|s| s.data.line_count()).sum();
    let last = snaps
        .iter()
        .filter_map(|s| s.day_span())
        .map(|(_, l)| l)
        .max()
        .expect("data");
    let business = Business::default();
    println!(
        "analytics on {} stores, {lines} lines; median of {iters} uncached runs",
        snaps.len()
    );
    // The aggregates are built once per snapshot (in the server, by the tabs state's warmer as
    // soon as a snapshot appears): timed here once, then every request reads them.
    let started = Instant::now();
    for snap in &snaps {
        std::hint::black_box(facts::facts(snap, &business));
    }
    println!(
        "building the aggregates of every store (once per snapshot): {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    println!(
        "{:<36} {:>11} {:>13} {:>9} {:>12}",
        "case", "aggregates", "raw lines ms", "ratio", "1 pass ms"
    );
    let cases = [
        ("all stores, 30 days", None, 29),
        ("one store, 7 days", Some(snaps[0].name.clone()), 6),
    ];
    for (scope, store_filter, span) in cases {
        let filters = Filters {
            store: store_filter,
            from: last - Duration::days(span),
            to: last,
            channel: None,
            requested: None,
        };
        let base = median_ms(iters, || baseline(&snaps, &filters));
        type Tab<'a> = (&'a str, &'a dyn Fn() -> bool, &'a dyn Fn() -> bool);
        let (s, f, b) = (&snaps, &filters, &business);
        let tabs: [Tab<'_>; 4] = [
            ("overview", &|| overview::overview(s, f, b).empty, &|| {
                overview::overview_from_lines(s, f, b).empty
            }),
            ("products", &|| products::products(s, f, b).empty, &|| {
                products::products_from_lines(s, f, b).empty
            }),
            (
                "timeslots",
                &|| timeslots::timeslots(s, f, b).empty,
                &|| timeslots::timeslots_from_lines(s, f, b).empty,
            ),
            ("today", &|| today::today(s, f, b).empty, &|| {
                today::today_from_lines(s, f, b, 1).empty
            }),
        ];
        for (tab, fast, slow) in tabs {
            let fast_ms = median_ms(iters, || f64::from(u8::from(fast())));
            let slow_ms = median_ms(iters.min(10), || f64::from(u8::from(slow())));
            println!(
                "{:<36} {fast_ms:>11.3} {slow_ms:>13.3} {:>8.1}× {base:>12.3}",
                format!("{tab}, {scope}"),
                slow_ms / fast_ms
            );
        }
    }
}

fn median_ms(iters: usize, mut f: impl FnMut() -> f64) -> f64 {
    let mut times: Vec<f64> = (0..iters.max(1))
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Σ 实收价格 × 销量 over the lines of the filters' orders: one pass, no grouping.
fn baseline(snaps: &[Arc<StoreSnapshot>], filters: &Filters) -> f64 {
    let mut sum = 0i64;
    for snap in snaps
        .iter()
        .filter(|s| filters.store.as_deref().is_none_or(|n| s.name == n))
    {
        let range = snap.orders_between(filters.from, filters.to);
        let l = &snap.data.lines;
        let first = snap.data.line_range(range.start).start;
        let end = if range.end == 0 {
            0
        } else {
            snap.data.line_range(range.end - 1).end
        };
        for j in first..end.max(first) {
            sum += i64::from(l.money[0][j]) * i64::from(l.quantity[j]);
        }
    }
    sum as f64
}
