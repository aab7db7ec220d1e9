//! ECharts options built on the server from a tab's JSON. The page's script only hands each
//! option to `echarts.init(...).setOption(...)`: no chart logic in the browser, and no inline
//! script (the option travels in a `data-chart` attribute, escaped like any other text).

use serde_json::{json, Value};

const SALES: &str = "#3b82f6";
const PROFIT: &str = "#10b981";
const MARGIN: &str = "#f59e0b";
const ORDERS: &str = "#6366f1";

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A number rounded to cents (smaller attributes; charts never need more).
fn num(v: &Value, key: &str) -> Value {
    match v.get(key).and_then(Value::as_f64) {
        Some(n) => json!((n * 100.0).round() / 100.0),
        None => Value::Null,
    }
}

fn text(v: &Value, key: &str) -> Value {
    v.get(key).cloned().unwrap_or(Value::Null)
}

fn base(title: &str) -> Value {
    json!({
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        // The legend goes below the plot and the plot starts well under the title, so the
        // axis names never collide with either.
        "legend": {"bottom": 0},
        "grid": {"left": 16, "right": 16, "top": 64, "bottom": 36, "containLabel": true},
    })
}

fn merge(mut into: Value, more: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), more) {
        a.extend(b);
    }
    into
}

fn money_axis(name: &str) -> Value {
    json!({"type": "value", "name": name, "axisLabel": {"formatter": "¥{value}"}})
}

fn pct_axis(name: &str) -> Value {
    json!({"type": "value", "name": name, "axisLabel": {"formatter": "{value}%"}, "splitLine": {"show": false}})
}

