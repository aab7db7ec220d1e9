//! The server's edges on the real dashboard app with all its middleware (issue 10): connection
//! reuse follows the framing, not the status; `HEAD` answers every `GET` route with the GET's
//! status and headers and no body; and a body the application did not read is read by the
//! engine under `max_request_body_size` before the response goes out.
//!
//! Every test talks raw HTTP/1.1 over one connection ([`Client`]), so a response that closes the
//! connection, carries stray body bytes or comes out of order is seen as such.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_auth::{AuthConfig, AuthState};
use storeboard_dashboard::AssetSource;
use storeboard_data::OrderStore;
use storeboard_fixtures as fx;
use storeboard_tabs::{TabsState, DEFAULT_CAPACITY};
use storeboard_upload::UploadState;
use tempfile::TempDir;

use crate::support::app::{AppServer, Part};
use crate::support::{get, parse_responses, settings, Client, Response, TestServer};

/// `max_request_body_size` of the servers that test the body limit.
const LIMIT: u64 = 100_000;

/// How long a connection that must close may take to do so.
const CLOSE_WITHIN: Duration = Duration::from_secs(3);

/// How long a connection that must stay open is watched for stray bytes or a close.
const QUIET_FOR: Duration = Duration::from_millis(150);

/// The app's answer to an unknown path.
const NOT_FOUND: &str = "页面不存在 / not found";

const ADMIN: &str = "admin-pw-edges-41";
const VIEWER: &str = "viewer-pw-edges-97";

/// `HEAD {path} HTTP/1.1` with a Host header and the `extra` header lines.
fn head(path: &str, extra: &str) -> String {
    format!("HEAD {path} HTTP/1.1\r\nHost: e2e\r\n{extra}\r\n")
}

/// `GET {path} HTTP/1.1` with a Host header and the `extra` header lines.
fn get_with(path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: e2e\r\n{extra}\r\n")
}

/// `Authorization: Bearer {token}` as a header line.
fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}\r\n")
}

/// `GET {path}` with `Transfer-Encoding: chunked` and the raw chunked `body`.
fn chunked_get(path: &str, body: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n{body}")
}

/// `len` bytes as chunks of at most 10,000 bytes, then the last chunk.
fn chunks(len: usize) -> String {
    let mut out = String::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(10_000);
        out.push_str(&format!("{n:x}\r\n{}\r\n", "b".repeat(n)));
        left -= n;
    }
    out.push_str("0\r\n\r\n");
    out
}

/// Asserts a response that keeps the connection: no `Connection: close`.
fn assert_keeps(res: &Response, what: &str) {
    assert!(
        !res.says_close(),
        "{what}: answered with Connection: close: {res:?}"
    );
}

/// Asserts that the server sends nothing more and keeps the connection open for a while, then
/// that the connection still answers `GET /healthz` with `ok`.
fn assert_still_open(client: &mut Client, after: &str) {
    let quiet = client.until_close(QUIET_FOR);
    assert!(
        quiet.data.is_empty(),
        "after {after}: unexpected bytes {:?}",
        quiet.text()
    );
    assert!(
        quiet.closed_at.is_none(),
        "after {after}: connection closed"
    );
    let health = client.request(get("/healthz"));
    assert_eq!(
        (health.status, health.text().as_str()),
        (200, "ok"),
        "GET /healthz after {after}: {health:?}"
    );
    assert_keeps(&health, "GET /healthz");
}

/// Sends `raw` on a fresh connection and reads until the server closes it (within
/// [`CLOSE_WITHIN`], asserted); returns the responses, asserting nothing followed them.
fn answers_then_close(client: &mut Client, raw: &str) -> Vec<Response> {
    // The server may refuse and close before it has read everything: what it answered is still
    // readable, so a failed write is not the test's verdict.
    let _ = client.try_send(raw);
    let ending = client.until_close(CLOSE_WITHIN);
    let (responses, rest) = parse_responses(&ending.data);
    assert!(
        ending.closed_at.is_some(),
        "still open {CLOSE_WITHIN:?} after {:?}; got {:?}",
        raw.chars().take(200).collect::<String>(),
        ending.text()
    );
    assert!(
        rest.is_empty(),
        "unparsed bytes after the responses: {:?}",
        String::from_utf8_lossy(&rest)
    );
    responses
}

/// The body as JSON, panicking with the response if it is not.
fn json(res: &Response) -> Value {
    serde_json::from_slice(&res.body).unwrap_or_else(|e| panic!("not JSON ({e}): {res:?}"))
}

