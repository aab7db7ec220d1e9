//! A corpus of broken requests: request lines, headers, `Content-Length`, `Transfer-Encoding`,
//! chunked bodies and request-smuggling attempts, each with its exact expected outcome.
//!
//! `malformed.rs` proves the basics (CL+TE, non-numeric and negative `Content-Length`, a bad
//! chunk size, `Connection: close` on every parse error); this table goes wide instead. Every
//! case is sent whole on a fresh connection, and everything the server sends until it closes is
//! read and split into responses, so a second response (to a smuggled request) cannot go
//! unnoticed. Most head-level cases carry a valid pipelined `GET /big/9` behind the broken
//! request: it must never be answered. A case the application answers with an error of its own
//! (a 404) keeps the connection, so it carries a request with `Connection: close` behind it,
//! which must be answered. After the whole corpus the server still answers a normal request.
//!
//! Tests at the end cover RFC 9112 §9.6: a request pipelined behind an answer that says
//! `Connection: close` (a panic, a broken body, or a client's own `close`) is never answered.
//! Stock actix-http answers it; the engine's Track service holds it back and the channel is cut.
//! A request pipelined behind an application's 4xx/5xx is answered, in order.
//!
//! Who answers matters for the headers: actix-http's parser refuses a broken head itself (`400`,
//! or `431` when the head overflows its 128 KiB buffer or has more than 96 headers) with an empty
//! body, `Connection: close` and no `Server` header, because the application and the engine's
//! service never see the request. Everything the engine or the application answers carries
//! `Server: {ident}`.

use std::time::{Duration, Instant};

use crate::support::{get, parse_responses, Response, TestServer};

const IDENT: &str = "storeboard-corpus";

/// A valid request behind a broken one; its answer would be `xxxxxxxxx` and must never come.
const SMUGGLED: &str = "GET /big/9 HTTP/1.1\r\nHost: e2e\r\n\r\n";

/// `max_request_body_size` of the corpus server.
const BODY_LIMIT: u64 = 1000;

/// How long a case may take to be answered and closed.
const CASE_LIMIT: Duration = Duration::from_secs(3);

/// What the server must do with one case.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Exactly one response with this status, from actix-http's parser (empty body, no
    /// `Server` header), then the connection is closed.
    Parser(u16),
    /// Exactly one response with this status, from the engine or the application (with the
    /// `Server` header and `Connection: close`), then the connection is closed.
    Engine(u16),
    /// These responses, in order, with these bodies, then the connection is closed (the case
    /// asks for that with `Connection: close` on its last request).
    Served(&'static [(u16, &'static str)]),
}

struct Case {
    name: &'static str,
    raw: Vec<u8>,
    expect: Expect,
}

fn case(name: &'static str, raw: impl Into<Vec<u8>>, expect: Expect) -> Case {
    Case {
        name,
        raw: raw.into(),
        expect,
    }
}

/// A broken head with the smuggled request pipelined behind it.
fn head(name: &'static str, raw: &str, expect: Expect) -> Case {
    case(name, format!("{raw}{SMUGGLED}"), expect)
}

/// `POST /echo` (answers the body's length) with chunked coding, the given extra header lines
/// and the raw `body`, then (unless it is to be served) the smuggled request.
fn chunked(name: &'static str, extra: &str, body: &str, expect: Expect) -> Case {
    chunked_as(name, "chunked", extra, body, expect)
}

/// [`chunked`] with `Transfer-Encoding: {te}`. A case that is served (and asks for a close)
/// has nothing pipelined behind it: see
/// [`no_request_pipelined_behind_connection_close_is_answered`].
fn chunked_as(name: &'static str, te: &str, extra: &str, body: &str, expect: Expect) -> Case {
    let smuggled = if matches!(expect, Expect::Served(_)) {
        ""
    } else {
        SMUGGLED
    };
    let raw = format!(
        "POST /echo HTTP/1.1\r\nHost: e2e\r\n{extra}Transfer-Encoding: {te}\r\n\r\n{body}{smuggled}"
    );
    case(name, raw, expect)
}

/// `POST /echo` with the given `Content-Length` header line(s) and body.
fn with_length(name: &'static str, lines: &str, body: &str, expect: Expect) -> Case {
    let raw = format!("POST /echo HTTP/1.1\r\nHost: e2e\r\n{lines}\r\n{body}{SMUGGLED}");
    case(name, raw, expect)
}

