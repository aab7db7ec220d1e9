//! Shared helpers: a real engine on `127.0.0.1:0` in its own thread ([`TestServer`]), the
//! application every test serves ([`app`]), and a raw HTTP/1 client ([`Client`]).
//!
//! Every blocking call here has a deadline; nothing waits forever.

pub mod app;
mod client;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::{web, App, HttpResponse};
use futures_util::StreamExt;
use storeboard_engine::{
    AppServiceFactory, Engine, EngineInfo, ServerHandle, Settings, StatsSnapshot,
};

pub use client::{Client, Ending, Response};

/// Deadline of every single read, write, connect or wait that has no tighter one.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings for tests: loopback, a free port, two workers, short timeouts, quiet logs.
pub fn settings() -> Settings {
    Settings {
        host: "127.0.0.1".to_owned(),
        port: 0,
        threads: 2,
        connection_limit: 32,
        channel_timeout: Duration::from_secs(5),
        cleanup_interval: Duration::from_secs(1),
        header_read_timeout: Duration::from_secs(5),
        shutdown_timeout: Duration::from_secs(2),
        access_log: false,
        log_socket_errors: false,
        ..Settings::default()
    }
}

/// The application under test.
///
/// - `/hello` (any method): `hello`.
/// - `GET /sleep/{ms}`: sleeps, then `slept {ms}`.
/// - `POST /echo`: buffers the body (`web::Bytes`), answers its length.
/// - `POST /stream`: reads the body chunk by chunk (`web::Payload`), answers its length.
/// - `GET /fail`: a 500 whose error text is `secret detail`.
/// - `GET /stopping`: the tabs' deliberate `503 shutting_down` JSON envelope.
/// - `GET /panic`: a handler that panics with `secret panic`.
/// - `GET /info`: the `ident` and first address seen through the `EngineInfo` extractor.
/// - `GET /big/{bytes}`: a body of that many `x`.
pub fn app() -> App<impl AppServiceFactory<BoxBody>> {
    App::new()
        // The engine, not actix-web, must be the one enforcing max_request_body_size.
        .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
        .route("/hello", web::route().to(|| async { "hello" }))
        .route("/sleep/{ms}", web::get().to(sleep))
        .route(
            "/echo",
            web::post().to(|body: web::Bytes| async move { body.len().to_string() }),
        )
        .route("/stream", web::post().to(stream))
        .route("/fail", web::get().to(fail))
        .route("/stopping", web::get().to(stopping))
        .route("/panic", web::get().to(panics))
        .route("/info", web::get().to(info))
        .route("/big/{bytes}", web::get().to(big))
}

async fn big(bytes: web::Path<usize>) -> HttpResponse {
    HttpResponse::Ok().body(vec![b'x'; *bytes])
}

async fn sleep(ms: web::Path<u64>) -> String {
    actix_rt::time::sleep(Duration::from_millis(*ms)).await;
    format!("slept {ms}")
}

async fn stream(mut body: web::Payload) -> actix_web::Result<String> {
    let mut total = 0;
    while let Some(chunk) = body.next().await {
        total += chunk?.len();
    }
    Ok(total.to_string())
}

async fn fail() -> actix_web::Result<HttpResponse> {
    Err(actix_web::error::ErrorInternalServerError("secret detail"))
}

async fn stopping() -> Result<HttpResponse, storeboard_tabs::TabsError> {
    Err(storeboard_tabs::TabsError::Cancelled)
}

async fn panics() -> HttpResponse {
    panic!("secret panic")
}

async fn info(info: EngineInfo) -> String {
    format!("{} {}", info.settings.ident, info.local_addrs[0])
}

