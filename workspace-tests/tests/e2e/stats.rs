//! The counters in `StatsSnapshot` and the `EngineInfo` extractor.

use crate::support::{get, settings, ureq_agent, TestServer};

#[test]
fn counters_grow_with_traffic() {
    let server = TestServer::start(settings());
    let zero = server.stats();
    assert_eq!(
        (zero.accepted, zero.requests, zero.bytes_in, zero.bytes_out),
        (0, 0, 0, 0)
    );
    let raw = get("/hello");
    let len = raw.len() as u64;
    let mut client = server.connect();
    assert_eq!(client.request(&raw).status, 200);
    let once = server.stats_when(|s| s.requests == 1 && s.bytes_out > 0);
    assert_eq!(
        (once.accepted, once.requests, once.bytes_in),
        (1, 1, len),
        "{once:?}"
    );
    assert!(
        once.bytes_out > "HTTP/1.1 200 OK\r\n\r\nhello".len() as u64,
        "{once:?}"
    );
    assert_eq!(client.request(&raw).status, 200);
    // The same request again: exactly the same bytes in and out once more.
    let twice = server.stats_when(|s| s.bytes_out == 2 * once.bytes_out);
    assert_eq!((twice.accepted, twice.requests), (1, 2), "{twice:?}");
    assert_eq!(twice.bytes_in, 2 * len, "{twice:?}");
    assert_eq!(twice.bytes_out, 2 * once.bytes_out, "{twice:?}");
    assert_eq!(
        (twice.socket_errors, twice.accept_errors),
        (0, 0),
        "{twice:?}"
    );
}

#[test]
fn open_channels_reflects_an_open_connection() {
    let server = TestServer::start(settings());
    let mut client = server.connect();
    assert_eq!(client.request(get("/hello")).status, 200);
    let open = server.stats_when(|s| s.open_total() == 1);
    assert_eq!(
        open.open_channels.len(),
        2,
        "one entry per worker: {open:?}"
    );
    assert_eq!(open.open_total(), 1, "{open:?}");
    drop(client);
    let closed = server.stats_when(|s| s.open_total() == 0);
    assert_eq!(closed.open_total(), 0, "{closed:?}");
}

#[test]
fn handlers_read_engine_info_through_the_extractor() {
    let server = TestServer::with(|s| s.ident = "storeboard-info".to_owned());
    let body = ureq_agent()
        .get(&server.url("/info"))
        .call()
        .expect("GET /info")
        .into_string()
        .expect("a text body");
    assert_eq!(body, format!("storeboard-info {}", server.addr));
    // The counters the handler saw are the ones the handle reads.
    let stats = server.stats_when(|s| s.requests == 1);
    assert_eq!(stats.requests, 1);
}
