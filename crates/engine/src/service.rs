//! The request-level wrapper between actix-http's dispatcher and the application.
//!
//! It marks requests in flight (until their response body has been produced), answers `HEAD`
//! for every `GET` route, enforces the head and body limits, reads what the application left of
//! a request body (see [`crate::body`]), decides whether the connection can be reused, sets the
//! `Server` header, hides error details unless `expose_tracebacks`, and writes the access log.
//!
//! Connection reuse follows the framing, not the status: after any response to a request that
//! was read completely, the connection stays open (a 404 or a 401 costs no reconnect). It is
//! closed when its state is uncertain: a body that was broken or over the limit, a head over the
//! limit, a handler panic, shutdown, or the client's own `Connection: close` (parse errors are
//! answered and closed by actix-http itself).

use std::future::ready;
use std::pin::Pin;
use std::sync::atomic::Ordering::*;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_http::body::{BodySize, BoxBody, MessageBody};
use actix_http::header::{self, HeaderValue};
use actix_http::{ConnectionType, HttpMessage, Method, Request, Response, StatusCode};
use actix_service::Service;
use actix_web::dev::ServiceResponse;
use bytes::Bytes;
use futures_util::future::{FutureExt as _, LocalBoxFuture};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::body::{self, BodyFailure};
use crate::registry::{Channel, CloseReason};
use crate::shared::Shared;

/// Wraps the application's service for one worker.
pub(crate) struct Track<S> {
    pub(crate) inner: S,
    pub(crate) shared: Arc<Shared>,
    pub(crate) worker: usize,
}

impl<S, B> Service<Request> for Track<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = Response<TrackedBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_service::forward_ready!(inner);

    fn call(&self, mut req: Request) -> Self::Future {
        let shared = &self.shared;
        shared.stats.workers[self.worker]
            .requests
            .fetch_add(1, Relaxed);
        let channel = req.conn_data::<Arc<Channel>>().cloned();
        if channel
            .as_ref()
            .is_some_and(|c| c.close_reason() != CloseReason::Open)
        {
            // RFC 9112 §9.6: after a response that closes the connection, no further request on
            // it is processed. This one was pipelined behind such a response (a smuggling
            // attempt, or a client that ignored `Connection: close`): it never reaches the app
            // and is never answered; the cleanup actor cuts the channel once the earlier
            // response has had its grace to flush.
            return Box::pin(std::future::pending());
        }
        let has_body = req.headers().contains_key(header::CONTENT_LENGTH)
            || req.headers().contains_key(header::TRANSFER_ENCODING);
        // Only a request with a body needs its own handle on the channel (for the payload).
        let payload_channel = if has_body { channel.clone() } else { None };
        let mut guard = InFlight::start(channel, Arc::clone(shared), &req);
        if let Some(res) = over_limit(&req, shared) {
            // The body (or the rest of the head) was never read: the connection cannot be reused.
            guard.close = true;
            return Box::pin(ready(Ok(guard.finish(res))));
        }
        // HEAD is GET without the body (RFC 9110 §9.3.2): the application answers it as a GET, so
        // no route can forget it; actix-http's encoder knows the request was HEAD and writes the
        // GET's headers, `Content-Length` included, without the body.
        if req.head().method == Method::HEAD {
            req.head_mut().method = Method::GET;
        }
        let body = payload_channel.and_then(|channel| {
            body::install(&mut req, channel, shared.settings.max_request_body_size)
        });
        // A GET body has no meaning for the application, so it is read to its end before the
        // application runs: a broken chunk then gets its 400 at once. (Read after a slow
        // handler, actix-http would report it as the client gone and drop the request unanswered.)
        let read_first = req.head().method == Method::GET;
        // A panicking handler must cost one 500, not the worker thread and all its connections.
        let fut = match catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            // Wrapped here, so the boxed future below holds it in place (no move at the await).
            Ok(fut) => AssertUnwindSafe(fut).catch_unwind(),
            Err(panic) => {
                guard.close = true;
                return Box::pin(ready(Ok(guard.finish(panicked(&*panic)))));
            }
        };
        let Some(body) = body else {
            // No body (most requests): a smaller future, with nothing to read after the app.
            return Box::pin(async move {
                let res = answer(&mut guard, fut.await);
                Ok(guard.finish(res))
            });
        };
        let limit = shared.settings.max_request_body_size;
        Box::pin(async move {
            let mut body = Some(body);
            if read_first {
                if let Some(body) = body.take() {
                    if let Err(failure) = body.finish().await {
                        guard.close = true;
                        return Ok(guard.finish(body_refused(failure, limit)));
                    }
                }
            }
            let mut res = answer(&mut guard, fut.await);
            if let Some(body) = body {
                if let Err(failure) = body.finish().await {
                    guard.close = true;
                    // Never a success for a request whose body was broken or over the limit; an
                    // error the application already chose stands.
                    if !res.status().is_client_error() && !res.status().is_server_error() {
                        res = body_refused(failure, limit);
                    }
                }
            }
            Ok(guard.finish(res))
        })
    }
}

