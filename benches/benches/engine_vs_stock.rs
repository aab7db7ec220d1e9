//! The engine against stock `actix_web::HttpServer`, serving the same trivial handler in the
//! same run.
//!
//! Run: `cargo bench -p storeboard-benches --bench engine_vs_stock`
//!
//! Both servers start in this process, each on its own thread with its own actix `System`,
//! two workers each (`BENCH_WORKERS`), no access log, on `127.0.0.1:0`. A built-in load generator
//! (`storeboard_benches::load`) then drives them in alternating rounds (engine, stock,
//! engine, stock, ...) so that drift of a noisy machine hits both alike; each round opens
//! fresh keep-alive connections, warms up, then measures. The table gives, per server, the
//! median over rounds of req/s, p50, p99 and the server's CPU time per request (its own
//! threads only, so it does not depend on how much CPU the scheduler gave it), and the ratios
//! engine / stock. Each round also reports how much CPU other processes took meanwhile, and
//! for the engine how it spread the connections over its workers.
//!
//! Parameters (environment variables, checked against their bounds):
//! - `BENCH_WORKERS` — worker threads of each server, 1–16. Default 2.
//! - `BENCH_CONNECTIONS` — concurrent keep-alive connections, 1–512. Default 64.
//! - `BENCH_SECONDS` — measured seconds per round, 1–60. Default 3.
//! - `BENCH_WARMUP` — warm-up seconds per round, 0–10. Default 1.
//! - `BENCH_ROUNDS` — rounds per server, 1–20. Default 3.
//! - `BENCH_CLIENT_THREADS` — load-generator threads, 1–16. Default 2.
//! - `BENCH_MAX_OTHERS` — a round during which other processes took more than this percentage
//!   of the CPUs is rerun, 0–100. Default 5.
//! - `BENCH_RETRIES` — reruns allowed per round, after a 3 s pause each, 0–20. Default 4; the
//!   last attempt is kept and the summary warns.
//!
//! Exits with status 1 if any request failed (I/O error, timeout, non-200), 2 if the setup
//! failed, so it never reports numbers measured on errors.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpServer};
use storeboard_benches::cpu::{CpuSample, ThreadSet};
use storeboard_benches::load::{run_round, LoadConfig, RoundStats};

/// The handler both servers serve: a 30-byte text body.
async fn hello() -> &'static str {
    "Hello from the benchmark page!"
}

/// The pause before rerunning a round that other processes disturbed.
const RERUN_PAUSE: Duration = Duration::from_secs(3);

/// Stops the server on a thread; the thread ends once the server has stopped.
enum Stop {
    Engine(storeboard_engine::ServerHandle),
    Stock(actix_web::dev::ServerHandle),
}

/// One server running on its own thread.
struct Running {
    name: &'static str,
    addr: SocketAddr,
    stop: Stop,
    thread: JoinHandle<()>,
    /// The server's own threads (its `System` thread, workers, acceptor), for CPU accounting.
    threads: ThreadSet,
}

fn start_engine(workers: usize) -> Result<Running, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("engine".to_owned())
        .spawn(move || {
            actix_rt::System::new().block_on(async move {
                let settings = storeboard_engine::Settings {
                    host: "127.0.0.1".into(),
                    port: 0,
                    threads: workers,
                    access_log: false,
                    connection_limit: 1000,
                    ..storeboard_engine::Settings::default()
                };
                let engine = storeboard_engine::Engine::new(settings, || {
                    App::new().route("/", web::get().to(hello))
                })
                .disable_signals()
                .bind();
                let engine = match engine {
                    Ok(engine) => engine,
                    Err(err) => {
                        let _ = tx.send(Err(format!("engine: {err}")));
                        return;
                    }
                };
                let Some(addr) = engine.local_addrs().first().copied() else {
                    let _ = tx.send(Err("engine: bound no address".to_owned()));
                    return;
                };
                let server = engine.run();
                let _ = tx.send(Ok((addr, Stop::Engine(server.handle()))));
                if let Err(err) = server.await {
                    eprintln!("engine: {err}");
                }
            });
        })
        .map_err(|err| format!("engine: cannot start its thread: {err}"))?;
    let (addr, stop) = rx
        .recv()
        .map_err(|_| "engine: its thread ended before binding".to_owned())??;
    Ok(Running {
        name: "storeboard engine",
        addr,
        stop,
        thread,
        threads: ThreadSet::default(),
    })
}

fn start_stock(workers: usize) -> Result<Running, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("stock".to_owned())
        .spawn(move || {
            actix_rt::System::new().block_on(async move {
                let bound = HttpServer::new(|| App::new().route("/", web::get().to(hello)))
                    .workers(workers)
                    .disable_signals()
                    .bind(("127.0.0.1", 0));
                let bound = match bound {
                    Ok(bound) => bound,
                    Err(err) => {
                        let _ = tx.send(Err(format!("stock HttpServer: {err}")));
                        return;
                    }
                };
                let Some(addr) = bound.addrs().first().copied() else {
                    let _ = tx.send(Err("stock HttpServer: bound no address".to_owned()));
                    return;
                };
                let server = bound.run();
                let _ = tx.send(Ok((addr, Stop::Stock(server.handle()))));
                if let Err(err) = server.await {
                    eprintln!("stock HttpServer: {err}");
                }
            });
        })
        .map_err(|err| format!("stock HttpServer: cannot start its thread: {err}"))?;
    let (addr, stop) = rx
        .recv()
        .map_err(|_| "stock HttpServer: its thread ended before binding".to_owned())??;
    Ok(Running {
        name: "stock HttpServer",
        addr,
        stop,
        thread,
        threads: ThreadSet::default(),
    })
}

