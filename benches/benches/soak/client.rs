//! The client threads and what they share: the failure log, request counter and latencies.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::http::{Conn, REQUEST_TIMEOUT};
use crate::rng::Rng;
use crate::traffic::{Kind, Traffic, KINDS};

/// Failure messages kept for the report (all are counted).
const KEPT_FAILURES: usize = 20;

/// What every thread shares.
pub(crate) struct Shared {
    pub(crate) addr: SocketAddr,
    pub(crate) traffic: Traffic,
    pub(crate) stop: AtomicBool,
    pub(crate) requests: AtomicU64,
    pub(crate) failures: Mutex<Failures>,
}

impl Shared {
    pub(crate) fn fail(&self, kind: Kind, message: String) {
        if let Ok(mut f) = self.failures.lock() {
            f.count += 1;
            if f.kept.len() < KEPT_FAILURES {
                f.kept.push(format!("[{}] {message}", kind.name()));
            }
        }
    }

    pub(crate) fn failure_count(&self) -> u64 {
        self.failures.lock().map(|f| f.count).unwrap_or(0)
    }
}

/// Every failure counted, the first [`KEPT_FAILURES`] kept.
#[derive(Debug, Default, Clone)]
pub(crate) struct Failures {
    pub(crate) count: u64,
    pub(crate) kept: Vec<String>,
}

/// Latencies (µs) and failures per kind.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) latencies: [Vec<u32>; KINDS.len()],
    pub(crate) failures: [u64; KINDS.len()],
}

impl Stats {
    pub(crate) fn record(&mut self, kind: Kind, took: Duration) {
        let micros = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        self.latencies[kind as usize].push(micros);
    }

    pub(crate) fn failed(&mut self, kind: Kind) {
        self.failures[kind as usize] += 1;
    }

    pub(crate) fn merge(&mut self, other: Stats) {
        for (mine, theirs) in self.latencies.iter_mut().zip(other.latencies) {
            mine.extend(theirs);
        }
        for (mine, theirs) in self.failures.iter_mut().zip(other.failures) {
            *mine += theirs;
        }
    }
}

/// One client: a keep-alive connection sending the next planned request until the deadline.
pub(crate) fn client(shared: &Shared, seed: u64, deadline: Instant) -> Stats {
    let mut rng = Rng::new(seed);
    let mut conn = Conn::new(shared.addr);
    let mut stats = Stats::default();
    while !shared.stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        let plan = shared.traffic.next(&mut rng);
        let headers: &[(&str, &str)] = if plan.kind == Kind::Fragment {
            &[("HX-Request", "true")]
        } else {
            &[]
        };
        let sent = Instant::now();
        let outcome = conn
            .send("GET", &plan.path, headers, &[], REQUEST_TIMEOUT)
            .map_err(|e| format!("{}: {e}", plan.path))
            .and_then(|answer| plan.check(&answer));
        match outcome {
            Ok(()) => stats.record(plan.kind, sent.elapsed()),
            Err(message) => {
                stats.failed(plan.kind);
                shared.fail(plan.kind, message);
            }
        }
        shared.requests.fetch_add(1, Ordering::Relaxed);
    }
    stats
}
