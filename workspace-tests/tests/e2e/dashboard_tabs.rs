//! The dashboard's tabs on the real application: every tab inline in a bookmarked page URL and
//! as an htmx fragment (with `HX-Push-Url` and the header swapped out-of-band), the charts'
//! options against the JSON API, bad dates and unknown tabs, and the empty state.

use std::collections::BTreeMap;

use crate::dashboard::{
    api, charts, html, params, query, seeded, text_after, A, ANALYSIS, FROM, TABS, TO,
};
use crate::support::app::AppServer;

/// Labels that only the rendered tab shows.
fn key_labels(tab: &str) -> &'static [&'static str] {
    match tab {
        "today" => &["待办事项", "亏损订单", "价格异常"],
        "overview" => &["订单总数", "商品实收额", "渠道表现", "品类表现"],
        "products" => &["商品明细", "四象限", "销售额 TOP10"],
        "timeslots" => &["时段表现", "场景表现"],
        "stores" => &["门店排名", "预警门店"],
        _ => &["上传订单文件", "门店数据", "上传记录"],
    }
}

#[test]
fn every_tab_renders_inline_from_a_bookmarked_page_url() {
    let (server, _) = seeded();
    let q = query(&[("from", FROM), ("to", TO)]);
    for (name, _) in TABS {
        let page = html(&server, &format!("/{q}&tab={name}"));
        let main = page
            .split("<main id=\"tab-content\"")
            .nth(1)
            .and_then(|rest| rest.split("</main>").next())
            .unwrap_or_else(|| panic!("{name}: no main"));
        for label in key_labels(name) {
            assert!(main.contains(label), "{name}: no {label} in the content");
        }
        for (other, _) in TABS.iter().filter(|(n, _)| *n != name) {
            let label = key_labels(other)[0];
            assert!(
                !main.contains(label),
                "{name}: {other}'s {label} in the content"
            );
        }
        assert!(
            page.contains(&format!("data-tab=\"{name}\" class=\"tab active\"")),
            "{name}"
        );
        assert!(
            page.contains(&format!("value=\"{FROM}\"")),
            "{name}: the from date"
        );
    }
}