/// The `Content-Length` of a response, panicking if it has none.
fn content_length(res: &Response, what: &str) -> usize {
    res.header("content-length")
        .unwrap_or_else(|| panic!("{what}: no Content-Length: {res:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("{what}: bad Content-Length ({e}): {res:?}"))
}

/// `GET {path}` then `HEAD {path}` (both with `extra` header lines) on `client`. Asserts that
/// HEAD has GET's status, `Content-Length` (which is the GET body's length) and the other
/// headers that describe the body, sends no body bytes, and keeps the connection. Returns the
/// GET's response.
fn assert_head_like_get(client: &mut Client, path: &str, extra: &str) -> Response {
    let full = client.request(get_with(path, extra));
    let length = content_length(&full, &format!("GET {path}"));
    assert_eq!(length, full.body.len(), "GET {path}");
    client.send(head(path, extra));
    let bare = client.head_response();
    assert_eq!(bare.status, full.status, "HEAD {path}: {bare:?}");
    assert_eq!(
        content_length(&bare, &format!("HEAD {path}")),
        length,
        "HEAD {path}: Content-Length differs from the GET's"
    );
    for name in [
        "content-type",
        "cache-control",
        "location",
        "www-authenticate",
        "vary",
        "server",
    ] {
        assert_eq!(
            bare.header(name),
            full.header(name),
            "HEAD {path}: header {name}"
        );
    }
    assert_keeps(&bare, &format!("HEAD {path}"));
    assert_still_open(client, &format!("HEAD {path}"));
    full
}

/// `HEAD {path}` between two `GET {path}` on `client`, for pages whose length moves with the
/// engine's counters (`/status`, `/metrics`): the HEAD's `Content-Length` lies between the two
/// GET bodies' lengths, which are within a few bytes of each other (every figure only grows).
fn assert_head_between_gets(client: &mut Client, path: &str) {
    let before = client.request(get(path));
    assert_eq!(before.status, 200, "GET {path}: {before:?}");
    client.send(head(path, ""));
    let bare = client.head_response();
    assert_eq!(bare.status, 200, "HEAD {path}: {bare:?}");
    assert_keeps(&bare, &format!("HEAD {path}"));
    assert_eq!(
        bare.header("content-type"),
        before.header("content-type"),
        "HEAD {path}"
    );
    let quiet = client.until_close(QUIET_FOR);
    assert!(
        quiet.data.is_empty() && quiet.closed_at.is_none(),
        "HEAD {path}: body bytes or a close followed: {:?}",
        quiet.text()
    );
    let after = client.request(get(path));
    assert_eq!(after.status, 200, "GET {path}: {after:?}");
    let (low, high) = (before.body.len(), after.body.len());
    assert!(
        low <= high && high - low <= 16,
        "GET {path} grew from {low} to {high} bytes"
    );
    let length = content_length(&bare, &format!("HEAD {path}"));
    assert!(
        (low..=high).contains(&length),
        "HEAD {path}: Content-Length {length}, GET bodies {low} and {high} bytes"
    );
}

/// The real app with an admin and a viewer password over a temp data dir.
struct Secured {
    server: TestServer,
    _dir: TempDir,
}

impl Secured {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(OrderStore::open(dir.path()).expect("store opens"));
        let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
        let upload = UploadState::new(store, dir.path().to_owned(), 1 << 20);
        let config = AuthConfig {
            admin_password: Some(ADMIN.to_owned()),
            viewer_password: Some(VIEWER.to_owned()),
            max_failures: 1000,
            ..AuthConfig::default()
        };
        let key = storeboard_auth::load_or_create_key(dir.path()).expect("key");
        let auth = AuthState::new(config, key);
        let app = move || {
            storeboard::app_with_auth(Mode::Production, upload.clone(), tabs.clone(), auth.clone())
        };
        Self {
            server: TestServer::serve(settings(), app),
            _dir: dir,
        }
    }
}

/// One store over three days, uploaded; asserts every line was accepted.
fn with_small_data() -> AppServer {
    let server = AppServer::start();
    let spec = fx::ExportSpec {
        stores: vec!["边缘店".to_owned()],
        start: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date"),
        days: 3,
        orders_per_store_day: 5,
        seed: 10,
        ..fx::ExportSpec::default()
    };
    let records = server.upload_ok(&[Part::file("边缘店.xlsx", fx::xlsx_bytes(&spec))]);
    assert_eq!(
        records[0]["report"]["accepted_lines"],
        fx::lines(&spec).len(),
        "{}",
        records[0]
    );
    server
}

#[test]
fn a_404_between_two_200s_on_one_keepalive_connection_costs_no_reconnect() {
    let server = AppServer::start();
    let mut client = server.connect();
    let page = client.request(get("/"));
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_keeps(&page, "GET /");
    let missing = client.request(get("/nope"));
    assert_eq!(
        (missing.status, missing.text().as_str()),
        (404, NOT_FOUND),
        "{missing:?}"
    );
    assert_keeps(&missing, "GET /nope");
    let health = client.request(get("/healthz"));
    assert_eq!((health.status, health.text().as_str()), (200, "ok"));
    assert_keeps(&health, "GET /healthz");
}

#[test]
fn five_pipelined_requests_with_a_404_in_the_middle_get_five_answers_in_order() {
    let server = AppServer::start();
    let mut client = server.connect();
    let batch = [
        get("/healthz"),
        get("/api/v1/stores"),
        get("/nope"),
        get("/tabs/overview"),
        get("/healthz"),
    ]
    .concat();
    client.send(batch);
    let answers: Vec<Response> = (0..5).map(|_| client.response()).collect();
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 404, 200, 200], "{answers:#?}");
    assert_eq!(answers[0].text(), "ok");
    assert_eq!(json(&answers[1]), serde_json::json!([]));
    assert_eq!(answers[2].text(), NOT_FOUND);
    assert_eq!(
        answers[3].header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        answers[3].header("hx-push-url").is_some(),
        "{:?}",
        answers[3]
    );
    assert_eq!(answers[4].text(), "ok");
    for (i, res) in answers.iter().enumerate() {
        assert_keeps(res, &format!("pipelined answer {i}"));
    }
    assert_still_open(&mut client, "five pipelined requests");
}

