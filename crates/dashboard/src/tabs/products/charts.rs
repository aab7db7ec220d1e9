//! The products tab's chart: 商品四象限.

use serde_json::{json, Value};

use crate::charts::{arr, base, merge, money_axis, num, pct_axis, text, MARGIN, SALES};

/// 商品四象限: 动销指数 against margin, one series per quadrant, the thresholds as lines; each
/// series carries its points' product keys (`sbKeys`) for the page's click handler.
pub(crate) fn quadrants(products: &Value) -> Value {
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
            let members: Vec<&Value> = rows
                .iter()
                .filter(|r| r.get("quadrant").and_then(Value::as_str) == Some(name))
                .collect();
            let data: Vec<Value> = members
                .iter()
                .map(|r| {
                    json!([
                        num(r, "activity"),
                        num(r, "margin_pct").as_f64().unwrap_or(0.0),
                        text(r, "name")
                    ])
                })
                .collect();
            // The points' product keys, by index: a click opens the product's page.
            let keys: Vec<Value> = members.iter().map(|r| text(r, "key")).collect();
            json!({"name": name, "type": "scatter", "color": color, "symbolSize": 9, "data": data,
                   "sbKeys": keys, "encode": {"tooltip": [2, 0, 1]}})
        })
        .collect();
    if let Some(first) = series.first_mut() {
        first["markLine"] = json!({
            "silent": true, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#94a3b8"},
            "label": {"formatter": "{b}"},
            "data": [{"xAxis": num(q, "median_activity"), "name": "动销指数中位数"},
                     {"yAxis": num(q, "high_margin_pct"), "name": "高利润率线"}],
        });
    }
    merge(
        base("商品四象限(动销指数 × 利润率)"),
        json!({
            "tooltip": {"trigger": "item"},
            "grid": {"left": 16, "right": 96, "top": 64, "bottom": 36, "containLabel": true},
            "xAxis": {"type": "value", "name": "动销指数(售出天数占比)", "min": 0, "max": 1,
                      "nameLocation": "middle", "nameGap": 28},
            "yAxis": {"type": "value", "name": "利润率", "axisLabel": {"formatter": "{value}%"}},
            "dimensions": ["动销指数", "利润率", "商品"],
            "series": series,
        }),
    )
}

/// A ranking as horizontal bars: the products' `field` values, the best at the top.
pub(crate) fn ranking(title: &str, rows: &[Value], field: &str) -> Value {
    let names: Vec<Value> = rows.iter().rev().map(|r| text(r, "name")).collect();
    let values: Vec<Value> = rows.iter().rev().map(|r| num(r, field)).collect();
    merge(
        base(title),
        json!({
            "grid": {"left": 16, "right": 32, "top": 48, "bottom": 16, "containLabel": true},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "data": names, "axisLabel": {"width": 140, "overflow": "truncate"}},
            "series": [{"type": "bar", "name": title, "data": values, "color": SALES}],
        }),
    )
}

/// 价格带: sales as bars, margin as a line on its own axis.
pub(crate) fn price_bands(bands: &Value) -> Value {
    let rows = bands.as_array().map_or(&[][..], Vec::as_slice);
    let names: Vec<Value> = rows.iter().map(|b| text(b, "band")).collect();
    let sales: Vec<Value> = rows.iter().map(|b| num(b, "sales")).collect();
    let margin: Vec<Value> = rows.iter().map(|b| num(b, "margin_pct")).collect();
    merge(
        base("价格带(实收单价)"),
        json!({
            "xAxis": {"type": "category", "data": names},
            "yAxis": [money_axis("销售额"), pct_axis("利润率")],
            "series": [
                {"type": "bar", "name": "销售额", "data": sales, "color": SALES},
                {"type": "line", "name": "利润率", "yAxisIndex": 1, "data": margin, "color": MARGIN},
            ],
        }),
    )
}

/// 象限趋势: the four quadrants' product counts stacked per bucket.
pub(crate) fn quadrant_trend(points: &Value) -> Value {
    let rows = points.as_array().map_or(&[][..], Vec::as_slice);
    let starts: Vec<Value> = rows.iter().map(|p| text(p, "start")).collect();
    let series: Vec<Value> = [
        ("明星", "#10b981"),
        ("潜力", "#3b82f6"),
        ("引流", "#f59e0b"),
        ("淘汰", "#ef4444"),
    ]
    .iter()
    .map(|(q, color)| {
        let data: Vec<Value> = rows.iter().map(|p| text(p, q)).collect();
        json!({"type": "bar", "stack": "q", "name": q, "data": data, "color": color})
    })
    .collect();
    merge(
        base("象限趋势(商品数)"),
        json!({"xAxis": {"type": "category", "data": starts}, "yAxis": {"type": "value"}, "series": series}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrant_points_go_to_their_quadrant_series() {
        let products = json!({
            "quadrants": {"high_margin_pct": 30.0, "median_activity": 0.5},
            "products": [
                {"key": "K1", "name": "可乐", "activity": 0.9, "margin_pct": 35.0, "quadrant": "明星"},
                {"key": "a/b", "name": "<b>", "activity": 0.1, "margin_pct": null, "quadrant": "淘汰"},
            ],
        });
        let chart = quadrants(&products);
        assert_eq!(chart["series"][0]["data"], json!([[0.9, 35.0, "可乐"]]));
        assert_eq!(chart["series"][3]["data"], json!([[0.1, 0.0, "<b>"]]));
        assert_eq!(chart["series"][0]["sbKeys"], json!(["K1"]));
        assert_eq!(chart["series"][3]["sbKeys"], json!(["a/b"]));
        assert_eq!(
            chart["series"][0]["markLine"]["data"][0]["xAxis"],
            json!(0.5)
        );
    }
}
