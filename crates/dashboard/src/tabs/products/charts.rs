//! The products tab's chart: 商品四象限.

use serde_json::{json, Value};

use crate::charts::{arr, base, merge, num, text};

/// 商品四象限: quantity against margin, one series per quadrant, the thresholds as lines; each
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
                        num(r, "quantity"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrant_points_go_to_their_quadrant_series() {
        let products = json!({
            "quadrants": {"high_margin_pct": 30.0, "median_quantity": 5.0},
            "products": [
                {"key": "K1", "name": "可乐", "quantity": 9.0, "margin_pct": 35.0, "quadrant": "明星"},
                {"key": "a/b", "name": "<b>", "quantity": 1.0, "margin_pct": null, "quadrant": "淘汰"},
            ],
        });
        let chart = quadrants(&products);
        assert_eq!(chart["series"][0]["data"], json!([[9.0, 35.0, "可乐"]]));
        assert_eq!(chart["series"][3]["data"], json!([[1.0, 0.0, "<b>"]]));
        assert_eq!(chart["series"][0]["sbKeys"], json!(["K1"]));
        assert_eq!(chart["series"][3]["sbKeys"], json!(["a/b"]));
        assert_eq!(
            chart["series"][0]["markLine"]["data"][0]["xAxis"],
            json!(5.0)
        );
    }
}
