//! Soak test: the real `storeboard` binary, as a child process, under mixed dashboard traffic for
//! a long time. Fails on any unexpected status, any transport error, a server that dies or does
//! not stop cleanly on SIGTERM, or resident memory growing more than the limit after warm-up.
//!
//! Run: `cargo make soak`, or `cargo bench -p storeboard-benches --bench soak`. It is not in
//! `cargo bench`'s default set (`bench = false`): a default run takes ten minutes.
//! Env: `SOAK_SECONDS=600`, `SOAK_CLIENTS=8`, `SOAK_SEED=42`, `SOAK_STORES=8`, `SOAK_DAYS=30`,
//! `SOAK_ORDERS=64` (orders per store and day of the seeded data), `SOAK_UPLOAD_EVERY=30` (s),
//! `SOAK_RSS_EVERY=5` (s), `SOAK_MAX_GROWTH=10` (%), `SOAK_SERVER=path` (a prebuilt server,
//! relative to the workspace root; by default `cargo build --release -p storeboard` runs first).
//!
//! What it does, in order:
//! 1. starts `storeboard --data-dir <fresh temp dir> --host 127.0.0.1 --port 0` (production
//!    defaults otherwise, access log on, to `server.log` in that dir) and reads its
//!    `Serving on http://…` line;
//! 2. seeds it through `POST /api/v1/uploads` with one generated workbook (`storeboard-fixtures`:
//!    `SOAK_STORES` stores × `SOAK_DAYS` days from 2026-10-29);
//! 3. runs `SOAK_CLIENTS` client threads, each on one keep-alive connection, for `SOAK_SECONDS`,
//!    closed loop (no think time), each drawing from a fixed-seed random mix: whole pages
//!    `GET /?tab=…`, tab fragments `GET /tabs/{tab}` with filters and table sort/page parameters,
//!    the JSON API `GET /api/v1/tabs/{tab}`, exports `GET /export/{tab}.xlsx`,
//!    `GET /api/v1/stores` and `GET /api/v1/uploads`, and deliberately bad dates (the only
//!    requests allowed a `400`). Every other answer must be `200`. An uploader thread sends a
//!    regenerated day (merge) every `SOAK_UPLOAD_EVERY` seconds, every third time the previous
//!    file again (`already_imported`);
//! 4. samples the server's `VmRSS` every `SOAK_RSS_EVERY` seconds. Warm-up is the first 20% of the
//!    run, at least 30 s. Growth compares the median of the last three samples with the median
//!    of the first three after warm-up;
//! 5. stops the server with SIGTERM and expects exit status 0.