const BAD: Expect = Expect::Parser(400);
const OK_HELLO: Expect = Expect::Served(&[(200, "hello")]);
const OK_FIVE: Expect = Expect::Served(&[(200, "5")]);
/// The application's (empty) 404, then the answer to [`HELLO_CLOSE`].
const NOT_FOUND_THEN_HELLO: Expect = Expect::Served(&[(404, ""), (200, "hello")]);

/// A valid request asking to close, behind a case the application answers with an error.
const HELLO_CLOSE: &str = "GET /hello HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n";

fn request_line_cases() -> Vec<Case> {
    let tail = "\r\nHost: e2e\r\n\r\n";
    let mut cases: Vec<Case> = [
        ("method_with_a_non_token_char", "G@T /hello HTTP/1.1"),
        ("method_with_a_nul", "GE\0T /hello HTTP/1.1"),
        ("empty_method", " /hello HTTP/1.1"),
        ("two_spaces_after_the_method", "GET  /hello HTTP/1.1"),
        ("tab_instead_of_space", "GET\t/hello HTTP/1.1"),
        ("no_space_before_the_version", "GET /helloHTTP/1.1"),
        ("space_after_the_version", "GET /hello HTTP/1.1 "),
        ("no_request_target", "GET HTTP/1.1"),
        ("http_0_9_request_line", "GET /hello"),
        ("http_2_0_request_line_on_h1", "GET /hello HTTP/2.0"),
        ("http_1_2", "GET /hello HTTP/1.2"),
        ("lower_case_version", "GET /hello http/1.1"),
        ("version_without_minor", "GET /hello HTTP/1"),
        ("nul_in_the_target", "GET /hel\0lo HTTP/1.1"),
        ("space_in_the_target", "GET /hel lo HTTP/1.1"),
        ("raw_utf8_in_the_target", "GET /你好 HTTP/1.1"),
        ("absolute_form_without_a_host", "GET http:///hello HTTP/1.1"),
    ]
    .into_iter()
    .map(|(name, line)| head(name, &format!("{line}{tail}"), BAD))
    .collect();
    cases.extend([
        // The HTTP/2 connection preface sent to an HTTP/1 server.
        head(
            "http2_prior_knowledge_preface",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            BAD,
        ),
        case(
            "invalid_utf8_in_the_target",
            [
                &b"GET /\xff\xfe HTTP/1.1\r\nHost: e2e\r\n\r\n"[..],
                SMUGGLED.as_bytes(),
            ]
            .concat(),
            BAD,
        ),
        // Valid syntax, no such route: the application's 404, and the connection is kept for
        // the request behind it (see
        // `a_request_pipelined_behind_an_application_error_is_answered_in_order`).
        case(
            "percent_encoded_invalid_utf8",
            format!("{}{HELLO_CLOSE}", get("/%ff%fe")),
            NOT_FOUND_THEN_HELLO,
        ),
        // Methods are case-sensitive: `get` is an extension method, and /big/{n} is GET only.
        case(
            "lower_case_method",
            format!("get /big/9 HTTP/1.1\r\nHost: e2e\r\n\r\n{HELLO_CLOSE}"),
            NOT_FOUND_THEN_HELLO,
        ),
        // The http crate checks only that a port is digits; the request is routed by its path.
        case(
            "absolute_form_with_a_port_over_65535",
            "GET http://e2e:99999/hello HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n",
            OK_HELLO,
        ),
        // The absolute form is routed by its path; Host and the authority are not compared.
        case(
            "absolute_form",
            "GET http://elsewhere.example/hello HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n",
            OK_HELLO,
        ),
        // RFC 9112 §2.2: a server may accept a bare LF as a line terminator; httparse does.
        case(
            "bare_lf_line_endings",
            "GET /hello HTTP/1.1\nHost: e2e\nConnection: close\n\n",
            OK_HELLO,
        ),
        // RFC 9112 §2.2: empty lines before the request line are ignored.
        case(
            "empty_lines_before_the_request_line",
            "\r\n\r\nGET /hello HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n",
            OK_HELLO,
        ),
        // Over actix-http's 128 KiB head buffer: its own 431.
        case(
            "overlong_request_target",
            format!(
                "GET /{} HTTP/1.1\r\nHost: e2e\r\n\r\n",
                "t".repeat(200 * 1024)
            ),
            Expect::Parser(431),
        ),
    ]);
    cases
}

