//! Stopping through the `ServerHandle`: graceful drains in-flight requests (up to
//! `shutdown_timeout`) and stops accepting at once.

use std::thread;
use std::time::{Duration, Instant};

use crate::support::{block_on, eventually, get, settings, Client, TestServer, IO_TIMEOUT};

/// Allowance on every upper bound for scheduling delays on a busy machine.
const SLACK: Duration = Duration::from_millis(700);

fn connect_fails(server: &TestServer) -> bool {
    Client::try_connect(server.addr, Duration::from_millis(200)).is_err()
}

#[test]
fn graceful_stop_finishes_the_request_in_flight_and_refuses_new_connections() {
    let mut server = TestServer::start(settings());
    let mut client = server.connect();
    client.send(get("/sleep/1000"));
    assert!(eventually(Duration::from_secs(2), || server
        .stats()
        .requests
        == 1));
    let handle = server.handle.clone();
    let stopper = thread::spawn(move || block_on(IO_TIMEOUT, handle.stop(true)));
    // Listening stops at once, while the request is still being worked on.
    assert!(
        eventually(Duration::from_millis(500), || connect_fails(&server)),
        "new connections are still accepted during the drain"
    );
    let res = client.response();
    assert_eq!((res.status, res.text().as_str()), (200, "slept 1000"));
    assert!(res.says_close(), "{res:?}");
    assert!(
        stopper.join().expect("stopper thread").is_some(),
        "stop did not return"
    );
    assert_eq!(server.wait_stopped(Duration::from_secs(2)), Some(Ok(())));
    assert!(connect_fails(&server));
}

#[test]
fn graceful_stop_cuts_requests_longer_than_shutdown_timeout() {
    let shutdown_timeout = Duration::from_millis(500);
    let mut server = TestServer::with(|s| s.shutdown_timeout = shutdown_timeout);
    let mut client = server.connect();
    client.send(get("/sleep/10000"));
    assert!(eventually(Duration::from_secs(2), || server
        .stats()
        .requests
        == 1));
    let started = Instant::now();
    let stopped = block_on(IO_TIMEOUT, server.handle.stop(true));
    let took = started.elapsed();
    assert!(
        stopped.is_some(),
        "stop did not return within {IO_TIMEOUT:?}"
    );
    assert!(took >= shutdown_timeout, "stop took only {took:?}");
    assert!(took <= shutdown_timeout + SLACK, "stop took {took:?}");
    let ending = client.until_close(Duration::from_secs(2));
    assert!(
        ending.closed_at.is_some(),
        "still open: {:?}",
        ending.text()
    );
    assert!(!ending.text().contains("slept"), "{:?}", ending.text());
    assert_eq!(server.wait_stopped(Duration::from_secs(2)), Some(Ok(())));
}

#[test]
fn graceful_stop_closes_idle_keepalive_channels_without_waiting() {
    // shutdown_timeout is 2 s: a stop that waited for the idle channel would take that long.
    let mut server = TestServer::start(settings());
    let mut client = server.connect();
    assert_eq!(client.request(get("/hello")).status, 200);
    let started = Instant::now();
    assert!(block_on(IO_TIMEOUT, server.handle.stop(true)).is_some());
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "stop took {took:?}");
    client.assert_closed_within(Duration::from_secs(1));
    assert_eq!(server.wait_stopped(Duration::from_secs(2)), Some(Ok(())));
}

#[test]
fn forced_stop_cuts_requests_at_once() {
    let mut server = TestServer::start(settings());
    let mut client = server.connect();
    client.send(get("/sleep/10000"));
    assert!(eventually(Duration::from_secs(2), || server
        .stats()
        .requests
        == 1));
    let started = Instant::now();
    assert!(block_on(IO_TIMEOUT, server.handle.stop(false)).is_some());
    assert!(
        started.elapsed() < SLACK,
        "forced stop took {:?}",
        started.elapsed()
    );
    client.assert_closed_within(Duration::from_secs(1));
    assert_eq!(server.wait_stopped(Duration::from_secs(2)), Some(Ok(())));
}
