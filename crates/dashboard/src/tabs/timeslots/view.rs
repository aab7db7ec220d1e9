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
            "matrix": chart(charts::matrix(json)),
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
