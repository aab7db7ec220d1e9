//! The timeslots tab's charts: 时段分布, 时段客单价, 场景表现, the slot × scene heatmaps (sales;
//! orders with margin, 场景利润矩阵), 场景四象限 and the 配送 distance × slot heatmap.

use serde_json::{json, Value};

use crate::charts::{arr, base, merge, money_axis, num, pct_axis, text, MARGIN, ORDERS, SALES};

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

/// The cells of the answer's `heatmap.cells` (slots down, scenes across) with their slot and
/// scene indices.
fn grid(heatmap: &Value) -> impl Iterator<Item = (usize, usize, &Value)> {
    arr(heatmap, "cells")
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .enumerate()
                .map(move |(j, cell)| (i, j, cell))
        })
}

/// 时段 × 场景 heatmap of sales.
pub(crate) fn heatmap(timeslots: &Value) -> Value {
    let h = timeslots.get("heatmap").unwrap_or(&Value::Null);
    let (slots, scenes) = (arr(h, "slots"), arr(h, "scenes"));
    let mut data = Vec::new();
    let mut max: f64 = 0.0;
    for (i, j, cell) in grid(h) {
        let sales = cell.get("sales").and_then(Value::as_f64).unwrap_or(0.0);
        max = max.max(sales);
        data.push(json!([i, j, (sales * 100.0).round() / 100.0]));
    }
    let mut option = heat(
        "时段 × 场景 销售额",
        slots,
        scenes,
        data,
        max,
        &["时段", "场景", "销售额"],
    );
    option["visualMap"]["formatter"] = json!("¥{value}");
    option
}

/// 时段客单价: AOV per slot as a line, margin (%) as bars on a second axis.
pub(crate) fn slot_aov(timeslots: &Value) -> Value {
    let rows = arr(timeslots, "slots");
    let of = |key: &str| rows.iter().map(|r| num(r, key)).collect::<Vec<_>>();
    merge(
        base("时段客单价与利润率"),
        json!({
            "xAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "slot")).collect::<Vec<_>>()},
            "yAxis": [money_axis("客单价"), pct_axis("利润率")],
            "series": [
                {"name": "利润率", "sbFormat": "pct", "type": "bar", "yAxisIndex": 1, "color": MARGIN, "data": of("margin_pct")},
                {"name": "客单价", "sbFormat": "money", "type": "line", "color": SALES, "data": of("avg_order_value")},
            ],
        }),
    )
}

/// 场景表现: orders and sales per scene as bars, AOV as a line.
pub(crate) fn scenes(timeslots: &Value) -> Value {
    let rows = arr(timeslots, "scenes");
    let of = |key: &str| rows.iter().map(|r| num(r, key)).collect::<Vec<_>>();
    merge(
        base("场景订单、销售额与客单价"),
        json!({
            "xAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "scene")).collect::<Vec<_>>()},
            "yAxis": [{"type": "value", "name": "订单数"}, money_axis("金额")],
            "series": [
                {"name": "订单数", "sbFormat": "int", "type": "bar", "color": ORDERS, "data": of("orders")},
                {"name": "销售额", "sbFormat": "money", "type": "bar", "yAxisIndex": 1, "color": SALES, "data": of("sales")},
                {"name": "客单价", "sbFormat": "money", "type": "line", "yAxisIndex": 1, "color": MARGIN, "data": of("avg_order_value")},
            ],
        }),
    )
}