mod client;
mod http;
mod report;
mod rng;
mod rss;
mod server;
mod settings;
mod traffic;
mod upload;

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::client::{client, Failures, Shared, Stats};
use crate::report::report;
use crate::rss::{mb, rss_kb, sample_rss};
use crate::server::{server_binary, server_log_notes, tab_cache_counters, End, Server};
use crate::settings::{Config, RSS_MEDIAN_OF};
use crate::traffic::{Kind, Traffic};
use crate::upload::{seed, uploader, UploadCounts};

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    let config = Config::from_env();
    if config.seconds < config.min_seconds() {
        eprintln!(
            "soak: SOAK_SECONDS={} is too short: at least {} s (30 s of warm-up and {} RSS samples of {} s)",
            config.seconds,
            config.min_seconds(),
            2 * RSS_MEDIAN_OF,
            config.rss_every
        );
        return ExitCode::FAILURE;
    }
    match soak(&config) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("soak: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The whole run in a fresh temp data directory, removed only when the run passed; `Ok(false)`
/// when it ran to the end but failed a check.
fn soak(config: &Config) -> Result<bool, String> {
    let binary = server_binary(config)?;
    let data_dir = std::env::temp_dir().join(format!("storeboard-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let outcome = run(config, &binary, &data_dir);
    if let Ok(true) = outcome {
        let _ = std::fs::remove_dir_all(&data_dir);
    } else {
        println!("data dir and server.log kept: {}", data_dir.display());
    }
    outcome
}

fn run(config: &Config, binary: &Path, data_dir: &Path) -> Result<bool, String> {
    let mut server = Server::start(binary, data_dir)?;
    let first = NaiveDate::from_ymd_opt(2026, 10, 29).ok_or("bad start date")?;
    let stores: Vec<String> = (1..=config.stores)
        .map(|i| format!("鲜丰便利({i:02}号店)"))
        .collect();
    let seeded = seed(server.addr, config, &stores, first)?;
    print_start(config, &server, binary, first, seeded);

    let shared = Arc::new(Shared {
        addr: server.addr,
        traffic: Traffic {
            stores,
            first,
            days: config.days,
        },
        stop: AtomicBool::new(false),
        requests: AtomicU64::new(0),
        failures: Mutex::new(Failures::default()),
    });
    let started = Instant::now();
    let deadline = started + Duration::from_secs(config.seconds);
    let load = Load::spawn(&shared, config, deadline);

    let samples = sample_rss(&mut server, &shared, config, started, deadline);
    shared.stop.store(true, Ordering::Relaxed);
    let (stats, uploads) = load.join(&shared);
    let elapsed = started.elapsed();
    let end = finish(&mut server, &shared, data_dir);
    let failures = shared
        .failures
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default();

    Ok(report(
        config, &stats, &failures, &uploads, &samples, &end, elapsed,
    ))
}

/// The run's shape, the server and the seeded data, with the server's RSS before the load.
fn print_start(config: &Config, server: &Server, binary: &Path, first: NaiveDate, seeded: u64) {
    let rss_idle = rss_kb(server.pid());
    println!(
        "soak: {} s, {} clients, seed {}, warm-up {} s; server pid {} on {} ({})",
        config.seconds,
        config.clients,
        config.seed,
        config.warmup().as_secs(),
        server.pid(),
        server.addr,
        binary.display()
    );
    println!(
        "data: {} stores × {} days × {} orders/day from {first}: {seeded} lines seeded; RSS {}",
        config.stores,
        config.days,
        config.orders,
        mb(rss_idle)
    );
}

/// The load's threads: the clients and the uploader.
struct Load {
    clients: Vec<std::io::Result<JoinHandle<Stats>>>,
    uploader: std::io::Result<JoinHandle<(Stats, UploadCounts)>>,
}

impl Load {
    /// Starts `SOAK_CLIENTS` clients, each with its own seed, and the uploader.
    fn spawn(shared: &Arc<Shared>, config: &Config, deadline: Instant) -> Self {
        let clients: Vec<_> = (0..config.clients)
            .map(|c| {
                let shared = Arc::clone(shared);
                let seed = config.seed ^ (c as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                std::thread::Builder::new()
                    .name(format!("soak-client-{c}"))
                    .spawn(move || client(&shared, seed, deadline))
            })
            .collect();
        let uploader = {
            let shared = Arc::clone(shared);
            let config = config.clone();
            std::thread::Builder::new()
                .name("soak-uploader".into())
                .spawn(move || uploader(&shared, &config, deadline))
        };
        Self { clients, uploader }
    }

    /// Waits for every thread; a thread that could not start or panicked is a failure.
    fn join(self, shared: &Shared) -> (Stats, UploadCounts) {
        let mut stats = Stats::default();
        for c in self.clients {
            match c
                .map_err(|e| e.to_string())
                .and_then(|h| h.join().map_err(|_| "a client thread panicked".to_owned()))
            {
                Ok(s) => stats.merge(s),
                Err(e) => shared.fail(Kind::Page, e),
            }
        }
        let uploads = match self.uploader.map_err(|e| e.to_string()).and_then(|h| {
            h.join()
                .map_err(|_| "the uploader thread panicked".to_owned())
        }) {
            Ok((s, u)) => {
                stats.merge(s);
                u
            }
            Err(e) => {
                shared.fail(Kind::Upload, e);
                UploadCounts::default()
            }
        };
        (stats, uploads)
    }
}

/// After the load: the tab cache counters, then SIGTERM, then the server log.
fn finish(server: &mut Server, shared: &Shared, data_dir: &Path) -> End {
    let cache = match tab_cache_counters(server.addr) {
        Ok(counters) => counters,
        Err(e) => {
            shared.fail(Kind::Stores, format!("GET /metrics: {e}"));
            String::new()
        }
    };
    End {
        stopped: server.stop(),
        log: server_log_notes(&data_dir.join("server.log")),
        cache,
    }
}
