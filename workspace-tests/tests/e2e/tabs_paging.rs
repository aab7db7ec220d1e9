//! `GET /api/v1/tabs/products` by pages on the real application: `limit` (default 200, `0` =
//! all), `page` and `sort`, `total_products` against the distinct products of the uploaded
//! export counted by hand, pages that continue each other, sort orders, 400s naming the bad
//! parameter, paging answered from the cached tab, and the xlsx export still holding every row.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Barrier;
use std::thread;

use chrono::NaiveDate;
use serde_json::Value;
use storeboard::mode::Mode;
use storeboard_analytics::{Business, Filters};
use storeboard_fixtures as fx;
use storeboard_tabs::{TabsState, CACHE_HEADER};

use crate::dashboard_export::sheets;
use crate::support::app::{encode_segment, Api, AppServer, Part};

const A: &str = "鲜丰便利(万达店)";
const B: &str = "鲜丰便利(滨江店)";
const FROM: &str = "2026-11-01";
const TO: &str = "2026-11-10";

/// Two stores, ten days, 40 orders a store-day: more than 200 distinct products in all.
fn spec() -> fx::ExportSpec {
    fx::ExportSpec {
        stores: vec![A.to_owned(), B.to_owned()],
        start: day(FROM),
        days: 10,
        orders_per_store_day: 40,
        seed: 23,
        ..fx::ExportSpec::default()
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

/// The server with the export uploaded, and its tabs state (to compute the whole tab).
fn seeded() -> (AppServer, TabsState) {
    let mut tabs = None;
    let server = AppServer::serving(|state, upload| {
        tabs = Some(state.clone());
        move || storeboard::app(Mode::Production, upload.clone(), state.clone())
    });
    let file = Part::file("两店十天.xlsx", fx::xlsx_bytes(&spec()));
    let records = server.upload_ok(&[file]);
    assert_eq!(records[0]["report"]["rejected_lines"], 0, "{}", records[0]);
    (server, tabs.expect("the app was built"))
}

/// The distinct product keys (店内码, else 条码, else 商品名称) of the non-consumable lines of
/// `store`'s (or every store's) kept orders: a fee channel's order with Σ平台服务费 ≤ 0 is
/// dropped (docs/metrics.md).
fn products_by_hand(store: Option<&str>) -> BTreeSet<String> {
    let business = Business::default();
    let lines: Vec<fx::Line> = fx::lines(&spec())
        .into_iter()
        .filter(|l| store.is_none_or(|s| l.store == s))
        .collect();
    let mut fees: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for l in &lines {
        *fees
            .entry((l.store.as_str(), l.order_id.as_str()))
            .or_default() += l.service_fee;
    }
    let kept = |l: &fx::Line| {
        !business.fee_channels.iter().any(|c| c == l.channel)
            || fees[&(l.store.as_str(), l.order_id.as_str())] > 0.0
    };
    lines
        .iter()
        .filter(|l| l.category1 != business.consumable_category && kept(l))
        .map(|l| {
            [l.store_code, l.barcode, l.product_name]
                .into_iter()
                .find(|k| !k.is_empty())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn period(store: Option<&str>) -> String {
    let store = store.map_or(String::new(), |s| format!("store={}&", encode_segment(s)));
    format!("{store}from={FROM}&to={TO}")
}

/// `GET /api/v1/tabs/products?{query}`: status, cache header and JSON body.
fn products(server: &Api, query: &str) -> (u16, String, Value) {
    let reply = server.fetch(&format!("/api/v1/tabs/products?{query}"));
    let json = serde_json::from_slice(&reply.body)
        .unwrap_or_else(|e| panic!("{query}: not JSON ({e}): {}", reply.text()));
    (reply.status, reply.header(CACHE_HEADER).to_owned(), json)
}

/// The JSON of a 200 answer.
fn ok(server: &Api, query: &str) -> Value {
    let (status, _, json) = products(server, query);
    assert_eq!(status, 200, "{query}: {json}");
    json
}

fn list<'a>(json: &'a Value, path: &[&str]) -> &'a [Value] {
    let mut v = json;
    for key in path {
        v = &v[*key];
    }
    v.as_array().map_or(&[], Vec::as_slice)
}

fn keys(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["key"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_default_page_holds_200_of_every_distinct_product_and_page_two_the_rest() {
    let (server, _) = seeded();
    for store in [None, Some(A)] {
        let expected = products_by_hand(store);
        let q = period(store);
        let first = ok(&server, &q);
        let total = expected.len();
        assert_eq!(first["total_products"], total, "{q}");
        assert!(
            total > 200 || store.is_some(),
            "{total}: the fixture must exceed a page"
        );
        let pages = total.div_ceil(200);
        assert_eq!(
            (&first["page"], &first["limit"], &first["pages"]),
            (&Value::from(1), &Value::from(200), &Value::from(pages)),
            "{q}"
        );
        assert_eq!(first["sort"], Value::Null);
        let mut shown = keys(list(&first, &["products"]));
        assert_eq!(shown.len(), total.min(200), "{q}");
        if pages > 1 {
            let second = ok(&server, &format!("{q}&page=2"));
            let more = keys(list(&second, &["products"]));
            assert_eq!(more.len(), total - 200, "{q}");
            // Page 2 continues page 1: sales never rise across the boundary.
            let sales = |json: &Value, i: usize| json["products"][i]["sales"].as_f64();
            assert!(sales(&first, 199) >= sales(&second, 0), "{q}");
            shown.extend(more);
        }
        let distinct: BTreeSet<String> = shown.iter().cloned().collect();
        assert_eq!(distinct.len(), shown.len(), "{q}: a product on two pages");
        assert_eq!(distinct, expected, "{q}: every product, by hand");
        // After the last page: an empty page, not an error.
        let past = ok(&server, &format!("{q}&page={}", pages + 1));
        assert!(list(&past, &["products"]).is_empty());
        assert_eq!(past["total_products"], total);
    }
}

#[test]
fn limit_zero_is_the_whole_tab_and_pages_of_any_size_add_up_to_it() {
    let (server, tabs) = seeded();
    let filters = Filters {
        store: None,
        from: day(FROM),
        to: day(TO),
        channel: None,
        requested: None,
    };
    let snaps = tabs.store().registry().all();
    let whole = serde_json::to_value(storeboard_analytics::products(
        &snaps,
        &filters,
        tabs.business(),
    ))
    .expect("JSON");
    let q = period(None);
    let all = ok(&server, &format!("{q}&limit=0"));
    let fields = [
        "filters",
        "empty",
        "products",
        "quadrants",
        "abc",
        "price_bands",
        "quadrant_trend",
        "migration",
    ];
    for field in fields {
        assert_eq!(all[field], whole[field], "{field}");
    }
    // The rankings as computed, and `orders` (issue 14) beside them: the same as `by_orders`.
    let mut rankings = all["rankings"].clone();
    let orders = rankings
        .as_object_mut()
        .and_then(|r| r.remove("orders"))
        .unwrap_or_default();
    assert_eq!(rankings, whole["rankings"]);
    assert_eq!(orders, whole["rankings"]["by_orders"]);
    assert_eq!(all["low_turnover"]["rows"], whole["low_turnover"]["rows"]);
    let (warnings, expected) = (&all["inventory_warnings"], &whole["inventory_warnings"]);
    for field in [
        "out_of_stock",
        "slow_moving",
        "hot_low_stock",
        "quantity_p75",
        "stock_p25",
    ] {
        assert_eq!(warnings[field], expected[field], "{field}");
    }
    for list_name in ["out_of_stock", "slow_moving", "hot_low_stock"] {
        let total = expected[list_name].as_array().map_or(0, Vec::len);
        assert_eq!(warnings[format!("total_{list_name}")], total, "{list_name}");
    }
    assert_eq!(
        (&all["limit"], &all["pages"]),
        (&Value::from(0), &Value::from(1))
    );

    let every = keys(list(&all, &["products"]));
    for limit in [1, 37, 100] {
        let mut joined = Vec::new();
        let mut slow_moving = Vec::new();
        for page in 1..=every.len().div_ceil(limit) {
            let json = ok(&server, &format!("{q}&limit={limit}&page={page}"));
            assert_eq!(json["pages"], every.len().div_ceil(limit));
            let rows = list(&json, &["products"]);
            assert!(rows.len() <= limit);
            joined.extend(keys(rows));
            // The warning lists are cut to the same pages.
            slow_moving.extend(keys(list(&json, &["inventory_warnings", "slow_moving"])));
            if limit == 1 && page > 3 {
                break; // enough single-row pages
            }
        }
        let n = joined.len();
        assert_eq!(joined, every[..n], "limit {limit}");
        let whole_slow = keys(list(&all, &["inventory_warnings", "slow_moving"]));
        let m = slow_moving.len().min(whole_slow.len());
        assert_eq!(slow_moving[..m], whole_slow[..m], "limit {limit}");
    }
}

#[test]
fn sort_orders_the_whole_list_by_a_field_either_way_with_missing_values_last() {
    let (server, _) = seeded();
    let q = period(Some(B));
    let all = list(&ok(&server, &format!("{q}&limit=0")), &["products"]).to_vec();
    let number = |r: &Value, field: &str| r[field].as_f64();
    for (sort, field, descending) in [
        ("-profit", "profit", true),
        ("quantity", "quantity", false),
        ("margin_pct", "margin_pct", false),
        ("-stock", "stock", true),
    ] {
        // By hand: a stable sort of the computed order, missing values last either way.
        let mut expected = all.clone();
        expected.sort_by(|a, b| match (number(a, field), number(b, field)) {
            (Some(x), Some(y)) if descending => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let mut got = Vec::new();
        for page in 1.. {
            let json = ok(&server, &format!("{q}&sort={sort}&limit=25&page={page}"));
            assert_eq!(json["sort"], sort);
            let rows = list(&json, &["products"]);
            if rows.is_empty() {
                break;
            }
            got.extend(keys(rows));
        }
        assert_eq!(got, keys(&expected), "sort={sort}");
        let first = number(&expected[0], field);
        let last = number(&expected[expected.len() - 1], field);
        assert!(first.is_some(), "sort={sort}: a value first");
        if let (Some(first), Some(last)) = (first, last) {
            assert_eq!(first > last, descending && first != last, "sort={sort}");
        }
    }
    // Text: by code point, `-` reverses.
    let json = ok(&server, &format!("{q}&sort=-name&limit=0"));
    let names: Vec<&str> = list(&json, &["products"])
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default())
        .collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");
    assert_eq!(names.len(), all.len());
}

#[test]
fn bad_paging_values_are_a_400_naming_the_parameter() {
    let (server, _) = seeded();
    let q = period(None);
    for (param, value) in [
        ("limit", "-1"),
        ("limit", "ten"),
        ("limit", "1.5"),
        ("page", "0"),
        ("page", "-3"),
        ("page", "last"),
        ("sort", "price"),
        ("sort", "SALES"),
        ("sort", "--sales"),
    ] {
        let (status, _, json) = products(&server, &format!("{q}&{param}={value}"));
        assert_eq!(status, 400, "{param}={value}: {json}");
        let error = &json["error"];
        assert_eq!(error["code"], "bad_parameter", "{json}");
        assert_eq!(error["details"]["param"], param, "{json}");
        assert_eq!(error["details"]["value"], value, "{json}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("'{param}'")), "{message}");
    }
    let (_, _, json) = products(&server, &format!("{q}&sort=price"));
    let expected = json["error"]["details"]["expected"]
        .as_str()
        .unwrap_or_default();
    assert!(
        expected.contains("margin_pct"),
        "the fields are listed: {expected}"
    );
    // The other tabs have no long lists: the paging parameters are not theirs, and ignored.
    let reply = server.fetch(&format!("/api/v1/tabs/overview?{q}&limit=ten"));
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[test]
fn every_page_and_order_is_answered_from_the_one_cached_tab() {
    let (server, _) = seeded();
    let q = period(Some(A));
    let (_, cache, _) = products(&server, &q);
    assert_eq!(cache, "miss");
    for paging in [
        "page=2&limit=10",
        "sort=-profit",
        "limit=0",
        "sort=name&page=3&limit=7",
    ] {
        let (status, cache, _) = products(&server, &format!("{q}&{paging}"));
        assert_eq!((status, cache.as_str()), (200, "hit"), "{paging}");
    }
}

#[test]
fn concurrent_cold_requests_all_get_the_same_answer_and_the_cache_counts_them() {
    let (server, tabs) = seeded();
    let before = tabs.cache_stats();
    let q = period(Some(B));
    let barrier = Barrier::new(8);
    let api: &Api = &server;
    let answers: Vec<Value> = thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    ok(api, &q)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a client"))
            .collect()
    });
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    let after = tabs.cache_stats();
    let (hits, misses) = (after.hits - before.hits, after.misses - before.misses);
    let joined = after.joined - before.joined;
    assert_eq!(hits + misses, 8, "{after:?}");
    // At most one computation for the key: every other miss waited for it.
    assert_eq!(misses - joined, 1, "{after:?}");
    assert_eq!(after.in_flight, 0);
    assert!(
        after.bytes > 0 && after.bytes <= after.max_bytes,
        "{after:?}"
    );
}

#[test]
fn the_products_export_still_holds_every_product() {
    let (server, _) = seeded();
    let q = period(None);
    let every: BTreeSet<String> = keys(list(&ok(&server, &format!("{q}&limit=0")), &["products"]))
        .into_iter()
        .collect();
    assert!(every.len() > 200);
    let reply = server.fetch(&format!("/export/products.xlsx?{q}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let book = sheets(&reply.body);
    let (_, detail) = book
        .iter()
        .find(|(name, _)| name == "商品明细")
        .expect("the 商品明细 sheet");
    let exported: BTreeSet<String> = detail
        .rows()
        .filter_map(|r| r.first().map(ToString::to_string))
        .filter(|k| every.contains(k))
        .collect();
    assert_eq!(exported, every);
}
