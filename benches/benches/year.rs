//! A year of the whole chain at the users' scale (issue 11), measured through the real app in one
//! run and printed beside the targets and the old core's figures:
//!
//! 1. **Ingest**: 12 monthly exports (28 stores, 2025-12-01 – 2026-11-30, ~1,060 lines per
//!    store-day, ~890k lines a month) uploaded one after the other with `mode=merge` over HTTP
//!    to `POST /api/v1/uploads` of `storeboard::app` on the engine (in this process), each timed,
//!    beside calamine's own streaming read of the same file (in a child process).
//! 2. **Memory**: this process's `VmRSS` after the uploads (it is the server).
//! 3. **Restart**: this binary re-executed as a child that serves the data directory as
//!    `crates/server/src/main.rs` does; the time until `/api/v1/stores` lists every line, when
//!    `/healthz` first answers, and the child's `VmRSS` / `VmHWM` at that moment.
//! 4. **Tabs, uncached** (the app with a tab cache of capacity 0): median of `BENCH_ITERS` GETs
//!    of each case of the table, with the answer's size.
//! 5. **The click mix** at one month: 32 keep-alive clients, no think time, mostly uncached
//!    (see `year/mix.rs`), over the 28-store × 30-day database of `--bench tabs_load` (~430k
//!    lines, the "one month"), default tab cache: requests/s, p50, p99, errors.
//!
//! Run: `cargo bench -p storeboard-benches --bench year` (not in `cargo make bench`, and not
//! linted by `--all-targets`: add `--bench year`). At full scale it takes about 10 min after the
//! build on a 2-core machine, plus a few minutes the first time to generate the 12 files (1.7 GB,
//! cached in `target/bench-data`; the year's database takes another 0.6 GB there).
//!
//! Env:
//! - `BENCH_SCALE=1` scales the lines per store-day (240 orders ≈ 1,060 lines at 1; 0.1 gives a
//!   tenth of the year in every file with the same 28 stores × 365 days; at most ~1.1, Excel's
//!   row limit). The mix's month scales alike (128 orders per store-day at 1).
//! - `BENCH_MONTHS=12` uploads only the first N months (a quick check; not the year).
//! - `BENCH_QUERIES_ONLY=1` only measures the uncached tabs on the year database a previous run
//!   left at this scale, and the click mix (a quick check of the analytics).
//! - `BENCH_RESTART_ONLY=1` only restarts on the database a previous run left at this scale
//!   and prints the restart row (a quick check of start-up time and memory).
//! - `BENCH_ITERS=5` repetitions of each uncached tab; `BENCH_THREADS=2` server workers (the
//!   issue's `--threads 2`); `BENCH_CLIENTS=32`, `BENCH_MIX_SECONDS=20` for the mix.
//!
//! A slow or failed request is counted and reported, never a panic; the exit status is non-zero
//! only when setting up fails (generating, starting a server, an upload refused, the restart).

mod common;
#[path = "year/data.rs"]
mod data;
#[path = "year/http.rs"]
mod http;
#[path = "year/mix.rs"]
mod mix;
#[path = "year/report.rs"]
mod report;
#[path = "year/restart.rs"]
mod restart;
#[path = "year/tabs.rs"]
mod tabs;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_data::OrderStore;
use storeboard_engine::{Engine, Settings};
use storeboard_tabs::TabsState;
use storeboard_upload::UploadState;

use crate::http::{encode, json_numbers, json_values, Conn};

/// The first argument of this binary re-executed as a child (`calamine FILE`, `serve DIR PORT
/// THREADS`).
pub(crate) const CHILD: &str = "--year-child";
/// Deadline of one upload.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(1800);

/// The run's settings, from the environment (see the header).
pub(crate) struct Config {
    scale: f64,
    months: usize,
    iters: usize,
    threads: usize,
    clients: usize,
    mix_seconds: u64,
}

impl Config {
    fn from_env() -> Self {
        Self {
            scale: env_num("BENCH_SCALE", 1.0_f64).max(0.0),
            months: env_num("BENCH_MONTHS", 12),
            iters: env_num("BENCH_ITERS", 5_usize).max(1),
            threads: env_num("BENCH_THREADS", 2_usize).max(1),
            clients: env_num("BENCH_CLIENTS", 32_usize).max(1),
            mix_seconds: env_num("BENCH_MIX_SECONDS", 20),
        }
    }

