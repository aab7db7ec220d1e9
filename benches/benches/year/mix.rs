//! The click mix: keep-alive clients with no think time switching tabs, stores and periods over
//! one month through the JSON API, as the issue describes it:
//! - 30% of requests: the last 7 days, all stores or one random store (half each), a random tab;
//! - 70%: a random tab, a random store 80% of the time (else all), a random range of 1, 3, 7, 14
//!   or 30 days within the month.
//!
//! Every request has a 5 s deadline; a timeout, a non-200 or an I/O error is counted (and the
//! connection reopened), never a panic.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::http::{Conn, Fail};

/// A request slower than this is a timeout (an error).
pub(crate) const DEADLINE: Duration = Duration::from_secs(5);
const TABS: [&str; 4] = ["overview", "today", "products", "timeslots"];
const RANGES: [i64; 5] = [1, 3, 7, 14, 30];

/// The month the mix runs over and who is in it.
#[derive(Debug, Clone)]
pub(crate) struct Month {
    pub(crate) stores: Vec<String>,
    pub(crate) first: NaiveDate,
    pub(crate) last: NaiveDate,
}

/// What the clients measured.
#[derive(Debug, Default)]
pub(crate) struct MixStats {
    pub(crate) requests: usize,
    pub(crate) seconds: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
    pub(crate) timeouts: u64,
    pub(crate) bad_status: u64,
    pub(crate) io_errors: u64,
    pub(crate) first_error: Option<String>,
    /// Per (tab, all stores or one, cache hit or not): what share of the requests they were and
    /// their latencies, the heaviest first: where the tail comes from.
    pub(crate) groups: Vec<Group>,
}

/// The requests of one kind in the mix.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// `products, all stores, miss`.
    pub(crate) label: String,
    pub(crate) requests: usize,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// Their share of all the requests slower than the mix's p99 (%).
    pub(crate) tail_pct: f64,
}

/// What one request was: tab index, all stores, answered from the cache.
type Kind = (usize, bool, Option<bool>);

impl MixStats {
    pub(crate) fn errors(&self) -> u64 {
        self.timeouts + self.bad_status + self.io_errors
    }

    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }
}

/// SplitMix64: a fixed seed per client, so runs send the same sequence.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

/// The next URL of the mix, and its tab's index and whether it asks for all stores.
fn next_url(rng: &mut Rng, month: &Month) -> (usize, bool, String) {
    let t = rng.below(4) as usize;
    let tab = TABS[t];
    let random_store =
        |rng: &mut Rng| month.stores[rng.below(month.stores.len() as u64) as usize].clone();
    let (store, from, to) = if rng.below(100) < 30 {
        let store = if rng.below(2) == 0 {
            String::new()
        } else {
            random_store(rng)
        };
        (store, month.last - chrono::Days::new(6), month.last)
    } else {
        let store = if rng.below(100) < 80 {
            random_store(rng)
        } else {
            String::new()
        };
        let span = (month.last - month.first).num_days() + 1;
        let days = RANGES[rng.below(RANGES.len() as u64) as usize].min(span);
        let from = month.first + chrono::Days::new(rng.below((span - days + 1) as u64));
        (store, from, from + chrono::Days::new(days as u64 - 1))
    };
    (t, store.is_empty(), crate::tab_url(tab, &store, from, to))
}

/// Runs `clients` clients for `seconds` against `addr`.
pub(crate) fn run(addr: SocketAddr, month: &Month, clients: usize, seconds: u64) -> MixStats {
    let month = Arc::new(month.clone());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let month = Arc::clone(&month);
            std::thread::spawn(move || client(addr, &month, c as u64, deadline))
        })
        .collect();
    let mut stats = MixStats::default();
    let mut latencies = Vec::new();
    let mut kinds: Vec<(f64, Kind)> = Vec::new();
    for worker in workers {
        match worker.join() {
            Ok((lat, part)) => {
                latencies.extend(lat.iter().map(|(ms, _)| *ms));
                kinds.extend(lat);
                stats.timeouts += part.timeouts;
                stats.bad_status += part.bad_status;
                stats.io_errors += part.io_errors;
                if stats.first_error.is_none() {
                    stats.first_error = part.first_error;
                }
            }
            Err(_) => {
                stats.io_errors += 1;
                stats
                    .first_error
                    .get_or_insert_with(|| "client thread panicked".to_owned());
            }
        }
    }
    stats.seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    stats.requests = latencies.len();
    stats.p50_ms = pick(0.5);
    stats.p99_ms = pick(0.99);
    stats.max_ms = latencies.last().copied().unwrap_or(0.0);
    stats.groups = groups(kinds, stats.p99_ms);
    stats
}

/// The requests grouped by [`Kind`], the groups with most of the tail first.
fn groups(mut kinds: Vec<(f64, Kind)>, p99: f64) -> Vec<Group> {
    let tail = kinds.iter().filter(|(ms, _)| *ms > p99).count().max(1);
    kinds.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.total_cmp(&b.0)));
    let mut out: Vec<Group> = kinds
        .chunk_by(|a, b| a.1 == b.1)
        .map(|g| {
            let (tab, all, hit) = g[0].1;
            let at = |p: f64| g[((g.len() - 1) as f64 * p).round() as usize].0;
            let hit = match hit {
                Some(true) => "hit",
                Some(false) => "miss",
                None => "?",
            };
            let scope = if all { "all stores" } else { "one store" };
            Group {
                label: format!("{}, {scope}, {hit}", TABS[tab]),
                requests: g.len(),
                p50_ms: at(0.5),
                p99_ms: at(0.99),
                tail_pct: g.iter().filter(|(ms, _)| *ms > p99).count() as f64 * 100.0 / tail as f64,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.tail_pct
            .total_cmp(&a.tail_pct)
            .then(b.requests.cmp(&a.requests))
    });
    out
}

/// One client: requests back to back until `deadline`; the latencies (ms) of the good ones with
/// what they were.
fn client(
    addr: SocketAddr,
    month: &Month,
    id: u64,
    deadline: Instant,
) -> (Vec<(f64, Kind)>, MixStats) {
    let mut rng = Rng(0x5EED_0000 + id * 7919);
    let mut conn = Conn::new(addr);
    let mut lat = Vec::new();
    let mut stats = MixStats::default();
    while Instant::now() < deadline {
        let (tab, all, url) = next_url(&mut rng, month);
        let sent = Instant::now();
        match conn.get(&url, DEADLINE, false) {
            Ok(answer) => lat.push((
                sent.elapsed().as_secs_f64() * 1000.0,
                (tab, all, answer.hit),
            )),
            Err(fail) => {
                match fail {
                    Fail::Timeout => stats.timeouts += 1,
                    Fail::Status(_) => stats.bad_status += 1,
                    Fail::Io(_) => stats.io_errors += 1,
                }
                stats.first_error.get_or_insert(format!("{url}: {fail}"));
            }
        }
    }
    (lat, stats)
}
