//! Crash consistency of the `storeboard` binary: killed with SIGKILL at any moment of an upload
//! (fixed points spread over the upload's duration, plus random ones),
//! it restarts on the same data directory with `GET /api/v1/stores` exactly as before that upload
//! or exactly as after it, and an upload history that agrees.
//!
//! Run: `cargo test -p storeboard --test crash -- --nocapture` (prints each iteration's outcome).
#![cfg(unix)]

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;
use support::Running;

/// The binary on `dir`, serving.
fn start(dir: &Path) -> Running {
    support::start(dir, IO_TIMEOUT)
}

/// One HTTP/1.1 exchange with `Connection: close`: the status and the body.
fn exchange(port: u16, head: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    support::exchange(port, head, body, IO_TIMEOUT)
}

fn get_json(port: u16, path: &str) -> Value {
    support::get_json(port, path, IO_TIMEOUT)
}

/// Deadline of every connect, read and write, and of a start-up.
const IO_TIMEOUT: Duration = Duration::from_secs(20);
const BOUNDARY: &str = "crash-test-boundary-93b1";
/// The store every big upload replaces, and the one no upload after the base touches.
const BIG: &str = "鲜丰便利(万达店)";
const SMALL: &str = "鲜丰便利(滨江店)";

/// The stores and how many uploads the history holds. A server that has just started loads
/// its stores in the background (`/api/v1/stores` marks those not loaded yet with
/// `"loading": true`): this waits until none is left.
fn state(port: u16) -> (Value, usize) {
    let history = get_json(port, "/api/v1/uploads");
    let deadline = Instant::now() + IO_TIMEOUT;
    let stores = loop {
        let stores = get_json(port, "/api/v1/stores");
        let loading = stores
            .as_array()
            .is_some_and(|all| all.iter().any(|s| s.get("loading").is_some()));
        if !loading || Instant::now() > deadline {
            break stores;
        }
        thread::sleep(Duration::from_millis(10));
    };
    (stores, history.as_array().map_or(0, Vec::len))
}

/// `POST /api/v1/uploads` of one CSV file with `mode=replace`.
fn upload(port: u16, name: &str, csv: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nreplace\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: crash\r\nConnection: close\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    exchange(port, &head, &body)
}

/// A generated export: its CSV bytes and what `GET /api/v1/stores` lists for each of its stores.
struct Export {
    csv: Vec<u8>,
    stores: Vec<Value>,
}

/// A CSV export of `orders` orders a day on `days` days from 2026-11-01 in each store, 1–7 lines
/// an order (4 on average), from `seed`. Order IDs start with the seed: two exports share none.
fn export(stores: &[&str], days: u32, orders: u32, seed: u64) -> Export {
    const PRODUCTS: [&str; 6] = [
        "可口可乐 330ml",
        "农夫山泉 550ml",
        "奥利奥饼干",
        "康师傅红烧牛肉面",
        "伊利纯牛奶 250ml",
        "乐事薯片 原味",
    ];
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut csv = String::from("订单ID,下单时间,门店名称,商品名称,销量,实收价格\r\n");
    let mut summaries = Vec::new();
    for (s, store) in stores.iter().enumerate() {
        let mut lines = 0;
        for day in 1..=days {
            for o in 0..orders {
                let time = format!(
                    "2026-11-{day:02} {:02}:{:02}:00",
                    8 + o * 14 / orders,
                    o % 60
                );
                for _ in 0..=next() % 7 {
                    let product = PRODUCTS[(next() % 6) as usize];
                    let (qty, cents) = (1 + next() % 3, 100 + next() % 900);
                    let id = format!("{seed:03}{s:02}{day:02}{o:06}");
                    let price = format!("{}.{:02}", cents / 100, cents % 100);
                    csv.push_str(&format!("{id},{time},{store},{product},{qty},{price}\r\n"));
                    lines += 1;
                }
            }
        }
        summaries.push(json!({
            "name": store, "lines": lines, "orders": days * orders,
            "first_day": "2026-11-01", "last_day": format!("2026-11-{days:02}"),
        }));
    }
    summaries.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Export {
        csv: csv.into_bytes(),
        stores: summaries,
    }
}

/// The stores after a big `replace` upload: the base's, with [`BIG`] replaced.
fn after_replace(base: &Export, big: &Export) -> Value {
    let mut stores: Vec<Value> = base
        .stores
        .iter()
        .filter(|s| s["name"] != BIG)
        .cloned()
        .collect();
    stores.extend(big.stores.iter().cloned());
    stores.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Value::Array(stores)
}

fn temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("tmp")).map_or(0, |d| d.count())
}

/// Where an iteration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Before,
    After,
}

/// What the uploading client saw: the status, if an answer came, and when.
type Answer = Option<(u16, Duration)>;

