//! The load generator: `connections` keep-alive HTTP/1.1 connections, spread over
//! `client_threads` threads that each run a single-threaded tokio runtime. Every connection
//! sends `GET <path> HTTP/1.1`, reads the whole response (head and `Content-Length` body), and
//! sends the next request at once.
//!
//! A round is a warm-up (connections opened, nothing recorded) followed by the measured
//! window; a response counts when it completes inside that window. Any I/O error, timeout,
//! unreadable or non-`200` response is a failure: the connection stops there and the round
//! reports it, so a benchmark can refuse to publish numbers measured on errors.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::response::parse_head;

/// The request every connection sends, over and over, for `path`.
pub fn request(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes()
}

/// How long past the end of the measured window a connection may still take before the
/// round is abandoned and the connection counted as failed.
pub const GRACE: Duration = Duration::from_secs(10);

/// One round's shape.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The server to load; a loopback address.
    pub addr: SocketAddr,
    /// The path every request asks for (`/`, `/healthz`).
    pub path: String,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Client threads the connections are spread over.
    pub client_threads: usize,
    /// Time before measuring: connections open and run, nothing is recorded.
    pub warmup: Duration,
    /// The measured window.
    pub measure: Duration,
}

/// What one round measured.
#[derive(Debug, Clone, Default)]
pub struct RoundStats {
    /// Responses completed inside the measured window.
    pub requests: u64,
    /// Responses completed in the whole round, warm-up included.
    pub all_requests: u64,
    /// Length of the measured window, in seconds.
    pub seconds: f64,
    /// Median latency of the counted requests.
    pub p50: Duration,
    /// 99th-percentile latency of the counted requests.
    pub p99: Duration,
    /// Failed requests or connections (I/O error, timeout, bad or non-200 response).
    pub failures: u64,
    /// The first failure's description, for the report.
    pub first_failure: Option<String>,
}

impl RoundStats {
    /// Completed requests per second over the measured window.
    pub fn req_per_sec(&self) -> f64 {
        if self.seconds > 0.0 {
            self.requests as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Runs one round against `config.addr` and returns once every connection has finished.
pub fn run_round(config: &LoadConfig) -> RoundStats {
    let threads = config.client_threads.clamp(1, config.connections.max(1));
    let start = Instant::now();
    let window = Window {
        from: start + config.warmup,
        to: start + config.warmup + config.measure,
    };
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            // Connections are dealt out round-robin: thread `t` gets every `threads`-th one.
            let count = (config.connections + threads - 1 - t) / threads;
            let addr = config.addr;
            let request: Arc<[u8]> = request(&config.path).into();
            std::thread::Builder::new()
                .name(format!("load-{t}"))
                .spawn(move || client_thread(addr, request, count, window))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut outcome = Outcome::default();
    for worker in workers {
        let joined = match worker {
            Ok(handle) => handle
                .join()
                .map_err(|_| "client thread panicked".to_owned()),
            Err(err) => Err(format!("cannot start a client thread: {err}")),
        };
        match joined {
            Ok((lat, out)) => {
                latencies.extend(lat);
                outcome.merge(out);
            }
            Err(msg) => outcome.fail(msg),
        }
    }
    latencies.sort_unstable();
    RoundStats {
        requests: latencies.len() as u64,
        all_requests: outcome.completed,
        seconds: config.measure.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
        failures: outcome.failures,
        first_failure: outcome.first,
    }
}

/// The `p`th percentile (nearest rank) of sorted nanosecond samples.
pub fn percentile(sorted_nanos: &[u64], p: f64) -> Duration {
    if sorted_nanos.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted_nanos.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted_nanos.len()) - 1;
    Duration::from_nanos(sorted_nanos[index])
}

#[derive(Debug, Clone, Copy)]
struct Window {
    from: Instant,
    to: Instant,
}

#[derive(Debug, Default)]
struct Outcome {
    completed: u64,
    failures: u64,
    first: Option<String>,
}

impl Outcome {
    fn fail(&mut self, msg: String) {
        self.failures += 1;
        self.first.get_or_insert(msg);
    }

    fn merge(&mut self, other: Outcome) {
        self.completed += other.completed;
        self.failures += other.failures;
        if self.first.is_none() {
            self.first = other.first;
        }
    }
}

/// One client thread: `count` connections on a single-threaded runtime.
fn client_thread(
    addr: SocketAddr,
    request: Arc<[u8]>,
    count: usize,
    window: Window,
) -> (Vec<u64>, Outcome) {
    let mut outcome = Outcome::default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            outcome.fail(format!("cannot build a client runtime: {err}"));
            return (Vec::new(), outcome);
        }
    };
    runtime.block_on(async move {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..count {
            let request = Arc::clone(&request);
            set.spawn(async move {
                let deadline = tokio::time::Instant::from_std(window.to + GRACE);
                let mut latencies = Vec::new();
                let mut completed = 0;
                let result = match tokio::time::timeout_at(
                    deadline,
                    connection(addr, &request, window, &mut latencies, &mut completed),
                )
                .await
                {
                    Ok(result) => result,
                    Err(_) => Err(format!("no response within {GRACE:?} after the window")),
                };
                (latencies, completed, result)
            });
        }
        let mut latencies = Vec::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((lat, completed, result)) => {
                    latencies.extend(lat);
                    outcome.completed += completed;
                    if let Err(msg) = result {
                        outcome.fail(msg);
                    }
                }
                Err(err) => outcome.fail(format!("connection task failed: {err}")),
            }
        }
        (latencies, outcome)
    })
}

