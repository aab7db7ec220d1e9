//! `GET /api/v1/tabs/{tab}` of the real application on `127.0.0.1:0`: the overview's contract
//! names and figures (checked byte for byte against `storeboard_analytics::overview` over the
//! server's own snapshots), the default period, 404/400/empty answers, the cache and its
//! invalidation by an upload, and per-request filters under concurrent requests.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::{mpsc, Arc, Barrier, Mutex};
use std::thread::{self, JoinHandle};

use chrono::{Duration, NaiveDate};
use serde_json::Value;
use storeboard::mode::Mode;
use storeboard_analytics::{Business, Filters, Period};
use storeboard_data::OrderStore;
use storeboard_engine::{Engine, ServerHandle};
use storeboard_fixtures as fx;
use storeboard_tabs::{TabsState, CACHE_HEADER};
use storeboard_upload::UploadState;
use tempfile::TempDir;

use crate::support::app::{multipart, multipart_type, Part, UPLOAD_TIMEOUT};
use crate::support::{block_on, settings, IO_TIMEOUT};

const A: &str = "鲜丰便利(万达店)";
const B: &str = "好邻居(望京店)";

/// `storeboard::app` over a temp data dir, keeping the store and tabs state so tests
/// can compute the expected figures and read the cache counters. Stopped on drop.
struct TabsServer {
    addr: SocketAddr,
    agent: ureq::Agent,
    store: Arc<OrderStore>,
    tabs: TabsState,
    handle: ServerHandle,
    /// Mutex only so that test threads can share the server (`Receiver` is not `Sync`).
    done: Mutex<mpsc::Receiver<()>>,
    thread: Option<JoinHandle<()>>,
    _dir: TempDir,
}

/// Status, `x-storeboard-cache` header and body of one answer.
struct Answer {
    status: u16,
    cache: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

impl TabsServer {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temp data dir");
        let store = Arc::new(OrderStore::open(dir.path()).expect("the order store opens"));
        let upload = UploadState::new(Arc::clone(&store), dir.path().to_owned(), 100 << 20);
        let tabs = TabsState::new(Arc::clone(&store), Business::default(), 64);
        let app_tabs = tabs.clone();
        let (ready_tx, ready_rx) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("e2e-tabs".to_owned())
            .spawn(move || {
                let system = actix_rt::System::new();
                let _ = system.block_on(async move {
                    let app =
                        move || storeboard::app(Mode::Production, upload.clone(), app_tabs.clone());
                    let engine = Engine::new(settings(), app).disable_signals().bind()?;
                    let addr = engine.local_addrs()[0];
                    let server = engine.run();
                    let _ = ready_tx.send((addr, server.handle()));
                    server.await
                });
                let _ = done_tx.send(());
            })
            .expect("spawn the server thread");
        let (addr, handle) = ready_rx
            .recv_timeout(IO_TIMEOUT)
            .expect("the app starts in time");
        Self {
            addr,
            agent: ureq::AgentBuilder::new().timeout(IO_TIMEOUT).build(),
            store,
            tabs,
            handle,
            done: Mutex::new(done),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// `GET {path}`, whatever the status.
    fn get(&self, path: &str) -> Answer {
        let url = format!("http://{}{path}", self.addr);
        let response = match self.agent.get(&url).call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("GET {path}: {e}"),
        };
        let status = response.status();
        let cache = response.header(CACHE_HEADER).unwrap_or("").to_owned();
        let mut body = Vec::new();
        response
            .into_reader()
            .take(16 << 20)
            .read_to_end(&mut body)
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        Answer {
            status,
            cache,
            body,
        }
    }