fn header_cases() -> Vec<Case> {
    let start = "GET /hello HTTP/1.1\r\nHost: e2e\r\n";
    let mut cases: Vec<Case> = [
        ("header_without_a_colon", "NoColon\r\n"),
        ("space_before_the_colon", "X-Spaced : 1\r\n"),
        (
            "obs_fold_continuation_with_a_space",
            "X-Folded: a\r\n b\r\n",
        ),
        ("obs_fold_continuation_with_a_tab", "X-Folded: a\r\n\tb\r\n"),
        ("nul_in_a_header_value", "X-Nul: a\0b\r\n"),
        ("cr_inside_a_header_value", "X-Cr: a\rb\r\n"),
        ("empty_header_name", ": value\r\n"),
        ("header_name_with_a_non_token_char", "X(Bad): 1\r\n"),
        ("header_name_with_utf8", "X-é: 1\r\n"),
        ("second_host_header", "Host: other\r\n"),
    ]
    .into_iter()
    .map(|(name, line)| head(name, &format!("{start}{line}\r\n"), BAD))
    .collect();
    let many = |n: usize| {
        (0..n)
            .map(|i| format!("X-H{i}: {i}\r\n"))
            .collect::<String>()
    };
    cases.extend([
        head("http_1_1_without_host", "GET /hello HTTP/1.1\r\n\r\n", BAD),
        // A bare LF ends a header line (see bare_lf_line_endings): the value is cut there and
        // what follows is a header of its own.
        case(
            "lf_inside_a_header_value",
            "GET /hello HTTP/1.1\r\nHost: e2e\r\nX-Lf: a\nX-Injected: b\r\nConnection: close\r\n\r\n",
            OK_HELLO,
        ),
        // obs-text (bytes 0x80-0xFF) is allowed in field values (RFC 9110 §5.5).
        case(
            "obs_text_in_a_header_value",
            [
                &b"GET /hello HTTP/1.1\r\nHost: e2e\r\nX-Latin: caf\xe9\r\n"[..],
                b"Connection: close\r\n\r\n",
            ]
            .concat(),
            OK_HELLO,
        ),
        // actix-http parses at most 96 headers: Host, 94 more and Connection is exactly that.
        case(
            "ninety_six_headers",
            format!("{start}{}Connection: close\r\n\r\n", many(94)),
            OK_HELLO,
        ),
        head(
            "ninety_seven_headers",
            &format!("{start}{}\r\n", many(96)),
            Expect::Parser(431),
        ),
        case(
            "overlong_header_line",
            format!("{start}X-Long: {}\r\n\r\n", "v".repeat(200 * 1024)),
            Expect::Parser(431),
        ),
    ]);
    cases
}

