//! Counters the engine keeps and the application can read (for `/metrics` and a status page).
//!
//! Hot counters (requests, bytes) are kept per worker, each on its own cache line, so that the
//! workers never contend on one atomic; a [`StatsSnapshot`] adds them up.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;

use crate::settings::Settings;

/// Counters of one worker, padded to a cache line.
#[derive(Debug, Default)]
#[repr(align(64))]
pub(crate) struct WorkerStats {
    pub(crate) open: AtomicUsize,
    pub(crate) requests: AtomicU64,
    pub(crate) bytes_in: AtomicU64,
    pub(crate) bytes_out: AtomicU64,
}

/// The engine's live counters. Shared as `web::Data<Stats>` with every worker's `App`.
#[derive(Debug)]
pub struct Stats {
    pub(crate) workers: Vec<WorkerStats>,
    pub(crate) accepted: AtomicU64,
    pub(crate) reclaimed: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) reaped: AtomicU64,
    pub(crate) header_timeouts: AtomicU64,
    pub(crate) socket_errors: AtomicU64,
    pub(crate) accept_errors: AtomicU64,
}

/// A point-in-time copy of [`Stats`], ready to serialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Open client channels on each worker.
    pub open_channels: Vec<usize>,
    /// Connections accepted and handed to a worker (not counting those refused with `503`).
    pub accepted: u64,
    /// Idle channels closed to make room for a newcomer at the connection limit.
    pub reclaimed: u64,
    /// Connections answered `503` because every channel was busy at the limit.
    pub refused: u64,
    /// Channels closed by the cleanup actor for idling past `channel_timeout`.
    pub reaped: u64,
    /// Channels cut because a request head took longer than `header_read_timeout`.
    pub header_timeouts: u64,
    /// Requests whose head was parsed and handed to the application.
    pub requests: u64,
    /// Bytes read from clients.
    pub bytes_in: u64,
    /// Bytes written to clients.
    pub bytes_out: u64,
    /// Read or write errors on client sockets.
    pub socket_errors: u64,
    /// Errors from `accept()` (such as running out of file descriptors).
    pub accept_errors: u64,
}

impl StatsSnapshot {
    /// Open channels on all workers together.
    pub fn open_total(&self) -> usize {
        self.open_channels.iter().sum()
    }
}

impl Stats {
    pub(crate) fn new(workers: usize) -> Self {
        Self {
            workers: (0..workers).map(|_| WorkerStats::default()).collect(),
            accepted: AtomicU64::new(0),
            reclaimed: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            reaped: AtomicU64::new(0),
            header_timeouts: AtomicU64::new(0),
            socket_errors: AtomicU64::new(0),
            accept_errors: AtomicU64::new(0),
        }
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> StatsSnapshot {
        let sum = |f: fn(&WorkerStats) -> &AtomicU64| {
            self.workers.iter().map(|w| f(w).load(Relaxed)).sum::<u64>()
        };
        StatsSnapshot {
            open_channels: self.workers.iter().map(|w| w.open.load(Relaxed)).collect(),
            accepted: self.accepted.load(Relaxed),
            reclaimed: self.reclaimed.load(Relaxed),
            refused: self.refused.load(Relaxed),
            reaped: self.reaped.load(Relaxed),
            header_timeouts: self.header_timeouts.load(Relaxed),
            requests: sum(|w| &w.requests),
            bytes_in: sum(|w| &w.bytes_in),
            bytes_out: sum(|w| &w.bytes_out),
            socket_errors: self.socket_errors.load(Relaxed),
            accept_errors: self.accept_errors.load(Relaxed),
        }
    }
}

/// What the running engine is. Cheap to clone; handlers take it as an extractor argument
/// (the engine attaches it to every connection).
#[derive(Debug, Clone)]
pub struct EngineInfo {
    /// The settings in force.
    pub settings: Arc<Settings>,
    /// The addresses actually listened on (real ports when `port` was 0).
    pub local_addrs: Arc<[SocketAddr]>,
    /// When the engine started serving.
    pub started_at: SystemTime,
    /// The live counters.
    pub stats: Arc<Stats>,
}

impl actix_web::FromRequest for EngineInfo {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    /// Handlers take `EngineInfo` as an argument; the engine attaches it to every connection.
    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(req.conn_data::<EngineInfo>().cloned().ok_or_else(|| {
            actix_web::error::ErrorInternalServerError(
                "EngineInfo is only available when served by the storeboard engine",
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_adds_up_the_workers_counters() {
        let stats = Stats::new(2);
        stats.workers[0].requests.fetch_add(3, Relaxed);
        stats.workers[1].requests.fetch_add(4, Relaxed);
        stats.workers[1].open.fetch_add(2, Relaxed);
        let snap = stats.snapshot();
        assert_eq!(snap.requests, 7);
        assert_eq!(snap.open_channels, vec![0, 2]);
        assert_eq!(snap.open_total(), 2);
    }
}
