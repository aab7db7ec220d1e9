//! The controller: waits for a stop command or a signal, then drains and stops the actors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tokio::sync::{mpsc, oneshot};

use crate::acceptor::{Acceptor, StopAccepting};
use crate::cleanup::{Cleanup, StopCleanup};
use crate::registry::CloseReason;
use crate::shared::Shared;

/// How often a graceful stop looks for channels that have finished their last request.
const DRAIN_TICK: Duration = Duration::from_millis(20);

/// What a [`crate::ServerHandle`] asks of the controller.
pub(crate) enum Command {
    Stop {
        graceful: bool,
        done: oneshot::Sender<()>,
    },
}

pub(crate) struct Controller {
    pub(crate) shared: Arc<Shared>,
    pub(crate) arbiters: Vec<Arbiter>,
    pub(crate) signals: Signals,
}

impl Controller {
    /// Stops the worker threads when the engine could not start.
    pub(crate) fn abandon(&self) {
        for arbiter in &self.arbiters {
            arbiter.stop();
        }
    }

    pub(crate) async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        acceptor: Addr<Acceptor>,
        cleanup: Addr<Cleanup>,
    ) {
        let mut signals = std::mem::replace(&mut self.signals, Signals::new(false));
        let (graceful, reply) = tokio::select! {
            cmd = commands.recv() => match cmd {
                Some(Command::Stop { graceful, done }) => (graceful, Some(done)),
                None => (true, None),
            },
            () = signals.next() => {
                tracing::info!("signal received: stopping gracefully (send it again to force)");
                (true, None)
            }
        };
        self.shared.begin_shutdown();
        let _ = acceptor.send(StopAccepting).await;
        if graceful {
            tokio::select! {
                () = drain(&self.shared) => {}
                () = signals.next() => tracing::warn!("second signal: forcing the stop"),
                Some(Command::Stop { graceful: false, done }) = commands.recv() => {
                    let _ = done.send(());
                }
            }
        }
        cut_all(&self.shared).await;
        let _ = cleanup.send(StopCleanup).await;
        self.abandon();
        let stats = self.shared.stats.snapshot();
        tracing::info!(
            requests = stats.requests,
            accepted = stats.accepted,
            "stopped"
        );
        if let Some(reply) = reply {
            let _ = reply.send(());
        }
    }
}

/// Waits until every channel has finished its in-flight requests and closed, or until
/// `shutdown_timeout`. Channels with nothing in flight are closed softly as soon as they are.
async fn drain(shared: &Shared) {
    let deadline = Instant::now() + shared.settings.shutdown_timeout;
    loop {
        let now = shared.clock.now_ms();
        let idle = shared.registry.select(|c| {
            c.close_reason() == CloseReason::Open
                && c.in_flight.load(std::sync::atomic::Ordering::Acquire) == 0
        });
        for channel in idle {
            channel.request_close(CloseReason::Quiet, now);
        }
        if shared.registry.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            tracing::warn!(
                open = shared.registry.len(),
                "shutdown_timeout reached: cutting the remaining channels"
            );
            return;
        }
        actix_rt::time::sleep(DRAIN_TICK).await;
    }
}

/// Aborts whatever is still open and waits (briefly) for the tasks to release their channels.
async fn cut_all(shared: &Shared) {
    for channel in shared.registry.select(|_| true) {
        channel.abort();
    }
    let deadline = Instant::now() + Duration::from_secs(1);
    while !shared.registry.is_empty() && Instant::now() < deadline {
        actix_rt::time::sleep(Duration::from_millis(5)).await;
    }
}

/// SIGINT and SIGTERM on Unix, Ctrl-C elsewhere; never fires when signals are disabled.
pub(crate) struct Signals {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
    #[cfg(not(unix))]
    enabled: bool,
}

impl Signals {
    /// Installs the handlers now, so a signal sent right after start-up is not missed.
    pub(crate) fn new(enabled: bool) -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let unix = enabled
                .then(|| {
                    Some((
                        signal(SignalKind::interrupt()).ok()?,
                        signal(SignalKind::terminate()).ok()?,
                    ))
                })
                .flatten();
            if enabled && unix.is_none() {
                tracing::warn!(
                    "cannot install signal handlers; stop the engine through its handle"
                );
            }
            Self { unix }
        }
        #[cfg(not(unix))]
        {
            Self { enabled }
        }
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        match &mut self.unix {
            Some((int, term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            None => std::future::pending().await,
        }
        #[cfg(not(unix))]
        if !self.enabled || tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
