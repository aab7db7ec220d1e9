//! The timeslots tab's charts: 时段分布 and the slot × scene heatmap.

use serde_json::{json, Value};

use crate::charts::{arr, base, merge, money_axis, num, text, ORDERS, SALES};

/// 时段分布: orders per slot, sales on a second axis.
pub(crate) fn slots(timeslots: &Value) -> Value {
    let rows = arr(timeslots, "slots");
    merge(
        base("时段订单与销售额"),
        json!({
            "xAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "slot")).collect::<Vec<_>>()},
            "yAxis": [{"type": "value", "name": "订单数"}, money_axis("销售额")],
            "series": [
                {"name": "订单数", "sbFormat": "int", "type": "bar", "color": ORDERS, "data": rows.iter().map(|r| num(r, "orders")).collect::<Vec<_>>()},
                {"name": "销售额", "sbFormat": "money", "type": "line", "yAxisIndex": 1, "color": SALES,
                 "data": rows.iter().map(|r| num(r, "sales")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// 时段 × 场景 heatmap of sales.
pub(crate) fn heatmap(timeslots: &Value) -> Value {
    let h = timeslots.get("heatmap").unwrap_or(&Value::Null);
    let (slots, scenes) = (arr(h, "slots"), arr(h, "scenes"));
    let mut data = Vec::new();
    let mut max: f64 = 0.0;
    for (i, row) in arr(h, "cells").iter().enumerate() {
        for (j, cell) in row
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let sales = cell.get("sales").and_then(Value::as_f64).unwrap_or(0.0);
            max = max.max(sales);
            data.push(json!([i, j, (sales * 100.0).round() / 100.0]));
        }
    }
    json!({
        "title": {"text": "时段 × 场景 销售额", "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"position": "top"},
        "grid": {"left": 16, "right": 24, "top": 44, "bottom": 64, "containLabel": true},
        "xAxis": {"type": "category", "data": slots, "splitArea": {"show": true}},
        "yAxis": {"type": "category", "data": scenes, "splitArea": {"show": true}},
        "visualMap": {"min": 0, "max": max.max(1.0), "calculable": true, "orient": "horizontal",
                      "formatter": "¥{value}", "precision": 0,
                      "left": "center", "bottom": 4, "inRange": {"color": ["#eff6ff", "#1d4ed8"]}},
        "series": [{"name": "销售额", "type": "heatmap", "data": data, "label": {"show": false},
                    "emphasis": {"itemStyle": {"shadowBlur": 8, "shadowColor": "rgba(0,0,0,0.3)"}}}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_cells_are_slot_scene_sales_triples() {
        let t = json!({"heatmap": {"slots": ["早", "午"], "scenes": ["早餐"],
                       "cells": [[{"sales": 1.0, "lines": 1}], [{"sales": 3.0, "lines": 2}]]}});
        let chart = heatmap(&t);
        assert_eq!(
            chart["series"][0]["data"],
            json!([[0, 0, 1.0], [1, 0, 3.0]])
        );
        assert_eq!(chart["visualMap"]["max"], json!(3.0));
    }
}
