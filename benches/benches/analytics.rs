//! Analytics speed on the 28-store × 30-day database (about 430k lines), uncached, against a
//! baseline measured in the same run: one plain pass summing 实收价格 × 销量 over the same lines
//! (the least work any figure needs).
//!
//! Run: `cargo bench -p storeboard-benches --bench analytics` (or `cargo make bench`).
//! Env: `BENCH_ITERS=30`, `BENCH_CHAIN_ORDERS=128`.

mod common;

use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;
use common::{bench_dir, chain_database};
use storeboard_analytics::{overview, Business, Filters};
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
    let dir = chain_database(&bench_dir(), orders);
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
    println!(
        "{:<34} {:>10} {:>12} {:>8}",
        "case", "median ms", "baseline ms", "ratio"
    );
    let cases = [
        ("overview, all stores, 30 days", None, 29),
        (
            "overview, one store, 7 days",
            Some(snaps[0].name.clone()),
            6,
        ),
    ];
    for (name, store_filter, span) in cases {
        let filters = Filters {
            store: store_filter,
            from: last - Duration::days(span),
            to: last,
            channel: None,
        };
        let base = median_ms(iters, || baseline(&snaps, &filters));
        let full = median_ms(iters, || {
            overview(&snaps, &filters, &business)
                .kpis
                .orders
                .value
                .unwrap_or_default()
        });
        println!("{name:<34} {full:>10.3} {base:>12.3} {:>8.1}", full / base);
        let kept = median_ms(iters, || {
            storeboard_analytics::order::orders(&snaps, &filters, &business).len() as f64
        });
        println!(
            "{:<34} {kept:>10.3} {base:>12.3} {:>8.1}",
            "  of which: kept orders",
            kept / base
        );
        let others: [(&str, &dyn Fn() -> bool); 3] = [
            ("  products", &|| {
                storeboard_analytics::products(&snaps, &filters, &business).empty
            }),
            ("  timeslots", &|| {
                storeboard_analytics::timeslots(&snaps, &filters, &business).empty
            }),
            ("  today", &|| {
                storeboard_analytics::today(&snaps, &filters, &business).empty
            }),
        ];
        for (label, f) in others {
            let ms = median_ms(iters.min(10), || f64::from(u8::from(f())));
            println!("{label:<34} {ms:>10.3} {base:>12.3} {:>8.1}", ms / base);
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
