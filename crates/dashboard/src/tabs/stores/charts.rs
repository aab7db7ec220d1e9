//! The store comparison's charts: the bubble chart 营销成本率 × 利润率 (size = 商品实收额) with
//! the chain medians as quadrant lines, and 商品实收额 by store with the margin. A click on a
//! bubble or a bar opens that store's overview (`sbUrls`, by data index).

use serde_json::{json, Value};

use crate::charts::{arr, base, merge, num, pct_axis, text, MARGIN, SALES};
use crate::links::Targets;

const BAD: &str = "#ef4444";

/// A bubble's diameter in pixels: its area follows its sales, 12..=56 px.
fn size(sales: f64, max: f64) -> f64 {
    if max <= 0.0 || sales <= 0.0 {
        return 12.0;
    }
    (12.0 + 44.0 * (sales / max).sqrt()).round()
}

/// 营销成本率 × 利润率, one bubble per store with orders; red when a figure is flagged on its
/// bad side.
pub(super) fn bubble(json: &Value, to: &Targets<'_>) -> Value {
    let stores: Vec<&Value> = arr(json, "stores")
        .iter()
        .filter(|s| s.get("orders").and_then(Value::as_u64).unwrap_or(0) > 0)
        .collect();
    let sales = |s: &Value| s.get("sales").and_then(Value::as_f64).unwrap_or(0.0);
    let max = stores.iter().map(|s| sales(s)).fold(0.0, f64::max);
    let data: Vec<Value> = stores
        .iter()
        .map(|s| {
            let bad = arr(s, "flags")
                .iter()
                .any(|f| f.get("bad") == Some(&json!(true)));
            json!({
                "name": text(s, "store"),
                "value": [num(s, "marketing_rate_pct"), num(s, "margin_pct"), num(s, "sales")],
                "symbolSize": size(sales(s), max),
                "itemStyle": {"color": if bad { BAD } else { SALES }, "opacity": 0.75},
            })
        })
        .collect();
    let urls: Vec<Value> = stores
        .iter()
        .map(|s| json!(to.store(s.get("store").and_then(Value::as_str).unwrap_or(""))))
        .collect();
    let m = json.get("medians").unwrap_or(&Value::Null);
    merge(
        base("营销成本率 × 利润率(气泡大小 = 商品实收额)"),
        json!({
            "tooltip": {"trigger": "item"},
            // One series: its legend would only sit on the axis name.
            "legend": {"show": false},
            "grid": {"left": 16, "right": 96, "top": 64, "bottom": 36, "containLabel": true},
            "xAxis": {"type": "value", "name": "营销成本率", "axisLabel": {"formatter": "{value}%"},
                      "nameLocation": "middle", "nameGap": 28, "scale": true},
            "yAxis": {"type": "value", "name": "利润率", "axisLabel": {"formatter": "{value}%"}, "scale": true},
            "dimensions": ["营销成本率", "利润率", "商品实收额"],
            "series": [{
                "name": "门店", "type": "scatter", "data": data, "sbUrls": urls,
                "label": {"show": true, "formatter": "{b}", "position": "top", "fontSize": 11},
                "markLine": {
                    "silent": true, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#94a3b8"},
                    "label": {"formatter": "{b}"},
                    "data": [{"xAxis": num(m, "marketing_rate_pct"), "name": "营销成本率中位数"},
                             {"yAxis": num(m, "margin_pct"), "name": "利润率中位数"}],
                },
            }],
        }),
    )
}

/// 商品实收额 by store (by rank) with its 利润率 on a second axis.
pub(super) fn sales(json: &Value, to: &Targets<'_>) -> Value {
    let stores = arr(json, "stores");
    let names: Vec<Value> = stores.iter().map(|s| text(s, "store")).collect();
    let urls: Vec<Value> = stores
        .iter()
        .map(|s| json!(to.store(s.get("store").and_then(Value::as_str).unwrap_or(""))))
        .collect();
    merge(
        base("各门店商品实收额与利润率"),
        json!({
            "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": [{"type": "value", "name": "商品实收额", "axisLabel": {"formatter": "¥{value}"}}, pct_axis("利润率")],
            "series": [
                {"name": "商品实收额", "sbFormat": "money", "type": "bar", "color": SALES, "sbUrls": urls,
                 "data": stores.iter().map(|s| num(s, "sales")).collect::<Vec<_>>()},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": MARGIN, "sbUrls": urls,
                 "data": stores.iter().map(|s| num(s, "margin_pct")).collect::<Vec<_>>()},
            ],
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bubbles_grow_with_sales_by_area_within_their_bounds() {
        assert_eq!(size(100.0, 100.0), 56.0);
        assert_eq!(
            size(25.0, 100.0),
            34.0,
            "a quarter of the sales: half the growth"
        );
        assert_eq!(size(0.0, 100.0), 12.0);
        assert_eq!(size(5.0, 0.0), 12.0);
    }
}