fn content_length_cases() -> Vec<Case> {
    vec![
        with_length(
            "content_length_over_u64",
            "Content-Length: 99999999999999999999999\r\n",
            "",
            BAD,
        ),
        // Parses, but is over max_request_body_size: the engine's 413 before any body is read.
        with_length(
            "content_length_u64_max",
            "Content-Length: 18446744073709551615\r\n",
            "",
            Expect::Engine(413),
        ),
        with_length("content_length_with_a_plus", "Content-Length: +5\r\n", "hello", BAD),
        with_length("content_length_in_hex", "Content-Length: 0x5\r\n", "hello", BAD),
        with_length("content_length_list", "Content-Length: 5, 5\r\n", "hello", BAD),
        with_length("empty_content_length", "Content-Length:\r\n", "hello", BAD),
        with_length(
            "content_length_with_a_decimal_point",
            "Content-Length: 5.0\r\n",
            "hello",
            BAD,
        ),
        // Duplicates are refused even when they agree (RFC 9110 §8.6 allows either).
        with_length(
            "two_equal_content_lengths",
            "Content-Length: 5\r\nContent-Length: 5\r\n",
            "hello",
            BAD,
        ),
        with_length(
            "two_different_content_lengths",
            "Content-Length: 5\r\nContent-Length: 6\r\n",
            "hello!",
            BAD,
        ),
        // 1*DIGIT: leading zeros are a valid length.
        case(
            "content_length_with_leading_zeros",
            "POST /echo HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\nContent-Length: 005\r\n\r\nhello",
            OK_FIVE,
        ),
        // Over max_request_body_size: refused before reading, and the body (a request, then
        // padding) is never parsed as a request.
        case(
            "body_over_the_limit_holding_a_request",
            format!(
                "POST /echo HTTP/1.1\r\nHost: e2e\r\nContent-Length: {}\r\n\r\n{SMUGGLED}{}",
                SMUGGLED.len() + 2000,
                "p".repeat(2000)
            ),
            Expect::Engine(413),
        ),
        // `Content-Length: 0` on a GET, "body" after it: those bytes are the next request.
        case(
            "content_length_zero_then_a_pipelined_request",
            "GET /hello HTTP/1.1\r\nHost: e2e\r\nContent-Length: 0\r\n\r\n\
             GET /hello HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n",
            Expect::Served(&[(200, "hello"), (200, "hello")]),
        ),
        // A body that looks like a request is body: skipped, never answered as /big/9.
        case(
            "body_that_looks_like_a_request",
            format!(
                "GET /hello HTTP/1.1\r\nHost: e2e\r\nContent-Length: {}\r\n\r\n{SMUGGLED}\
                 GET /hello HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n",
                SMUGGLED.len()
            ),
            Expect::Served(&[(200, "hello"), (200, "hello")]),
        ),
        // Content-Length: 0 with garbage behind it: the garbage is a (broken) next request.
        case(
            "content_length_zero_then_garbage",
            "GET /hello HTTP/1.1\r\nHost: e2e\r\nContent-Length: 0\r\n\r\n\x01\x02garbage\r\n\r\n",
            Expect::Served(&[(200, "hello"), (400, "")]),
        ),
    ]
}

fn transfer_encoding_cases() -> Vec<Case> {
    let body = "5\r\nhello\r\n0\r\n\r\n";
    let mut cases: Vec<Case> = [
        ("transfer_encoding_then_content_length", "Content-Length: 5\r\n"),
        ("transfer_encoding_twice", "Transfer-Encoding: chunked\r\n"),
        (
            "transfer_encoding_chunked_and_identity_lines",
            "Transfer-Encoding: identity\r\n",
        ),
    ]
    .into_iter()
    .map(|(name, after)| {
        let raw = format!(
            "POST /echo HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n{after}\r\n{body}{SMUGGLED}"
        );
        case(name, raw, BAD)
    })
    .collect();
    cases.extend(
        [
            ("transfer_encoding_xchunked", "xchunked"),
            (
                "transfer_encoding_chunked_identity_list",
                "chunked, identity",
            ),
            (
                "transfer_encoding_identity_chunked_list",
                "identity, chunked",
            ),
            ("transfer_encoding_identity_only", "identity"),
            ("transfer_encoding_gzip_chunked", "gzip, chunked"),
            ("transfer_encoding_chunked_with_a_quote", "\"chunked\""),
        ]
        .into_iter()
        .map(|(name, value)| chunked_as(name, value, "", body, BAD)),
    );
    cases.extend([
        head(
            "transfer_encoding_with_a_space_before_the_colon",
            &format!(
                "POST /echo HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding : chunked\r\n\r\n{body}"
            ),
            BAD,
        ),
        head(
            "transfer_encoding_obs_folded",
            &format!(
                "POST /echo HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding:\r\n chunked\r\n\r\n{body}"
            ),
            BAD,
        ),
        head(
            "transfer_encoding_on_http_1_0",
            &format!(
                "POST /echo HTTP/1.0\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n{body}"
            ),
            BAD,
        ),
        head(
            "http_1_0_post_without_content_length",
            "POST /echo HTTP/1.0\r\nHost: e2e\r\n\r\n",
            BAD,
        ),
        // Transfer codings are case-insensitive (RFC 9112 §7), and OWS before a value is fine.
        chunked_as(
            "transfer_encoding_upper_case",
            "CHUNKED",
            "Connection: close\r\n",
            body,
            OK_FIVE,
        ),
        chunked_as(
            "transfer_encoding_after_a_tab",
            "\tchunked",
            "Connection: close\r\n",
            body,
            OK_FIVE,
        ),
    ]);
    cases
}