    pub(crate) fn orders(&self) -> u32 {
        ((data::FULL_ORDERS * self.scale).round() as u32).max(1)
    }

    fn mix_orders(&self) -> u32 {
        ((128.0 * self.scale).round() as u32).max(1)
    }
}

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> ExitCode {
    // As the binary's `main`: this process is the server, and so is its restart child.
    storeboard::allocator::tune();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == CHILD) {
        return match child(&args[i + 1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("year bench child: {err}");
                ExitCode::FAILURE
            }
        };
    }
    if args.iter().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    let result = run(&Config::from_env());
    println!(
        "\nyear bench took {:.1} min",
        started.elapsed().as_secs_f64() / 60.0
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("year bench: {err}");
            ExitCode::FAILURE
        }
    }
}

fn child(args: &[String]) -> Result<(), String> {
    match args {
        [what, path] if what == "calamine" => data::calamine_child(Path::new(path)),
        [what, dir, port, threads] if what == "serve" => restart::serve_child(
            Path::new(dir),
            port.parse().map_err(|_| "bad port")?,
            threads.parse().map_err(|_| "bad thread count")?,
        ),
        other => Err(format!("unknown child task {other:?}")),
    }
}

/// `/api/v1/tabs/{tab}` for one store (empty: all) over `from..=to`; 商品分析 asks for its first
/// page of 200 products (ignored by a server without pagination).
pub(crate) fn tab_url(tab: &str, store: &str, from: NaiveDate, to: NaiveDate) -> String {
    let page = if tab == "products" { "&limit=200" } else { "" };
    format!(
        "/api/v1/tabs/{tab}?store={}&from={from}&to={to}{page}",
        encode(store)
    )
}

/// `storeboard::app` over `dir` on `127.0.0.1:0` in its own thread and actix System, with a tab
/// cache of `capacity` answers (0: none).
fn start_server(
    dir: PathBuf,
    capacity: usize,
    threads: usize,
    body_limit: u64,
) -> Result<SocketAddr, String> {
    let store = Arc::new(OrderStore::open(&dir).map_err(|e| format!("opening {dir:?}: {e}"))?);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let settings = Settings {
                host: "127.0.0.1".into(),
                port: 0,
                threads,
                access_log: false,
                connection_limit: 200,
                max_request_body_size: body_limit,
                ..Settings::default()
            };
            let upload = UploadState::new(Arc::clone(&store), dir, settings.max_request_body_size);
            let tabs = TabsState::new(store, Business::default(), capacity);
            let engine = Engine::new(settings, move || {
                storeboard::app(Mode::Production, upload.clone(), tabs.clone())
            })
            .disable_signals()
            .bind();
            match engine {
                Ok(engine) => {
                    let _ = tx.send(Ok(engine.local_addrs()[0]));
                    let _ = engine.run().await;
                }
                Err(err) => {
                    let _ = tx.send(Err(format!("binding: {err}")));
                }
            }
        });
    });
    rx.recv_timeout(Duration::from_secs(60))
        .map_err(|_| "the server did not start".to_owned())?
}

/// Lines `/api/v1/stores` lists, summed over stores.
fn stored_lines(addr: SocketAddr) -> Result<u64, String> {
    let answer = Conn::new(addr)
        .get("/api/v1/stores", Duration::from_secs(60), true)
        .map_err(|e| format!("GET /api/v1/stores: {e}"))?;
    Ok(json_numbers(&answer.body, "lines").iter().sum())
}

/// One upload's figures.
pub(crate) struct Upload {
    pub(crate) label: String,
    pub(crate) seconds: f64,
    pub(crate) calamine: f64,
}

