//! The engine against stock `actix_web::HttpServer`, serving the same trivial handler in the
//! same run.
//!
//! Run: `cargo bench -p storeboard-benches --bench engine_vs_stock`
//!
//! Both servers start in this process, each on its own thread with its own actix `System`,
//! two workers each, no access log, on `127.0.0.1:0`. A built-in load generator
//! (`storeboard_benches::load`) then drives them in alternating rounds (engine, stock,
//! engine, stock, ...) so that drift of a noisy machine hits both alike; each round opens
//! fresh keep-alive connections, warms up, then measures. The table gives, per server, the
//! median over rounds of req/s, p50 and p99, and the ratios engine / stock.
//!
//! Parameters (environment variables, checked against their bounds):
//! - `BENCH_CONNECTIONS` — concurrent keep-alive connections, 1–512. Default 64.
//! - `BENCH_SECONDS` — measured seconds per round, 1–60. Default 3.
//! - `BENCH_WARMUP` — warm-up seconds per round, 0–10. Default 1.
//! - `BENCH_ROUNDS` — rounds per server, 1–20. Default 3.
//! - `BENCH_CLIENT_THREADS` — load-generator threads, 1–16. Default 2.
//!
//! Exits with status 1 if any request failed (I/O error, timeout, non-200), 2 if the setup
//! failed, so it never reports numbers measured on errors.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpServer};
use storeboard_benches::load::{run_round, LoadConfig, RoundStats};

/// The handler both servers serve: a 30-byte text body.
async fn hello() -> &'static str {
    "Hello from the benchmark page!"
}

/// Worker threads of each server.
const WORKERS: usize = 2;

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
}

fn start_engine() -> Result<Running, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("engine".to_owned())
        .spawn(move || {
            actix_rt::System::new().block_on(async move {
                let mut settings = storeboard_engine::Settings::default();
                settings.host = "127.0.0.1".into();
                settings.port = 0;
                settings.threads = WORKERS;
                settings.access_log = false;
                settings.connection_limit = 1000;
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
    })
}

fn start_stock() -> Result<Running, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("stock".to_owned())
        .spawn(move || {
            actix_rt::System::new().block_on(async move {
                let bound = HttpServer::new(|| App::new().route("/", web::get().to(hello)))
                    .workers(WORKERS)
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
    })
}

impl Running {
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

/// The benchmark's parameters.
struct Params {
    connections: usize,
    seconds: u64,
    warmup: u64,
    rounds: usize,
    client_threads: usize,
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
            connections: env_number("BENCH_CONNECTIONS", 64, 1, 512)? as usize,
            seconds: env_number("BENCH_SECONDS", 3, 1, 60)?,
            warmup: env_number("BENCH_WARMUP", 1, 0, 10)?,
            rounds: env_number("BENCH_ROUNDS", 3, 1, 20)? as usize,
            client_threads: env_number("BENCH_CLIENT_THREADS", 2, 1, 16)? as usize,
        })
    }
}

/// Medians over one server's rounds.
struct Summary {
    req_per_sec: f64,
    p50: Duration,
    p99: Duration,
}

fn median<T: Copy + PartialOrd>(mut values: Vec<T>) -> Option<T> {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values.get(values.len() / 2).copied()
}

fn summarize(rounds: &[RoundStats]) -> Summary {
    Summary {
        req_per_sec: median(rounds.iter().map(RoundStats::req_per_sec).collect()).unwrap_or(0.0),
        p50: median(rounds.iter().map(|r| r.p50).collect()).unwrap_or_default(),
        p99: median(rounds.iter().map(|r| r.p99).collect()).unwrap_or_default(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> ExitCode {
    let params = match Params::from_env() {
        Ok(params) => params,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let servers = match start_engine().and_then(|engine| Ok([engine, start_stock()?])) {
        Ok(servers) => servers,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("engine vs stock actix-web HttpServer: GET / -> 30-byte text, {WORKERS} workers each, access log off");
    println!(
        "{} keep-alive connections on {} client threads; {} s warm-up + {} s measured per round; {} rounds each, alternating",
        params.connections, params.client_threads, params.warmup, params.seconds, params.rounds
    );
    println!(
        "note: the load generator shares this machine's {cpus} CPUs with both servers; both are \
         measured the same way, so compare the ratio, not the absolute numbers"
    );
    println!();

    let mut results: [Vec<RoundStats>; 2] = [Vec::new(), Vec::new()];
    let mut failures = 0;
    for round in 1..=params.rounds {
        for (server, stats) in servers.iter().zip(results.iter_mut()) {
            let config = LoadConfig {
                addr: server.addr,
                connections: params.connections,
                client_threads: params.client_threads,
                warmup: Duration::from_secs(params.warmup),
                measure: Duration::from_secs(params.seconds),
            };
            let r = run_round(&config);
            println!(
                "round {round} {:<18} {:>9.0} req/s  p50 {:>9}  p99 {:>9}  failures {}",
                server.name,
                r.req_per_sec(),
                ms(r.p50),
                ms(r.p99),
                r.failures
            );
            if let Some(first) = &r.first_failure {
                eprintln!("  {} failed request(s); first: {first}", r.failures);
            }
            failures += r.failures;
            stats.push(r);
        }
    }

    let [engine, stock] = [summarize(&results[0]), summarize(&results[1])];
    println!();
    println!(
        "median of {} rounds     req/s        p50        p99",
        params.rounds
    );
    for (server, s) in servers.iter().zip([&engine, &stock]) {
        println!(
            "{:<18} {:>10.0} {:>10} {:>10}",
            server.name,
            s.req_per_sec,
            ms(s.p50),
            ms(s.p99)
        );
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    println!(
        "{:<18} {:>9.3}x {:>9.3}x {:>9.3}x",
        "engine / stock",
        ratio(engine.req_per_sec, stock.req_per_sec),
        ratio(engine.p50.as_secs_f64(), stock.p50.as_secs_f64()),
        ratio(engine.p99.as_secs_f64(), stock.p99.as_secs_f64()),
    );

    for server in servers {
        server.shut_down();
    }
    if failures > 0 {
        eprintln!("error: {failures} request(s) failed; these numbers are not valid");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
