//! 今日必做 as a morning briefing (issue 12) through the real application: the answer's contract
//! (summary, groups, money, channel split, tiers, the new cards, 商品健康), the 1/3/7-day window,
//! the row limit of the JSON API against every row in the page's export, and the page's groups.

use calamine::Data;
use serde_json::Value;

use crate::dashboard::{api, html, query, seeded, two_stores, FROM, TO};
use crate::dashboard_export::sheets;
use crate::support::app::{AppServer, Part};
use storeboard_fixtures as fx;

/// Every card key of the contract.
const KEYS: [&str; 13] = [
    "loss_orders",
    "hot_out_of_stock",
    "price_anomaly",
    "customer_churn",
    "high_delivery",
    "sales_drop",
    "margin_drop",
    "slow_movers",
    "aov_anomaly",
    "price_elasticity",
    "new_products",
    "hot_products",
    "top_profit",
];

fn cards(json: &Value) -> Vec<Value> {
    json["cards"].as_array().cloned().unwrap_or_default()
}

fn card(json: &Value, key: &str) -> Value {
    cards(json)
        .into_iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no card {key}: {json}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn the_today_answer_is_a_briefing_of_thirteen_cards_in_three_groups_with_money() {
    let (server, _) = seeded();
    let json = api(&server, "today", &query(&[("from", FROM), ("to", TO)]));
    let mut sorted: Vec<String> = cards(&json)
        .iter()
        .map(|c| c["key"].as_str().unwrap_or_default().to_owned())
        .collect();
    sorted.sort_unstable();
    let mut want: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
    want.sort_unstable();
    assert_eq!(sorted, want, "{json}");
    let mut urgent_sum = 0.0;
    let mut urgent_with_items = 0;
    for c in cards(&json) {
        let group = c["group"].as_str().unwrap_or_default();
        assert!(["urgent", "watch", "highlight"].contains(&group), "{c}");
        let amount = c["amount"].as_f64();
        assert!(amount.is_none_or(|a| a >= 0.0), "{c}");
        assert!(c["amount_label"].is_string(), "{c}");
        assert!(c["channels"].is_array() && c["tiers"].is_array(), "{c}");
        let count = c["count"].as_u64().unwrap_or_default();
        assert_eq!(c["total_rows"].as_u64(), Some(count), "{c}");
        if group == "urgent" {
            urgent_sum += amount.unwrap_or(0.0);
            urgent_with_items += usize::from(count > 0);
        }
    }
    let summary = &json["summary"];
    assert!(
        (f(&summary["at_risk_amount"]) - urgent_sum).abs() < 0.011,
        "{summary}"
    );
    assert_eq!(
        summary["urgent_count"].as_u64(),
        Some(urgent_with_items as u64)
    );
    // The order cards' channel split counts each order once.
    for key in ["loss_orders", "high_delivery", "price_anomaly"] {
        let c = card(&json, key);
        let split: u64 = c["channels"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s["count"].as_u64()).sum())
            .unwrap_or_default();
        assert_eq!(split, c["count"].as_u64().unwrap_or_default(), "{key}: {c}");
    }
    let health = &json["health"];
    let names: Vec<&str> = health["quadrants"]
        .as_array()
        .map(|q| q.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        ["策略引流", "明星", "畅销", "潜力", "自然引流", "低效"],
        "{health}"
    );
    assert!(health["migration"].is_array() && health["products"].is_array());
}

#[test]
fn a_longer_window_counts_more_days_and_a_window_outside_one_three_seven_is_a_400() {
    let (server, _) = seeded();
    let q = |w: &str| query(&[("from", FROM), ("to", TO), ("window", w)]);
    let one = api(&server, "today", &q("1"));
    let seven = api(&server, "today", &q("7"));
    assert_eq!(seven["window"], 7);
    // The seeded data has orders on each of its seven days: the 7-day window of a card is the
    // sum of its one-day counts on each of them (each day asked as the period's last).
    let daily: Vec<Value> = (1..=7)
        .map(|d| {
            let day = format!("2026-11-{d:02}");
            api(&server, "today", &query(&[("from", FROM), ("to", &day)]))
        })
        .collect();
    for key in ["loss_orders", "high_delivery", "price_anomaly"] {
        let (a, b) = (card(&one, key), card(&seven, key));
        assert!(
            b["count"].as_u64() >= a["count"].as_u64(),
            "{key}: {a} / {b}"
        );
        let sum: u64 = daily
            .iter()
            .map(|t| card(t, key)["count"].as_u64().unwrap_or_default())
            .sum();
        assert_eq!(b["count"].as_u64(), Some(sum), "{key}");
    }
    let reply = server.get(&format!("/api/v1/tabs/today{}", q("2")));
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("window"), "{}", reply.text());
}

