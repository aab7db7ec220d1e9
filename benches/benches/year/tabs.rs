//! The tabs uncached: each case of issue 11's table through `GET /api/v1/tabs/{tab}` of an app
//! whose tab cache has capacity 0, and issue 13's product page and 智能调价 (never cached); the median of `BENCH_ITERS` answers and the answer's size.
//! A failed answer is counted and reported.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::http::{encode, json_values, Conn};
use crate::{data, tab_url};

/// Deadline of one uncached answer.
const TAB_TIMEOUT: Duration = Duration::from_secs(600);

/// One uncached tab case: the median, the answer's size, failures.
pub(crate) struct TabCase {
    pub(crate) what: &'static str,
    pub(crate) old: &'static str,
    pub(crate) target: &'static str,
    pub(crate) median_ms: Option<f64>,
    pub(crate) bytes: usize,
    pub(crate) failures: Vec<String>,
}

/// Every case of the table, `iters` times each, on one keep-alive connection to `addr`
/// (whose app has no tab cache).
pub(crate) fn uncached_tabs(
    addr: SocketAddr,
    iters: usize,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<TabCase> {
    let days = |n: u64| last - chrono::Days::new(n - 1);
    let one = data::store_names()[0].clone();
    let tab = |tab: &str, store: &str, from: NaiveDate| tab_url(tab, store, from, last);
    let mut cases: Vec<(&'static str, &'static str, &'static str, String)> = vec![
        (
            "今日必做, one store, last 7 days",
            "298 ms",
            "≤ 10 ms",
            tab("today", &one, days(7)),
        ),
        (
            "今日必做, all stores, last 30 days",
            "5,892 ms",
            "≤ 50 ms",
            tab("today", "", days(30)),
        ),
        (
            "订单数据概览, all stores, last 30 days",
            "110 ms",
            "≤ 10 ms",
            tab("overview", "", days(30)),
        ),
        (
            "订单数据概览, all stores, the whole year",
            "1,180 ms",
            "≤ 50 ms",
            tab("overview", "", first),
        ),
        (
            "商品分析, all stores, the whole year",
            "1,230 ms, 30 MB",
            "≤ 100 ms, paginated",
            tab("products", "", first),
        ),
        (
            "时段场景, all stores, the whole year",
            "1,131 ms",
            "≤ 30 ms",
            tab("timeslots", "", first),
        ),
    ];
    // Issue 13: the product page (its best seller in the first store) and 智能调价.
    let mut conn = Conn::new(addr);
    // The first store's best seller over the last 30 days (the products tab's first row).
    let first_row = format!(
        "/api/v1/tabs/products?store={}&from={}&to={last}&limit=1",
        encode(&one),
        days(30)
    );
    let best = conn
        .get(&first_row, TAB_TIMEOUT, true)
        .ok()
        .and_then(|a| json_values(&a.body, "key").into_iter().next());
    if let Some(key) = best {
        let product = |store: &str, from: NaiveDate| {
            format!(
                "/api/v1/products/{}?store={}&from={from}&to={last}&limit=50",
                encode(&key),
                encode(store)
            )
        };
        cases.extend([
            (
                "商品页, one store, last 30 days",
                "—",
                "≤ 20 ms",
                product(&one, days(30)),
            ),
            (
                "商品页, one store, the whole year",
                "—",
                "≤ 20 ms",
                product(&one, first),
            ),
            (
                "商品页, all stores, the whole year",
                "—",
                "say",
                product("", first),
            ),
        ]);
    }
    let pricing = |store: &str, scenario: &str| {
        format!(
            "/api/v1/pricing?store={}&scenario={scenario}",
            encode(store)
        )
    };
    cases.extend([
        (
            "智能调价 亏损止血, one store",
            "—",
            "≤ 20 ms",
            pricing(&one, "loss_stop"),
        ),
        (
            "智能调价 自由调价, one store",
            "—",
            "≤ 20 ms",
            pricing(&one, "free"),
        ),
        (
            "智能调价 自由调价, all stores",
            "—",
            "say",
            pricing("", "free"),
        ),
    ]);
    cases
        .into_iter()
        .map(|(what, old, target, url)| {
            let mut ms = Vec::new();
            let mut bytes = 0;
            let mut failures = Vec::new();
            for _ in 0..iters {
                let started = Instant::now();
                match conn.get(&url, TAB_TIMEOUT, false) {
                    Ok(answer) => {
                        ms.push(started.elapsed().as_secs_f64() * 1000.0);
                        bytes = answer.bytes;
                    }
                    Err(e) => failures.push(format!("{url}: {e}")),
                }
            }
            ms.sort_by(f64::total_cmp);
            let median_ms = ms.get(ms.len() / 2).copied();
            println!(
                "  {what}: {} ({} bytes; {} of {iters} failed)",
                median_ms.map_or("-".to_owned(), |m| format!("{m:.1} ms")),
                bytes,
                failures.len()
            );
            TabCase {
                what,
                old,
                target,
                median_ms,
                bytes,
                failures,
            }
        })
        .collect()
}
