//! The cleanup actor: reaps channels idle past `channel_timeout` every `cleanup_interval`, cuts
//! request heads slower than `header_read_timeout`, and hard-closes channels that did not close
//! softly within a grace period.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::registry::CloseReason;
use crate::shared::Shared;

/// A channel asked to close softly that is still open after this long is aborted.
pub(crate) const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Reaps idle channels and enforces the head deadline.
pub(crate) struct Cleanup {
    shared: Arc<Shared>,
}

impl Cleanup {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// How often head deadlines are checked: a tenth of the deadline, so a slow head is cut
    /// within 10% of `header_read_timeout`, between 20 ms and 1 s.
    fn head_tick(&self) -> Duration {
        (self.shared.settings.header_read_timeout / 10)
            .clamp(Duration::from_millis(20), Duration::from_secs(1))
    }

    fn reap_idle(&mut self) {
        let shared = &self.shared;
        let now = shared.clock.now_ms();
        let victims = shared
            .registry
            .idle_past(shared.settings.channel_timeout, now);
        let mut reaped = 0;
        for channel in victims {
            if channel.request_close(CloseReason::Quiet, now) {
                reaped += 1;
            }
        }
        shared.stats.reaped.fetch_add(reaped, Relaxed);
        tracing::debug!(reaped, open = shared.registry.len(), "cleanup sweep");
    }

    fn cut_slow_heads(&mut self) {
        let shared = &self.shared;
        let now = shared.clock.now_ms();
        for channel in shared
            .registry
            .heads_past(shared.settings.header_read_timeout, now)
        {
            if channel.request_close(CloseReason::HeadTimeout, now) {
                shared.stats.header_timeouts.fetch_add(1, Relaxed);
                tracing::debug!(peer = %channel.peer(), "request head timed out");
            }
        }
        for channel in shared.registry.closing_past(CLOSE_GRACE, now) {
            channel.abort();
        }
    }
}

impl Actor for Cleanup {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(self.shared.settings.cleanup_interval, |act, _| {
            act.reap_idle()
        });
        ctx.run_interval(self.head_tick(), |act, _| act.cut_slow_heads());
    }
}

/// Stops the cleanup actor.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct StopCleanup;

impl Handler<StopCleanup> for Cleanup {
    type Result = ();

    fn handle(&mut self, _: StopCleanup, ctx: &mut Self::Context) {
        ctx.stop();
    }
}
