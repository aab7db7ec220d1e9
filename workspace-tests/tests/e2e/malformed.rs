//! Malformed requests get `400` and a closed connection; every error response (4xx/5xx) says
//! `Connection: close` and the connection is closed after it.

use std::time::Duration;

use crate::support::{get, settings, Response, TestServer};

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

#[test]
fn application_4xx_says_connection_close_and_closes() {
    let server = TestServer::start(settings());
    let (res, rest) = answer_then_close(&server, &get("/no-such-page"));
    assert_eq!(res.status, 404, "{res:?}");
    assert!(res.says_close(), "{res:?}");
    assert!(rest.is_empty(), "{rest:?}");
    // A 405-ish mismatch (POST to a GET route) is a client error too.
    let post = "POST /fail HTTP/1.1\r\nHost: e2e\r\nContent-Length: 0\r\n\r\n";
    let (res, _) = answer_then_close(&server, post);
    assert!(res.status >= 400 && res.status < 500, "{res:?}");
    assert!(res.says_close(), "{res:?}");
}

#[test]
fn application_5xx_says_connection_close_closes_and_hides_details() {
    let server = TestServer::start(settings());
    let (res, rest) = answer_then_close(&server, &get("/fail"));
    assert_eq!(res.status, 500, "{res:?}");
    assert!(res.says_close(), "{res:?}");
    assert!(!res.text().contains("secret detail"), "{}", res.text());
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn application_5xx_shows_details_with_expose_tracebacks() {
    let server = TestServer::with(|s| s.expose_tracebacks = true);
    let (res, _) = answer_then_close(&server, &get("/fail"));
    assert_eq!(res.status, 500, "{res:?}");
    assert!(res.text().contains("secret detail"), "{}", res.text());
}