    /// `GET /api/v1/tabs/overview?{query}`, asserting 200.
    fn overview(&self, query: &str) -> Answer {
        let answer = self.get(&format!("/api/v1/tabs/overview?{query}"));
        assert_eq!(
            answer.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        answer
    }

    /// Uploads `spec` as a workbook (merged), asserting 200.
    fn upload(&self, spec: &fx::ExportSpec) {
        let url = format!("http://{}/api/v1/uploads", self.addr);
        let body = multipart(&[Part::file("orders.xlsx", fx::xlsx_bytes(spec))]);
        let result = self
            .agent
            .post(&url)
            .timeout(UPLOAD_TIMEOUT)
            .set("Content-Type", &multipart_type())
            .send_bytes(&body);
        match result {
            Ok(r) => assert_eq!(r.status(), 200),
            Err(e) => panic!("upload: {e}"),
        }
    }

    /// What the overview must be, serialised: the analytics over the server's own snapshots.
    fn expected(&self, filters: &Filters) -> Vec<u8> {
        let snaps = self.store.registry().all();
        let overview = storeboard_analytics::overview(&snaps, filters, &Business::default());
        serde_json::to_vec(&overview).expect("serialisable")
    }
}

impl Drop for TabsServer {
    fn drop(&mut self) {
        let _ = block_on(IO_TIMEOUT, self.handle.stop(false));
        let done = self
            .done
            .get_mut()
            .map(|d| d.recv_timeout(IO_TIMEOUT).is_ok());
        if done.unwrap_or(false) {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("a valid day")
}

/// `days` days of one store from `start`, 8 orders a day.
fn spec(store: &str, start: NaiveDate, days: u32, seed: u64) -> fx::ExportSpec {
    fx::ExportSpec {
        stores: vec![store.to_owned()],
        start,
        days,
        seed,
        orders_per_store_day: 8,
        ..fx::ExportSpec::default()
    }
}

fn filters(store: Option<&str>, from: NaiveDate, to: NaiveDate) -> Filters {
    Filters {
        store: store.map(str::to_owned),
        from,
        to,
        channel: None,
        requested: None,
    }
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A server with store A on Nov 1–10 and store B on Nov 1–20.
fn two_stores() -> TabsServer {
    let server = TabsServer::start();
    server.upload(&spec(A, day(11, 1), 10, 1));
    server.upload(&spec(B, day(11, 1), 20, 2));
    server
}

#[test]
fn overview_has_the_contract_names_and_the_analytics_figures() {
    let server = two_stores();
    let answer = server.overview("from=2026-11-01&to=2026-11-10");
    let body = answer.json();
    assert_eq!(
        keys(&body),
        names(&[
            "filters",
            "empty",
            "kpis",
            "channels",
            "aov_bands",
            "daily",
            "categories",
            "profit_buckets",
            "insights",
            "cost_structure",
            "profit_summary",
            "days",
        ])
    );
    assert_eq!(
        keys(&body["filters"]),
        names(&["store", "from", "to", "channel"])
    );
    let kpis = &body["kpis"];
    assert_eq!(
        keys(kpis),
        names(&[
            "orders",
            "sales",
            "profit",
            "avg_order_value",
            "profit_margin_pct",
            "active_products",
            "gmv",
            "marketing_rate_pct",
        ])
    );
    for (name, kpi) in kpis.as_object().expect("kpis object") {
        assert_eq!(
            keys(kpi),
            names(&[
                "value",
                "previous",
                "change",
                "last_week",
                "last_week_change"
            ]),
            "{name}"
        );
    }
    assert_eq!(body["empty"], false);
    // Byte for byte what the analytics compute over the server's own snapshots.
    let expected = server.expected(&filters(None, day(11, 1), day(11, 10)));
    assert_eq!(
        String::from_utf8_lossy(&answer.body),
        String::from_utf8_lossy(&expected)
    );
    // Internal consistency: the daily points add up to the orders KPI, one point per day, and
    // the channel cards (some channels excluded) never exceed it.
    let orders = kpis["orders"]["value"].as_f64().expect("orders value");
    assert!(orders > 0.0);
    let daily = body["daily"].as_array().expect("daily");
    assert_eq!(daily.len(), 10);
    let daily_orders: f64 = daily.iter().filter_map(|d| d["orders"].as_f64()).sum();
    assert_eq!(daily_orders, orders);
    let channel_orders: f64 = body["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .filter_map(|c| c["orders"].as_f64())
        .sum();
    assert!(channel_orders <= orders, "{channel_orders} > {orders}");
}

#[test]
fn every_tab_answers_json_for_its_own_filters() {
    let server = two_stores();
    for tab in storeboard_tabs::Tab::NAMES {
        for query in ["", "store=no-such-store", "from=2026-11-01&to=2026-11-20"] {
            let answer = server.get(&format!("/api/v1/tabs/{tab}?{query}"));
            assert_eq!(answer.status, 200, "{tab}?{query}");
            let body = answer.json();
            assert!(body["empty"].is_boolean(), "{tab}?{query}: {body}");
            assert!(body["filters"]["from"].is_string(), "{tab}?{query}: {body}");
        }
        let unknown = server.get(&format!("/api/v1/tabs/{tab}?store=no-such-store"));
        if *tab == "stores" {
            // 门店对比 compares every store whatever store is asked for, and says so.
            assert_eq!(unknown.json()["empty"], false, "{tab}");
            assert_eq!(unknown.json()["filters"]["store"], Value::Null, "{tab}");
            continue;
        }
        assert_eq!(unknown.json()["empty"], true, "{tab}");
        assert_eq!(unknown.json()["filters"]["store"], "no-such-store", "{tab}");
    }
}

#[test]
fn missing_dates_mean_the_last_seven_days_of_the_selected_data() {
    let server = two_stores();
    let period = |query: &str| {
        let f = server.overview(query).json()["filters"].clone();
        (f["from"].clone(), f["to"].clone(), f["store"].clone())
    };
    let store_a = format!("store={}", encode(A));
    assert_eq!(
        period(&store_a),
        ("2026-11-04".into(), "2026-11-10".into(), A.into())
    );
    assert_eq!(
        period(""),
        ("2026-11-14".into(), "2026-11-20".into(), Value::Null)
    );
    // Empty store= and channel= mean all: the very same answer as no parameters.
    assert_eq!(
        server.overview("store=&channel=").body,
        server.overview("").body
    );
    let body = server.overview(&store_a).body;
    assert_eq!(
        body,
        server.expected(&filters(Some(A), day(11, 4), day(11, 10)))
    );
}

#[test]
fn unknown_tabs_are_404_and_bad_periods_400_with_a_json_error() {
    let server = two_stores();
    let error = |path: &str, status: u16, code: &str| {
        let answer = server.get(path);
        assert_eq!(answer.status, status, "{path}");
        let body = answer.json();
        assert_eq!(keys(&body), names(&["error"]), "{path}");
        assert_eq!(
            keys(&body["error"]),
            names(&["code", "message", "details"]),
            "{path}"
        );
        assert_eq!(body["error"]["code"], code, "{path}");
        body["error"].clone()
    };
    error("/api/v1/tabs/nope", 404, "unknown_tab");
    let bad = error(
        "/api/v1/tabs/overview?from=2026-11-1&to=2026-11-10",
        400,
        "bad_date",
    );
    assert_eq!(bad["details"]["param"], "from");
    assert!(bad["message"].as_str().unwrap_or("").contains("YYYY-MM-DD"));
    error("/api/v1/tabs/overview?to=11/10/2026", 400, "bad_date");
    error("/api/v1/tabs/overview?from=2026-02-30", 400, "bad_date");
    let period = error(
        "/api/v1/tabs/overview?from=2026-11-10&to=2026-11-01",
        400,
        "bad_period",
    );
    assert_eq!(period["details"]["from"], "2026-11-10");
}

#[test]
fn an_unknown_store_answers_empty_figures() {
    let server = two_stores();
    let body = server
        .overview("store=no-such-store&from=2026-11-01&to=2026-11-07")
        .json();
    assert_eq!(body["empty"], true);
    assert_eq!(body["filters"]["store"], "no-such-store");
    let daily_orders: f64 = body["daily"]
        .as_array()
        .expect("daily")
        .iter()
        .filter_map(|d| d["orders"].as_f64())
        .sum();
    assert_eq!(daily_orders, 0.0);
    assert_eq!(body["channels"].as_array().map(Vec::len), Some(0));
}

#[test]
fn repeated_requests_hit_the_cache_and_an_upload_changes_the_answer() {
    let server = TabsServer::start();
    server.upload(&spec(A, day(11, 1), 5, 1));
    let query = format!("store={}&from=2026-11-01&to=2026-11-14", encode(A));
    let first = server.overview(&query);
    let again = server.overview(&query);
    assert_eq!(
        (first.cache.as_str(), again.cache.as_str()),
        ("miss", "hit")
    );
    assert_eq!(first.body, again.body);
    let stats = server.tabs.cache_stats();
    assert_eq!((stats.hits, stats.misses), (1, 1));
    let before = first.json()["kpis"]["orders"]["value"].clone();

    // More days of the same store: a new snapshot version, so a new key and new figures.
    server.upload(&spec(A, day(11, 6), 5, 3));
    let after = server.overview(&query);
    assert_eq!(after.cache, "miss");
    assert_ne!(after.json()["kpis"]["orders"]["value"], before);
    // The data ends on Nov 10: the period asked for is narrowed to it (issue 16's budget).
    let narrowed = Filters {
        requested: Some(Period {
            from: day(11, 1),
            to: day(11, 14),
        }),
        ..filters(Some(A), day(11, 1), day(11, 10))
    };
    assert_eq!(after.body, server.expected(&narrowed));
}

#[test]
fn concurrent_requests_for_two_stores_each_see_their_own_filters() {
    let server = two_stores();
    // Several periods, so many requests compute (miss) while the other store's are in flight.
    let periods: Vec<(NaiveDate, NaiveDate)> = (0..8)
        .map(|k| (day(11, 1) + Duration::days(k), day(11, 10)))
        .collect();
    let expected = |store: &str| -> Vec<Vec<u8>> {
        periods
            .iter()
            .map(|(from, to)| server.expected(&filters(Some(store), *from, *to)))
            .collect()
    };
    let (want_a, want_b) = (expected(A), expected(B));
    assert_ne!(want_a, want_b);
    let barrier = Barrier::new(2);
    let user = |store: &'static str, want: &[Vec<u8>]| {
        barrier.wait();
        for round in 0..60 {
            let k = round % periods.len();
            let (from, to) = periods[k];
            let query = format!("store={}&from={from}&to={to}", encode(store));
            let answer = server.overview(&query);
            let body = answer.json();
            assert_eq!(body["filters"]["store"], store, "round {round}");
            assert_eq!(body["filters"]["from"], from.to_string(), "round {round}");
            assert!(
                answer.body == want[k],
                "round {round}: {store} got figures that are not its own"
            );
        }
    };
    thread::scope(|s| {
        let a = s.spawn(|| user(A, &want_a));
        let b = s.spawn(|| user(B, &want_b));
        a.join()
            .expect("every answer for A matched its own request");
        b.join()
            .expect("every answer for B matched its own request");
    });
    let stats = server.tabs.cache_stats();
    assert_eq!(stats.hits + stats.misses, 120);
    assert!(stats.misses >= 16, "{stats:?}");
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    crate::support::app::encode_segment(value)
}
