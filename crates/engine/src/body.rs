//! The request body between actix-http and the application.
//!
//! The application reads the body through a stream that notes when it waits for bytes (the
//! cleanup actor's stalled-body deadline) and enforces `max_request_body_size` on chunked bodies
//! as they arrive. The engine keeps its own handle on the same body: once the application has
//! answered, whatever it left unread is read and dropped under the same limit, so a connection
//! is only reused when its framing is known to be sound (see `docs/architecture.md`,
//! "Connection reuse").

use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering::Release;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_http::error::PayloadError;
use actix_http::{BoxedPayloadStream, Payload, Request};
use bytes::Bytes;
use futures_core::Stream;

use crate::registry::Channel;

/// Why a request body could not be read to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyFailure {
    /// More than `max_request_body_size` bytes arrived (`413`).
    TooLarge,
    /// The framing broke (a bad chunk, a connection cut mid-body): `400`.
    Malformed,
}

/// Where reading the body stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    Reading,
    Complete,
    Failed(BodyFailure),
}

struct BodyState {
    inner: Payload,
    channel: Arc<Channel>,
    seen: u64,
    limit: u64,
    progress: Progress,
}

impl BodyState {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, PayloadError>>> {
        if self.progress != Progress::Reading {
            return Poll::Ready(None);
        }
        let polled = Pin::new(&mut self.inner).poll_next(cx);
        self.channel
            .awaiting_body
            .store(polled.is_pending(), Release);
        match polled {
            Poll::Ready(Some(Ok(bytes))) => {
                self.seen += bytes.len() as u64;
                if self.seen > self.limit {
                    self.progress = Progress::Failed(BodyFailure::TooLarge);
                    return Poll::Ready(Some(Err(PayloadError::Overflow)));
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(err))) => {
                self.progress = Progress::Failed(match err {
                    PayloadError::Overflow => BodyFailure::TooLarge,
                    _ => BodyFailure::Malformed,
                });
                Poll::Ready(Some(Err(err)))
            }
            Poll::Ready(None) => {
                self.progress = Progress::Complete;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The application's side of the body: a plain payload stream.
struct AppBody(Rc<RefCell<BodyState>>);

impl Stream for AppBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.borrow_mut().poll_chunk(cx)
    }
}

/// The engine's side of the body, kept while the application runs.
pub(crate) struct BodyHandle(Rc<RefCell<BodyState>>);

impl BodyHandle {
    /// Reads and drops whatever the application left unread, under the same limit. `Ok` when
    /// the body was read to its end (by the application or here).
    pub(crate) async fn finish(self) -> Result<(), BodyFailure> {
        poll_fn(|cx| {
            let mut state = self.0.borrow_mut();
            loop {
                match state.poll_chunk(cx) {
                    Poll::Ready(Some(Ok(_))) => continue,
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(_) => break,
                }
            }
            // The loop ends only once progress has left `Reading`.
            Poll::Ready(match state.progress {
                Progress::Failed(failure) => Err(failure),
                Progress::Complete | Progress::Reading => Ok(()),
            })
        })
        .await
    }
}

impl Drop for BodyHandle {
    fn drop(&mut self) {
        if let Ok(state) = self.0.try_borrow() {
            state.channel.awaiting_body.store(false, Release);
        }
    }
}

/// Puts the tracked body in place of `req`'s payload; `None` when the request has no body.
pub(crate) fn install(req: &mut Request, channel: Arc<Channel>, limit: u64) -> Option<BodyHandle> {
    let (taken, payload) = std::mem::replace(req, Request::new()).replace_payload(Payload::None);
    *req = taken;
    if matches!(payload, Payload::None) {
        return None;
    }
    let state = Rc::new(RefCell::new(BodyState {
        inner: payload,
        channel,
        seen: 0,
        limit,
        progress: Progress::Reading,
    }));
    let stream: BoxedPayloadStream = Box::pin(AppBody(Rc::clone(&state)));
    let (with, _) =
        std::mem::replace(req, Request::new()).replace_payload(Payload::Stream { payload: stream });
    *req = with;
    Some(BodyHandle(state))
}