/// A heatmap's option: `x` across, `y` down, `data` as `[x, y, value, …extra]` with the
/// tooltip showing `dimensions`.
fn heat(title: &str, x: &[Value], y: &[Value], data: Vec<Value>, max: f64, dims: &[&str]) -> Value {
    let tooltip: Vec<usize> = (2..dims.len()).collect();
    json!({
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"position": "top"},
        "grid": {"left": 16, "right": 24, "top": 44, "bottom": 64, "containLabel": true},
        "xAxis": {"type": "category", "data": x, "splitArea": {"show": true}},
        "yAxis": {"type": "category", "data": y, "splitArea": {"show": true}},
        "visualMap": {"min": 0, "max": max.max(1.0), "calculable": true, "orient": "horizontal",
                      "precision": 0, "dimension": 2,
                      "left": "center", "bottom": 4, "inRange": {"color": ["#eff6ff", "#1d4ed8"]}},
        "series": [{"name": dims[2], "type": "heatmap", "data": data, "dimensions": dims,
                    "encode": {"x": 0, "y": 1, "value": 2, "tooltip": tooltip},
                    "label": {"show": false},
                    "emphasis": {"itemStyle": {"shadowBlur": 8, "shadowColor": "rgba(0,0,0,0.3)"}}}],
    })
}

/// 场景利润矩阵: slot × scene orders, the cell's sales and margin (%) in the tooltip.
pub(crate) fn matrix(timeslots: &Value) -> Value {
    let h = timeslots.get("heatmap").unwrap_or(&Value::Null);
    let mut data = Vec::new();
    let mut max: f64 = 0.0;
    for (i, j, cell) in grid(h) {
        let orders = cell.get("orders").and_then(Value::as_f64).unwrap_or(0.0);
        let (sales, profit) = (num(cell, "sales"), num(cell, "profit"));
        let margin = match (sales.as_f64(), profit.as_f64()) {
            (Some(s), Some(p)) if s != 0.0 => json!((p / s * 1000.0).round() / 10.0),
            _ => Value::Null,
        };
        max = max.max(orders);
        data.push(json!([i, j, orders, sales, margin]));
    }
    heat(
        "场景利润矩阵(订单数,提示中为销售额与利润率)",
        arr(h, "slots"),
        arr(h, "scenes"),
        data,
        max,
        &["时段", "场景", "订单数", "销售额", "利润率%"],
    )
}

/// 场景四象限: orders × margin per scene, bubbles sized by sales, the scenes' mean orders and
/// margin as the quadrant lines.
pub(crate) fn quadrants(timeslots: &Value) -> Value {
    let rows: Vec<&Value> = arr(timeslots, "scenes")
        .iter()
        .filter(|r| r.get("orders").and_then(Value::as_f64).unwrap_or(0.0) > 0.0)
        .collect();
    let f = |r: &Value, key: &str| r.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let top = rows.iter().map(|r| f(r, "sales")).fold(0.0, f64::max);
    let n = rows.len().max(1) as f64;
    let mean = |key: &str| rows.iter().map(|r| f(r, key)).sum::<f64>() / n;
    let data: Vec<Value> = rows
        .iter()
        .map(|r| {
            let size = if top > 0.0 { 12.0 + 48.0 * (f(r, "sales") / top).sqrt() } else { 12.0 };
            json!({"value": [f(r, "orders"), num(r, "margin_pct"), text(r, "scene"), num(r, "sales")],
                   "symbolSize": size.round(), "name": text(r, "scene")})
        })
        .collect();
    merge(
        base("场景四象限(订单数 × 利润率,气泡大小为销售额)"),
        json!({
            "tooltip": {"trigger": "item"},
            "xAxis": {"type": "value", "name": "订单数", "nameLocation": "middle", "nameGap": 28},
            "yAxis": {"type": "value", "name": "利润率", "axisLabel": {"formatter": "{value}%"}},
            "series": [{"name": "场景", "type": "scatter", "color": SALES, "data": data,
                        "dimensions": ["订单数", "利润率%", "场景", "销售额"],
                        "encode": {"x": 0, "y": 1, "tooltip": [2, 0, 1, 3]},
                        "label": {"show": true, "formatter": "{b}", "position": "top"},
                        "markLine": {"silent": true, "symbol": "none",
                                     "lineStyle": {"type": "dashed", "color": "#94a3b8"},
                                     "data": [{"xAxis": (mean("orders") * 10.0).round() / 10.0, "name": "平均订单数"},
                                              {"yAxis": (mean("margin_pct") * 10.0).round() / 10.0, "name": "平均利润率"}]}}],
        }),
    )
}