fn run(config: &Config) -> Result<(), String> {
    let dir = common::bench_dir();
    let orders = config.orders();
    let months = data::months(&dir, orders, config.months);
    let (first, last) = (months[0].start, months[months.len() - 1].last_day());
    let days = (last - first).num_days() + 1;
    println!(
        "year bench: {} stores × {days} days ({first} – {last}) in {} monthly files, {orders} \
         orders per store-day (BENCH_SCALE {}); server threads {}, uncached tabs median of {}",
        data::STORES,
        months.len(),
        config.scale,
        config.threads,
        config.iters
    );
    let year_dir = dir.join(format!("year-{orders}-db"));
    if std::env::var_os("BENCH_RESTART_ONLY").is_some_and(|v| !v.is_empty()) {
        return restart_only(&year_dir, config.threads);
    }
    if std::env::var_os("BENCH_QUERIES_ONLY").is_some_and(|v| !v.is_empty()) {
        return queries_only(config, &dir, &year_dir, (first, last));
    }
    data::generate(&months, orders)?;

    // 1. Ingest, into a fresh data directory.
    if year_dir.exists() {
        std::fs::remove_dir_all(&year_dir).map_err(|e| format!("clearing {year_dir:?}: {e}"))?;
    }
    let largest = months.iter().map(|m| m.mb()).fold(0.0, f64::max);
    let body_limit = Settings::default()
        .max_request_body_size
        .max(((largest + 16.0) * 1e6) as u64);
    let addr = start_server(year_dir.clone(), 0, config.threads, body_limit)?;
    println!(
        "\n{:<8} {:>7} {:>11} {:>12} {:>10} {:>7} {:>12}   server: receive / parse / apply s",
        "file", "MB", "lines", "calamine s", "upload s", "ratio", "stored"
    );
    let mut uploads = Vec::new();
    let mut stored = 0;
    for month in &months {
        let calamine = data::calamine_seconds(&month.path)?;
        let started = Instant::now();
        let answer = http::upload(addr, &month.path, UPLOAD_TIMEOUT)
            .map_err(|e| format!("upload of {}: {e}", month.path.display()))?;
        let seconds = started.elapsed().as_secs_f64();
        let before = stored;
        stored = stored_lines(addr)?;
        // The server's own account of the upload's steps (`timings_ms` in its answer).
        let step = |key: &str| {
            json_values(&answer.body, key)
                .first()
                .and_then(|v| v.parse::<f64>().ok())
                .map_or(f64::NAN, |ms| ms / 1000.0)
        };
        println!(
            "{:<8} {:>7.1} {:>11} {:>12.2} {:>10.2} {:>6.2}× {:>12}   {:.2} / {:.2} / {:.2}",
            month.label,
            month.mb(),
            stored - before,
            calamine,
            seconds,
            seconds / calamine,
            stored,
            step("receive_ms"),
            step("parse_ms"),
            step("apply_ms"),
        );
        uploads.push(Upload {
            label: month.label.clone(),
            seconds,
            calamine,
        });
    }
    if largest * 1e6 > Settings::default().max_request_body_size as f64 {
        println!("(the largest file, {largest:.0} MB, is above the default body limit)");
    }
    let per_store_day = stored as f64 / (data::STORES as f64 * days as f64);
    println!("{stored} lines, {per_store_day:.0} per store-day");

    // 2. The upload server finishes what it does after an upload (its warm thread builds every
    // changed store's aggregates, seconds of CPU, then hands free memory back), and its memory
    // is read then: a running server's, aggregates included. The restart below is measured on
    // a machine where the old server is idle, not racing it for the two cores.
    let settled = Instant::now();
    Conn::new(addr)
        .get("/api/v1/tabs/overview", Duration::from_secs(300), false)
        .map_err(|e| format!("GET /api/v1/tabs/overview after the uploads: {e}"))?;
    // The warm thread trims after its round: give it a poll interval to get there.
    std::thread::sleep(Duration::from_millis(500));
    println!(
        "\nthe upload server's aggregates were ready {:.1} s after the last upload",
        settled.elapsed().as_secs_f64()
    );
    let (after_uploads, _) = restart::memory_mb(std::process::id());

    // 3. Restart.
    println!("restarting on the data directory (child process) …");
    let restart = restart::measure(&year_dir, stored, config.threads)?;

    // 4. Tabs, uncached.
    println!("uncached tabs …");
    let tabs = tabs::uncached_tabs(addr, config.iters, first, last);

    // 5. The click mix at one month.
    let (mix, mix_lines) = click_mix(config, &dir)?;

    let summary = report::Summary {
        config,
        stored,
        uploads: &uploads,
        after_uploads,
        restart: &restart,
        tabs: &tabs,
        mix: &mix,
        mix_lines,
    };
    summary.print();
    if let Some(failure) = &restart.failure {
        return Err(format!("restart: {failure}"));
    }
    Ok(())
}