fn chunked_body_cases() -> Vec<Case> {
    let close = "Connection: close\r\n";
    // The head is fine, so the request reaches the application; actix-http finds the broken
    // body only as the handler reads it, and the handler's extractor answers 400 (with the
    // `Server` header, through the engine, which closes: the body could not be read to its
    // end). The bytes behind it are never parsed.
    let mut cases: Vec<Case> = [
        (
            "chunk_size_over_u64",
            "10000000000000000\r\nhello\r\n0\r\n\r\n",
        ),
        ("negative_chunk_size", "-5\r\nhello\r\n0\r\n\r\n"),
        ("chunk_size_in_0x_form", "0x5\r\nhello\r\n0\r\n\r\n"),
        ("empty_chunk_size_line", "\r\nhello\r\n0\r\n\r\n"),
        ("chunk_longer_than_its_size", "3\r\nhello\r\n0\r\n\r\n"),
        ("chunk_without_its_crlf", "5\r\nhello0\r\n\r\n"),
        ("chunk_lines_ended_by_bare_lf", "5\nhello\n0\n\n"),
        (
            "control_char_in_a_chunk_extension",
            "5;\x01\r\nhello\r\n0\r\n\r\n",
        ),
        ("chunk_size_then_garbage", "5 x\r\nhello\r\n0\r\n\r\n"),
    ]
    .into_iter()
    .map(|(name, body)| chunked(name, "", body, Expect::Engine(400)))
    .collect();
    cases.extend([
        // Chunk extensions are valid (RFC 9112 §7.1.1) and ignored.
        chunked(
            "chunk_extension",
            close,
            "5;name=value\r\nhello\r\n0;last\r\n\r\n",
            OK_FIVE,
        ),
        // actix-http allows whitespace after the chunk size.
        chunked(
            "space_after_the_chunk_size",
            close,
            "5 \r\nhello\r\n0\r\n\r\n",
            OK_FIVE,
        ),
        chunked(
            "trailer_after_the_last_chunk",
            close,
            "5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n",
            OK_FIVE,
        ),
        // The last chunk without its final CRLF: the pipelined request behind it is read as
        // trailer lines, up to its blank line. Swallowed, never answered.
        case(
            "last_chunk_without_the_final_crlf",
            format!(
                "POST /echo HTTP/1.1\r\nHost: e2e\r\n{close}Transfer-Encoding: chunked\r\n\r\n\
                 5\r\nhello\r\n0\r\n{SMUGGLED}"
            ),
            OK_FIVE,
        ),
        // A broken body sent to a handler that never reads it: the engine reads what the
        // handler left, finds the broken chunk, answers 400 instead of the handler's 200, and
        // closes.
        case(
            "bad_chunk_to_a_handler_that_ignores_the_body",
            format!(
                "POST /hello HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
                 zz\r\nhello\r\n0\r\n\r\n{SMUGGLED}"
            ),
            Expect::Engine(400),
        ),
        // The same with a handler that answers only later (`/sleep/{ms}` ignores its body): the
        // broken chunk is found while it still runs, and the 400 still goes out.
        case(
            "bad_chunk_to_a_slow_handler_that_ignores_the_body",
            format!(
                "GET /sleep/50 HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
                 zz\r\nhello\r\n0\r\n\r\n{SMUGGLED}"
            ),
            Expect::Engine(400),
        ),
        case(
            "chunked_body_over_the_limit_to_a_slow_handler_that_ignores_it",
            format!(
                "GET /sleep/50 HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
                 258\r\n{pad}\r\n258\r\n{pad}\r\n0\r\n\r\n{SMUGGLED}",
                pad = "p".repeat(0x258)
            ),
            Expect::Engine(413),
        ),
        // On a GET, and with the broken chunk after a good one.
        case(
            "bad_chunk_in_a_get_body",
            format!(
                "GET /hello HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
                 zz\r\nhello\r\n0\r\n\r\n{SMUGGLED}"
            ),
            Expect::Engine(400),
        ),
        case(
            "bad_second_chunk_to_a_handler_that_ignores_the_body",
            format!(
                "POST /hello HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
                 5\r\nhello\r\n5 x\r\nhello\r\n0\r\n\r\n{SMUGGLED}"
            ),
            Expect::Engine(400),
        ),
        // Over max_request_body_size in chunks to a handler that never reads them: 413, never
        // the handler's 200, then closed.
        case(
            "chunked_body_over_the_limit_to_a_handler_that_ignores_it",
            format!(
                "POST /hello HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
                 258\r\n{pad}\r\n258\r\n{pad}\r\n0\r\n\r\n{SMUGGLED}",
                pad = "p".repeat(0x258)
            ),
            Expect::Engine(413),
        ),
        // A well-formed chunked body within the limit that the handler ignores is skipped: the
        // request behind it is answered, and the body is never read as one.
        case(
            "chunked_body_to_a_handler_that_ignores_it",
            format!(
                "POST /hello HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
                 {len:x}\r\n{SMUGGLED}\r\n0\r\n\r\n{HELLO_CLOSE}",
                len = SMUGGLED.len()
            ),
            Expect::Served(&[(200, "hello"), (200, "hello")]),
        ),
    ]);
    cases
}