#[test]
fn fragments_push_the_page_url_and_swap_the_header_out_of_band() {
    let (server, _) = seeded();
    let q = query(&[("store", A), ("from", FROM), ("to", TO)]);
    for (name, _) in TABS {
        let path = format!("/tabs/{name}{q}");
        let reply = server.fetch(&path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert_eq!(
            reply.header("content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        let body = reply.text();
        for label in key_labels(name) {
            assert!(body.contains(label), "{path}: no {label}");
        }
        assert!(!body.contains("<html"), "{path}: a fragment, not a page");
        let push = reply.header("hx-push-url");
        assert!(push.starts_with("/?"), "{path}: HX-Push-Url {push:?}");
        let pushed = params(&push[2..]);
        let expected = [("from", FROM), ("store", A), ("tab", name), ("to", TO)];
        let expected: BTreeMap<String, String> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pushed, expected, "{path}: HX-Push-Url {push}");
        assert!(
            body.contains("<div id=\"controls\" class=\"controls\" hx-swap-oob=\"true\">"),
            "{path}"
        );
        assert!(
            body.contains("<div id=\"status\" class=\"status\" hx-swap-oob=\"true\">"),
            "{path}"
        );
        // The out-of-band tab bar marks this tab as the active one.
        assert!(
            body.contains(&format!("data-tab=\"{name}\" class=\"tab active\"")),
            "{path}"
        );
    }
}

#[test]
fn charts_carry_options_whose_series_hold_the_api_data() {
    let (server, _) = seeded();
    let q = query(&[("from", FROM), ("to", TO)]);
    let overview = charts(&html(&server, &format!("/tabs/overview{q}")));
    let names: Vec<&str> = overview.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "品类成本",
            "品类销售",
            "客单价分布",
            "每日趋势",
            "渠道对比",
            "订单利润分布"
        ]
    );
    for (name, option) in &overview {
        let series = option["series"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {option}"));
        assert!(!series.is_empty(), "{name}");
        for s in series {
            let data = s["data"].as_array().map_or(0, Vec::len);
            assert!(data > 0, "{name}: empty series {s}");
        }
    }
    let json = api(&server, "overview", &q);
    let days = json["daily"].as_array().expect("daily");
    assert_eq!(days.len(), 7);
    let daily = &overview["每日趋势"];
    for (i, d) in days.iter().enumerate() {
        assert_eq!(daily["xAxis"]["data"][i], d["date"], "day {i}");
        let sales = d["sales"].as_f64().expect("sales");
        let shown = daily["series"][0]["data"][i].as_f64().expect("a number");
        assert!(
            (shown - sales).abs() < 0.006,
            "day {i}: chart {shown}, API {sales}"
        );
    }

    let products = charts(&html(&server, &format!("/tabs/products{q}")));
    let scatter = &products["商品四象限"];
    let points: usize = scatter["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|s| s["data"].as_array().map_or(0, Vec::len))
        .sum();
    // The API lists 200 products a page; `total_products` counts them all.
    let rows = api(&server, "products", &q)["total_products"]
        .as_u64()
        .expect("total_products") as usize;
    assert!(points > 50, "{points} points");
    assert_eq!(points, rows, "one point per product");

    let timeslots = charts(&html(&server, &format!("/tabs/timeslots{q}")));
    let heat = &timeslots["时段 × 场景"];
    let cells = heat["series"][0]["data"]
        .as_array()
        .expect("heatmap data")
        .len();
    let grid = api(&server, "timeslots", &q)["heatmap"].clone();
    let expected = grid["slots"].as_array().map_or(0, Vec::len)
        * grid["scenes"].as_array().map_or(0, Vec::len);
    assert!(cells > 0);
    assert_eq!(cells, expected, "one cell per slot and scene");
}

#[test]
fn a_bad_date_is_a_400_with_a_chinese_message_and_an_unknown_tab_is_a_404() {
    let (server, _) = seeded();
    let reply = server.get("/tabs/overview?from=2026-13-01");
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.content_type, "text/html; charset=utf-8");
    let alert = text_after(&reply.text(), "class=\"alert error\"", ">");
    assert!(
        alert.contains("开始日期") && alert.contains("2026-13-01"),
        "{alert}"
    );
    let page = server.get("/?tab=overview&to=2026-02-30");
    assert_eq!(page.status, 400, "the page too");
    assert!(page.text().contains("结束日期"), "{}", page.text());
    let reversed = server.get(&format!("/tabs/products?from={TO}&to={FROM}"));
    assert_eq!(reversed.status, 400);
    assert!(
        reversed.text().contains("晚于结束日期"),
        "{}",
        reversed.text()
    );
    let missing = server.get("/tabs/nope");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("nope"), "{}", missing.text());
}

#[test]
fn an_empty_server_renders_every_tab_empty_without_charts() {
    let server = AppServer::start();
    for tab in ANALYSIS {
        for path in [format!("/tabs/{tab}"), format!("/?tab={tab}")] {
            let body = html(&server, &path);
            assert!(body.contains("暂无订单数据"), "{path}: {body}");
            assert!(!body.contains("data-chart"), "{path}: a chart without data");
            assert!(!body.contains("class=\"alert error\""), "{path}");
        }
    }
    let data = html(&server, "/tabs/data");
    assert!(
        data.contains("还没有任何门店数据") && data.contains("还没有上传记录"),
        "{data}"
    );
    // Without --import-dir the upload card says how to have files imported without a click.
    assert!(
        data.contains("id=\"import-dir-off\"") && data.contains("--import-dir"),
        "{data}"
    );
    assert!(html(&server, "/").contains("尚无数据"));
}
