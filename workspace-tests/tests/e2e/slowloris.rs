//! Slowloris: hundreds of connections trickling request heads that never end must neither starve
//! normal clients nor stay open past `header_read_timeout`.
//!
//! `timeouts.rs` proves the head deadline on one trickling connection; this is the same deadline
//! under load: [`ATTACKERS`] sockets each send a partial head one byte every [`TRICKLE`], driven
//! from a single thread (a current-thread tokio runtime), while [`NORMAL_CLIENTS`] threads keep
//! requesting `/hello` and measure how long each answer takes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{get, Client, TestServer, IO_TIMEOUT};

const ATTACKERS: usize = 500;
const NORMAL_CLIENTS: usize = 8;
const HEAD_TIMEOUT: Duration = Duration::from_secs(2);
/// One byte of the never-ending head every this long: never idle long enough to be reaped as
/// idle, so only the head deadline can cut the connection.
const TRICKLE: Duration = Duration::from_millis(200);
/// Allowance after the head deadline for the cleanup tick (a tenth of the deadline), cutting
/// 500 channels at once and scheduling on a busy two-core machine.
const CUT_SLACK: Duration = Duration::from_millis(1500);
/// A normal request must not wait longer than this at the 99th percentile.
const P99_BOUND: Duration = Duration::from_secs(1);
/// Pause between a normal client's requests: people clicking, not a benchmark loop.
const THINK: Duration = Duration::from_millis(10);
/// A normal client opens a new connection after this many requests, so the acceptor is under
/// test too, not only the workers.
const REQUESTS_PER_CONNECTION: usize = 10;

/// The start of a request head; the attackers send it a byte at a time and never finish it.
const PARTIAL_HEAD: &[u8] =
    b"GET /hello HTTP/1.1\r\nHost: e2e\r\nUser-Agent: slowloris\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa";

/// What one attacking connection saw.
#[derive(Debug)]
struct Cut {
    /// When its first byte was written (the server's head deadline runs from its arrival).
    first_byte: Instant,
    /// When the server closed it (end-of-stream, reset, or a write refused); `None`: still open
    /// at the end of the attack.
    closed: Option<Instant>,
    /// Everything the server sent.
    data: Vec<u8>,
}

/// Reads what the server sends until `until`; true when it closed the connection meanwhile.
async fn closed_before(
    stream: &mut TcpStream,
    data: &mut Vec<u8>,
    until: tokio::time::Instant,
) -> bool {
    let mut buf = [0u8; 1024];
    // Bounded: every round either reads bytes or ends the loop, and `until` ends it.
    loop {
        match tokio::time::timeout_at(until, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(n)) => data.extend_from_slice(&buf[..n]),
        }
    }
}

/// One attacker: connects, trickles [`PARTIAL_HEAD`] until the server closes or `deadline`.
async fn attack(addr: SocketAddr, deadline: tokio::time::Instant) -> Result<Cut, String> {
    let connect = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(addr));
    let mut stream = connect
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut data = Vec::new();
    let mut first_byte = None;
    for &byte in PARTIAL_HEAD {
        // A refused write means the server has closed already.
        let written = stream.write_all(&[byte]).await.is_ok();
        let first = *first_byte.get_or_insert_with(Instant::now);
        let next = (tokio::time::Instant::now() + TRICKLE).min(deadline);
        if !written || closed_before(&mut stream, &mut data, next).await {
            let closed = Some(Instant::now());
            return Ok(Cut {
                first_byte: first,
                closed,
                data,
            });
        }
        if next >= deadline {
            break;
        }
    }
    // Out of time (the head is longer than the attack): still open.
    Ok(Cut {
        first_byte: first_byte.unwrap_or_else(Instant::now),
        closed: None,
        data,
    })
}

/// Runs every attacker on one thread until all are cut or `limit` passes.
fn run_attack(addr: SocketAddr, limit: Duration) -> Vec<Result<Cut, String>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let deadline = tokio::time::Instant::now() + limit;
        let tasks: Vec<_> = (0..ATTACKERS)
            .map(|_| tokio::spawn(attack(addr, deadline)))
            .collect();
        let mut cuts = Vec::with_capacity(ATTACKERS);
        for task in tasks {
            cuts.push(task.await.unwrap_or_else(|e| Err(format!("task: {e}"))));
        }
        cuts
    })
}