fn corpus() -> Vec<Case> {
    [
        request_line_cases(),
        header_cases(),
        content_length_cases(),
        transfer_encoding_cases(),
        chunked_body_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What one case got: the responses, the bytes after them, and whether the server closed.
struct Seen {
    data: Vec<u8>,
    responses: Vec<Response>,
    rest: Vec<u8>,
    closed: bool,
}

fn run(server: &TestServer, raw: &[u8]) -> Seen {
    let mut client = server.connect();
    // A write may fail when the server has refused the head and closed before reading it all
    // (the 200 KiB cases); what it answered is still readable.
    let _ = client.try_send(raw);
    let ending = client.until_close(CASE_LIMIT);
    let (responses, rest) = parse_responses(&ending.data);
    Seen {
        data: ending.data,
        responses,
        rest,
        closed: ending.closed_at.is_some(),
    }
}

/// Why `seen` does not match `expect`, if it does not.
fn mismatch(expect: Expect, seen: &Seen) -> Option<String> {
    let statuses: Vec<u16> = seen.responses.iter().map(|r| r.status).collect();
    if seen.responses.iter().any(|r| r.text() == "xxxxxxxxx") {
        return Some("the pipelined GET /big/9 behind it was answered".to_owned());
    }
    if !seen.closed {
        return Some(format!("not closed within {CASE_LIMIT:?}"));
    }
    if !seen.rest.is_empty() {
        return Some(format!(
            "unparsed bytes after the responses: {:?}",
            String::from_utf8_lossy(&seen.rest)
        ));
    }
    let (status, by_parser) = match expect {
        Expect::Served(want) => {
            let got: Vec<(u16, String)> = seen
                .responses
                .iter()
                .map(|r| (r.status, r.text()))
                .collect();
            let want: Vec<(u16, String)> =
                want.iter().map(|(s, b)| (*s, (*b).to_owned())).collect();
            return (got != want).then(|| format!("responses {got:?}, expected {want:?}"));
        }
        Expect::Parser(status) => (status, true),
        Expect::Engine(status) => (status, false),
    };
    let [res] = seen.responses.as_slice() else {
        return Some(format!(
            "{} responses {statuses:?}, expected one",
            statuses.len()
        ));
    };
    if res.status != status {
        return Some(format!("status {}, expected {status}: {res:?}", res.status));
    }
    if !res.says_close() {
        return Some(format!("no Connection: close: {res:?}"));
    }
    let server = res.header("server");
    match (by_parser, server) {
        (true, None) if res.body.is_empty() => None,
        (false, Some(IDENT)) => None,
        _ => Some(format!(
            "expected the answer of {}: {res:?}",
            if by_parser {
                "actix-http's parser"
            } else {
                "the engine"
            }
        )),
    }
}

/// The server every case runs against: the test settings, [`IDENT`], [`BODY_LIMIT`].
fn corpus_server() -> TestServer {
    TestServer::with(|s| {
        s.ident = IDENT.to_owned();
        s.max_request_body_size = BODY_LIMIT;
    })
}

#[test]
fn every_case_of_the_malformed_corpus_gets_its_exact_answer_and_a_close() {
    let started = Instant::now();
    let server = corpus_server();
    let corpus = corpus();
    let mut failures = Vec::new();
    for case in &corpus {
        let seen = run(&server, &case.raw);
        if let Some(why) = mismatch(case.expect, &seen) {
            let sent = String::from_utf8_lossy(&case.raw);
            let got = String::from_utf8_lossy(&seen.data);
            failures.push(format!(
                "{}: {why}\n    sent {:?}\n    got  {:?}",
                case.name,
                sent.chars().take(300).collect::<String>(),
                got.chars().take(600).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
    // Still serving, and every case had a connection of its own.
    let mut client = server.connect();
    let res = client.request(get("/hello"));
    assert_eq!((res.status, res.text().as_str()), (200, "hello"));
    let stats = server.stats_when(|s| s.accepted == corpus.len() as u64 + 1);
    assert_eq!(stats.accepted, corpus.len() as u64 + 1, "{stats:?}");
    assert_eq!((stats.refused, stats.reclaimed), (0, 0), "{stats:?}");
    println!(
        "malformed corpus: {} cases in {:?}",
        corpus.len(),
        started.elapsed()
    );
}

/// Sends each request on a fresh connection; panics listing every one that does not get its
/// expected outcome, with the exact bytes sent and received.
fn assert_outcomes(server: &TestServer, cases: &[(String, Expect)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(raw, expect)| {
            let seen = run(server, raw.as_bytes());
            mismatch(*expect, &seen).map(|why| {
                format!(
                    "{why} (closed: {})\n    sent {raw:?}\n    got  {:?}",
                    seen.closed,
                    String::from_utf8_lossy(&seen.data)
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An application's own 4xx/5xx to a request that was read completely keeps the connection:
/// a request pipelined behind it (actix-http has parsed it already) is answered, in order.
#[test]
fn a_request_pipelined_behind_an_application_error_is_answered_in_order() {
    let server = corpus_server();
    assert_outcomes(
        &server,
        &[
            (
                format!("{}{HELLO_CLOSE}", get("/no-such-page")),
                NOT_FOUND_THEN_HELLO,
            ),
            (
                format!("{}{HELLO_CLOSE}", get("/fail")),
                Expect::Served(&[
                    (500, "服务器内部错误 / Internal Server Error"),
                    (200, "hello"),
                ]),
            ),
            (
                format!("{}{}{HELLO_CLOSE}", get("/no-such-page"), get("/fail")),
                Expect::Served(&[
                    (404, ""),
                    (500, "服务器内部错误 / Internal Server Error"),
                    (200, "hello"),
                ]),
            ),
        ],
    );
}

/// RFC 9112 §9.6: a server that sends `close` must not process further requests on that
/// connection. The engine closes after a panicking handler's 500 and after a body it could not
/// read to its end; a request already pipelined behind it (actix-http has parsed it) never
/// reaches the app and is never answered. Stock `actix_web::HttpServer` answers it, and then even
/// keeps the connection open.
#[test]
fn no_request_pipelined_behind_a_closing_error_is_answered() {
    let server = corpus_server();
    let bad_chunk = "GET /hello HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n\
        zz\r\nhello\r\n0\r\n\r\n";
    assert_outcomes(
        &server,
        &[
            (format!("{}{SMUGGLED}", get("/panic")), Expect::Engine(500)),
            (format!("{bad_chunk}{SMUGGLED}"), Expect::Engine(400)),
        ],
    );
}

/// RFC 9112 §9.6: after the response to a request with `Connection: close` (or an HTTP/1.0
/// request without keep-alive) the server closes, and must not process further requests. Stock
/// `actix_web::HttpServer` (actix-http 3.20) answers a request pipelined behind it and keeps the
/// connection open (after a chunked body even the `close` in the first answer is lost); the
/// engine marks the first answer `close` and holds the second back.
#[test]
fn no_request_pipelined_behind_connection_close_is_answered() {
    let server = corpus_server();
    let chunked = format!(
        "POST /echo HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\
         Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n{SMUGGLED}"
    );
    assert_outcomes(
        &server,
        &[
            (
                format!("GET /hello HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n{SMUGGLED}"),
                OK_HELLO,
            ),
            (
                "GET /hello HTTP/1.0\r\n\r\nGET /big/9 HTTP/1.0\r\n\r\n".to_owned(),
                OK_HELLO,
            ),
            (chunked, OK_FIVE),
        ],
    );
}