/// What the application's future gave, as the response to send.
fn answer<B: MessageBody + 'static>(
    guard: &mut InFlight,
    outcome: std::thread::Result<Result<ServiceResponse<B>, actix_web::Error>>,
) -> Response<BoxBody> {
    match outcome {
        Ok(Ok(res)) => guard.expose_or_hide(res.map_into_boxed_body().into_parts().1),
        Ok(Err(err)) => guard.expose_or_hide(actix_web::HttpResponse::from_error(err)),
        Err(panic) => {
            guard.close = true;
            panicked(&*panic)
        }
    }
}

/// The answer to a request whose body the engine could not read to its end.
fn body_refused(failure: BodyFailure, limit: u64) -> Response<BoxBody> {
    match failure {
        BodyFailure::TooLarge => body_too_large(limit),
        BodyFailure::Malformed => json_error(
            StatusCode::BAD_REQUEST,
            "bad_body",
            "请求体格式错误 / malformed request body",
            "{}",
        ),
    }
}

fn panicked(panic: &(dyn std::any::Any + Send)) -> Response<BoxBody> {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    tracing::error!("request handler panicked: {what}");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "服务器内部错误 / Internal Server Error".to_owned(),
    )
}

/// The limits actix-http does not apply itself: a head larger than `max_request_header_size`
/// (actix-http only caps at 128 KiB) and a declared body larger than `max_request_body_size`.
fn over_limit(req: &Request, shared: &Shared) -> Option<Response<BoxBody>> {
    let settings = &shared.settings;
    // actix-http itself refuses heads over its 128 KiB buffer; below that the setting is ours.
    if settings.max_request_header_size < ACTIX_HEAD_LIMIT
        && head_size(req) > settings.max_request_header_size
    {
        return Some(limit_error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "header_too_large",
            "请求头太大 / request head exceeds max_request_header_size",
            settings.max_request_header_size as u64,
        ));
    }
    if declared_length(req).is_some_and(|len| len > settings.max_request_body_size) {
        return Some(body_too_large(settings.max_request_body_size));
    }
    None
}

/// The head size actix-http's parser refuses by itself (its `MAX_BUFFER_SIZE`).
const ACTIX_HEAD_LIMIT: usize = 131_072;

/// The size of a request head as it was on the wire (request line, headers, blank line).
fn head_size(req: &Request) -> usize {
    let head = req.head();
    let target = head.uri.path_and_query().map_or(1, |pq| pq.as_str().len());
    let line = head.method.as_str().len() + target + 12;
    let headers: usize = head
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    line + headers + 2
}

fn declared_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

pub(crate) fn body_too_large(limit: u64) -> Response<BoxBody> {
    limit_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "请求体太大 / request body exceeds max_request_body_size",
        limit,
    )
}

/// A refused-for-size response in the JSON error shape API clients parse everywhere:
/// `{"error": {"code", "message", "details": {"limit"}}}`.
fn limit_error(status: StatusCode, code: &str, message: &str, limit: u64) -> Response<BoxBody> {
    json_error(
        status,
        code,
        &format!("{message} ({limit} bytes)"),
        &format!("{{\"limit\":{limit}}}"),
    )
}

