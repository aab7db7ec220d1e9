//! `connection_limit`: a newcomer at the limit reclaims the longest-idle channel, or gets an
//! immediate `503` when every channel is busy; never a silent hang.

use std::thread;
use std::time::{Duration, Instant};

use crate::support::{eventually, get, Client, TestServer};

const LIMIT: usize = 3;

fn limited_server() -> TestServer {
    TestServer::with(|s| s.connection_limit = LIMIT)
}

#[test]
fn newcomer_at_the_limit_reclaims_the_longest_idle_channel_and_is_served() {
    let server = limited_server();
    // 30 ms apart, so that "longest idle" is clear at the engine's millisecond resolution.
    let mut idle: Vec<Client> = (0..LIMIT)
        .map(|_| {
            let mut client = server.connect();
            assert_eq!(client.request(get("/hello")).status, 200);
            thread::sleep(Duration::from_millis(30));
            client
        })
        .collect();
    let mut newcomer = server.connect();
    let res = newcomer.request(get("/hello"));
    assert_eq!((res.status, res.text().as_str()), (200, "hello"));
    let stats = server.stats_when(|s| s.reclaimed >= 1);
    assert_eq!((stats.reclaimed, stats.refused), (1, 0), "{stats:?}");
    // The first connection was idle longest: it is the one closed.
    idle[0].assert_closed_within(Duration::from_secs(2));
    for client in &mut idle[1..] {
        assert_eq!(client.request(get("/hello")).status, 200);
    }
}

#[test]
fn newcomer_at_the_limit_with_every_channel_busy_gets_503_at_once() {
    let server = limited_server();
    let mut busy: Vec<Client> = (0..LIMIT)
        .map(|_| {
            let mut client = server.connect();
            client.send(get("/sleep/1500"));
            client
        })
        .collect();
    // All three requests are in the handler before the newcomer knocks.
    assert!(eventually(Duration::from_secs(2), || server
        .stats()
        .requests
        == 3));
    let started = Instant::now();
    let mut newcomer = server.connect();
    newcomer.send(get("/hello"));
    let res = newcomer
        .try_response(Duration::from_secs(3), false)
        .expect("a 503, not a hang");
    let took = started.elapsed();
    assert_eq!(res.status, 503, "{res:?}");
    assert!(took < Duration::from_millis(1200), "503 took {took:?}");
    assert!(res.header("retry-after").is_some(), "{res:?}");
    assert!(res.says_close(), "{res:?}");
    newcomer.assert_closed_within(Duration::from_secs(2));
    assert!(server.stats().refused >= 1);
    for client in &mut busy {
        assert_eq!(client.response().text(), "slept 1500");
    }
    // Once the busy channels are idle, a newcomer is served again (by reclaiming one).
    let res = server.connect().request(get("/hello"));
    assert_eq!(res.status, 200, "{res:?}");
}

#[test]
fn connections_refused_with_503_are_not_counted_as_accepted() {
    let server = TestServer::with(|s| s.connection_limit = 1);
    let mut busy = server.connect();
    busy.send(get("/sleep/800"));
    assert!(eventually(Duration::from_secs(2), || server
        .stats()
        .requests
        == 1));
    assert_eq!(server.connect().request(get("/hello")).status, 503);
    let stats = server.stats_when(|s| s.refused == 1);
    assert_eq!((stats.accepted, stats.refused), (1, 1), "{stats:?}");
    assert_eq!(busy.response().status, 200);
}
