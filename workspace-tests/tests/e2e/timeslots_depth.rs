//! 时段场景 in depth (issue 14) through the real application: scenes with orders and AOV, the
//! scene coverage, the 配送 distance × slot grid against the slots, the page's sub-views and
//! the workbook's sheets.

use calamine::Data;
use serde_json::Value;

use crate::dashboard::{api, charts, html, query, seeded, C, FROM, TO};
use crate::dashboard_export::sheets;

fn list<'a>(json: &'a Value, key: &str) -> &'a [Value] {
    json[key].as_array().map_or(&[], Vec::as_slice)
}

fn n(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn the_timeslots_answer_has_scene_orders_coverage_and_a_delivery_grid_that_adds_up() {
    let (server, _) = seeded();
    let json = api(&server, "timeslots", &query(&[("from", FROM), ("to", TO)]));
    for s in list(&json, "scenes") {
        let orders = n(&s["orders"]);
        match s["avg_order_value"].as_f64() {
            Some(aov) => assert!((aov * orders - n(&s["sales"])).abs() < 0.01, "{s}"),
            None => assert_eq!(orders, 0.0, "{s}"),
        }
    }
    // Each scene's products are its best sellers, by sales.
    for s in list(&json, "product_scenes") {
        let sales: Vec<f64> = list(s, "products").iter().map(|p| n(&p["sales"])).collect();
        assert!(sales.windows(2).all(|w| w[0] >= w[1]), "{s}");
        assert!(n(&s["count"]) >= sales.len() as f64, "{s}");
    }
    let coverage = n(&json["scene_coverage_pct"]);
    assert!(coverage > 90.0 && coverage <= 100.0, "{coverage}");
    let d = &json["delivery"];
    let buckets: Vec<&str> = list(d, "buckets")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        buckets,
        [
            "0-2km",
            "2-3km",
            "3-4km",
            "4-5km",
            "5-6km",
            "6-8km",
            "8km+",
            "距离未知"
        ]
    );
    assert_eq!(list(d, "slots").len(), 8);
    let cells = list(d, "cells");
    assert_eq!(cells.len(), 64);
    // Every order is in one bucket of its slot: the grid's column sums are the slots' orders.
    for s in list(&json, "slots") {
        let in_grid: f64 = cells
            .iter()
            .filter(|c| c["slot"] == s["slot"])
            .map(|c| n(&c["orders"]))
            .sum();
        assert_eq!(in_grid, n(&s["orders"]), "{s}");
    }
    for c in cells {
        for key in [
            "bucket",
            "slot",
            "orders",
            "delivery_net_per_order",
            "over_alert_pct",
            "flagged",
        ] {
            assert!(c.get(key).is_some(), "{key} in {c}");
        }
        let flagged = c["over_alert_pct"]
            .as_f64()
            .is_some_and(|p| p > 15.0 + 1e-9);
        assert_eq!(c["flagged"].as_bool(), Some(flagged), "{c}");
    }
    // 三号店's hand-written workbook has no 配送距离: its orders are 距离未知.
    let c_only = api(
        &server,
        "timeslots",
        &query(&[("from", FROM), ("to", TO), ("store", C)]),
    );
    let unknown: f64 = list(&c_only["delivery"], "cells")
        .iter()
        .map(|c| {
            if c["bucket"] == "距离未知" {
                n(&c["orders"])
            } else {
                0.0
            }
        })
        .sum();
    let all: f64 = list(&c_only, "slots").iter().map(|s| n(&s["orders"])).sum();
    assert!(all > 0.0);
    assert_eq!(unknown, all);
}

#[test]
fn the_page_shows_the_five_sub_views_and_delivery_and_the_workbook_has_their_sheets() {
    let (server, _) = seeded();
    let q = query(&[("from", FROM), ("to", TO)]);
    let json = api(&server, "timeslots", &q);
    let page = html(&server, &format!("/tabs/timeslots{q}"));
    let charts = charts(&page);
    for name in [
        "时段订单与销售额",
        "时段客单价与利润率",
        "场景表现",
        "场景利润矩阵",
        "场景四象限",
        "配送距离 × 时段",
    ] {
        assert!(
            charts.contains_key(name),
            "chart {name}: {:?}",
            charts.keys()
        );
    }
    let heat = &charts["配送距离 × 时段"]["series"][0]["data"];
    assert_eq!(heat.as_array().map_or(0, Vec::len), 64);
    let with_orders = list(&json["delivery"], "cells")
        .iter()
        .filter(|c| n(&c["orders"]) > 0.0)
        .count();
    let table = &page[page.find("id=\"t-delivery\"").expect("delivery table")..];
    let table = &table[table.find("<tbody>").expect("a body")..];
    let body = &table[..table.find("</tbody>").unwrap_or(table.len())];
    assert_eq!(body.matches("<tr>").count(), with_orders);
    assert!(page.contains("id=\"scene-coverage\""));
    // A click on a 场景利润矩阵 cell opens the page with that cell's table: the URL each cell
    // carries answers with the cell's slot and scene and its figures.
    let matrix = &charts["场景利润矩阵"]["series"][0];
    let urls = matrix["sbUrls"].as_array().cloned().unwrap_or_default();
    assert_eq!(urls.len(), matrix["data"].as_array().map_or(0, Vec::len));
    let first = urls[0].as_str().unwrap_or_default().replace("&amp;", "&");
    let path = first.split('#').next().unwrap_or_default();
    let opened = html(&server, path);
    let slot = json["heatmap"]["slots"][0].as_str().unwrap_or_default();
    let scene = json["heatmap"]["scenes"][0].as_str().unwrap_or_default();
    assert!(
        opened.contains(&format!("所选格子:{slot} × {scene}")),
        "{path}: {opened}"
    );

    let reply = server.fetch(&format!("/export/timeslots.xlsx{q}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let book = sheets(&reply.body);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "时段",
            "场景",
            "热力图",
            "场景订单矩阵",
            "场景利润矩阵",
            "配送",
            "商品×场景"
        ]
    );
    let delivery = &book[5].1;
    let rows = delivery
        .rows()
        .skip(1)
        .filter(|r| r.iter().any(|c| *c != Data::Empty))
        .count();
    assert_eq!(rows, 64, "every bucket × slot");
    let listed: usize = list(&json, "product_scenes")
        .iter()
        .map(|s| list(s, "products").len())
        .sum();
    assert!(listed > 0);
    let products = &book[6].1;
    let rows = products
        .rows()
        .skip(1)
        .filter(|r| r.iter().any(|c| *c != Data::Empty))
        .count();
    assert_eq!(rows, listed, "every listed product of every scene");
    assert!(page.contains("id=\"t-scene_products\""));
}
