//! Uploads run beside other requests: two uploads to two stores at once both land, while the
//! store list and the health check keep answering.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use storeboard_fixtures as fx;

use crate::support::app::{expected_stores, Api, AppServer, Part};

/// Polls at most this many rounds (each a `GET /api/v1/stores` and a `GET /healthz`).
const MAX_ROUNDS: usize = 5_000;

/// What the polling thread saw.
#[derive(Debug, Default)]
struct Polls {
    rounds: usize,
    rounds_during_uploads: usize,
    max_health: Duration,
    max_stores: Duration,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

/// Calls `GET /api/v1/stores` and `GET /healthz` until `done` (and then once more), asserting
/// every answer.
fn poll(api: &Api, done: &AtomicBool) -> Polls {
    let mut polls = Polls::default();
    for _ in 0..MAX_ROUNDS {
        let finished = done.load(Ordering::Acquire);
        let (stores, took) = timed(|| api.get("/api/v1/stores"));
        assert_eq!(stores.status, 200, "{}", stores.text());
        assert!(stores.json().is_array(), "{}", stores.text());
        polls.max_stores = polls.max_stores.max(took);
        let (health, took) = timed(|| api.get("/healthz"));
        assert_eq!((health.status, health.text().as_str()), (200, "ok"));
        polls.max_health = polls.max_health.max(took);
        polls.rounds += 1;
        if finished {
            break;
        }
        polls.rounds_during_uploads += 1;
    }
    polls
}

fn store_spec(store: &str, seed: u64) -> fx::ExportSpec {
    fx::ExportSpec {
        stores: vec![store.to_owned()],
        days: 12,
        orders_per_store_day: 60,
        seed,
        ..fx::ExportSpec::default()
    }
}

#[test]
fn two_uploads_to_two_stores_at_once_both_land_while_health_checks_keep_answering() {
    let server = AppServer::start();
    let specs = [store_spec("并发甲店", 21), store_spec("并发乙店", 22)];
    let files: Vec<Vec<u8>> = specs.iter().map(fx::xlsx_bytes).collect();
    let done = AtomicBool::new(false);
    let start = Barrier::new(3);
    let api = Api::clone(&server);
    let (polls, took) = thread::scope(|s| {
        let poller = s.spawn(|| {
            start.wait();
            poll(&api, &done)
        });
        let uploads: Vec<_> = files
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let (api, start) = (api.clone(), &start);
                s.spawn(move || {
                    start.wait();
                    timed(|| api.upload_ok(&[Part::file(&format!("{i}.xlsx"), bytes.clone())]))
                })
            })
            .collect();
        let took: Vec<Duration> = uploads
            .into_iter()
            .map(|u| {
                let (records, took) = u.join().expect("an upload thread");
                assert_eq!(records.len(), 1);
                took
            })
            .collect();
        done.store(true, Ordering::Release);
        (poller.join().expect("the polling thread"), took)
    });
    println!("uploads took {took:?}; {polls:?}");
    let lines: Vec<fx::Line> = specs.iter().flat_map(fx::lines).collect();
    assert_eq!(server.stores(), expected_stores(&lines));
}