/// `{"error": {"code", "message", "details"}}` with `details` given as JSON text.
fn json_error(status: StatusCode, code: &str, message: &str, details: &str) -> Response<BoxBody> {
    let body = format!(
        "{{\"error\":{{\"code\":\"{code}\",\"message\":\"{message}\",\"details\":{details}}}}}"
    );
    let mut res = plain(status, body);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

fn plain(status: StatusCode, text: String) -> Response<BoxBody> {
    let mut res = Response::with_body(status, BoxBody::new(text));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// The expect (`100-continue`) check: an over-limit declared body is refused before the client
/// is told to send it.
pub(crate) fn expect_check(
    limit: u64,
    server: HeaderValue,
) -> impl Fn(Request) -> std::future::Ready<Result<Request, Response<BoxBody>>> + Clone {
    move |req: Request| {
        if declared_length(&req).is_some_and(|len| len > limit) {
            let mut res = body_too_large(limit);
            res.headers_mut().insert(header::SERVER, server.clone());
            ready(Err(res))
        } else {
            ready(Ok(req))
        }
    }
}

/// Marks one request in flight from head parsed to response body finished.
pub(crate) struct InFlight {
    channel: Option<Arc<Channel>>,
    shared: Arc<Shared>,
    /// Method, path and start, for the access log.
    log: Option<(Method, LogPath, Instant)>,
    status: u16,
    bytes: u64,
    /// The connection is closed after this response: the client asked, or its state is
    /// uncertain (see the module docs). Once it is written, nothing more is read from it.
    close: bool,
}

impl InFlight {
    fn start(channel: Option<Arc<Channel>>, shared: Arc<Shared>, req: &Request) -> Self {
        if let Some(ch) = &channel {
            ch.in_flight.fetch_add(1, AcqRel);
            ch.head_started_ms.store(0, Release);
        }
        // The clock is read only for the access log: it is the one thing that needs it.
        let log = shared.settings.access_log.then(|| {
            (
                req.method().clone(),
                LogPath::new(req.path()),
                Instant::now(),
            )
        });
        Self {
            channel,
            shared,
            log,
            status: 0,
            bytes: 0,
            // A client that asked to close (or HTTP/1.0 without keep-alive) gets `close` and
            // nothing after this response.
            close: req.head().connection_type() == ConnectionType::Close,
        }
    }

    /// A 5xx caused by an error shows its details only with `expose_tracebacks`; otherwise a
    /// generic text, so internals never leak to the LAN. A body the application built for the
    /// client ([`storeboard_errors::Deliberate`]: a `503 shutting_down`, a `500 internal_error`
    /// without internals) is passed on as it is.
    fn expose_or_hide(&self, res: actix_web::HttpResponse) -> Response<BoxBody> {
        let status = res.status();
        match res.error() {
            Some(err) if status.is_server_error() && !storeboard_errors::is_deliberate(&res) => {
                if self.shared.settings.expose_tracebacks {
                    plain(status, format!("{err}\n\n{err:?}"))
                } else {
                    plain(status, "服务器内部错误 / Internal Server Error".to_owned())
                }
            }
            _ => res.into(),
        }
    }

    fn finish(mut self, mut res: Response<BoxBody>) -> Response<TrackedBody> {
        let status = res.status();
        self.status = status.as_u16();
        if self.close || self.shared.is_shutting_down() {
            res.head_mut().set_connection_type(ConnectionType::Close);
            self.close = true;
        }
        if !res.headers().contains_key(header::SERVER) {
            // Absent: appending is inserting, without `insert`'s returned (and dropped) old value.
            res.headers_mut()
                .append(header::SERVER, self.shared.server_header.clone());
        }
        res.map_body(|_, body| TrackedBody { body, guard: self })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(ch) = &self.channel {
            if self.close {
                ch.request_close(CloseReason::Quiet, self.shared.clock.now_ms());
            }
            ch.in_flight.fetch_sub(1, AcqRel);
            ch.awaiting_body.store(false, Release);
        }
        if let Some((method, path, started)) = &self.log {
            let peer = self.channel.as_ref().map_or("-", |c| &c.peer_text);
            let at = Instant::now();
            crate::access::emit(&crate::access::AccessRecord {
                method,
                path: path.as_str(),
                status: self.status,
                bytes: self.bytes,
                elapsed: at.saturating_duration_since(*started),
                at,
                peer,
            });
        }
    }
}

/// A request's path kept for its access line: copied inline when short (most paths), so the
/// log costs no allocation per request. (Cloning the `Uri` instead allocated: its bytes are a
/// promotable `Bytes` whose first clone makes a shared copy.)
enum LogPath {
    Inline {
        len: u8,
        bytes: [u8; LogPath::INLINE],
    },
    Heap(Box<str>),
}

impl LogPath {
    const INLINE: usize = 46;

    fn new(path: &str) -> Self {
        match u8::try_from(path.len()) {
            Ok(len) if path.len() <= Self::INLINE => {
                let mut bytes = [0; Self::INLINE];
                bytes[..path.len()].copy_from_slice(path.as_bytes());
                LogPath::Inline { len, bytes }
            }
            _ => LogPath::Heap(path.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // A whole `&str` copied byte for byte: always UTF-8.
            LogPath::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or("-")
            }
            LogPath::Heap(path) => path,
        }
    }
}

/// A response body that keeps its request in flight until it has been produced in full.
pub struct TrackedBody {
    body: BoxBody,
    guard: InFlight,
}

impl MessageBody for TrackedBody {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.body).poll_next(cx);
        if let Poll::Ready(Some(Ok(bytes))) = &polled {
            this.guard.bytes += bytes.len() as u64;
        }
        polled
    }

    /// A body held in memory is handed over whole, so actix-http writes it in one go as it does
    /// for unwrapped bodies; the request stops being in flight as the guard drops here.
    fn try_into_bytes(self) -> Result<Bytes, Self> {
        let TrackedBody { body, mut guard } = self;
        match body.try_into_bytes() {
            Ok(bytes) => {
                guard.bytes = bytes.len() as u64;
                Ok(bytes)
            }
            Err(body) => Err(TrackedBody { body, guard }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_refusals_are_json_with_code_and_limit() {
        let res = body_too_large(1000);
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body = res.into_body().try_into_bytes().expect("in-memory body");
        let text = String::from_utf8(body.to_vec()).expect("utf-8");
        assert_eq!(
            text,
            r#"{"error":{"code":"too_large","message":"请求体太大 / request body exceeds max_request_body_size (1000 bytes)","details":{"limit":1000}}}"#
        );
    }
}
