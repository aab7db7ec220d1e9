//! The engine against stock `actix_web::HttpServer` in the same run, as two pairs:
//!
//! - **plain**: the engine serving one trivial handler (`GET /` → a 30-byte text body, access
//!   log off) against stock serving the same handler;
//! - **full app**: the real `storeboard::app` as the binary runs it (the binary's default
//!   settings, production mode, no passwords, an empty data directory, the access log on and
//!   written to a file in a temporary directory through `storeboard::logging`, the binary's
//!   non-blocking writer) serving `GET /healthz`, against stock answering `GET /healthz` with
//!   `ok`.
//!
//! Run: `cargo bench -p storeboard-benches --bench engine_vs_stock`
//!
//! The three servers start in this process, each on its own thread with its own actix
//! `System`, two workers each (`BENCH_WORKERS`), on `127.0.0.1:0` (see `servers`). A built-in
//! load generator (`storeboard_benches::load`) then drives them in rounds (engine, stock, app,
//! stock `/healthz`, engine, ...) so that drift of a noisy machine hits all alike; each round
//! opens fresh keep-alive connections, warms up, then measures. The table gives, per server and
//! path, the median over rounds of req/s, p50, p99 and the server's CPU time per request (its
//! own threads only, the app's log writer included, so it does not depend on how much CPU the
//! scheduler gave it), and the ratios engine / stock and full app / stock. Each round also
//! reports how much CPU other processes took meanwhile, and for the engine and the app how
//! they spread the connections over their workers.
//!
//! Parameters (environment variables, checked against their bounds):
//! - `BENCH_WORKERS` — worker threads of each server, 1–16. Default 2.
//! - `BENCH_CONNECTIONS` — concurrent keep-alive connections, 1–512. Default 64 (the app keeps
//!   the binary's `connection_limit`, 100 by default: more connections are refused).
//! - `BENCH_SECONDS` — measured seconds per round, 1–60. Default 3.
//! - `BENCH_WARMUP` — warm-up seconds per round, 0–10. Default 1.
//! - `BENCH_ROUNDS` — rounds per server, 1–20. Default 3.
//! - `BENCH_CLIENT_THREADS` — load-generator threads, 1–16. Default 2.
//! - `BENCH_MAX_OTHERS` — a round during which other processes took more than this percentage
//!   of the CPUs is rerun, 0–100. Default 5.
//! - `BENCH_RETRIES` — reruns allowed per round, after a 3 s pause each, 0–20. Default 4; the
//!   last attempt is kept and the summary warns.
//!
//! Exits with status 1 if any request failed (I/O error, timeout, non-200) or the app dropped
//! access-log lines, 2 if the setup failed, so it never reports numbers measured on errors.

#[path = "engine_vs_stock/servers.rs"]
mod servers;

use std::process::ExitCode;
use std::time::Duration;

use servers::Running;
use storeboard_benches::cpu::{CpuSample, ThreadSet};
use storeboard_benches::load::{run_round, LoadConfig, RoundStats};

/// The pause before rerunning a round that other processes disturbed.
const RERUN_PAUSE: Duration = Duration::from_secs(3);

/// Indexes into the servers `start_all` returns.
const ENGINE: usize = 0;
const STOCK: usize = 1;
const APP: usize = 2;

/// What each round measures, in order: a server and the path its connections ask for.
const TARGETS: [(usize, &str); 4] = [
    (ENGINE, "/"),
    (STOCK, "/"),
    (APP, "/healthz"),
    (STOCK, "/healthz"),
];

/// The ratios reported: a label, then the indexes into `TARGETS` of the numerator and the
/// baseline.
const PAIRS: [(&str, usize, usize); 2] = [("engine / stock", 0, 1), ("full app / stock", 2, 3)];

/// Starts the engine, stock and the app, noting which threads each one started. The app's set
/// includes the log writer's thread, started here with the log.
fn start_all(
    workers: usize,
    data_dir: &std::path::Path,
) -> Result<([Running; 3], storeboard::logging::LogGuard), String> {
    let settle = || std::thread::sleep(Duration::from_millis(200));
    let before = ThreadSet::current();
    let mut engine = servers::start_engine(workers)?;
    settle();
    let with_engine = ThreadSet::current();
    engine.threads = with_engine.since(&before);
    let mut stock = servers::start_stock(workers)?;
    settle();
    let with_stock = ThreadSet::current();
    stock.threads = with_stock.since(&with_engine);
    let log = storeboard::logging::init_file(&data_dir.join("access.log"))
        .map_err(|err| format!("log: {err}"))?;
    let mut app = servers::start_app(workers, data_dir.join("data"))?;
    settle();
    app.threads = ThreadSet::current().since(&with_stock);
    Ok(([engine, stock, app], log))
}