/// 每日趋势: sales and profit bars, margin on a second axis.
pub fn daily(overview: &Value) -> Value {
    let days = arr(overview, "daily");
    merge(
        base("每日趋势"),
        json!({
            "xAxis": {"type": "category", "data": days.iter().map(|d| text(d, "date")).collect::<Vec<_>>()},
            "yAxis": [money_axis("金额"), pct_axis("利润率")],
            "series": [
                {"name": "销售额", "sbFormat": "money", "type": "bar", "color": SALES, "data": days.iter().map(|d| num(d, "sales")).collect::<Vec<_>>()},
                {"name": "利润", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": days.iter().map(|d| num(d, "profit")).collect::<Vec<_>>()},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": MARGIN, "smooth": true,
                 "data": days.iter().map(|d| num(d, "margin_pct")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// 渠道对比: sales and profit per channel, margin on a second axis.
pub fn channels(overview: &Value) -> Value {
    let rows = arr(overview, "channels");
    merge(
        base("渠道对比"),
        json!({
            "xAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "channel")).collect::<Vec<_>>()},
            "yAxis": [money_axis("金额"), pct_axis("利润率")],
            "series": [
                {"name": "销售额", "sbFormat": "money", "type": "bar", "color": SALES, "data": rows.iter().map(|r| num(r, "sales")).collect::<Vec<_>>()},
                {"name": "利润", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": rows.iter().map(|r| num(r, "profit")).collect::<Vec<_>>()},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": MARGIN,
                 "data": rows.iter().map(|r| num(r, "margin_pct")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// Orders per band (客单价分布, 订单利润分布) with the band's margin on a second axis.
pub fn bands(title: &str, rows: &[Value]) -> Value {
    merge(
        base(title),
        json!({
            "xAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "label")).collect::<Vec<_>>(),
                      "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": [{"type": "value", "name": "订单数"}, pct_axis("利润率")],
            "series": [
                {"name": "订单数", "sbFormat": "int", "type": "bar", "color": ORDERS, "data": rows.iter().map(|r| num(r, "orders")).collect::<Vec<_>>()},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": MARGIN,
                 "data": rows.iter().map(|r| num(r, "margin_pct")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// 品类结构: sales and profit per category, largest at the top.
pub fn categories(overview: &Value) -> Value {
    let rows: Vec<&Value> = arr(overview, "categories").iter().rev().collect();
    merge(
        base("品类销售"),
        json!({
            "grid": {"left": 16, "right": 32, "top": 44, "bottom": 36, "containLabel": true},
            "xAxis": money_axis(""),
            "yAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "category")).collect::<Vec<_>>()},
            "series": [
                {"name": "销售额", "sbFormat": "money", "type": "bar", "color": SALES, "data": rows.iter().map(|r| num(r, "sales")).collect::<Vec<_>>()},
                {"name": "利润", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": rows.iter().map(|r| num(r, "profit")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// 商品四象限: quantity against margin, one series per quadrant, the thresholds as lines.
pub fn quadrants(products: &Value) -> Value {
    let q = products.get("quadrants").unwrap_or(&Value::Null);
    let colors = [
        ("明星", "#10b981"),
        ("潜力", "#3b82f6"),
        ("引流", "#f59e0b"),
        ("淘汰", "#ef4444"),
    ];
    let rows = arr(products, "products");
    let mut series: Vec<Value> = colors
        .iter()
        .map(|(name, color)| {
            let data: Vec<Value> = rows
                .iter()
                .filter(|r| r.get("quadrant").and_then(Value::as_str) == Some(name))
                .map(|r| {
                    json!([
                        num(r, "quantity"),
                        num(r, "margin_pct").as_f64().unwrap_or(0.0),
                        text(r, "name")
                    ])
                })
                .collect();
            json!({"name": name, "type": "scatter", "color": color, "symbolSize": 9, "data": data,
                   "encode": {"tooltip": [2, 0, 1]}})
        })
        .collect();
    if let Some(first) = series.first_mut() {
        first["markLine"] = json!({
            "silent": true, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#94a3b8"},
            "label": {"formatter": "{b}"},
            "data": [{"xAxis": num(q, "median_quantity"), "name": "销量中位数"},
                     {"yAxis": num(q, "high_margin_pct"), "name": "高利润率线"}],
        });
    }
    merge(
        base("商品四象限(销量 × 利润率)"),
        json!({
            "tooltip": {"trigger": "item"},
            "grid": {"left": 16, "right": 96, "top": 64, "bottom": 36, "containLabel": true},
            "xAxis": {"type": "log", "name": "销量(对数)", "logBase": 10, "min": "dataMin", "max": "dataMax",
                      "nameLocation": "middle", "nameGap": 28},
            "yAxis": {"type": "value", "name": "利润率", "axisLabel": {"formatter": "{value}%"}},
            "dimensions": ["销量", "利润率", "商品"],
            "series": series,
        }),
    )
}

/// 时段分布: orders per slot, sales on a second axis.
pub fn slots(timeslots: &Value) -> Value {
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
pub fn heatmap(timeslots: &Value) -> Value {
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
    fn daily_chart_has_one_point_per_day_in_each_series() {
        let overview = json!({"daily": [
            {"date": "2026-11-01", "sales": 10.0, "profit": 2.0, "margin_pct": 20.0},
            {"date": "2026-11-02", "sales": 12.345, "profit": -1.0, "margin_pct": null},
        ]});
        let chart = daily(&overview);
        assert_eq!(chart["xAxis"]["data"], json!(["2026-11-01", "2026-11-02"]));
        assert_eq!(chart["series"][0]["data"], json!([10.0, 12.35]));
        assert_eq!(chart["series"][2]["data"], json!([20.0, null]));
        assert_eq!(chart["series"][2]["yAxisIndex"], json!(1));
    }

    #[test]
    fn quadrant_points_go_to_their_quadrant_series() {
        let products = json!({
            "quadrants": {"high_margin_pct": 30.0, "median_quantity": 5.0},
            "products": [
                {"name": "可乐", "quantity": 9.0, "margin_pct": 35.0, "quadrant": "明星"},
                {"name": "<b>", "quantity": 1.0, "margin_pct": null, "quadrant": "淘汰"},
            ],
        });
        let chart = quadrants(&products);
        assert_eq!(chart["series"][0]["data"], json!([[9.0, 35.0, "可乐"]]));
        assert_eq!(chart["series"][3]["data"], json!([[1.0, 0.0, "<b>"]]));
        assert_eq!(
            chart["series"][0]["markLine"]["data"][0]["xAxis"],
            json!(5.0)
        );
    }

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