/// Starts uploading `csv` in a thread, SIGKILLs the server after `delay`, waits for the
/// client to give up and restarts on `dir`. Returns the new server and the client's answer.
fn cut(mut server: Running, dir: &Path, csv: &[u8], delay: Duration) -> (Running, Answer) {
    let (port, csv) = (server.port, csv.to_vec());
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        let answer = upload(port, "big.csv", &csv).ok();
        let _ = tx.send(answer.map(|(status, _)| (status, started.elapsed())));
    });
    thread::sleep(delay);
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    // Before restarting: a new server could take the same port and get this upload.
    let answer = rx
        .recv_timeout(IO_TIMEOUT)
        .expect("the client gives up once the server is gone");
    drop(server);
    (start(dir), answer)
}

/// Uploads `csv` whole; returns how long it took.
fn timed_upload(port: u16, csv: &[u8]) -> Duration {
    let started = Instant::now();
    let (status, body) = upload(port, "whole.csv", csv).expect("a whole upload");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    started.elapsed()
}

#[test]
fn an_upload_cut_by_sigkill_leaves_the_stores_exactly_as_before_or_after_it() {
    let dir = tempfile::tempdir().expect("a temp data dir");
    let base = export(&[BIG, SMALL], 3, 40, 1);
    let bigs = [export(&[BIG], 30, 170, 2), export(&[BIG], 30, 130, 3)];
    let afters: Vec<Value> = bigs.iter().map(|b| after_replace(&base, b)).collect();
    let mut server = start(dir.path());
    timed_upload(server.port, &base.csv);
    assert_eq!(state(server.port).0, Value::Array(base.stores.clone()));
    // Whole uploads land on the computed states; the second (warm) one times the kill delays.
    timed_upload(server.port, &bigs[0].csv);
    assert_eq!(state(server.port).0, afters[0]);
    let whole = timed_upload(server.port, &bigs[1].csv);
    assert_eq!(state(server.port).0, afters[1]);
    println!(
        "a whole upload of {} bytes takes {whole:?}",
        bigs[1].csv.len()
    );
    let mut delays: Vec<Duration> = [0, 20, 50].map(Duration::from_millis).to_vec();
    delays.extend([2, 4, 6, 8, 10, 12, 14, 17, 20, 25].map(|tenths| whole * tenths / 10));
    // And a few random points (a new seed each run, printed; `CRASH_SEED=N` repeats a run).
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    println!("random kill points from CRASH_SEED={seed}");
    let mut x = seed | 1;
    for _ in 0..4 {
        // xorshift64: enough randomness to pick a point in the upload, and reproducible.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        delays.push(whole * (x % 1500) as u32 / 1000);
    }
    for delay in delays {
        let (before, uploads) = state(server.port);
        // The file that changes the stores: the other one than the last to land.
        let k = usize::from(before == afters[0]);
        let (restarted, answer) = cut(server, dir.path(), &bigs[k].csv, delay);
        server = restarted;
        let (now, now_uploads) = state(server.port);
        let outcome = if (&now, now_uploads) == (&before, uploads) {
            Outcome::Before
        } else if (&now, now_uploads) == (&afters[k], uploads + 1) {
            Outcome::After
        } else {
            panic!(
                "killed after {delay:?}: neither before nor after.\nbefore {before} \
                 ({uploads} uploads)\nafter  {}\nnow    {now} ({now_uploads} uploads)",
                afters[k]
            );
        };
        let left = temp_files(dir.path());
        println!("killed after {delay:?}: {outcome:?} (answer {answer:?}; {left} temp files)");
        if answer.is_some_and(|(status, _)| status == 200) {
            assert_eq!(outcome, Outcome::After, "a confirmed upload was lost");
        }
    }
}

#[test]
fn the_temp_file_of_an_upload_cut_by_a_crash_is_removed_at_the_next_start() {
    let dir = tempfile::tempdir().expect("a temp data dir");
    let mut server = start(dir.path());
    // The head and the start of a 1 MB file, then nothing: the server is storing the file.
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.port));
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connects");
    let part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
    );
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: crash\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 1000000\r\n\r\n{part}"
    );
    stream.write_all(head.as_bytes()).expect("writes the head");
    stream
        .write_all(&[b'x'; 4096])
        .expect("writes the start of the file");
    let deadline = Instant::now() + IO_TIMEOUT;
    while temp_files(dir.path()) == 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(temp_files(dir.path()), 1, "the upload is being stored");
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    drop((server, stream));
    let _restarted = start(dir.path());
    let left: Vec<_> = std::fs::read_dir(dir.path().join("tmp"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        left.is_empty(),
        "left in DATA_DIR/tmp after a restart: {left:?}"
    );
}