/// The benchmark's parameters.
struct Params {
    workers: usize,
    connections: usize,
    seconds: u64,
    warmup: u64,
    rounds: usize,
    client_threads: usize,
    /// A round during which other processes took more than this share of the CPUs is rerun.
    max_others: f64,
    /// Reruns allowed per round.
    retries: usize,
}

fn env_number(name: &str, default: u64, min: u64, max: u64) -> Result<u64, String> {
    let Ok(raw) = std::env::var(name) else {
        return Ok(default);
    };
    match raw.trim().parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(format!(
            "{name}={raw:?}: expected a whole number from {min} to {max}"
        )),
    }
}

impl Params {
    fn from_env() -> Result<Self, String> {
        Ok(Self {
            workers: env_number("BENCH_WORKERS", 2, 1, 16)? as usize,
            connections: env_number("BENCH_CONNECTIONS", 64, 1, 512)? as usize,
            seconds: env_number("BENCH_SECONDS", 3, 1, 60)?,
            warmup: env_number("BENCH_WARMUP", 1, 0, 10)?,
            rounds: env_number("BENCH_ROUNDS", 3, 1, 20)? as usize,
            client_threads: env_number("BENCH_CLIENT_THREADS", 2, 1, 16)? as usize,
            max_others: env_number("BENCH_MAX_OTHERS", 5, 0, 100)? as f64 / 100.0,
            retries: env_number("BENCH_RETRIES", 4, 0, 20)? as usize,
        })
    }
}

/// One round against one server.
struct Measured {
    stats: RoundStats,
    /// CPU time of the server's own threads per completed request.
    cpu_per_request: Option<Duration>,
    /// Share of the machine's CPU other processes took during the round.
    others: Option<f64>,
    /// Open connections on each engine worker halfway through the measured window.
    engine_spread: Option<Vec<usize>>,
}

fn measure(server: &Running, config: &LoadConfig) -> Measured {
    // Halfway through the measured window, how the engine spread the connections.
    let spread = server.engine_stats().map(|stats| {
        let at = config.warmup + config.measure / 2;
        std::thread::spawn(move || {
            std::thread::sleep(at);
            stats.snapshot().open_channels
        })
    });
    let machine_before = CpuSample::now();
    let server_before = server.threads.cpu_ns();
    let stats = run_round(config);
    let server_after = server.threads.cpu_ns();
    let others = machine_before
        .zip(CpuSample::now())
        .map(|(before, after)| before.others_share(&after));
    let cpu_per_request = server_before
        .zip(server_after)
        .filter(|_| stats.all_requests > 0)
        .map(|(before, after)| {
            Duration::from_nanos(after.saturating_sub(before) / stats.all_requests)
        });
    Measured {
        stats,
        cpu_per_request,
        others,
        engine_spread: spread.and_then(|t| t.join().ok()),
    }
}

/// Medians over one target's rounds.
struct Summary {
    req_per_sec: f64,
    p50: Duration,
    p99: Duration,
    cpu_per_request: Option<Duration>,
}

