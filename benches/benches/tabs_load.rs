//! Load test of the tab API: 32 keep-alive clients switching tabs, stores and periods against the
//! full storeboard app over the 28-store × 30-day database (about 430k lines), loopback only,
//! bounded in time. Reports p50/p99 and errors, plus the server-side time of a cached answer
//! against a `/healthz` baseline measured in the same run.
//!
//! Run: `cargo bench -p storeboard-benches --bench tabs_load` (or `cargo make bench`).
//! Env: `BENCH_CLIENTS=32`, `BENCH_SECONDS=10`, `BENCH_CHAIN_ORDERS=128`.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{bench_dir, chain_database};
use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_benches::response::parse_head;
use storeboard_data::OrderStore;
use storeboard_engine::{Engine, Settings};
use storeboard_tabs::TabsState;
use storeboard_upload::UploadState;

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let clients: usize = env_num("BENCH_CLIENTS", 32);
    let seconds: u64 = env_num("BENCH_SECONDS", 10);
    let dir = chain_database(&bench_dir(), env_num("BENCH_CHAIN_ORDERS", 128));
    let (addr, stores) = start_server(dir);
    let urls = Arc::new(urls(&stores));
    println!(
        "tab API load: {clients} clients, {seconds} s, {} distinct URLs, 4 workers",
        urls.len()
    );
    let healthz = sequential(addr, "/healthz", 2_000);
    let cached = sequential(addr, &urls[0], 2_000);
    println!(
        "sequential medians: /healthz {:.3} ms, cached overview {:.3} ms (ratio {:.2})",
        healthz,
        cached,
        cached / healthz
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let urls = Arc::clone(&urls);
            std::thread::spawn(move || client(addr, &urls, c, deadline))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0u64;
    for w in workers {
        let (lat, err) = w.join().unwrap_or_else(|_| (Vec::new(), 1));
        latencies.extend(lat);
        errors += err;
    }
    latencies.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{} requests ({:.0}/s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {errors}",
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        pick(0.5),
        pick(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    if errors > 0 {
        eprintln!("load test saw {errors} errors");
        std::process::exit(1);
    }
}

/// Every tab × (all stores, three stores) × (7 days, 30 days, yesterday, one channel).
fn urls(stores: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let picks: Vec<String> = std::iter::once(String::new())
        .chain(stores.iter().take(3).cloned())
        .collect();
    for tab in ["overview", "today", "products", "timeslots"] {
        for store in &picks {
            let channel = format!("&channel={}", encode("美团闪购"));
            for period in [
                "",
                "&from=2026-10-29&to=2026-11-27",
                "&from=2026-11-27&to=2026-11-27",
                &channel,
            ] {
                out.push(format!(
                    "/api/v1/tabs/{tab}?store={}{period}",
                    encode(store)
                ));
            }
        }
    }
    out
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn start_server(dir: std::path::PathBuf) -> (SocketAddr, Vec<String>) {
    let store = Arc::new(OrderStore::open(&dir).expect("opens the chain database"));
    let stores: Vec<String> = store
        .registry()
        .all()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let settings = Settings {
                host: "127.0.0.1".into(),
                port: 0,
                access_log: false,
                connection_limit: 200,
                ..Settings::default()
            };
            let upload = UploadState::new(Arc::clone(&store), dir, settings.max_request_body_size);
            let tabs = TabsState::new(store, Business::default(), 512);
            let engine = Engine::new(settings, move || {
                storeboard::app(Mode::Production, upload.clone(), tabs.clone())
            })
            .disable_signals()
            .bind()
            .expect("binds");
            let _ = tx.send(engine.local_addrs()[0]);
            let _ = engine.run().await;
        });
    });
    (
        rx.recv_timeout(Duration::from_secs(30))
            .expect("server starts"),
        stores,
    )
}

/// One GET on a keep-alive connection; the latency in ms, or an error.
fn get(stream: &mut TcpStream, buf: &mut Vec<u8>, path: &str) -> Result<f64, String> {
    let started = Instant::now();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").map_err(|e| e.to_string())?;
    buf.clear();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        if let Some(head) = parse_head(buf).map_err(|e| format!("{e:?}"))? {
            if buf.len() >= head.total_len() {
                if head.status != 200 {
                    return Err(format!("{path}: status {}", head.status));
                }
                return Ok(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.set_nodelay(true).expect("nodelay");
    stream
}

fn client(addr: SocketAddr, urls: &[String], offset: usize, deadline: Instant) -> (Vec<f64>, u64) {
    let mut stream = connect(addr);
    let mut buf = Vec::new();
    let (mut lat, mut errors) = (Vec::new(), 0);
    let mut i = offset * 7;
    while Instant::now() < deadline {
        match get(&mut stream, &mut buf, &urls[i % urls.len()]) {
            Ok(ms) => lat.push(ms),
            Err(e) => {
                errors += 1;
                eprintln!("request failed: {e}");
                stream = connect(addr);
            }
        }
        i += 1;
    }
    (lat, errors)
}

/// Median latency of `n` sequential requests to one path (after it is cached).
fn sequential(addr: SocketAddr, path: &str, n: usize) -> f64 {
    let mut stream = connect(addr);
    let mut buf = Vec::new();
    let mut lat: Vec<f64> = (0..n)
        .filter_map(|_| get(&mut stream, &mut buf, path).ok())
        .collect();
    lat.sort_by(f64::total_cmp);
    lat.get(lat.len() / 2).copied().unwrap_or(0.0)
}
