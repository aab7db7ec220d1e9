//! State every part of a running engine shares.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use actix_http::header::HeaderValue;
use tokio::sync::Semaphore;

use crate::canned::Canned;
use crate::registry::{Clock, Registry};
use crate::settings::Settings;
use crate::stats::Stats;

/// The engine's settings, counters, channel registry and clock.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) stats: Arc<Stats>,
    pub(crate) registry: Registry,
    pub(crate) clock: Clock,
    pub(crate) server_header: HeaderValue,
    pub(crate) canned: Canned,
    /// One permit per open client connection, `connection_limit` in all.
    pub(crate) limit: Arc<Semaphore>,
    at_limit: AtomicBool,
    next_id: AtomicU64,
    shutting_down: AtomicBool,
}

impl Shared {
    pub(crate) fn new(settings: Settings) -> Self {
        let server_header = HeaderValue::from_str(&settings.ident)
            .unwrap_or_else(|_| HeaderValue::from_static("storeboard"));
        Self {
            stats: Arc::new(Stats::new(settings.threads)),
            registry: Registry::default(),
            clock: Clock::new(),
            canned: Canned::new(server_header.to_str().unwrap_or("storeboard")),
            server_header,
            limit: Arc::new(Semaphore::new(settings.connection_limit)),
            at_limit: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
            shutting_down: AtomicBool::new(false),
            settings,
        }
    }

    pub(crate) fn next_channel_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Logs the transition to "at the limit" once, not on every refused newcomer.
    pub(crate) fn note_at_limit(&self) {
        if !self.at_limit.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                limit = self.settings.connection_limit,
                "reached the connection limit: reclaiming idle channels, answering 503 when all are busy"
            );
        }
    }

    /// Logs the transition back below the limit once a slot is free again.
    pub(crate) fn note_below_limit(&self) {
        if self.limit.available_permits() > 0 && self.at_limit.swap(false, Ordering::AcqRel) {
            tracing::info!(
                limit = self.settings.connection_limit,
                "below the connection limit again"
            );
        }
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    pub(crate) fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
    }
}