/// A running engine serving [`app`]; stopped (not gracefully) and joined on drop.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Stops it and reads its counters.
    pub handle: ServerHandle,
    done: mpsc::Receiver<Result<(), String>>,
    finished: bool,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts [`app`] with `settings` (host and port are forced to `127.0.0.1:0`).
    pub fn start(mut settings: Settings) -> Self {
        settings.host = "127.0.0.1".to_owned();
        settings.port = 0;
        settings.listen.clear();
        Self::serve(settings, app)
    }

    /// Serves any app `factory` with `settings` on its own thread and actix `System`.
    pub fn serve<F, T, B>(settings: Settings, factory: F) -> Self
    where
        F: Fn() -> App<T> + Send + Clone + 'static,
        T: AppServiceFactory<B>,
        B: MessageBody + 'static,
    {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("e2e-server".to_owned())
            .spawn(move || {
                let system = actix_rt::System::new();
                let result = system.block_on(async move {
                    let engine = Engine::new(settings, factory).disable_signals().bind()?;
                    let addr = engine.local_addrs()[0];
                    let server = engine.run();
                    let _ = ready_tx.send((addr, server.handle()));
                    server.await
                });
                let _ = done_tx.send(result.map_err(|e| e.to_string()));
            })
            .expect("spawn the server thread");
        let Ok((addr, handle)) = ready_rx.recv_timeout(IO_TIMEOUT) else {
            let why = done
                .try_recv()
                .map(|r| format!("{r:?}"))
                .unwrap_or_default();
            panic!("the engine did not start within {IO_TIMEOUT:?} {why}");
        };
        Self {
            addr,
            handle,
            done,
            finished: false,
            thread: Some(thread),
        }
    }

    /// Starts [`app`] with the test [`settings`] changed by `change`.
    pub fn with(change: impl FnOnce(&mut Settings)) -> Self {
        let mut s = settings();
        change(&mut s);
        Self::start(s)
    }

    /// The engine's counters now.
    pub fn stats(&self) -> StatsSnapshot {
        self.handle.info().stats.snapshot()
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A raw connection to the server.
    pub fn connect(&self) -> Client {
        Client::connect(self.addr)
    }

    /// Waits up to `limit` for the `Server` future to resolve; `None` if it did not.
    pub fn wait_stopped(&mut self, limit: Duration) -> Option<Result<(), String>> {
        let result = self.done.recv_timeout(limit).ok()?;
        self.finished = true;
        Some(result)
    }

    /// Waits (up to [`IO_TIMEOUT`]) until the server's counters satisfy `cond`; returns the
    /// last snapshot either way, for the assertion message.
    pub fn stats_when(&self, cond: impl Fn(&StatsSnapshot) -> bool) -> StatsSnapshot {
        let mut snap = self.stats();
        eventually(IO_TIMEOUT, || {
            snap = self.stats();
            cond(&snap)
        });
        snap
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = block_on(IO_TIMEOUT, self.handle.stop(false));
        if !self.finished && self.done.recv_timeout(IO_TIMEOUT).is_err() {
            // Never hang a test run on a server that would not stop; leave its thread behind.
            return;
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs `fut` on a fresh current-thread runtime for at most `limit`; `None` on timeout.
pub fn block_on<T>(limit: Duration, fut: impl Future<Output = T>) -> Option<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async { tokio::time::timeout(limit, fut).await.ok() })
}

/// Polls `cond` every 10 ms for up to `limit`; true as soon as it holds.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// `GET {path} HTTP/1.1` with a Host header and nothing else.
pub fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: e2e\r\n\r\n")
}

/// An agent for ureq with every timeout set.
pub fn ureq_agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(IO_TIMEOUT).build()
}

/// Splits everything a server sent on one connection into the responses it holds, in order.
///
/// Each response is framed by `Content-Length` or chunked coding; one with neither (and not
/// `1xx`/`204`/`304`) runs to the end of `data`. Returns the complete responses and the bytes
/// after the last of them (a truncated or unparsable response stays in those bytes).
pub fn parse_responses(data: &[u8]) -> (Vec<Response>, Vec<u8>) {
    let mut responses = Vec::new();
    let mut rest = data;
    // Bounded: every response consumes at least its head's four-byte terminator.
    while let Some((response, used)) = parse_one_response(rest) {
        responses.push(response);
        rest = &rest[used..];
    }
    (responses, rest.to_vec())
}

/// One complete response at the start of `data`, and how many bytes it took.
fn parse_one_response(data: &[u8]) -> Option<(Response, usize)> {
    let head_end = data.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut status_line = lines.next()?.splitn(3, ' ');
    let version = status_line.next()?.to_owned();
    if !version.starts_with("HTTP/") {
        return None;
    }
    let status: u16 = status_line.next()?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':').unwrap_or((l, ""));
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let mut response = Response {
        version,
        status,
        headers,
        body: Vec::new(),
    };
    let body = &data[head_end..];
    if matches!(status, 100..=199 | 204 | 304) {
        return Some((response, head_end));
    }
    let chunked = response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let length = response.header("content-length").map(str::parse::<usize>);
    let used = match (chunked, length) {
        (true, _) => {
            let (decoded, used) = dechunk(body)?;
            response.body = decoded;
            used
        }
        (false, Some(Ok(len))) => {
            response.body = body.get(..len)?.to_vec();
            len
        }
        (false, Some(Err(_))) => return None,
        (false, None) => {
            response.body = body.to_vec();
            body.len()
        }
    };
    Some((response, head_end + used))
}

/// A complete chunked body at the start of `data` (trailers skipped): the bytes and the length
/// it took on the wire.
fn dechunk(data: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut body = Vec::new();
    let mut at = 0;
    // Bounded by the data: every round consumes at least a size line.
    while at < data.len() {
        let line_end = at + data[at..].windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&data[at..line_end]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        at = line_end + 2;
        if size == 0 {
            // Trailers, if any, end with an empty line.
            loop {
                let end = at + data[at..].windows(2).position(|w| w == b"\r\n")?;
                let empty = end == at;
                at = end + 2;
                if empty {
                    return Some((body, at));
                }
            }
        }
        body.extend_from_slice(data.get(at..at + size)?);
        at += size;
        if data.get(at..at + 2)? != b"\r\n" {
            return None;
        }
        at += 2;
    }
    None
}
