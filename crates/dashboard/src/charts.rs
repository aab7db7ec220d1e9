//! The kit of the charts: ECharts options built on the server from a tab's JSON (each tab's
//! charts are in its folder, `tabs/<tab>/charts.rs`). The page's script only hands each
//! option to `echarts.init(...).setOption(...)`: no chart logic in the browser, and no inline
//! script (the option travels in a `data-chart` attribute, escaped like any other text).

use serde_json::{json, Value};

pub(crate) const SALES: &str = "#3b82f6";
pub(crate) const PROFIT: &str = "#10b981";
pub(crate) const MARGIN: &str = "#f59e0b";
pub(crate) const ORDERS: &str = "#6366f1";

pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A number rounded to cents (smaller attributes; charts never need more).
pub(crate) fn num(v: &Value, key: &str) -> Value {
    match v.get(key).and_then(Value::as_f64) {
        Some(n) => json!((n * 100.0).round() / 100.0),
        None => Value::Null,
    }
}

pub(crate) fn text(v: &Value, key: &str) -> Value {
    v.get(key).cloned().unwrap_or(Value::Null)
}

pub(crate) fn base(title: &str) -> Value {
    json!({
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        // The legend goes below the plot and the plot starts well under the title, so the
        // axis names never collide with either.
        "legend": {"bottom": 0},
        "grid": {"left": 16, "right": 16, "top": 64, "bottom": 36, "containLabel": true},
    })
}

pub(crate) fn merge(mut into: Value, more: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), more) {
        a.extend(b);
    }
    into
}

pub(crate) fn money_axis(name: &str) -> Value {
    json!({"type": "value", "name": name, "axisLabel": {"formatter": "¥{value}"}})
}

pub(crate) fn pct_axis(name: &str) -> Value {
    json!({"type": "value", "name": name, "axisLabel": {"formatter": "{value}%"}, "splitLine": {"show": false}})
}
