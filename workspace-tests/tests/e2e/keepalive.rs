//! Connection reuse: keep-alive (after errors too), pipelining, HEAD, HTTP/1.0 and the `Server`
//! header.

use std::time::Duration;

use crate::support::{get, settings, ureq_agent, TestServer};

#[test]
fn several_requests_share_one_keepalive_connection() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    for _ in 0..5 {
        let res = client.request(get("/hello"));
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "hello");
        assert!(!res.says_close(), "{res:?}");
    }
    let stats = server.stats_when(|s| s.requests == 5);
    assert_eq!(stats.requests, 5);
    assert_eq!(
        stats.accepted, 1,
        "all five requests came on one connection"
    );
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    // The first request is the slowest: answering out of order would put it last.
    let batch = [get("/sleep/300"), get("/hello"), get("/sleep/10")].concat();
    client.send(batch);
    let bodies: Vec<String> = (0..3).map(|_| client.response().text()).collect();
    assert_eq!(bodies, ["slept 300", "hello", "slept 10"]);
    // The connection is still usable afterwards.
    assert_eq!(client.request(get("/hello")).text(), "hello");
}

/// Reuse follows the framing, not the status: the application's 404s (an unknown path, a method
/// `App::route` has no route for) and 500 keep the connection, and requests pipelined behind
/// them are answered in order.
#[test]
fn pipelined_requests_with_errors_between_them_are_all_answered_in_order() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let post = "POST /big/3 HTTP/1.1\r\nHost: e2e\r\nContent-Length: 0\r\n\r\n";
    let batch = [
        get("/hello"),
        get("/no-such-page"),
        get("/big/3"),
        post.to_owned(),
        get("/fail"),
        get("/hello"),
    ]
    .concat();
    client.send(batch);
    let answers: Vec<(u16, String)> = (0..6)
        .map(|_| {
            let res = client.response();
            assert!(!res.says_close(), "{res:?}");
            (res.status, res.text())
        })
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert_eq!(statuses, [200, 404, 200, 404, 500, 200], "{answers:?}");
    assert_eq!(
        (answers[2].1.as_str(), answers[5].1.as_str()),
        ("xxx", "hello")
    );
    assert_eq!(client.request(get("/hello")).text(), "hello");
    let stats = server.stats_when(|s| s.requests == 7);
    assert_eq!((stats.accepted, stats.requests), (1, 7), "{stats:?}");
}

/// `/big/{n}` has only a GET route: HEAD is answered by it, with its `Content-Length`.
#[test]
fn head_on_a_get_only_route_has_the_get_content_length_and_no_body() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    client.send("HEAD /big/5000 HTTP/1.1\r\nHost: e2e\r\n\r\n");
    let head = client.head_response();
    assert_eq!(head.status, 200, "{head:?}");
    assert_eq!(head.header("content-length"), Some("5000"), "{head:?}");
    assert!(!head.says_close(), "{head:?}");
    // Had the HEAD answer carried a body, the next response would start with it.
    let next = client.request(get("/big/3"));
    assert_eq!((next.status, next.text().as_str()), (200, "xxx"));
}

#[test]
fn head_response_has_the_get_headers_and_no_body() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let full = client.request(get("/hello"));
    client.send("HEAD /hello HTTP/1.1\r\nHost: e2e\r\n\r\n");
    let head = client.head_response();
    assert_eq!(head.status, 200);
    for name in ["content-length", "content-type", "server"] {
        assert_eq!(head.header(name), full.header(name), "header {name}");
    }
    // Had the HEAD answer carried a body, the next response would start with it.
    let next = client.request(get("/hello"));
    assert_eq!((next.status, next.text().as_str()), (200, "hello"));
}

#[test]
fn http10_connection_closes_after_the_response_without_a_keepalive_header() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let res = client.request("GET /hello HTTP/1.0\r\nHost: e2e\r\n\r\n");
    assert_eq!((res.status, res.text().as_str()), (200, "hello"));
    let rest = client.assert_closed_within(Duration::from_secs(2));
    assert!(
        rest.is_empty(),
        "unexpected bytes after the response: {rest:?}"
    );
}

#[test]
fn http10_keepalive_header_keeps_the_connection_open() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let request = "GET /hello HTTP/1.0\r\nHost: e2e\r\nConnection: keep-alive\r\n\r\n";
    let first = client.request(request);
    assert_eq!(first.status, 200);
    assert_eq!(first.version, "HTTP/1.0");
    let connection = first.header("connection").unwrap_or_default();
    assert!(connection.eq_ignore_ascii_case("keep-alive"), "{first:?}");
    let second = client.request(request);
    assert_eq!((second.status, second.text().as_str()), (200, "hello"));
    assert_eq!(server.stats().accepted, 1);
}

#[test]
fn http10_request_without_a_host_header_is_served() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let res = client.request("GET /hello HTTP/1.0\r\n\r\n");
    assert_eq!((res.status, res.text().as_str()), (200, "hello"));
}

const IDENT: &str = "storeboard-e2e/1";

#[test]
fn server_header_equals_ident() {
    let server = TestServer::with(|s| s.ident = IDENT.to_owned());
    let res = ureq_agent()
        .get(&server.url("/hello"))
        .call()
        .expect("GET /hello");
    assert_eq!(res.header("server"), Some(IDENT));
    let mut client = server.connect();
    let missing = client.request(get("/no-such-page"));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("server"), Some(IDENT));
}

/// actix-http's own parse-error responses (400) are written without the application and carry
/// no `Server` header; every response the engine writes itself does.
#[test]
fn responses_the_engine_writes_itself_carry_the_server_header_too() {
    let server = TestServer::with(|s| {
        s.ident = IDENT.to_owned();
        s.max_request_body_size = 1000;
    });
    let expect = "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5000\r\n\
        Expect: 100-continue\r\n\r\n";
    let res = server.connect().request(expect);
    assert_eq!(res.status, 413, "{res:?}");
    assert_eq!(res.header("server"), Some(IDENT), "413: {res:?}");
}
