//! ⏰ 时段场景: 时段, 场景, 场景利润矩阵, 场景四象限 and 配送, each a chart over its table.

use serde_json::{json, Value};

use super::{charts, columns as c};
use crate::columns::pick;
use crate::query::ViewQuery;
use crate::views::{arr, chart, sized_table, table, Href};

/// ⏰ 时段场景.
pub(crate) fn timeslots(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    // The page lists the delivery cells with orders (the workbook has all 64).
    let delivery: Vec<Value> = json
        .get("delivery")
        .map(|d| arr(d, "cells"))
        .unwrap_or_default()
        .iter()
        .filter(|c| c.get("orders").and_then(Value::as_u64).unwrap_or(0) > 0)
        .cloned()
        .collect();
    let d = json.get("delivery").unwrap_or(&Value::Null);
    json!({
        "charts": {
            "slots": chart(charts::slots(json)),
            "slot_aov": chart(charts::slot_aov(json)),
            "scenes": chart(charts::scenes(json)),
            "heatmap": chart(charts::heatmap(json)),
            "matrix": chart(matrix(json, q, href)),
            "quadrants": chart(charts::quadrants(json)),
            "delivery": chart(charts::delivery(json)),
        },
        "slots": table("slots", &pick(c::SLOTS, c::SLOTS_PAGE), arr(json, "slots"), q, href),
        "scenes": table("scenes", c::SCENES, arr(json, "scenes"), q, href),
        "scene_coverage_pct": json.get("scene_coverage_pct").cloned().unwrap_or(Value::Null),
        "delivery": sized_table("delivery", c::DELIVERY, &delivery, 64, q, href),
        "scene_products": sized_table("scene_products", c::SCENE_PRODUCTS, &scene_product_rows(json), 200, q, href),
        "delivery_alert": d.get("alert").cloned().unwrap_or(Value::Null),
        "flagged": delivery.iter().filter(|c| c["flagged"] == json!(true)).count(),
        "cell": selected_cell(json, q, href),
    })
}

/// 场景利润矩阵, each cell opening the page with that cell's table (`cell=slot,scene`).
fn matrix(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let mut option = charts::matrix(json);
    let urls: Vec<Value> = option["series"][0]["data"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|d| {
            let cell = format!("{},{}", d[0], d[1]);
            json!(format!(
                "{}#ts-cell",
                href.page("timeslots", &q.with("cell", &cell))
            ))
        })
        .collect();
    option["series"][0]["sbUrls"] = json!(urls);
    option
}

/// The cell of 场景利润矩阵 the query names (`cell=2,0`: the third slot, the first scene): its
/// figures and its scene's products; `null` when none or out of range.
fn selected_cell(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let Some((i, j)) = q.get("cell").and_then(|c| {
        let (a, b) = c.split_once(',')?;
        Some((
            a.trim().parse::<usize>().ok()?,
            b.trim().parse::<usize>().ok()?,
        ))
    }) else {
        return Value::Null;
    };
    let h = json.get("heatmap").unwrap_or(&Value::Null);
    let (Some(slot), Some(scene), Some(cell)) = (
        arr(h, "slots").get(i),
        arr(h, "scenes").get(j),
        arr(h, "cells").get(i).and_then(|row| row.get(j)),
    ) else {
        return Value::Null;
    };
    let f = |k: &str| cell.get(k).and_then(Value::as_f64);
    let orders = f("orders");
    let products: Vec<Value> = scene_product_rows(json)
        .into_iter()
        .filter(|r| r.get("scene") == Some(scene))
        .collect();
    json!({
        "slot": slot,
        "scene": scene,
        "facts": [
            {"label": "订单数", "value": crate::format::int(orders)},
            {"label": "销售额", "value": crate::format::money(f("sales"))},
            {"label": "利润", "value": crate::format::money(f("profit"))},
            {"label": "利润率", "value": crate::format::pct(match (f("sales"), f("profit")) {
                (Some(s), Some(p)) if s != 0.0 => Some(p / s * 100.0),
                _ => None,
            })},
            {"label": "客单价", "value": crate::format::money(match (f("sales"), orders) {
                (Some(s), Some(o)) if o > 0.0 => Some(s / o),
                _ => None,
            })},
        ],
        "products": sized_table("cell_products", c::SCENE_PRODUCTS, &products, 50, q, href),
        "close": format!("{}#ts-matrix", href.page("timeslots", &q.with("cell", ""))),
    })
}

/// 商品 × 场景 as one table: every scene's listed products in scene order, each row carrying
/// its scene's name.
pub(super) fn scene_product_rows(json: &Value) -> Vec<Value> {
    let mut rows = Vec::new();
    for s in arr(json, "product_scenes") {
        for p in arr(s, "products") {
            let mut row = p.clone();
            row["scene"] = s.get("scene").cloned().unwrap_or(Value::Null);
            rows.push(row);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        json!({
            "heatmap": {"slots": ["清晨", "上午"], "scenes": ["早餐", "夜宵"],
                        "cells": [[{"orders": 4, "sales": 40.0, "profit": 10.0}, {"orders": 0, "sales": 0.0, "profit": 0.0}],
                                  [{"orders": 2, "sales": 30.0, "profit": 3.0}, {"orders": 1, "sales": 5.0, "profit": -1.0}]]},
            "product_scenes": [
                {"scene": "早餐", "count": 1, "products": [{"key": "M", "name": "牛奶", "category": "乳品", "quantity": 3.0, "orders": 3, "sales": 30.0, "profit": 6.0, "margin_pct": 20.0}]},
                {"scene": "夜宵", "count": 1, "products": [{"key": "B", "name": "啤酒", "category": "酒水", "quantity": 1.0, "orders": 1, "sales": 5.0, "profit": -1.0, "margin_pct": -20.0}]},
            ],
        })
    }

    #[test]
    fn every_matrix_cell_opens_the_page_with_that_cell() {
        let option = matrix(&sample(), &ViewQuery::parse("store=A"), Href::encoded());
        let urls = option["series"][0]["sbUrls"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(urls.len(), 4, "one URL per cell");
        // Cell [1, 0]: the second slot (上午), the first scene (早餐).
        assert_eq!(urls[2], json!("/?cell=1%2C0&store=A&tab=timeslots#ts-cell"));
    }

    #[test]
    fn a_selected_cell_shows_its_figures_and_its_scenes_products() {
        let q = ViewQuery::parse("cell=1,0");
        let cell = selected_cell(&sample(), &q, Href::encoded());
        assert_eq!(
            (&cell["slot"], &cell["scene"]),
            (&json!("上午"), &json!("早餐"))
        );
        let facts = cell["facts"].as_array().cloned().unwrap_or_default();
        // 2 orders, ¥30 sales, ¥3 profit: margin 10%, ¥15 a order.
        assert_eq!(facts[0]["value"], "2");
        assert_eq!(facts[3]["value"], "10.0%");
        assert_eq!(facts[4]["value"], "¥15.00");
        assert_eq!(cell["products"]["total"], 1, "only 早餐's products");
        for bad in ["9,9", "x", "1"] {
            let none = selected_cell(
                &sample(),
                &ViewQuery::parse(&format!("cell={bad}")),
                Href::encoded(),
            );
            assert!(none.is_null(), "{bad}");
        }
    }
}