#[test]
fn the_api_sends_two_hundred_rows_a_card_but_the_export_holds_every_row() {
    let server = AppServer::start();
    let spec = fx::ExportSpec {
        orders_per_store_day: 400,
        ..two_stores()
    };
    server.upload_ok(&[Part::file("大单量.xlsx", fx::xlsx_bytes(&spec))]);
    let base = [("from", FROM), ("to", TO), ("window", "7")];
    let json = api(&server, "today", &query(&base));
    // The card with the most rows: the fixture makes it far more than 200.
    let big = cards(&json)
        .into_iter()
        .max_by_key(|c| c["total_rows"].as_u64().unwrap_or_default())
        .unwrap_or_default();
    let total = big["total_rows"].as_u64().unwrap_or_default() as usize;
    assert!(total > 200, "no card above 200 rows: {big}");
    assert_eq!(big["rows"].as_array().map(Vec::len), Some(200));
    let all = api(
        &server,
        "today",
        &query(&[base[0], base[1], base[2], ("limit", "0")]),
    );
    let key = big["key"].as_str().unwrap_or_default();
    assert_eq!(
        card(&all, key)["rows"].as_array().map(Vec::len),
        Some(total)
    );
    // The default answer (written from the cache's tail after the request's filters) is the
    // whole answer cut to 200 rows a card.
    let mut cut = all.clone();
    if let Some(cards) = cut["cards"].as_array_mut() {
        for c in cards {
            if let Some(rows) = c["rows"].as_array_mut() {
                rows.truncate(200);
            }
        }
    }
    assert_eq!(cut, json);
    let reply = server.fetch(&format!("/export/today.xlsx{}", query(&base)));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let book = sheets(&reply.body);
    let title = big["title"].as_str().unwrap_or_default();
    let (_, range) = book
        .iter()
        .find(|(name, _)| name == title)
        .unwrap_or_else(|| panic!("no sheet {title}"));
    let rows = range
        .rows()
        .skip(1)
        .filter(|r| r.iter().any(|c| *c != Data::Empty))
        .count();
    assert_eq!(rows, total, "every row of {title} in its sheet");
}

#[test]
fn the_page_opens_on_the_urgent_group_with_the_summary_line() {
    let (server, _) = seeded();
    let page = html(
        &server,
        &format!("/tabs/today{}", query(&[("from", FROM), ("to", TO)])),
    );
    assert!(page.contains("利润风险"), "{page}");
    assert!(page.contains("id=\"group-urgent\" open"), "{page}");
    assert!(!page.contains("id=\"group-watch\" open"), "{page}");
    for name in ["🔴 紧急处理", "🟡 关注观察", "🟢 亮点"] {
        assert!(page.contains(name), "{name}");
    }
    for window in ["window=1", "window=3", "window=7"] {
        assert!(page.contains(window), "{window}");
    }
}

#[test]
fn periods_ending_on_the_same_day_share_one_computation_and_keep_their_own_filters() {
    let (server, _) = seeded();
    let path = |from: &str| format!("/api/v1/tabs/today{}", query(&[("from", from), ("to", TO)]));
    let first = server.fetch(&path(FROM));
    assert_eq!(first.status, 200, "{}", first.text());
    let second = server.fetch(&path("2026-11-05"));
    assert_eq!(second.status, 200, "{}", second.text());
    // Both end on the same "yesterday": the second is the first's computation.
    assert_eq!(second.header("x-storeboard-cache"), "hit");
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&first.body).unwrap_or_default(),
        serde_json::from_slice(&second.body).unwrap_or_default(),
    );
    assert_eq!(a["filters"]["from"], FROM);
    assert_eq!(b["filters"]["from"], "2026-11-05");
    assert_eq!(a["cards"], b["cards"]);
}

#[test]
fn a_card_exports_alone_with_every_row_and_an_unknown_card_is_a_404() {
    let (server, _) = seeded();
    let q = query(&[("from", FROM), ("to", TO), ("window", "7")]);
    let json = api(&server, "today", &q);
    let loss = card(&json, "loss_orders");
    let reply = server.fetch(&format!("/export/today.xlsx{q}&card=loss_orders"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply
            .header("content-disposition")
            .contains("%E4%BA%8F%E6%8D%9F%E8%AE%A2%E5%8D%95"),
        "the file name says 亏损订单: {}",
        reply.header("content-disposition")
    );
    let book = sheets(&reply.body);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["汇总", "亏损订单"]);
    let rows = book[1]
        .1
        .rows()
        .skip(1)
        .filter(|r| r.iter().any(|c| *c != Data::Empty))
        .count();
    assert_eq!(rows as u64, loss["total_rows"].as_u64().unwrap_or_default());
    let page = html(&server, &format!("/tabs/today{q}"));
    let page = crate::dashboard::unescape(&page);
    assert!(page.contains("export/today.xlsx?"), "a per-card link");
    assert!(
        page.contains("card=loss_orders"),
        "the loss card's own link"
    );
    let missing = server.fetch(&format!("/export/today.xlsx{q}&card=nope"));
    assert_eq!(missing.status, 404);
}