/// Restarts on the database a previous run left and prints what the restart measured.
fn restart_only(year_dir: &Path, threads: usize) -> Result<(), String> {
    let stored: u64 = OrderStore::open(year_dir)
        .map_err(|e| format!("opening {year_dir:?}: {e}"))?
        .registry()
        .summaries()
        .iter()
        .map(|s| s.lines as u64)
        .sum();
    let r = restart::measure(year_dir, stored, threads)?;
    println!(
        "restart on {stored} lines: every line listed at {:?} s (/healthz at {:?} s); resident \
         {:.0} MB, {:.0} MB with the aggregates (peak {:.0} MB){}",
        r.complete_s,
        r.healthz_s,
        r.rss_mb,
        r.warm_rss_mb,
        r.peak_mb,
        r.failure
            .map_or(String::new(), |f| format!("; failed: {f}"))
    );
    Ok(())
}

/// The month of the mix's database and its stores, as `/api/v1/stores` lists them.
fn mix_month(addr: SocketAddr) -> Result<mix::Month, String> {
    let answer = Conn::new(addr)
        .get("/api/v1/stores", Duration::from_secs(60), true)
        .map_err(|e| format!("GET /api/v1/stores: {e}"))?;
    let day = |key: &str| -> Vec<NaiveDate> {
        json_values(&answer.body, key)
            .iter()
            .filter_map(|d| d.parse().ok())
            .collect()
    };
    let (firsts, lasts) = (day("first_day"), day("last_day"));
    Ok(mix::Month {
        stores: json_values(&answer.body, "name"),
        first: firsts
            .into_iter()
            .min()
            .ok_or("no data in the mix database")?,
        last: lasts
            .into_iter()
            .max()
            .ok_or("no data in the mix database")?,
    })
}

/// `BENCH_QUERIES_ONLY`: the uncached tabs on the year database a previous run left, and the
/// click mix; no upload, no restart (for iterating on the analytics).
fn queries_only(
    config: &Config,
    dir: &Path,
    year_dir: &Path,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<(), String> {
    if !year_dir.exists() {
        return Err(format!(
            "{year_dir:?} is missing: run the whole bench once first"
        ));
    }
    let limit = Settings::default().max_request_body_size;
    let addr = start_server(year_dir.to_path_buf(), 0, config.threads, limit)?;
    println!("{} lines stored; uncached tabs …", stored_lines(addr)?);
    let tabs = tabs::uncached_tabs(addr, config.iters, first, last);
    let (mix, mix_lines) = click_mix(config, dir)?;
    println!("\n| what | measured | old core (issue 11, full scale) | target |");
    println!("|---|---|---|---|");
    report::print_queries(config, &tabs, &mix, mix_lines);
    Ok(())
}

/// The click mix at one month, on the database of `--bench tabs_load` (generated if missing).
fn click_mix(config: &Config, dir: &Path) -> Result<(mix::MixStats, u64), String> {
    let mix_dir = common::chain_database(dir, config.mix_orders());
    let mix_addr = start_server(
        mix_dir,
        storeboard_tabs::DEFAULT_CAPACITY,
        config.threads,
        Settings::default().max_request_body_size,
    )?;
    let month = mix_month(mix_addr)?;
    let mix_lines = stored_lines(mix_addr)?;
    println!(
        "click mix: {} clients × {} s over {mix_lines} lines ({} – {}) …",
        config.clients, config.mix_seconds, month.first, month.last
    );
    let stats = mix::run(mix_addr, &month, config.clients, config.mix_seconds);
    // How the tab cache fared: hits, computations, joins and evictions.
    if let Ok(answer) = http::Conn::new(mix_addr).get("/metrics", mix::DEADLINE, true) {
        let text = String::from_utf8_lossy(&answer.body);
        for line in text
            .lines()
            .filter(|l| l.starts_with("storeboard_tab_cache"))
        {
            println!("  {line}");
        }
    }
    Ok((stats, mix_lines))
}
