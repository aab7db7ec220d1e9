//! Times the tabs in process on a data directory, uncached: a profiling aid (`perf record`).
//!
//! ```sh
//! cargo run --release -p storeboard-analytics --example tab_probe -- DIR today 30 [ITERS] [STORE]
//! cargo run --release -p storeboard-analytics --example tab_probe -- DIR product 365 5 门店01
//! cargo run --release -p storeboard-analytics --example tab_probe -- DIR products 365 5
//! cargo run --release -p storeboard-analytics --example tab_probe -- DIR pricing 7 5 门店01
//! # PROBE_CHECK=1: compare 今日必做 with its every-line reference once (writes both to /tmp when
//! # they differ); PROBE_SHIFT=N ends the period N days before the last; PROBE_CHANNEL=渠道
//! ```

use std::path::Path;
use std::time::Instant;

use chrono::Days;
use storeboard_analytics::{facts, Business, Filters};
use storeboard_data::OrderStore;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, tab, days, rest @ ..] = args.as_slice() else {
        return Err("usage: tab_probe DIR TAB DAYS [ITERS] [STORE]".to_owned());
    };
    let days: u64 = days.parse().map_err(|e| format!("DAYS: {e}"))?;
    let iters: usize = rest
        .first()
        .map_or(Ok(20), |s| s.parse())
        .map_err(|e| format!("ITERS: {e}"))?;
    let store = rest.get(1).cloned();
    let started = Instant::now();
    let db = OrderStore::open(Path::new(dir)).map_err(|e| e.to_string())?;
    let snaps = db.registry().all();
    let business = Business::default();
    for s in &snaps {
        facts::facts(s, &business);
    }
    println!("opened {} stores in {:?}", snaps.len(), started.elapsed());
    let last = snaps
        .iter()
        .filter_map(|s| s.summary().last_day)
        .max()
        .ok_or("no data")?;
    let shift: u64 = std::env::var("PROBE_SHIFT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let last = last - Days::new(shift);
    let filters = Filters {
        store,
        from: last - Days::new(days - 1),
        to: last,
        channel: std::env::var("PROBE_CHANNEL").ok(),
        requested: None,
    };
    if std::env::var_os("PROBE_CHECK").is_some() && tab == "today" {
        let window = std::env::var("PROBE_WINDOW")
            .ok()
            .and_then(|w| w.parse().ok())
            .unwrap_or(1);
        let fast =
            storeboard_analytics::tabs::today::today_window(&snaps, &filters, &business, window);
        let slow = storeboard_analytics::tabs::today::today_from_lines(
            &snaps, &filters, &business, window,
        );
        println!(
            "check against every line: {}",
            if fast == slow { "equal" } else { "DIFFERENT" }
        );
        if fast != slow {
            let pretty = |t| serde_json::to_string_pretty(t).unwrap_or_default();
            std::fs::write("/tmp/today_fast.json", pretty(&fast)).map_err(|e| e.to_string())?;
            std::fs::write("/tmp/today_slow.json", pretty(&slow)).map_err(|e| e.to_string())?;
        }
    }
    if std::env::var_os("PROBE_CACHED").is_some() && tab == "today" {
        // What a cache hit costs: the computed tab cut to 200 rows a card and serialised.
        let t = storeboard_analytics::today(&snaps, &filters, &business);
        let mut times = Vec::new();
        for _ in 0..iters {
            let started = Instant::now();
            let mut page = t.clone();
            page.truncate_rows(200);
            let n = serde_json::to_vec(&page).map_err(|e| e.to_string())?.len();
            times.push((started.elapsed().as_secs_f64() * 1e3, n));
        }
        times.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!(
            "cached today, cut and serialised: median {:.3} ms, {} bytes",
            times[times.len() / 2].0,
            times[0].1
        );
        // As the tabs crate answers a hit: the request's filters, then the stored tail.
        let mut page = t.clone();
        page.truncate_rows(200);
        let tail = serde_json::to_vec(&page).map_err(|e| e.to_string())?;
        let mut spliced = Vec::new();
        for _ in 0..iters {
            let started = Instant::now();
            let f = serde_json::to_vec(&filters).map_err(|e| e.to_string())?;
            let mut json = Vec::with_capacity(f.len() + tail.len() + 12);
            json.extend_from_slice(b"{\"filters\":");
            json.extend_from_slice(&f);
            json.extend_from_slice(&tail);
            spliced.push(started.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(json);
        }
        spliced.sort_by(f64::total_cmp);
        println!(
            "cached today, spliced: median {:.3} ms",
            spliced[spliced.len() / 2]
        );
        return Ok(());
    }
    let key = (tab == "product")
        .then(|| probe_key(&snaps, &filters, &business))
        .transpose()?;
    let mut times = Vec::new();
    let mut size = 0;
    let cpu_before = cpu_ms();
    for _ in 0..iters {
        let t = Instant::now();
        let bytes = match tab.as_str() {
            "today" => {
                let mut t = storeboard_analytics::today(&snaps, &filters, &business);
                if std::env::var_os("PROBE_NO_JSON").is_some() {
                    Ok(Vec::new())
                } else {
                    // As the JSON API answers by default: 200 rows per card.
                    t.truncate_rows(200);
                    serde_json::to_vec(&t)
                }
            }
            "overview" => {
                serde_json::to_vec(&storeboard_analytics::overview(&snaps, &filters, &business))
            }
            "stores" => {
                serde_json::to_vec(&storeboard_analytics::stores(&snaps, &filters, &business))
            }
            "timeslots" => serde_json::to_vec(&storeboard_analytics::timeslots(
                &snaps, &filters, &business,
            )),
            // 商品分析 as `GET /api/v1/tabs/products` answers it: the first page of 200 rows.
            "products" => {
                let tab = storeboard_analytics::products(&snaps, &filters, &business);
                let paging = storeboard_analytics::products::page::Paging::default();
                serde_json::to_vec(&storeboard_analytics::products::page::page(&tab, &paging))
            }
            // PROBE_KEY=product key (default: the period's best seller).
            "product" => {
                let page = storeboard_analytics::product::product(
                    &snaps,
                    &filters,
                    &business,
                    key.as_deref().unwrap_or_default(),
                    &Default::default(),
                );
                serde_json::to_vec(&page)
            }
            // PROBE_SCENARIO=loss_stop|margin_repair|clearance|raise_opportunity|free.
            "pricing" => {
                let scenario = std::env::var("PROBE_SCENARIO").unwrap_or_else(|_| "free".into());
                let request = storeboard_analytics::pricing::Request {
                    scenario: scenario.parse().map_err(|e| format!("{e}"))?,
                    ..Default::default()
                };
                serde_json::to_vec(&storeboard_analytics::pricing::pricing(
                    &snaps,
                    &filters,
                    &business,
                    &request,
                    &Default::default(),
                ))
            }
            other => return Err(format!("unknown tab {other}")),
        }
        .map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        // PROBE_DUMP=FILE: the last answer's JSON, to look at.
        if let Some(path) = std::env::var_os("PROBE_DUMP") {
            std::fs::write(path, &bytes).map_err(|e| e.to_string())?;
        }
        size = bytes.len();
    }
    let cpu = (cpu_ms() - cpu_before) / iters as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "{tab} {days} d: median {:.2} ms, min {:.2} ms, CPU {cpu:.1} ms per answer, {size} bytes",
        times[times.len() / 2],
        times[0]
    );
    if tab == "timeslots" {
        let t = storeboard_analytics::timeslots(&snaps, &filters, &business);
        let flagged = t.delivery.cells.iter().filter(|c| c.flagged).count();
        println!(
            "scene coverage {:?} %, {flagged} flagged delivery cells",
            t.scene_coverage_pct
        );
    }
    Ok(())
}

/// `PROBE_KEY`, else the period's best-selling product.
fn probe_key(
    snaps: &[std::sync::Arc<storeboard_data::StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Result<String, String> {
    if let Ok(key) = std::env::var("PROBE_KEY") {
        return Ok(key);
    }
    storeboard_analytics::products(snaps, filters, business)
        .products
        .first()
        .map(|p| p.key.clone())
        .ok_or_else(|| "no product in the period".to_owned())
}

/// This process's CPU time (user + system, every thread, finished ones included), in ms.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name's closing parenthesis; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // `rest` starts at field 3 (state, not a number, skipped by the parse): utime is f[10].
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) * 10.0
}
