//! A budget for every query (issue 16): a period is narrowed to the days that have data, the
//! answer's `filters` saying what was asked; a period longer than `max_period_days` is a 400
//! naming the setting. The JSON API, the page's fragments and the exports share the rule.
//!
//! Before the budget, `from=0001-01-01&to=9999-12-31` took 332 s and a 277 MB answer: the
//! overview listed every one of the 3.65 million days in `daily`.

use serde_json::Value;
use storeboard_fixtures as fx;
use storeboard_tabs::DEFAULT_MAX_PERIOD_DAYS;

use crate::support::app::{AppServer, Part};

const STORE: &str = "预算店";

/// One store with orders on 2026-11-01 – 2026-11-03 (5 orders a day).
fn three_days() -> AppServer {
    let server = AppServer::start();
    let spec = fx::ExportSpec {
        stores: vec![STORE.to_owned()],
        start: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date"),
        days: 3,
        orders_per_store_day: 5,
        seed: 16,
        ..fx::ExportSpec::default()
    };
    server.upload_ok(&[Part::file("预算店.xlsx", fx::xlsx_bytes(&spec))]);
    server
}

#[test]
fn the_year_one_to_9999_period_is_refused_with_400_naming_max_period_days() {
    let server = three_days();
    for path in [
        "/api/v1/tabs/overview?from=0001-01-01&to=9999-12-31",
        "/api/v1/tabs/products?from=0001-01-01&to=9999-12-31",
        "/tabs/overview?from=0001-01-01&to=9999-12-31",
        "/export/overview.xlsx?from=0001-01-01&to=9999-12-31",
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        assert!(
            reply.text().contains("max_period_days"),
            "{path}: the refusal names the setting: {}",
            reply.text()
        );
    }
    let reply = server.get("/api/v1/tabs/overview?from=0001-01-01&to=9999-12-31");
    let error = &reply.json()["error"];
    assert_eq!(error["code"], "period_too_long");
    assert_eq!(error["details"]["max_period_days"], DEFAULT_MAX_PERIOD_DAYS);
    assert_eq!(error["details"]["days"], 3_652_059);
}

#[test]
fn a_period_of_exactly_the_limit_is_answered_and_one_day_more_is_refused() {
    let server = three_days();
    // 2024-11-03 + 1,095 days (no Feb 29 in between) = 2027-11-03: 1,096 days inclusive, the
    // default limit.
    assert_eq!(DEFAULT_MAX_PERIOD_DAYS, 1_096);
    let ok = server.get("/api/v1/tabs/overview?from=2024-11-03&to=2027-11-03");
    assert_eq!(ok.status, 200, "{}", ok.text());
    let refused = server.get("/api/v1/tabs/overview?from=2024-11-02&to=2027-11-03");
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(refused.error_code(), "period_too_long");
}

#[test]
fn a_period_beyond_the_data_is_narrowed_to_its_days_and_the_filters_say_what_was_asked() {
    let server = three_days();
    let body = server
        .get("/api/v1/tabs/overview?from=2026-01-01&to=2026-12-31")
        .json();
    let filters = &body["filters"];
    assert_eq!(filters["from"], "2026-11-01", "{filters}");
    assert_eq!(filters["to"], "2026-11-03", "{filters}");
    assert_eq!(
        filters["requested"],
        serde_json::json!({"from": "2026-01-01", "to": "2026-12-31"})
    );
    // The daily series covers the three days with data, not the 365 asked for.
    let daily = body["daily"].as_array().expect("daily is a list");
    assert_eq!(daily.len(), 3, "{daily:?}");
    // The figures are those of the narrowed period asked for directly.
    let direct = server
        .get("/api/v1/tabs/overview?from=2026-11-01&to=2026-11-03")
        .json();
    assert_eq!(direct["filters"].get("requested"), None);
    assert_eq!(body["kpis"], direct["kpis"]);
    // The page says so too.
    let page = server
        .get("/tabs/overview?from=2026-01-01&to=2026-12-31")
        .text();
    assert!(page.contains("统计期间 2026-11-01 至 2026-11-03"), "{page}");
    assert!(
        page.contains("所选 2026-01-01 至 2026-12-31 超出数据范围"),
        "{page}"
    );
}

#[test]
fn a_period_inside_the_data_or_with_no_data_at_all_is_kept_as_asked() {
    let server = three_days();
    let inside = server
        .get("/api/v1/tabs/overview?from=2026-11-02&to=2026-11-02")
        .json();
    assert_eq!(inside["filters"]["from"], "2026-11-02");
    assert_eq!(inside["filters"].get("requested"), None);
    let before: Value = server
        .get("/api/v1/tabs/overview?from=2025-01-01&to=2025-01-31")
        .json();
    assert_eq!(before["filters"]["from"], "2025-01-01");
    assert_eq!(before["filters"]["to"], "2025-01-31");
    assert_eq!(before["empty"], true);
}