/// The median; the mean of the middle two for an even count.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn summarize(rounds: &[Measured]) -> Summary {
    let secs = |f: fn(&RoundStats) -> Duration| {
        Duration::from_secs_f64(median(
            rounds.iter().map(|m| f(&m.stats).as_secs_f64()).collect(),
        ))
    };
    let cpu: Vec<f64> = rounds
        .iter()
        .filter_map(|m| m.cpu_per_request.map(|d| d.as_secs_f64()))
        .collect();
    Summary {
        req_per_sec: median(rounds.iter().map(|m| m.stats.req_per_sec()).collect()),
        p50: secs(|r| r.p50),
        p99: secs(|r| r.p99),
        cpu_per_request: (!cpu.is_empty()).then(|| Duration::from_secs_f64(median(cpu))),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() -> ExitCode {
    let params = match Params::from_env() {
        Ok(params) => params,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let temp = match tempfile::tempdir() {
        Ok(temp) => temp,
        Err(err) => {
            eprintln!("error: cannot make a temporary directory: {err}");
            return ExitCode::from(2);
        }
    };
    let (servers, log) = match start_all(params.workers, temp.path()) {
        Ok(started) => started,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "engine vs stock actix-web HttpServer, {} workers each: plain engine GET / (30-byte text, \
         access log off); full app GET /healthz (binary defaults, access log on, to a file)",
        params.workers
    );
    println!(
        "{} keep-alive connections on {} client threads; {} s warm-up + {} s measured per round; {} rounds each, in turn",
        params.connections, params.client_threads, params.warmup, params.seconds, params.rounds
    );
    println!(
        "note: the load generator shares this machine's {cpus} CPUs with the servers; all are \
         measured the same way, so compare the ratios, not the absolute numbers"
    );
    println!();

    let mut results: [Vec<Measured>; TARGETS.len()] = Default::default();
    let mut failures = 0;
    let mut busiest_others = 0.0_f64;
    let mut reruns = 0;
    // Every request the app answered, reruns included, to check the access log against.
    let mut app_requests = 0;
    for round in 1..=params.rounds {
        for (&(index, path), measured) in TARGETS.iter().zip(results.iter_mut()) {
            let server = &servers[index];
            let label = format!("{} {path}", server.name);
            let config = LoadConfig {
                addr: server.addr,
                path: path.to_owned(),
                connections: params.connections,
                client_threads: params.client_threads,
                warmup: Duration::from_secs(params.warmup),
                measure: Duration::from_secs(params.seconds),
            };
            let mut m = measure(server, &config);
            for _ in 0..params.retries {
                let Some(others) = m.others.filter(|&share| share > params.max_others) else {
                    break;
                };
                println!(
                    "round {round} {label:<26} rerun: other processes took {:.0}% of the CPUs",
                    others * 100.0
                );
                reruns += 1;
                // Give a short burst of other work (a compile step) time to pass.
                std::thread::sleep(RERUN_PAUSE);
                if index == APP {
                    app_requests += m.stats.all_requests;
                }
                m = measure(server, &config);
            }
            if index == APP {
                app_requests += m.stats.all_requests;
            }
            busiest_others = busiest_others.max(m.others.unwrap_or(0.0));
            println!(
                "round {round} {label:<26} {:>7.0} req/s  p50 {:>8}  p99 {:>8}  server CPU {:>8}/req  failures {}  other processes {}",
                m.stats.req_per_sec(),
                ms(m.stats.p50),
                ms(m.stats.p99),
                m.cpu_per_request.map_or("n/a".to_owned(), us),
                m.stats.failures,
                m.others.map_or("n/a".to_owned(), |share| format!("{:.0}% CPU", share * 100.0)),
            );
            if let Some(open) = &m.engine_spread {
                println!("        connections per worker: {open:?}");
            }
            if let Some(first) = &m.stats.first_failure {
                eprintln!("  {} failed request(s); first: {first}", m.stats.failures);
            }
            failures += m.stats.failures;
            measured.push(m);
        }
    }

    let summaries: Vec<Summary> = results.iter().map(|r| summarize(r)).collect();
    println!();
    println!(
        "median of {} rounds             req/s        p50        p99  server CPU/req",
        params.rounds
    );
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    for (label, of, base) in PAIRS {
        for target in [of, base] {
            let (index, path) = TARGETS[target];
            let s = &summaries[target];
            println!(
                "{:<26} {:>10.0} {:>10} {:>10} {:>15}",
                format!("{} {path}", servers[index].name),
                s.req_per_sec,
                ms(s.p50),
                ms(s.p99),
                s.cpu_per_request.map_or("n/a".to_owned(), us),
            );
        }
        let (a, b) = (&summaries[of], &summaries[base]);
        let cpu_ratio = a
            .cpu_per_request
            .zip(b.cpu_per_request)
            .map_or(f64::NAN, |(x, y)| ratio(x.as_secs_f64(), y.as_secs_f64()));
        println!(
            "{:<26} {:>9.3}x {:>9.3}x {:>9.3}x {:>14.3}x",
            label,
            ratio(a.req_per_sec, b.req_per_sec),
            ratio(a.p50.as_secs_f64(), b.p50.as_secs_f64()),
            ratio(a.p99.as_secs_f64(), b.p99.as_secs_f64()),
            cpu_ratio,
        );
    }
    println!(
        "(server CPU/req: CPU time of the server's own threads over the round, warm-up included, \
         per completed request; it does not depend on how much CPU the scheduler gave the server)"
    );

    if reruns > 0 {
        println!(
            "{reruns} round(s) were rerun because other processes took more than {:.0}% of the CPUs",
            params.max_others * 100.0
        );
    }
    if busiest_others > params.max_others {
        println!(
            "warning: other processes took up to {:.0}% of the CPUs during a kept round; \
             rerun on a quiet machine",
            busiest_others * 100.0
        );
    }

    for server in servers {
        server.shut_down();
    }
    let dropped = storeboard::logging::dropped_lines();
    // Dropping the guard writes out what is still queued, so the count below is complete.
    drop(log);
    let logged = count_lines(&temp.path().join("access.log"));
    println!(
        "app access log: {logged} lines (start-up lines included) for {app_requests} requests, \
         {dropped} dropped (buffer full)"
    );
    if failures > 0 {
        eprintln!("error: {failures} request(s) failed; these numbers are not valid");
        return ExitCode::FAILURE;
    }
    if dropped > 0 {
        eprintln!(
            "error: the app dropped {dropped} access-log lines; it did less work than it should"
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Lines in the file at `path` (0 if it cannot be read).
fn count_lines(path: &std::path::Path) -> usize {
    std::fs::read(path).map_or(0, |bytes| bytes.iter().filter(|&&b| b == b'\n').count())
}
