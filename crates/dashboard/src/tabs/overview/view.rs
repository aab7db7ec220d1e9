//! 📊 订单数据概览: KPIs, charts and the channel and category tables.

use serde_json::{json, Value};

use super::{charts, columns as c, depth};
use crate::columns::{pick, Column};
use crate::format;
use crate::links::Targets;
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
                // A rising 营销成本率 is bad news; every other KPI rising is good.
                let rise_is_bad = key == "marketing_rate_pct";
                json!({
                    "key": key,
                    "label": label,
                    "value": show(kind, f("value")),
                    "previous": show(kind, f("previous")),
                    "change": week_change(key, change),
                    "trend": trend_class(rise_is_bad, change),
                    "last_week": f("last_week").map(|v| show(kind, Some(v))),
                    "week_change": week_change(key, f("last_week_change")),
                    "week_trend": trend_class(rise_is_bad, f("last_week_change")),
                })
            },
        )
        .collect()
}

/// A change badge (环比 or 上周同期): percentage points for the rates (`…_pct`), percent for
/// the others, `—` when the base was 0 or absent.
fn week_change(key: &str, change: Option<f64>) -> String {
    match change {
        None => format::MISSING.to_owned(),
        Some(c) if key.ends_with("_pct") => format!("{c:+.1} 个百分点"),
        c => format::signed_pct(c),
    }
}

/// 渠道对比, each channel's bars and point a link to the channel's view (`sbUrls`, by index).
fn channel_chart(overview: &Value, to: &Targets<'_>) -> Value {
    let urls: Vec<Value> = arr(overview, "channels")
        .iter()
        .map(|r| match r.get("channel").and_then(Value::as_str) {
            Some(channel) => json!(to.channel(channel)),
            None => Value::Null,
        })
        .collect();
    let mut option = charts::channels(overview);
    for series in option["series"].as_array_mut().into_iter().flatten() {
        series["sbUrls"] = json!(urls);
    }
    option
}

/// 📊 订单数据概览.
pub(crate) fn overview(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let to = href.targets(q);
    let aov: Vec<Column> = c::AOV_BANDS.iter().chain(c::AOV_MORE).copied().collect();
    let costs = json.get("cost_structure").unwrap_or(&Value::Null);
    json!({
        "kpis": kpis(json),
        "charts": {
            "daily": chart(charts::daily(json)),
            "channels": chart(channel_chart(json, &to)),
            "aov": chart(charts::aov(json)),
            "categories": chart(charts::categories(json)),
            "profit": chart(charts::bands("订单利润分布", arr(json, "profit_buckets"))),
            "cost_categories": chart(charts::cost_categories(json)),
        },
        "channel_cards": depth::cards(json, &to),
        "insights": arr(json, "insights"),
        "channels": table("channels", &pick(c::CHANNELS, c::CHANNELS_PAGE), arr(json, "channels"), q, href),
        "aov_bands": table("aov_bands", &aov, arr(json, "aov_bands"), q, href),
        "categories": table("categories", c::CATEGORIES, arr(json, "categories"), q, href),
        "days": depth::days(json, &to),
        "costs": depth::costs(json),
        "cost_categories": table("cost_by_category", c::COST_BY_CATEGORY, arr(costs, "by_category"), q, href),
        "profit_summary": depth::profit(json),
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

    #[test]
    fn each_channel_of_the_chart_and_the_table_leads_to_its_view() {
        let json = json!({"channels": [{"channel": "美团闪购", "sales": 1.0}, {"channel": "抖音", "sales": 2.0}]});
        let q = ViewQuery::parse("store=A");
        let v = overview(&json, &q, Href::encoded());
        let chart: Value =
            serde_json::from_str(v["charts"]["channels"].as_str().unwrap_or("")).expect("JSON");
        let urls = &chart["series"][0]["sbUrls"];
        assert_eq!(urls.as_array().map(Vec::len), Some(2));
        assert_eq!(urls[1], "/?tab=overview&store=A&channel=%E6%8A%96%E9%9F%B3");
        assert_eq!(chart["series"][2]["sbUrls"], *urls);
        assert_eq!(v["channels"]["rows"][1][0]["links"][0]["href"], urls[1]);
    }
}