/// 配送: distance bucket × slot orders; 配送净成本 per order and the share above the alert in
/// the tooltip; flagged cells outlined in red with a ⚠.
pub(crate) fn delivery(timeslots: &Value) -> Value {
    let d = timeslots.get("delivery").unwrap_or(&Value::Null);
    let (buckets, slots) = (arr(d, "buckets"), arr(d, "slots"));
    let index = |list: &[Value], v: &Value| list.iter().position(|x| x == v).unwrap_or(0);
    let mut max: f64 = 0.0;
    let data: Vec<Value> = arr(d, "cells")
        .iter()
        .map(|c| {
            let orders = c.get("orders").and_then(Value::as_f64).unwrap_or(0.0);
            max = max.max(orders);
            let value = json!([
                index(slots, &text(c, "slot")),
                index(buckets, &text(c, "bucket")),
                orders,
                num(c, "delivery_net_per_order"),
                num(c, "over_alert_pct")
            ]);
            if c.get("flagged").and_then(Value::as_bool) == Some(true) {
                json!({"value": value, "itemStyle": {"borderColor": "#dc2626", "borderWidth": 2},
                       "label": {"show": true, "formatter": "⚠", "color": "#dc2626"}})
            } else {
                json!({"value": value})
            }
        })
        .collect();
    heat(
        "配送距离 × 时段(订单数;红框:超配送预警订单占比 > 15%)",
        slots,
        buckets,
        data,
        max,
        &["时段", "距离", "订单数", "单均配送净成本", "超预警占比%"],
    )
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

    #[test]
    fn the_matrix_carries_orders_sales_and_margin_per_cell() {
        let t = json!({"heatmap": {"slots": ["早"], "scenes": ["早餐", "夜宵"],
                       "cells": [[{"sales": 20.0, "lines": 3, "orders": 2, "profit": 5.0},
                                  {"sales": 0.0, "lines": 0, "orders": 0, "profit": 0.0}]]}});
        let chart = matrix(&t);
        // Margin 5 / 20 = 25%; none without sales.
        assert_eq!(
            chart["series"][0]["data"],
            json!([[0, 0, 2.0, 20.0, 25.0], [0, 1, 0.0, 0.0, null]])
        );
    }

    #[test]
    fn flagged_delivery_cells_are_outlined_and_placed_by_slot_and_bucket() {
        let t = json!({"delivery": {"buckets": ["0-2km", "2-3km"], "slots": ["清晨", "上午"],
            "cells": [{"bucket": "2-3km", "slot": "上午", "orders": 4, "delivery_net_per_order": 6.5,
                       "over_alert_pct": 50.0, "flagged": true},
                      {"bucket": "0-2km", "slot": "清晨", "orders": 0, "delivery_net_per_order": null,
                       "over_alert_pct": null, "flagged": false}]}});
        let chart = delivery(&t);
        let data = &chart["series"][0]["data"];
        assert_eq!(data[0]["value"], json!([1, 1, 4.0, 6.5, 50.0]));
        assert_eq!(data[0]["itemStyle"]["borderColor"], json!("#dc2626"));
        assert!(data[1].get("itemStyle").is_none());
        assert_eq!(chart["visualMap"]["max"], json!(4.0));
    }

    #[test]
    fn scene_bubbles_leave_out_scenes_without_orders() {
        let t = json!({"scenes": [
            {"scene": "早餐", "orders": 10, "sales": 400.0, "margin_pct": 20.0},
            {"scene": "夜宵", "orders": 0, "sales": 0.0, "margin_pct": null}]});
        let chart = quadrants(&t);
        let data = chart["series"][0]["data"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(data.len(), 1);
        assert_eq!(
            data[0]["symbolSize"],
            json!(60.0),
            "the largest sales: 12 + 48"
        );
    }
}
