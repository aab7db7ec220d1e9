//! Malformed requests get `400` and a closed connection. An application's own 4xx/5xx to a
//! request that was read completely keeps the connection (reuse follows the framing, not the
//! status), with 5xx details hidden; a panicking handler's 500 closes it.

use std::time::Duration;

use crate::support::{get, settings, Client, Response, TestServer};

const CL_AND_CHUNKED: &str = "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\n\
    Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
const CL_NOT_A_NUMBER: &str = "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: abc\r\n\r\n";
const CL_NEGATIVE: &str = "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: -1\r\n\r\n";
const BAD_CHUNK_SIZE: &str =
    "POST /echo HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
    zz\r\nhello\r\n0\r\n\r\n";

/// Sends `raw` on a fresh connection; returns the one response and whatever followed it
/// before the server closed the connection (which it must, within 2 s).
fn answer_then_close(server: &TestServer, raw: &str) -> (Response, String) {
    let mut client = server.connect();
    client.send(raw);
    let res = client.response();
    let rest = client.assert_closed_within(Duration::from_secs(2));
    (res, String::from_utf8_lossy(&rest).into_owned())
}

fn assert_400_and_closed(raw: &str) {
    let server = TestServer::start(settings());
    let (res, rest) = answer_then_close(&server, raw);
    assert_eq!(res.status, 400, "{res:?}");
    assert!(rest.is_empty(), "bytes after the 400: {rest:?}");
    // The server is fine afterwards.
    assert_eq!(server.connect().request(get("/hello")).status, 200);
}

#[test]
fn content_length_with_chunked_transfer_encoding_gets_400_and_close() {
    assert_400_and_closed(CL_AND_CHUNKED);
}

#[test]
fn non_numeric_content_length_gets_400_and_close() {
    assert_400_and_closed(CL_NOT_A_NUMBER);
}

#[test]
fn negative_content_length_gets_400_and_close() {
    assert_400_and_closed(CL_NEGATIVE);
}

#[test]
fn bad_chunk_size_gets_400_and_close() {
    assert_400_and_closed(BAD_CHUNK_SIZE);
}

#[test]
fn bad_chunk_size_gets_exactly_one_response() {
    let server = TestServer::start(settings());
    let (res, rest) = answer_then_close(&server, BAD_CHUNK_SIZE);
    assert_eq!(res.status, 400, "{res:?}");
    assert!(
        rest.is_empty(),
        "a second response followed the 400: {rest:?}"
    );
}

#[test]
fn malformed_request_answers_say_connection_close() {
    let server = TestServer::start(settings());
    for raw in [CL_AND_CHUNKED, CL_NOT_A_NUMBER, CL_NEGATIVE, BAD_CHUNK_SIZE] {
        let (res, _) = answer_then_close(&server, raw);
        assert_eq!(res.status, 400, "{raw:?}: {res:?}");
        assert!(
            res.says_close(),
            "{raw:?} was answered without Connection: close: {res:?}"
        );
    }
}

/// Asserts that `client` is still open and answers `GET /hello`.
fn assert_still_serving(client: &mut Client) {
    let res = client.request(get("/hello"));
    assert_eq!((res.status, res.text().as_str()), (200, "hello"), "{res:?}");
    assert!(!res.says_close(), "{res:?}");
}

#[test]
fn application_4xx_keeps_the_connection_open() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let res = client.request(get("/no-such-page"));
    assert_eq!(res.status, 404, "{res:?}");
    assert!(!res.says_close(), "{res:?}");
    assert_still_serving(&mut client);
    // A method mismatch (POST to a GET route; `App::route` has no 405, so 404), with a body
    // nobody reads: the engine reads it, and the connection stays usable.
    let post = "POST /fail HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\n\r\nhello";
    let res = client.request(post);
    assert_eq!(res.status, 404, "{res:?}");
    assert!(!res.says_close(), "{res:?}");
    assert_still_serving(&mut client);
    let stats = server.stats_when(|s| s.requests == 4);
    assert_eq!((stats.accepted, stats.requests), (1, 4), "{stats:?}");
}

#[test]
fn application_5xx_keeps_the_connection_open_and_hides_details() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let res = client.request(get("/fail"));
    assert_eq!(res.status, 500, "{res:?}");
    assert!(!res.says_close(), "{res:?}");
    assert_eq!(res.text(), "服务器内部错误 / Internal Server Error");
    assert_still_serving(&mut client);
}

#[test]
fn a_deliberate_5xx_body_reaches_the_client_as_built() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    let res = client.request(get("/stopping"));
    assert_eq!(res.status, 503, "{res:?}");
    let json: serde_json::Value = serde_json::from_str(&res.text()).expect("the JSON envelope");
    assert_eq!(json["error"]["code"], "shutting_down", "{json}");
    assert_still_serving(&mut client);
}

#[test]
fn application_5xx_shows_details_with_expose_tracebacks() {
    let server = TestServer::with(|s| s.expose_tracebacks = true);
    let mut client = server.connect();
    let res = client.request(get("/fail"));
    assert_eq!(res.status, 500, "{res:?}");
    assert!(res.text().contains("secret detail"), "{}", res.text());
    assert_still_serving(&mut client);
}

#[test]
fn panicking_handler_gets_500_and_close_and_the_worker_survives() {
    let server = TestServer::start(settings());
    let (res, rest) = answer_then_close(&server, &get("/panic"));
    assert_eq!(res.status, 500, "{res:?}");
    assert!(res.says_close(), "{res:?}");
    assert!(!res.text().contains("secret panic"), "{}", res.text());
    assert!(rest.is_empty(), "{rest:?}");
    // The worker survived: new connections are served.
    for _ in 0..4 {
        assert_still_serving(&mut server.connect());
    }
}
