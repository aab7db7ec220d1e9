//! The channel registry: every open client connection, its activity and a way to close it.
//!
//! The I/O path only touches a channel's own atomics (never the `DashMap`), so the registry costs
//! one insert and one remove per connection. Sweeps collect their victims first and act after,
//! never while holding shard guards.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering::*};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use futures_util::task::AtomicWaker;
use tokio::task::AbortHandle;

/// Identifies a channel for the life of the engine.
pub type ChannelId = u64;

/// Why a channel is being closed; decides what (if anything) the client is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum CloseReason {
    /// Not closing.
    Open = 0,
    /// Idle past `channel_timeout`, reclaimed at the limit, or shutting down: close silently.
    Quiet = 1,
    /// A request head took longer than `header_read_timeout`: answer `408` first.
    HeadTimeout = 2,
}

/// Monotonic milliseconds since the engine's epoch; cheap to store in an atomic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock(Instant);

impl Clock {
    pub(crate) fn new() -> Self {
        Self(Instant::now())
    }

    /// Milliseconds since the epoch, never 0 (0 means "unset" in the channel atomics).
    pub(crate) fn now_ms(&self) -> u64 {
        self.0.elapsed().as_millis() as u64 + 1
    }
}

/// One client connection as the engine sees it.
#[derive(Debug)]
pub struct Channel {
    pub(crate) id: ChannelId,
    pub(crate) peer: SocketAddr,
    /// `peer` as the access log writes it, formatted once per connection, not per request.
    pub(crate) peer_text: Box<str>,
    pub(crate) worker: usize,
    pub(crate) last_activity_ms: AtomicU64,
    /// When the first byte of a not-yet-parsed request head arrived (0: no head pending).
    pub(crate) head_started_ms: AtomicU64,
    /// Requests handed to the application whose response body has not finished.
    pub(crate) in_flight: AtomicU32,
    /// The application is waiting for request body bytes that have not arrived.
    pub(crate) awaiting_body: AtomicBool,
    /// The last write found the client's receive window full.
    pub(crate) write_blocked: AtomicBool,
    pub(crate) close_reason: AtomicU8,
    pub(crate) closing_since_ms: AtomicU64,
    pub(crate) read_waker: AtomicWaker,
    pub(crate) abort: OnceLock<AbortHandle>,
}

impl Channel {
    pub(crate) fn new(id: ChannelId, peer: SocketAddr, worker: usize, now_ms: u64) -> Self {
        Self {
            id,
            peer,
            peer_text: peer.to_string().into_boxed_str(),
            worker,
            last_activity_ms: AtomicU64::new(now_ms),
            head_started_ms: AtomicU64::new(0),
            in_flight: AtomicU32::new(0),
            awaiting_body: AtomicBool::new(false),
            write_blocked: AtomicBool::new(false),
            close_reason: AtomicU8::new(CloseReason::Open as u8),
            closing_since_ms: AtomicU64::new(0),
            read_waker: AtomicWaker::new(),
            abort: OnceLock::new(),
        }
    }

    /// The channel's id.
    pub fn id(&self) -> ChannelId {
        self.id
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Index of the worker serving the channel.
    pub fn worker(&self) -> usize {
        self.worker
    }

    /// True while the application is working on a request for this channel. A request waiting
    /// for body bytes, or a response waiting for the client to read, does not count: the client
    /// is the one stalling, so the channel may be reaped.
    pub(crate) fn is_busy(&self) -> bool {
        self.in_flight.load(Acquire) > 0
            && !self.awaiting_body.load(Acquire)
            && !self.write_blocked.load(Acquire)
    }

    pub(crate) fn idle_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.last_activity_ms.load(Relaxed))
    }

    pub(crate) fn close_reason(&self) -> CloseReason {
        match self.close_reason.load(Acquire) {
            1 => CloseReason::Quiet,
            2 => CloseReason::HeadTimeout,
            _ => CloseReason::Open,
        }
    }

    /// Asks the channel to close softly: its next read sees end-of-stream, so actix-http
    /// finishes writing what it has and ends the connection. Returns false if it was already
    /// closing (so two sweeps never count one channel twice).
    pub(crate) fn request_close(&self, reason: CloseReason, now_ms: u64) -> bool {
        let won = self
            .close_reason
            .compare_exchange(CloseReason::Open as u8, reason as u8, AcqRel, Acquire)
            .is_ok();
        if won {
            self.closing_since_ms.store(now_ms, Release);
            self.read_waker.wake();
        }
        won
    }

    /// Cuts the connection at once (the task is dropped, the socket closed).
    pub(crate) fn abort(&self) {
        if let Some(handle) = self.abort.get() {
            handle.abort();
        }
    }
}