impl Running {
    /// The engine's live counters; `None` for the stock server, which keeps none.
    fn engine_stats(&self) -> Option<std::sync::Arc<storeboard_engine::Stats>> {
        match &self.stop {
            Stop::Engine(handle) => Some(std::sync::Arc::clone(&handle.info().stats)),
            Stop::Stock(_) => None,
        }
    }

    /// Stops the server (not gracefully: the load generator has closed its connections) and
    /// waits up to 15 s for its thread.
    fn shut_down(self) {
        let stopped = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| {
                rt.block_on(async {
                    let stop = async {
                        match &self.stop {
                            Stop::Engine(handle) => handle.stop(false).await,
                            Stop::Stock(handle) => handle.stop(false).await,
                        }
                    };
                    tokio::time::timeout(Duration::from_secs(15), stop)
                        .await
                        .is_ok()
                })
            });
        let deadline = Instant::now() + Duration::from_secs(15);
        while stopped.as_ref().is_ok_and(|&ok| ok)
            && !self.thread.is_finished()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        if self.thread.is_finished() {
            let _ = self.thread.join();
        } else {
            eprintln!(
                "warning: {} did not stop within 15 s; leaving it to process exit",
                self.name
            );
        }
    }
}

/// Starts the engine, then stock, noting which threads each one started.
fn start_both(workers: usize) -> Result<[Running; 2], String> {
    let settle = || std::thread::sleep(Duration::from_millis(200));
    let before = ThreadSet::current();
    let mut engine = start_engine(workers)?;
    settle();
    let with_engine = ThreadSet::current();
    engine.threads = with_engine.since(&before);
    let mut stock = start_stock(workers)?;
    settle();
    stock.threads = ThreadSet::current().since(&with_engine);
    Ok([engine, stock])
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

/// Medians over one server's rounds.
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
    let servers = match start_both(params.workers) {
        Ok(servers) => servers,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "engine vs stock actix-web HttpServer: GET / -> 30-byte text, {} workers each, access log off",
        params.workers
    );
    println!(
        "{} keep-alive connections on {} client threads; {} s warm-up + {} s measured per round; {} rounds each, alternating",
        params.connections, params.client_threads, params.warmup, params.seconds, params.rounds
    );
    println!(
        "note: the load generator shares this machine's {cpus} CPUs with both servers; both are \
         measured the same way, so compare the ratio, not the absolute numbers"
    );
    println!();

    let mut results: [Vec<Measured>; 2] = [Vec::new(), Vec::new()];
    let mut failures = 0;
    let mut busiest_others = 0.0_f64;
    let mut reruns = 0;
    for round in 1..=params.rounds {
        for (server, measured) in servers.iter().zip(results.iter_mut()) {
            let config = LoadConfig {
                addr: server.addr,
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
                    "round {round} {:<18} rerun: other processes took {:.0}% of the CPUs",
                    server.name,
                    others * 100.0
                );
                reruns += 1;
                // Give a short burst of other work (a compile step) time to pass.
                std::thread::sleep(RERUN_PAUSE);
                m = measure(server, &config);
            }
            busiest_others = busiest_others.max(m.others.unwrap_or(0.0));
            println!(
                "round {round} {:<18} {:>7.0} req/s  p50 {:>8}  p99 {:>8}  server CPU {:>8}/req  failures {}  other processes {}",
                server.name,
                m.stats.req_per_sec(),
                ms(m.stats.p50),
                ms(m.stats.p99),
                m.cpu_per_request.map_or("n/a".to_owned(), us),
                m.stats.failures,
                m.others.map_or("n/a".to_owned(), |share| format!("{:.0}% CPU", share * 100.0)),
            );
            if let Some(open) = &m.engine_spread {
                println!("        engine connections per worker: {open:?}");
            }
            if let Some(first) = &m.stats.first_failure {
                eprintln!("  {} failed request(s); first: {first}", m.stats.failures);
            }
            failures += m.stats.failures;
            measured.push(m);
        }
    }

    let [engine, stock] = [summarize(&results[0]), summarize(&results[1])];
    println!();
    println!(
        "median of {} rounds     req/s        p50        p99  server CPU/req",
        params.rounds
    );
    for (server, s) in servers.iter().zip([&engine, &stock]) {
        println!(
            "{:<18} {:>10.0} {:>10} {:>10} {:>15}",
            server.name,
            s.req_per_sec,
            ms(s.p50),
            ms(s.p99),
            s.cpu_per_request.map_or("n/a".to_owned(), us),
        );
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let cpu_ratio = engine
        .cpu_per_request
        .zip(stock.cpu_per_request)
        .map_or(f64::NAN, |(e, s)| ratio(e.as_secs_f64(), s.as_secs_f64()));
    println!(
        "{:<18} {:>9.3}x {:>9.3}x {:>9.3}x {:>14.3}x",
        "engine / stock",
        ratio(engine.req_per_sec, stock.req_per_sec),
        ratio(engine.p50.as_secs_f64(), stock.p50.as_secs_f64()),
        ratio(engine.p99.as_secs_f64(), stock.p99.as_secs_f64()),
        cpu_ratio,
    );
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
    if failures > 0 {
        eprintln!("error: {failures} request(s) failed; these numbers are not valid");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
