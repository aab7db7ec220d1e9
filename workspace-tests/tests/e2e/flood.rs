//! A flood: three times `connection_limit` connections at once, each sending one request.
//!
//! `connection_limit.rs` proves each rule on its own with a handful of connections (reclaim the
//! longest-idle channel; `503` when every channel is busy; refused connections are not counted
//! as accepted). Here they all race: every client must be answered `200`, refused with a clean
//! `503`, or cut without an answer because its channel was reclaimed for a newcomer, never left
//! hanging; the engine's counters must equal what the clients saw; and the server must answer a
//! fresh request quickly afterwards.

use std::io::{self, Read};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{get, parse_responses, Response, TestServer};

const LIMIT: usize = 50;
const FLOOD: usize = 3 * LIMIT;
/// Every client must be answered or cut within this long of the flood's start.
const FLOOD_LIMIT: Duration = Duration::from_secs(10);

/// What one flooding client saw first.
#[derive(Debug)]
enum Seen {
    /// A whole response.
    Answered(Response),
    /// The server closed (or reset) the connection before a whole response; what it sent.
    Cut(Vec<u8>),
}

/// Half the clients ask for a slow page, so that at times every channel is busy (`503`), and
/// half for a quick one, so that others sit idle and are reclaimed.
fn request_of(i: usize) -> String {
    if i.is_multiple_of(2) {
        get("/sleep/400")
    } else {
        get("/hello")
    }
}

/// Connects, sends one request, and reads until one whole `200`, or else until the close.
/// Returns the connection too (as a std socket) when it is still open after its `200`.
async fn flood_one(
    addr: SocketAddr,
    raw: String,
) -> Result<(Seen, Option<std::net::TcpStream>), String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    // A refused write means the server has closed already; what it sent is still readable.
    let _ = stream.write_all(raw.as_bytes()).await;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    // Ends at the close at the latest; the caller bounds it in time.
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let (mut responses, _) = parse_responses(&data);
                return Ok(match responses.len() {
                    0 => (Seen::Cut(data), None),
                    1 => (Seen::Answered(responses.remove(0)), None),
                    n => return Err(format!("{n} responses to one request: {responses:?}")),
                });
            }
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
        let (mut responses, rest) = parse_responses(&data);
        // A response without a declared length is parsed as running to the end: wait for it.
        // Anything but a 200 must be followed by the close: wait for that too.
        let framed_200 = responses.first().is_some_and(|r| {
            r.status == 200
                && (r.header("content-length").is_some() || r.header("transfer-encoding").is_some())
        });
        if framed_200 {
            if responses.len() > 1 || !rest.is_empty() {
                return Err(format!("more than one response: {data:?}"));
            }
            let std = stream.into_std().map_err(|e| format!("into_std: {e}"))?;
            return Ok((Seen::Answered(responses.remove(0)), Some(std)));
        }
    }
}

/// Whether the server has closed `stream` (end-of-stream or reset); panics on unexpected bytes.
fn closed_by_server(stream: &mut std::net::TcpStream) -> bool {
    stream.set_nonblocking(true).expect("set_nonblocking");
    let mut buf = [0u8; 256];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Ok(n) => panic!(
            "bytes after the only response: {:?}",
            String::from_utf8_lossy(&buf[..n])
        ),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
        Err(_) => true,
    }
}

