//! The acceptor actor: owns the listening sockets, accepts, enforces `connection_limit` and hands
//! each connection to the least-loaded worker.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::*;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::OwnedSemaphorePermit;

use crate::canned;
use crate::registry::CloseReason;
use crate::shared::Shared;
use crate::worker::{Accepted, Worker};

/// After `accept()` fails for lack of resources (EMFILE and friends), wait this long: retrying
/// at once would spin on the same error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(510);

/// How long a newcomer at the limit waits for the slot of the channel reclaimed for it.
const RECLAIM_WAIT: Duration = Duration::from_secs(1);

/// Stops accepting: the listening sockets are closed at once.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct StopAccepting;

/// Accepts connections on every listener.
pub(crate) struct Acceptor {
    listeners: Vec<std::net::TcpListener>,
    shared: Arc<Shared>,
    workers: Arc<Vec<Addr<Worker>>>,
}

impl Acceptor {
    pub(crate) fn new(
        listeners: Vec<std::net::TcpListener>,
        shared: Arc<Shared>,
        workers: Vec<Addr<Worker>>,
    ) -> Self {
        Self {
            listeners,
            shared,
            workers: Arc::new(workers),
        }
    }
}

impl Actor for Acceptor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        for std_listener in std::mem::take(&mut self.listeners) {
            let addr = std_listener.local_addr().ok();
            match TcpListener::from_std(std_listener) {
                Ok(listener) => {
                    let fut = accept_loop(
                        listener,
                        Arc::clone(&self.shared),
                        Arc::clone(&self.workers),
                    );
                    // Spawned in the actor's context, so stopping the actor drops the loop and
                    // with it the listening socket.
                    ctx.spawn(fut.into_actor(self));
                }
                Err(err) => tracing::error!(?addr, "cannot register listener: {err}"),
            }
        }
    }
}

impl Handler<StopAccepting> for Acceptor {
    type Result = ();

    fn handle(&mut self, _: StopAccepting, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, workers: Arc<Vec<Addr<Worker>>>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                admit(stream, peer, &shared, &workers);
            }
            Err(err) => {
                shared.stats.accept_errors.fetch_add(1, Relaxed);
                if is_resource_exhaustion(&err) {
                    tracing::error!("accept failed: {err}; pausing {ACCEPT_BACKOFF:?}");
                    actix_rt::time::sleep(ACCEPT_BACKOFF).await;
                } else {
                    tracing::debug!("accept failed: {err}");
                }
            }
        }
    }
}

fn is_resource_exhaustion(err: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            err.raw_os_error(),
            Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
        )
    }
    #[cfg(not(unix))]
    {
        err.kind() == io::ErrorKind::OutOfMemory || err.raw_os_error().is_some()
    }
}

/// Takes a slot under the limit, or reclaims the longest-idle channel, or refuses with `503`.
fn admit(
    stream: TcpStream,
    peer: SocketAddr,
    shared: &Arc<Shared>,
    workers: &Arc<Vec<Addr<Worker>>>,
) {
    if let Ok(permit) = Arc::clone(&shared.limit).try_acquire_owned() {
        hand_over(stream, peer, permit, shared, workers);
        return;
    }
    shared.note_at_limit();
    let (shared, workers) = (Arc::clone(shared), Arc::clone(workers));
    actix_rt::spawn(async move {
        if let Some(victim) = shared.registry.longest_idle() {
            if victim.request_close(CloseReason::Quiet, shared.clock.now_ms()) {
                // Idle with nothing in flight: nothing is lost by cutting it now.
                victim.abort();
                shared.stats.reclaimed.fetch_add(1, Relaxed);
                tracing::debug!(peer = %victim.peer(), "reclaimed idle channel");
            }
            let wait = Arc::clone(&shared.limit).acquire_owned();
            if let Ok(Ok(permit)) = tokio::time::timeout(RECLAIM_WAIT, wait).await {
                hand_over(stream, peer, permit, &shared, &workers);
                return;
            }
        }
        shared.stats.refused.fetch_add(1, Relaxed);
        canned::refuse(stream, &shared.canned.service_unavailable).await;
    });
}

fn hand_over(
    stream: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    shared: &Shared,
    workers: &[Addr<Worker>],
) {
    let Some(index) = least_loaded(shared) else {
        return;
    };
    match stream.into_std() {
        Ok(stream) => {
            shared.stats.accepted.fetch_add(1, Relaxed);
            // Counted now, not when the worker gets to its mailbox: a burst of connections would
            // otherwise all see the same counts and pile onto one worker.
            shared.stats.workers[index].open.fetch_add(1, Relaxed);
            workers[index].do_send(Accepted {
                stream,
                peer,
                permit,
            });
        }
        Err(err) => {
            shared.stats.socket_errors.fetch_add(1, Relaxed);
            tracing::warn!(%peer, "cannot hand over accepted socket: {err}");
        }
    }
}

/// The worker with the fewest open channels (the first among equals).
fn least_loaded(shared: &Shared) -> Option<usize> {
    shared
        .stats
        .workers
        .iter()
        .enumerate()
        .min_by_key(|(_, w)| w.open.load(Relaxed))
        .map(|(i, _)| i)
}