/// Drives one keep-alive connection until the window closes, counting every response in
/// `completed` and pushing the latency (ns) of those completed inside the window.
async fn connection(
    addr: SocketAddr,
    request: &[u8],
    window: Window,
    latencies: &mut Vec<u64>,
    completed: &mut u64,
) -> Result<(), String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|err| format!("connect to {addr}: {err}"))?;
    stream
        .set_nodelay(true)
        .map_err(|err| format!("set TCP_NODELAY: {err}"))?;
    let mut buf = Vec::with_capacity(4096);
    loop {
        let sent = Instant::now();
        if sent >= window.to {
            return Ok(());
        }
        stream
            .write_all(request)
            .await
            .map_err(|err| format!("write: {err}"))?;
        let status = read_response(&mut stream, &mut buf).await?;
        let done = Instant::now();
        if status != 200 {
            return Err(format!("status {status}"));
        }
        *completed += 1;
        if done >= window.from && done <= window.to {
            latencies.push(u64::try_from((done - sent).as_nanos()).unwrap_or(u64::MAX));
        }
    }
}

/// Reads one whole response from `stream`, keeping any bytes past it in `buf`; returns its
/// status code.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<u16, String> {
    loop {
        if let Some(head) = parse_head(buf).map_err(|err| err.to_string())? {
            while buf.len() < head.total_len() {
                fill(stream, buf).await?;
            }
            buf.drain(..head.total_len());
            return Ok(head.status);
        }
        fill(stream, buf).await?;
    }
}

async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), String> {
    buf.reserve(4096);
    match stream.read_buf(buf).await {
        Ok(0) => Err("connection closed by the server mid-round".to_owned()),
        Ok(_) => Ok(()),
        Err(err) => Err(format!("read: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_takes_the_nearest_rank() {
        let samples: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_nanos(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_nanos(99));
        assert_eq!(percentile(&samples, 100.0), Duration::from_nanos(100));
        assert_eq!(percentile(&[7], 99.0), Duration::from_nanos(7));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    /// A loopback server answering every request with `response`; its threads end when the
    /// client closes its connections.
    fn canned_server(response: &'static [u8]) -> SocketAddr {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("local_addr");
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut buf = [0; 1024];
                    let mut pending = Vec::new();
                    while let Ok(n @ 1..) = stream.read(&mut buf) {
                        pending.extend_from_slice(&buf[..n]);
                        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                            pending.drain(..end + 4);
                            if stream.write_all(response).is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        addr
    }

    fn short_round(addr: SocketAddr) -> RoundStats {
        run_round(&LoadConfig {
            addr,
            path: "/".to_owned(),
            connections: 3,
            client_threads: 2,
            warmup: Duration::from_millis(20),
            measure: Duration::from_millis(150),
        })
    }

    #[test]
    fn run_round_counts_the_responses_completed_in_the_window() {
        let stats = short_round(canned_server(
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        ));
        assert_eq!(stats.failures, 0, "{:?}", stats.first_failure);
        assert!(stats.requests > 0);
        assert!(stats.all_requests >= stats.requests);
        assert!(stats.p99 >= stats.p50);
    }

    #[test]
    fn run_round_reports_a_non_200_response_as_a_failure() {
        let stats = short_round(canned_server(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
        ));
        assert_eq!(stats.failures, 3);
        assert_eq!(stats.first_failure.as_deref(), Some("status 503"));
        assert_eq!(stats.requests, 0);
    }

    #[test]
    fn run_round_reports_a_refused_connection_as_a_failure() {
        let addr = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("local_addr")
        };
        let stats = short_round(addr);
        assert_eq!(stats.failures, 3);
        assert!(stats
            .first_failure
            .is_some_and(|f| f.starts_with("connect")));
    }

    #[test]
    fn req_per_sec_divides_requests_by_the_window() {
        let stats = RoundStats {
            requests: 3000,
            seconds: 3.0,
            ..RoundStats::default()
        };
        assert_eq!(stats.req_per_sec(), 1000.0);
        assert_eq!(RoundStats::default().req_per_sec(), 0.0);
    }
}