#[test]
fn a_flood_of_three_times_the_connection_limit_is_served_or_refused_cleanly() {
    let test_started = Instant::now();
    let server = TestServer::with(|s| {
        s.connection_limit = LIMIT;
        // Longer than the test: nothing is reaped, every close below is a reclaim or a refusal.
        s.channel_timeout = Duration::from_secs(30);
    });
    let addr = server.addr;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let flood_started = Instant::now();
    let results = runtime.block_on(async move {
        let tasks: Vec<_> = (0..FLOOD)
            .map(|i| {
                let one = flood_one(addr, request_of(i));
                tokio::spawn(tokio::time::timeout(FLOOD_LIMIT, one))
            })
            .collect();
        let mut results = Vec::with_capacity(FLOOD);
        for task in tasks {
            let result = match task.await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => Err(format!("neither answered nor cut within {FLOOD_LIMIT:?}")),
                Err(e) => Err(format!("task: {e}")),
            };
            results.push(result);
        }
        results
    });
    let flood_took = flood_started.elapsed();

    let (mut ok, mut refused, mut cut) = (0u64, 0u64, 0u64);
    let mut open_after_200 = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        let (seen, stream) = result.unwrap_or_else(|e| panic!("client {i}: {e}"));
        match seen {
            Seen::Answered(res) if res.status == 200 => {
                ok += 1;
                open_after_200.extend(stream);
            }
            Seen::Answered(res) if res.status == 503 => {
                assert_eq!(res.header("retry-after"), Some("1"), "client {i}: {res:?}");
                assert!(res.says_close(), "client {i}: {res:?}");
                assert!(
                    stream.is_none(),
                    "client {i}: the connection stayed open after the 503"
                );
                refused += 1;
            }
            Seen::Answered(res) => panic!("client {i}: {res:?}"),
            Seen::Cut(data) => {
                assert!(data.is_empty(), "client {i}: cut mid-response: {data:?}");
                cut += 1;
            }
        }
    }
    // The 503s closed their connections (above); the 200s kept theirs open unless reclaimed.
    server.stats_when(|s| s.accepted + s.refused == FLOOD as u64);
    // A refusal is counted before its 503 is written: on a loaded machine the last bytes go
    // out a moment later. Settled = two reads 100 ms apart agree.
    let mut stats = server.stats();
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        let again = server.stats();
        if again == stats {
            break;
        }
        stats = again;
    }
    // A reclaim aborts its victim at once; give the closes a moment to reach the clients.
    std::thread::sleep(Duration::from_millis(200));
    let reclaimed_after_200 = open_after_200
        .iter_mut()
        .map(closed_by_server)
        .filter(|&closed| closed)
        .count() as u64;
    let stats_then = server.stats();
    println!(
        "flood: {FLOOD} connections at a limit of {LIMIT} in {flood_took:?}: {ok} answered 200 \
         ({reclaimed_after_200} of them reclaimed afterwards), {refused} refused with 503, {cut} \
         cut unanswered; engine: accepted {}, refused {}, reclaimed {}, requests {}",
        stats_then.accepted, stats_then.refused, stats_then.reclaimed, stats_then.requests
    );
    assert_eq!(
        stats, stats_then,
        "the counters moved after the flood settled"
    );
    assert_eq!(ok + refused + cut, FLOOD as u64);
    assert_eq!(stats.refused, refused, "{stats:?}");
    assert_eq!(stats.accepted, ok + cut, "{stats:?}");
    assert_eq!(stats.reclaimed, cut + reclaimed_after_200, "{stats:?}");
    // A reclaimed channel may have had its request parsed, but never one still in flight.
    assert!(
        (ok..=ok + cut).contains(&stats.requests),
        "requests {} for {ok} answers and {cut} cuts: {stats:?}",
        stats.requests
    );
    assert_eq!((stats.reaped, stats.header_timeouts), (0, 0), "{stats:?}");
    assert!(ok >= 1, "nobody was served");

    // Responsive at once: a fresh request (reclaiming an idle flood channel if need be).
    let started = Instant::now();
    let mut fresh = server.connect();
    let res = fresh.request(get("/hello"));
    let took = started.elapsed();
    assert_eq!((res.status, res.text().as_str()), (200, "hello"), "{res:?}");
    assert!(took < Duration::from_millis(500), "took {took:?}");
    drop(open_after_200);
    drop(fresh);
    let idle = server.stats_when(|s| s.open_total() == 0);
    assert_eq!(idle.open_total(), 0, "{idle:?}");
    let res = server.connect().request(get("/hello"));
    assert_eq!(res.status, 200, "{res:?}");
    let took = test_started.elapsed();
    println!("flood: test took {took:?}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