#[test]
fn a_client_asking_to_close_gets_its_404_and_then_the_close_http10_too() {
    let server = AppServer::start();
    let mut client = server.connect();
    let answers = answers_then_close(
        &mut client,
        &format!(
            "{}{}",
            get_with("/nope", "Connection: close\r\n"),
            get("/healthz")
        ),
    );
    let [res] = answers.as_slice() else {
        panic!("expected only the 404: {answers:#?}");
    };
    assert_eq!((res.status, res.text().as_str()), (404, NOT_FOUND));
    assert!(res.says_close(), "{res:?}");
    let mut client = server.connect();
    let answers = answers_then_close(&mut client, "GET /nope HTTP/1.0\r\n\r\n");
    let [res] = answers.as_slice() else {
        panic!("expected only the 404: {answers:#?}");
    };
    assert_eq!((res.status, res.text().as_str()), (404, NOT_FOUND));
}

#[test]
fn head_answers_every_get_route_with_its_status_and_content_length_and_no_body() {
    let server = with_small_data();
    let mut client = server.connect();
    let echarts = format!(
        "/{}",
        AssetSource::Embedded.url("vendor/echarts/echarts.min.js")
    );
    let htmx = format!("/{}", AssetSource::Embedded.url("vendor/htmx/htmx.min.js"));
    let pages = [
        "/",
        "/?tab=overview",
        "/tabs/overview",
        "/tabs/data",
        echarts.as_str(),
        htmx.as_str(),
        "/static/storeboard.css",
        "/healthz",
        "/api/v1/tabs/overview",
        "/api/v1/tabs/today",
        "/api/v1/stores",
        "/api/v1/uploads",
    ];
    for path in pages {
        let full = assert_head_like_get(&mut client, path, "");
        assert_eq!(full.status, 200, "GET {path}: {full:?}");
        assert!(!full.body.is_empty(), "GET {path} has an empty body");
    }
    // The page really is the page with data in it, and the asset is the big one.
    let page = client.request(get("/api/v1/tabs/overview"));
    assert_eq!(json(&page)["empty"], false, "{}", page.text());
    let asset = client.request(get(&echarts));
    assert!(asset.body.len() > 100_000, "{} bytes", asset.body.len());
    for path in ["/metrics", "/status"] {
        assert_head_between_gets(&mut client, path);
    }
    assert_still_open(&mut client, "every HEAD");
}

