//! Times 客户流失预警 in process on a generated chain whose customers come back: the
//! generated export's addresses are nearly all distinct, so each is replaced by one of
//! `CUSTOMERS` addresses per store (spelled with and without spaces), which makes many regulars
//! and many churned customers.
//!
//! ```sh
//! cargo run --release -p storeboard-analytics --example churn_probe -- [STORES] [DAYS] [ORDERS] [CUSTOMERS] [ITERS]
//! # defaults: 28 stores, 40 days, 240 orders a store-day (a year of the chain has 240), 1500
//! # customers a store, 50 iterations
//! ```

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Cursor;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use storeboard_analytics::tabs::today::churn::{churn, ChurnRules};
use storeboard_analytics::{facts, Business, Filters};
use storeboard_data::{ingest, IngestOptions, OrderStore, UploadMode};
use storeboard_fixtures::{csv_bytes, CsvEncoding, ExportSpec};

fn arg(args: &[String], i: usize, default: u64) -> Result<u64, String> {
    args.get(i)
        .map_or(Ok(default), |s| s.parse())
        .map_err(|e| format!("argument {}: {e}", i + 1))
}

/// The export with each address field (the one holding `栋****`) replaced by one of
/// `customers` addresses, chosen by a hash of the original.
fn with_regulars(bytes: Vec<u8>, customers: u64) -> Result<Vec<u8>, String> {
    let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(at) = line.find("栋****") else {
            out.push_str(line);
            continue;
        };
        let start = line[..at].rfind(',').map_or(0, |i| i + 1);
        let end = line[at..].find(',').map_or(line.len(), |i| at + i);
        let mut h = DefaultHasher::new();
        line[start..end].hash(&mut h);
        let n = h.finish() % customers;
        let spaced = if n.is_multiple_of(2) { " " } else { "" };
        out.push_str(&line[..start]);
        out.push_str(&format!(
            "幸福小区{}号{spaced}{}栋{spaced}2单元",
            n / 10,
            n % 10
        ));
        out.push_str(&line[end..]);
    }
    Ok(out.into_bytes())
}

/// CPU time of the whole process so far (every thread, ended ones too), ms: utime + stime of
/// `/proc/self/stat`, in clock ticks of 10 ms.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): state is field 3, utime 14.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 * 10.0
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stores = arg(&args, 0, 28)?;
    let days = arg(&args, 1, 40)?;
    let orders = arg(&args, 2, 240)?;
    let customers = arg(&args, 3, 1500)?;
    let iters = arg(&args, 4, 50)? as usize;
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
    let spec = ExportSpec {
        stores: (0..stores).map(|i| format!("门店{i:02}")).collect(),
        start,
        days: days as u32,
        orders_per_store_day: orders as u32,
        ..ExportSpec::default()
    };
    let t = Instant::now();
    let bytes = with_regulars(csv_bytes(&spec, CsvEncoding::Utf8), customers)?;
    println!("generated {} MB in {:?}", bytes.len() >> 20, t.elapsed());
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let parsed = ingest(Cursor::new(bytes), "gen.csv", &IngestOptions::default())
        .map_err(|e| e.to_string())?;
    let store = OrderStore::open(dir.path()).map_err(|e| e.to_string())?;
    store
        .apply(&parsed, "gen.csv", "probe", UploadMode::Replace)
        .map_err(|e| e.to_string())?;
    let snaps = store.registry().all();
    let business = Business::default();
    let t = Instant::now();
    let mut ids = 0;
    for s in &snaps {
        let f = facts::facts(s, &business);
        ids += f
            .heap_parts()
            .iter()
            .find(|(n, _)| *n == "facts: customers")
            .map_or(0, |p| p.1);
    }
    let orders_total: usize = snaps.iter().map(|s| s.data.order_count()).sum();
    println!(
        "{} stores, {orders_total} orders; aggregates built in {:?}; customer ids {ids} bytes ({:.1} a order)",
        snaps.len(),
        t.elapsed(),
        ids as f64 / orders_total.max(1) as f64
    );
    let d = start + Days::new(days - 1);
    let rules = ChurnRules::default();
    let first = snaps.first().map(|s| s.name.clone());
    for (label, store) in [("all stores", None), ("one store", first)] {
        let filters = Filters {
            store,
            from: d,
            to: d,
            channel: None,
            requested: None,
        };
        let c = churn(&snaps, &filters, &business, &rules, d);
        let time = |f: &dyn Fn()| {
            let (t, c0) = (Instant::now(), cpu_ms());
            for _ in 0..iters {
                f();
            }
            (t.elapsed() / iters as u32, (cpu_ms() - c0) / iters as f64)
        };
        let (wall, cpu) = time(&|| {
            std::hint::black_box(churn(&snaps, &filters, &business, &rules, d));
        });
        let tab = Filters {
            from: d - Days::new(6),
            ..filters.clone()
        };
        let (today_wall, today_cpu) = time(&|| {
            std::hint::black_box(storeboard_analytics::today(&snaps, &tab, &business));
        });
        println!(
            "{label}: churn {wall:?} wall, {cpu:.2} ms CPU a request; today tab {today_wall:?} wall, {today_cpu:.2} ms CPU",
        );
        println!(
            "  count {}, amount {:.2}, high value {}, products {}, channels {}, previous {:?}",
            c.count,
            c.amount,
            c.high_value,
            c.products.len(),
            c.channels.len(),
            c.previous_counts
        );
    }
    Ok(())
}