/// All open channels, keyed by id.
#[derive(Debug, Default)]
pub struct Registry {
    channels: DashMap<ChannelId, Arc<Channel>>,
}

impl Registry {
    pub(crate) fn insert(&self, channel: Arc<Channel>) {
        self.channels.insert(channel.id, channel);
    }

    pub(crate) fn remove(&self, id: ChannelId) {
        self.channels.remove(&id);
    }

    /// Number of open channels.
    pub fn len(&self) -> usize {
        self.channels.len()
    }

    /// True when no channel is open.
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
    }

    /// Channels for which `pred` holds, collected before anyone acts on them.
    pub(crate) fn select(&self, mut pred: impl FnMut(&Channel) -> bool) -> Vec<Arc<Channel>> {
        self.channels
            .iter()
            .filter(|entry| pred(entry.value()))
            .map(|entry| Arc::clone(entry.value()))
            .collect()
    }

    /// The open, not-busy channel that has been idle longest: the one to reclaim at the limit.
    pub(crate) fn longest_idle(&self) -> Option<Arc<Channel>> {
        self.channels
            .iter()
            .filter(|e| e.close_reason() == CloseReason::Open && !e.is_busy())
            .min_by_key(|e| e.last_activity_ms.load(Relaxed))
            .map(|e| Arc::clone(e.value()))
    }

    /// Channels idle past `timeout` with nothing in flight.
    pub(crate) fn idle_past(&self, timeout: Duration, now_ms: u64) -> Vec<Arc<Channel>> {
        let limit = timeout.as_millis() as u64;
        self.select(|c| {
            c.close_reason() == CloseReason::Open && !c.is_busy() && c.idle_ms(now_ms) > limit
        })
    }

    /// Channels whose pending request head started more than `timeout` ago.
    pub(crate) fn heads_past(&self, timeout: Duration, now_ms: u64) -> Vec<Arc<Channel>> {
        let limit = timeout.as_millis() as u64;
        self.select(|c| {
            let started = c.head_started_ms.load(Acquire);
            c.close_reason() == CloseReason::Open
                && started != 0
                && now_ms.saturating_sub(started) > limit
        })
    }

    /// Channels asked to close more than `grace` ago that are still open.
    pub(crate) fn closing_past(&self, grace: Duration, now_ms: u64) -> Vec<Arc<Channel>> {
        let limit = grace.as_millis() as u64;
        self.select(|c| {
            c.close_reason() != CloseReason::Open
                && now_ms.saturating_sub(c.closing_since_ms.load(Acquire)) > limit
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: u64, last: u64) -> Arc<Channel> {
        let peer = SocketAddr::from(([127, 0, 0, 1], 1000 + id as u16));
        Arc::new(Channel::new(id, peer, 0, last))
    }

    #[test]
    fn longest_idle_skips_busy_and_closing_channels() {
        let reg = Registry::default();
        let (a, b, c) = (channel(1, 10), channel(2, 20), channel(3, 30));
        a.in_flight.store(1, Relaxed);
        b.request_close(CloseReason::Quiet, 25);
        for ch in [&a, &b, &c] {
            reg.insert(Arc::clone(ch));
        }
        assert_eq!(reg.longest_idle().map(|c| c.id), Some(3));
    }

    #[test]
    fn a_request_waiting_for_its_body_is_not_busy() {
        let ch = channel(1, 0);
        ch.in_flight.store(1, Relaxed);
        assert!(ch.is_busy());
        ch.awaiting_body.store(true, Relaxed);
        assert!(!ch.is_busy());
    }

    #[test]
    fn idle_past_selects_only_channels_idle_longer_than_the_timeout() {
        let reg = Registry::default();
        reg.insert(channel(1, 1_000));
        reg.insert(channel(2, 5_000));
        let victims = reg.idle_past(Duration::from_secs(3), 5_000);
        assert_eq!(victims.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn request_close_wins_once() {
        let ch = channel(1, 0);
        assert!(ch.request_close(CloseReason::Quiet, 5));
        assert!(!ch.request_close(CloseReason::HeadTimeout, 6));
        assert_eq!(ch.close_reason(), CloseReason::Quiet);
    }
}