#[test]
fn head_keeps_the_status_and_content_length_of_a_get_that_is_not_200() {
    let server = AppServer::start();
    let mut client = server.connect();
    let missing = assert_head_like_get(&mut client, "/nope", "");
    assert_eq!(missing.status, 404);
    let bad = assert_head_like_get(&mut client, "/api/v1/tabs/overview?from=notadate", "");
    assert_eq!(bad.status, 400);
    assert_eq!(json(&bad)["error"]["code"], "bad_date");
    let tab = assert_head_like_get(&mut client, "/tabs/nope", "");
    assert_eq!(tab.status, 404);
}

/// The page and a fragment take a while to render (their handlers await the tabs' computation);
/// `/healthz` answers at once. Whichever comes first, the handler's answer or the broken chunk,
/// the answer is the engine's 400 and a close, and the request behind it is never answered.
#[test]
fn a_bad_chunk_size_in_a_body_sent_to_the_page_gets_400_and_a_close() {
    let server = AppServer::start();
    let mut failures = Vec::new();
    for path in ["/", "/tabs/overview", "/healthz"] {
        let raw = format!(
            "{}{}",
            chunked_get(path, "zz\r\nhello\r\n0\r\n\r\n"),
            get("/healthz")
        );
        let answers = answers_then_close(&mut server.connect(), &raw);
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        match answers.as_slice() {
            [res] if res.status == 400 && res.says_close() => {
                assert_eq!(json(res)["error"]["code"], "bad_body", "{path}: {res:?}");
            }
            _ => failures.push(format!(
                "GET {path} with a bad chunk: {statuses:?}, expected only a 400 with \
                 Connection: close: {answers:?}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The server is fine afterwards.
    let mut other = server.connect();
    assert_still_open(&mut other, "a fresh connection");
}

#[test]
fn a_chunked_body_one_byte_over_the_limit_sent_to_the_page_gets_413_and_a_close() {
    let server = AppServer::with_limit(LIMIT);
    let mut client = server.connect();
    let raw = format!(
        "{}{}",
        chunked_get("/", &chunks(LIMIT as usize + 1)),
        get("/healthz")
    );
    let answers = answers_then_close(&mut client, &raw);
    let [res] = answers.as_slice() else {
        panic!("expected only the 413: {answers:#?}");
    };
    assert_eq!(res.status, 413, "{res:?}");
    assert!(res.says_close(), "{res:?}");
    let body = json(res);
    assert_eq!(body["error"]["code"], "too_large", "{body}");
    assert_eq!(body["error"]["details"]["limit"], LIMIT, "{body}");
    let mut other = server.connect();
    assert_still_open(&mut other, "a fresh connection");
}

#[test]
fn a_declared_body_over_the_limit_sent_to_the_page_gets_413_and_a_close() {
    let server = AppServer::with_limit(LIMIT);
    let mut client = server.connect();
    let length = LIMIT + 1;
    let raw = format!(
        "GET / HTTP/1.1\r\nHost: e2e\r\nContent-Length: {length}\r\n\r\n{}",
        "d".repeat(length as usize)
    );
    let answers = answers_then_close(&mut client, &raw);
    let [res] = answers.as_slice() else {
        panic!("expected only the 413: {answers:#?}");
    };
    assert_eq!(res.status, 413, "{res:?}");
    assert_eq!(json(res)["error"]["details"]["limit"], LIMIT);
}

#[test]
fn a_chunked_body_of_exactly_the_limit_sent_to_the_page_is_skipped_and_the_connection_reused() {
    let server = AppServer::with_limit(LIMIT);
    let mut client = server.connect();
    // The request behind the body goes in the same write: the body must not be read as a request.
    client.send(format!(
        "{}{}",
        chunked_get("/", &chunks(LIMIT as usize)),
        get("/nope")
    ));
    let page = client.response();
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_keeps(&page, "GET / with a chunked body");
    let missing = client.response();
    assert_eq!((missing.status, missing.text().as_str()), (404, NOT_FOUND));
    assert_keeps(&missing, "GET /nope");
    assert_still_open(&mut client, "a chunked body of exactly the limit");
}

#[test]
fn a_content_length_body_the_app_does_not_read_is_not_taken_for_the_next_request() {
    let server = AppServer::start();
    // Ten bytes that would turn the next request into garbage if they were read as its start.
    let body = "GET /nope ";
    assert_eq!(body.len(), 10);
    let with_body = "GET /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 10\r\n\r\n";
    let mut client = server.connect();
    client.send(format!("{with_body}{body}{}", get("/healthz")));
    for i in 0..2 {
        let res = client.response();
        assert_eq!(
            (res.status, res.text().as_str()),
            (200, "ok"),
            "answer {i}: {res:?}"
        );
        assert_keeps(&res, &format!("answer {i}"));
    }
    assert_still_open(&mut client, "a GET with an unread body");
    // The same with the body arriving after the app has answered.
    let mut client = server.connect();
    client.send(with_body);
    std::thread::sleep(Duration::from_millis(200));
    client.send(format!("{body}{}", get("/nope")));
    let first = client.response();
    assert_eq!((first.status, first.text().as_str()), (200, "ok"));
    let second = client.response();
    assert_eq!((second.status, second.text().as_str()), (404, NOT_FOUND));
    assert_still_open(&mut client, "a late unread body");
}

#[test]
fn a_405_for_a_post_with_a_body_keeps_the_connection() {
    let server = AppServer::start();
    let mut client = server.connect();
    let res =
        client.request("POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(res.status, 405, "{res:?}");
    assert_keeps(&res, "POST /healthz");
    assert_still_open(&mut client, "a 405");
}

#[test]
fn a_400_for_a_bad_date_keeps_the_connection() {
    let server = AppServer::start();
    let mut client = server.connect();
    let bad = client.request(get("/api/v1/tabs/overview?from=notadate"));
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(bad.header("content-type"), Some("application/json"));
    let error = &json(&bad)["error"];
    assert_eq!(error["code"], "bad_date", "{error}");
    assert_eq!(error["details"]["param"], "from", "{error}");
    assert_keeps(&bad, "the 400");
    let good = client.request(get("/api/v1/tabs/overview"));
    assert_eq!(good.status, 200, "{good:?}");
    assert_eq!(json(&good)["empty"], true);
    assert_keeps(&good, "the 200 after the 400");
    assert_still_open(&mut client, "a 400 and a 200");
}

#[test]
fn with_passwords_a_401_from_the_guard_keeps_the_connection_for_the_next_request() {
    let server = Secured::start();
    let mut client = server.server.connect();
    let refused = client.request(get("/api/v1/stores"));
    assert_eq!(refused.status, 401, "{refused:?}");
    assert_eq!(json(&refused)["error"]["code"], "unauthorized");
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Bearer realm=\"storeboard\"")
    );
    assert_keeps(&refused, "the 401");
    let viewer = client.request(get_with("/api/v1/stores", &bearer(VIEWER)));
    assert_eq!((viewer.status, json(&viewer)), (200, serde_json::json!([])));
    assert_keeps(&viewer, "the viewer's 200");
    let wrong = client.request(get_with("/api/v1/stores", &bearer("guess")));
    assert_eq!(wrong.status, 401, "{wrong:?}");
    assert_eq!(json(&wrong)["error"]["code"], "bad_token");
    assert_keeps(&wrong, "the wrong token's 401");
    // A page sends people to the login page; that keeps the connection too.
    let page = client.request(get("/"));
    assert_eq!(page.status, 303, "{page:?}");
    assert_eq!(page.header("location"), Some("/login?next=%2F"));
    assert_keeps(&page, "the 303");
    assert_still_open(&mut client, "a 401, a 200, a 401 and a 303");
}

#[test]
fn with_passwords_head_is_a_read_401_without_credentials_and_200_for_the_viewer() {
    let server = Secured::start();
    let mut client = server.server.connect();
    let path = "/api/v1/tabs/overview";
    let refused = assert_head_like_get(&mut client, path, "");
    assert_eq!(refused.status, 401, "{refused:?}");
    assert_eq!(json(&refused)["error"]["code"], "unauthorized");
    let viewer = assert_head_like_get(&mut client, path, &bearer(VIEWER));
    assert_eq!(viewer.status, 200, "{viewer:?}");
    assert_eq!(json(&viewer)["empty"], true);
    let admin = assert_head_like_get(&mut client, "/", &bearer(ADMIN));
    assert_eq!(admin.status, 200, "{admin:?}");
    let page = assert_head_like_get(&mut client, "/?tab=data", "");
    assert_eq!(page.status, 303, "{page:?}");
    assert_eq!(
        page.header("location"),
        Some("/login?next=%2F%3Ftab%3Ddata")
    );
    // Public without a password.
    let health = assert_head_like_get(&mut client, "/healthz", "");
    assert_eq!(health.status, 200, "{health:?}");
}
