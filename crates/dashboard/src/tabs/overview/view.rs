//! 📊 订单数据概览: KPIs, charts and the channel and category tables.

use serde_json::{json, Value};

use super::{charts, columns as c};
use crate::columns::{pick, Column};
use crate::format;
use crate::query::ViewQuery;
use crate::views::{arr, chart, show, table, trend_class, Href};

fn kpis(overview: &Value) -> Vec<Value> {
    let k = overview.get("kpis").unwrap_or(&Value::Null);
    c::KPIS
        .iter()
        .map(
            |&Column {
                 key, label, kind, ..
             }| {
                let kpi = k.get(key).unwrap_or(&Value::Null);
                let f = |name: &str| kpi.get(name).and_then(Value::as_f64);
                let change = f("change");
                // The margin's change is in percentage points, the others in percent.
                let change_text = match (key, change) {
                    (_, None) => format::MISSING.to_owned(),
                    ("profit_margin_pct", Some(c)) => format!("{c:+.1} 个百分点"),
                    (_, c) => format::signed_pct(c),
                };
                json!({
                    "key": key,
                    "label": label,
                    "value": show(kind, f("value")),
                    "previous": show(kind, f("previous")),
                    "change": change_text,
                    "trend": trend_class(false, change),
                    "last_week": f("last_week").map(|v| show(kind, Some(v))),
                })
            },
        )
        .collect()
}

/// 📊 订单数据概览.
pub(crate) fn overview(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    json!({
        "kpis": kpis(json),
        "charts": {
            "daily": chart(charts::daily(json)),
            "channels": chart(charts::channels(json)),
            "aov": chart(charts::bands("客单价分布", arr(json, "aov_bands"))),
            "categories": chart(charts::categories(json)),
            "profit": chart(charts::bands("订单利润分布", arr(json, "profit_buckets"))),
        },
        "channels": table("channels", &pick(c::CHANNELS, c::CHANNELS_PAGE), arr(json, "channels"), q, href),
        "categories": table("categories", c::CATEGORIES, arr(json, "categories"), q, href),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpis_show_margin_change_in_points_and_missing_values_as_dashes() {
        let overview = json!({"kpis": {
            "orders": {"value": 9876.0, "previous": null, "change": null, "last_week": null},
            "profit_margin_pct": {"value": 13.8, "previous": 13.7, "change": 0.1, "last_week": null},
        }});
        let kpis = kpis(&overview);
        assert_eq!(kpis[0]["value"], "9,876");
        assert_eq!(kpis[0]["change"], "—");
        assert_eq!(kpis[4]["value"], "13.8%");
        assert_eq!(kpis[4]["change"], "+0.1 个百分点");
        // A KPI missing from the JSON shows dashes rather than failing the page.
        assert_eq!(kpis[1]["value"], "—");
    }
}