/// What one normal client did.
#[derive(Debug, Default)]
struct Normal {
    /// When each request was sent, and how long its answer took.
    latencies: Vec<(Instant, Duration)>,
    connections: u64,
    failures: Vec<String>,
}

/// A normal client: `GET /hello` in a loop until `stop`, a new connection every
/// [`REQUESTS_PER_CONNECTION`] requests; each latency includes the connect when there is one.
fn normal_client(server_addr: SocketAddr, stop: &AtomicBool, limit: Duration) -> Normal {
    let started = Instant::now();
    let mut seen = Normal::default();
    let mut client: Option<Client> = None;
    // Bounded in count and in time.
    for i in 0..100_000_usize {
        if stop.load(Relaxed) || started.elapsed() > limit {
            break;
        }
        let sent = Instant::now();
        if i.is_multiple_of(REQUESTS_PER_CONNECTION) {
            match Client::try_connect(server_addr, IO_TIMEOUT) {
                Ok(c) => {
                    seen.connections += 1;
                    client = Some(c);
                }
                Err(e) => {
                    seen.failures.push(format!("connect: {e}"));
                    break;
                }
            }
        }
        let Some(c) = client.as_mut() else { break };
        let answer = c
            .try_send(get("/hello"))
            .map_err(|e| format!("write: {e}"))
            .and_then(|()| c.try_response(IO_TIMEOUT, false));
        match answer {
            Ok(res) if res.status == 200 && res.text() == "hello" => {
                seen.latencies.push((sent, sent.elapsed()));
            }
            Ok(res) => seen.failures.push(format!("request {i}: {res:?}")),
            Err(e) => {
                seen.failures.push(format!("request {i}: {e}"));
                break;
            }
        }
        thread::sleep(THINK);
    }
    seen
}

