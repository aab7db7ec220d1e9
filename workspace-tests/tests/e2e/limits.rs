//! `max_request_header_size` (431) and `max_request_body_size` (413): declared, chunked and
//! announced with `Expect: 100-continue`.

use std::time::{Duration, Instant};

use crate::support::{get, Client, TestServer};

const HEAD_LIMIT: usize = 4096;
const BODY_LIMIT: u64 = 1000;

fn limited_server() -> TestServer {
    TestServer::with(|s| {
        s.max_request_header_size = HEAD_LIMIT;
        s.max_request_body_size = BODY_LIMIT;
    })
}

fn with_header(len: usize) -> String {
    format!(
        "GET /hello HTTP/1.1\r\nHost: e2e\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(len)
    )
}

/// A chunk of `len` bytes in chunked transfer coding.
fn chunk(len: usize) -> String {
    format!("{len:x}\r\n{}\r\n", "b".repeat(len))
}

fn post_chunked(path: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n")
}

fn assert_closed_after(client: &mut Client) {
    client.assert_closed_within(Duration::from_secs(2));
}

#[test]
fn head_over_max_request_header_size_gets_431_and_close() {
    let server = limited_server();
    let mut client = server.connect();
    let res = client.request(with_header(HEAD_LIMIT + 500));
    assert_eq!(res.status, 431, "{res:?}");
    assert!(res.says_close(), "{res:?}");
    assert_closed_after(&mut client);
}

#[test]
fn head_under_max_request_header_size_is_served() {
    let server = limited_server();
    let mut client = server.connect();
    let res = client.request(with_header(HEAD_LIMIT - 500));
    assert_eq!((res.status, res.text().as_str()), (200, "hello"));
}

#[test]
fn declared_body_over_limit_gets_413_without_the_body_being_sent() {
    for path in ["/echo", "/hello"] {
        declared_over_limit_gets_413_at_once(path);
    }
}

fn declared_over_limit_gets_413_at_once(path: &str) {
    let server = limited_server();
    let mut client = server.connect();
    // Only the head goes out: the answer must not wait for the 5000 bytes it announces.
    let started = Instant::now();
    client.send(format!(
        "POST {path} HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5000\r\n\r\n"
    ));
    let res = client
        .try_response(Duration::from_secs(2), false)
        .unwrap_or_else(|e| panic!("{path}: no 413 without the body: {e}"));
    assert_eq!(res.status, 413, "{path}: {res:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{path}: {:?}",
        started.elapsed()
    );
    assert!(res.says_close(), "{path}: {res:?}");
    assert_closed_after(&mut client);
}

#[test]
fn body_of_exactly_the_limit_is_accepted() {
    let server = limited_server();
    let mut client = server.connect();
    let body = "c".repeat(BODY_LIMIT as usize);
    let res = client.request(format!(
        "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: {BODY_LIMIT}\r\n\r\n{body}"
    ));
    assert_eq!((res.status, res.text()), (200, BODY_LIMIT.to_string()));
    // `chunk(0)` is the last chunk with its empty trailer.
    let chunked = [post_chunked("/echo"), chunk(600), chunk(400), chunk(0)].concat();
    let res = client.request(chunked);
    assert_eq!((res.status, res.text()), (200, BODY_LIMIT.to_string()));
}

fn chunked_over_limit_gets_413(path: &str) {
    let server = limited_server();
    let mut client = server.connect();
    // 1200 bytes in two chunks and no last chunk: the engine must stop at the limit, not
    // wait for the end of the body.
    client.send([post_chunked(path), chunk(600), chunk(600)].concat());
    let res = client.response();
    assert_eq!(res.status, 413, "{res:?}");
    assert!(res.says_close(), "{res:?}");
}

#[test]
fn chunked_body_over_limit_gets_413_when_the_handler_buffers_it() {
    chunked_over_limit_gets_413("/echo");
}

#[test]
fn chunked_body_over_limit_gets_413_when_the_handler_streams_it() {
    chunked_over_limit_gets_413("/stream");
}

/// `/hello` never reads its body: the engine reads what is left, under the same limit, and
/// answers 413 instead of the handler's 200.
#[test]
fn chunked_body_over_limit_gets_413_when_the_handler_ignores_it() {
    chunked_over_limit_gets_413("/hello");
}

#[test]
fn body_within_the_limit_that_the_handler_ignores_is_skipped_and_the_connection_reused() {
    let server = limited_server();
    let mut client = server.connect();
    let declared = "c".repeat(BODY_LIMIT as usize);
    let chunked = [post_chunked("/hello"), chunk(600), chunk(400), chunk(0)].concat();
    // Everything in one write: neither body may be read as a request.
    client.send(format!(
        "POST /hello HTTP/1.1\r\nHost: e2e\r\nContent-Length: {BODY_LIMIT}\r\n\r\n{declared}\
         {chunked}{}",
        get("/hello")
    ));
    for i in 0..3 {
        let res = client.response();
        assert_eq!(
            (res.status, res.text().as_str()),
            (200, "hello"),
            "answer {i}"
        );
        assert!(!res.says_close(), "answer {i}: {res:?}");
    }
    let stats = server.stats_when(|s| s.requests == 3);
    assert_eq!((stats.accepted, stats.requests), (1, 3), "{stats:?}");
}

#[test]
fn connection_closes_after_413_for_an_over_limit_chunked_body() {
    let server = limited_server();
    for path in ["/echo", "/stream", "/hello"] {
        let mut client = server.connect();
        client.send([post_chunked(path), chunk(600), chunk(600)].concat());
        assert_eq!(client.response().status, 413);
        // The client goes on sending its body, 1000 bytes every 100 ms, for at most 3 s.
        let started = Instant::now();
        let mut closed = false;
        for _ in 0..30 {
            closed = client.try_send(chunk(1000)).is_err()
                || client
                    .until_close(Duration::from_millis(100))
                    .closed_at
                    .is_some();
            if closed {
                break;
            }
        }
        let after = started.elapsed();
        assert!(
            closed,
            "{path}: still open and reading {after:?} after the 413"
        );
        assert!(
            after < Duration::from_secs(2),
            "{path}: closed only after {after:?}"
        );
    }
}

#[test]
fn expect_continue_over_limit_gets_413_and_never_100_continue() {
    let server = limited_server();
    let mut client = server.connect();
    client.send(
        "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
    );
    let ending = client.until_close(Duration::from_secs(2));
    let text = ending.text();
    assert!(ending.closed_at.is_some(), "still open; got {text:?}");
    assert!(text.starts_with("HTTP/1.1 413 "), "{text:?}");
    assert!(!text.contains("100 Continue"), "{text:?}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text:?}"
    );
}

#[test]
fn expect_continue_under_limit_gets_100_continue_then_200() {
    let server = limited_server();
    let mut client = server.connect();
    client.send(
        "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n",
    );
    let interim = client.response();
    assert_eq!(interim.status, 100, "{interim:?}");
    let res = client.request("0123456789");
    assert_eq!((res.status, res.text().as_str()), (200, "10"));
    // And the connection stays usable.
    assert_eq!(client.request(get("/hello")).status, 200);
}