/// The `q` quantile (0..=1) of sorted `values`, nearest rank.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The soft limit on open descriptors, where the platform tells it cheaply.
fn fd_soft_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[test]
fn slowloris_heads_are_cut_at_the_deadline_while_normal_clients_are_served() {
    let test_started = Instant::now();
    // Both ends of every connection live in this process.
    let needed = 2 * (ATTACKERS + NORMAL_CLIENTS) as u64 + 200;
    if let Some(soft) = fd_soft_limit() {
        assert!(
            soft >= needed,
            "this test needs {needed} file descriptors, the soft limit is {soft}: \
             raise it (`ulimit -n 4096`) and run again"
        );
    }
    let server = TestServer::with(|s| {
        s.connection_limit = 600;
        s.header_read_timeout = HEAD_TIMEOUT;
        // Longer than the test: nothing may be reaped as idle, only cut at the head deadline.
        s.channel_timeout = Duration::from_secs(30);
    });
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let normal_limit = Duration::from_secs(20);
    let normals: Vec<_> = (0..NORMAL_CLIENTS)
        .map(|i| {
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name(format!("normal-{i}"))
                .spawn(move || normal_client(addr, &stop, normal_limit))
                .expect("spawn a normal client")
        })
        .collect();
    // The normal clients are under way before the attack starts, and go on until it ends.
    thread::sleep(Duration::from_millis(300));
    let attack_started = Instant::now();
    let attack = thread::Builder::new()
        .name("slowloris".to_owned())
        .spawn(move || run_attack(addr, HEAD_TIMEOUT + CUT_SLACK + Duration::from_secs(2)))
        .expect("spawn the attack thread");
    // The siege: from the first moment every attacker holds a channel to the last.
    let mut siege: Option<(Instant, Instant)> = None;
    let mut peak_open = 0;
    // Bounded: the attack thread ends by its own deadline.
    while !attack.is_finished() {
        let open = server.stats().open_total();
        peak_open = peak_open.max(open);
        if open >= ATTACKERS {
            let now = Instant::now();
            siege = Some((siege.map_or(now, |(from, _)| from), now));
        }
        thread::sleep(Duration::from_millis(10));
    }
    let cuts = attack.join().expect("the attack thread");
    let attack_took = attack_started.elapsed();
    stop.store(true, Relaxed);
    let normals: Vec<Normal> = normals
        .into_iter()
        .map(|t| t.join().expect("a normal client thread"))
        .collect();

    // Every attacker was cut by the server, at the head deadline.
    let mut late = Vec::new();
    let mut told_408 = 0;
    let mut slowest = Duration::ZERO;
    for (i, cut) in cuts.iter().enumerate() {
        let cut = cut
            .as_ref()
            .unwrap_or_else(|e| panic!("attacker {i} failed: {e}"));
        let text = String::from_utf8_lossy(&cut.data);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408 "),
            "attacker {i} got {text:?}"
        );
        told_408 += usize::from(!text.is_empty());
        let Some(closed) = cut.closed else {
            late.push(format!("attacker {i}: still open"));
            continue;
        };
        let after = closed - cut.first_byte;
        slowest = slowest.max(after);
        if after < HEAD_TIMEOUT - Duration::from_millis(20) || after > HEAD_TIMEOUT + CUT_SLACK {
            late.push(format!("attacker {i}: cut {after:?} after its first byte"));
        }
    }
    assert!(
        late.is_empty(),
        "{} of {ATTACKERS} attackers not cut in {HEAD_TIMEOUT:?}..={:?}:\n{}",
        late.len(),
        HEAD_TIMEOUT + CUT_SLACK,
        late.join("\n")
    );

    // Every normal request was answered, and quickly.
    let failures: Vec<&String> = normals.iter().flat_map(|n| &n.failures).collect();
    assert!(failures.is_empty(), "normal requests failed: {failures:#?}");
    let mut latencies: Vec<(Instant, Duration)> =
        normals.iter().flat_map(|n| n.latencies.clone()).collect();
    latencies.sort_by_key(|&(_, took)| took);
    let count = latencies.len();
    let connections: u64 = normals.iter().map(|n| n.connections).sum();
    let (siege_from, siege_until) = siege
        .unwrap_or_else(|| panic!("never {ATTACKERS} channels open at once (peak {peak_open})"));
    let all: Vec<Duration> = latencies.iter().map(|&(_, took)| took).collect();
    let besieged: Vec<Duration> = latencies
        .iter()
        .filter(|&&(sent, _)| sent >= siege_from && sent <= siege_until)
        .map(|&(_, took)| took)
        .collect();
    assert!(
        besieged.len() >= 50,
        "only {} normal requests during the siege",
        besieged.len()
    );
    let (p50, p99, max) = (quantile(&all, 0.5), quantile(&all, 0.99), all[count - 1]);
    let (siege_p50, siege_p99) = (quantile(&besieged, 0.5), quantile(&besieged, 0.99));
    println!(
        "slowloris: {ATTACKERS} attackers (peak {peak_open} channels open, all of them for \
         {:?}) cut after at most {slowest:?} ({told_408} told 408), attack over in \
         {attack_took:?}; {NORMAL_CLIENTS} normal clients: {count} requests on {connections} \
         connections, all 200: p50 {p50:?}, p99 {p99:?}, max {max:?}; during the siege {} \
         requests: p50 {siege_p50:?}, p99 {siege_p99:?}",
        siege_until - siege_from,
        besieged.len()
    );
    assert!(p99 < P99_BOUND, "p99 {p99:?} (p50 {p50:?}, max {max:?})");
    assert!(
        siege_p99 < P99_BOUND,
        "p99 during the siege {siege_p99:?} (p50 {siege_p50:?})"
    );

    // The engine counted each cut as a head timeout, and nothing else happened to anyone.
    let attackers = ATTACKERS as u64;
    let stats = server.stats_when(|s| s.header_timeouts >= attackers && s.open_total() == 0);
    assert_eq!(stats.header_timeouts, attackers, "{stats:?}");
    assert_eq!(stats.accepted, attackers + connections, "{stats:?}");
    assert_eq!(stats.requests, count as u64, "{stats:?}");
    assert_eq!(
        (stats.reaped, stats.refused, stats.reclaimed),
        (0, 0, 0),
        "{stats:?}"
    );
    assert_eq!(stats.accept_errors, 0, "{stats:?}");
    let took = test_started.elapsed();
    println!("slowloris: test took {took:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
