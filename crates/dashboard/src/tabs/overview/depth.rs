//! The overview page's deeper sections: channel cards with their cost bars, the insight lines,
//! the best, worst and anomaly days (each a link to that day), 成本结构 and 利润.

use serde_json::{json, Value};

use super::columns::{COSTS, MARKETING};
use crate::format;
use crate::links::{page_url, PageFilters, Targets};
use crate::views::arr;

/// The six cost bars of a channel card: (label, field of `cost_rates`).
const BARS: [(&str, &str); 6] = [
    ("商品成本", "product_cost"),
    ("耗材", "consumables"),
    ("商品减免", "product_discount"),
    ("活动补贴", "subsidy"),
    ("配送", "delivery"),
    ("佣金", "commission"),
];

fn f(v: &Value, path: &str) -> Option<f64> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_f64)
}

/// The colour of a total cost rate: green below 70%, amber below 85%, red from 85%.
pub(crate) fn cost_class(rate: Option<f64>) -> &'static str {
    match rate {
        Some(r) if r < 70.0 => "good",
        Some(r) if r < 85.0 => "warn",
        Some(_) => "bad",
        None => "flat",
    }
}

/// The colour of a margin: green from 10%, amber from 5%, red below 5%.
pub(crate) fn margin_class(margin: Option<f64>) -> &'static str {
    match margin {
        Some(m) if m >= 10.0 => "good",
        Some(m) if m >= 5.0 => "warn",
        Some(_) => "bad",
        None => "flat",
    }
}

fn change_text(v: Option<f64>) -> String {
    format::signed_pct(v)
}

/// One channel card as the template shows it.
fn card(c: &Value, to: &Targets<'_>) -> Value {
    let name = c.get("channel").and_then(Value::as_str).unwrap_or_default();
    let (margin, total) = (f(c, "margin_pct"), f(c, "total_cost_rate"));
    let bars: Vec<Value> = BARS
        .iter()
        .map(|(label, key)| {
            let rate = f(c, &format!("cost_rates.{key}"));
            json!({"label": label, "key": key, "text": format::pct(rate),
                   "width": rate.unwrap_or(0.0).clamp(0.0, 100.0)})
        })
        .collect();
    let margin_pp = f(c, "change.margin_pct").map_or_else(
        || format::MISSING.to_owned(),
        |p| format!("{p:+.1} 个百分点"),
    );
    json!({
        "channel": name,
        "href": to.channel(name),
        "sales": format::money(f(c, "sales")),
        "orders": format::int(f(c, "orders")),
        "profit": format::money(f(c, "profit")),
        "margin": format::pct(margin),
        "margin_class": margin_class(margin),
        "total_cost_rate": format::pct(total),
        "cost_class": cost_class(total),
        "bars": bars,
        "change": {
            "orders": change_text(f(c, "change.orders")),
            "sales": change_text(f(c, "change.sales")),
            "profit": change_text(f(c, "change.profit")),
            "margin": margin_pp,
        },
    })
}

/// The channel cards.
pub(crate) fn cards(overview: &Value, to: &Targets<'_>) -> Vec<Value> {
    arr(overview, "channels")
        .iter()
        .map(|c| card(c, to))
        .collect()
}

/// The page of one day: the overview with from = to = `date`, keeping store and channel.
pub(crate) fn day_url(to: &Targets<'_>, date: &str) -> String {
    let day = PageFilters {
        from: Some(date.to_owned()),
        to: Some(date.to_owned()),
        ..to.filters.clone()
    };
    page_url(to.base, "overview", &day)
}

fn day(kind: &str, d: &Value, to: &Targets<'_>) -> Value {
    let date = d.get("date").and_then(Value::as_str).unwrap_or_default();
    let margin = f(d, "margin_pct");
    json!({
        "kind": kind,
        "date": date,
        "href": day_url(to, date),
        "margin": format::pct(margin),
        "margin_class": margin_class(margin),
        "sales": format::money(f(d, "sales")),
        "orders": format::int(f(d, "orders")),
    })
}

/// 利润率概览: mean, σ and threshold, then the best, worst and anomaly days as links.
pub(crate) fn days(overview: &Value, to: &Targets<'_>) -> Value {
    let d = overview.get("days").unwrap_or(&Value::Null);
    let mut list = Vec::new();
    for (kind, key) in [("最佳日", "best"), ("最差日", "worst")] {
        if let Some(v) = d.get(key).filter(|v| !v.is_null()) {
            list.push(day(kind, v, to));
        }
    }
    list.extend(arr(d, "anomalies").iter().map(|v| day("异常日", v, to)));
    json!({
        "mean": format::pct(f(d, "mean_margin_pct")),
        "std": f(d, "std_margin_pct").map_or_else(|| format::MISSING.to_owned(), |s| format!("{s:.1}")),
        "threshold": format::pct(f(d, "threshold_pct")),
        "anomalies": arr(d, "anomalies").len(),
        "list": list,
    })
}

/// 成本结构: the five costs and the total, then the seven marketing columns, each with its rate.
pub(crate) fn costs(overview: &Value) -> Value {
    let c = overview.get("cost_structure").unwrap_or(&Value::Null);
    let mut rows: Vec<Value> = COSTS
        .iter()
        .map(|(field, label, rate)| {
            json!({"label": label, "amount": format::money(f(c, field)),
                   "rate": format::pct(f(c, &format!("rates.{rate}"))), "sub": false})
        })
        .collect();
    rows.extend(MARKETING.iter().map(|m| {
        let amount = c
            .get("marketing")
            .and_then(|v| v.get(*m))
            .and_then(Value::as_f64);
        let rate = c
            .get("marketing_rates")
            .and_then(|v| v.get(*m))
            .and_then(Value::as_f64);
        json!({"label": m, "amount": format::money(amount), "rate": format::pct(rate), "sub": true})
    }));
    json!({"rows": rows})
}

/// 盈利订单数, 亏损订单数 and 平均订单利润.
pub(crate) fn profit(overview: &Value) -> Value {
    let p = overview.get("profit_summary").unwrap_or(&Value::Null);
    json!({
        "profitable_orders": format::int(f(p, "profitable_orders")),
        "loss_orders": format::int(f(p, "loss_orders")),
        "profitable_pct": format::pct(f(p, "profitable_pct")),
        "avg_order_profit": format::money(f(p, "avg_order_profit")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::ViewQuery;
    use crate::views::Href;

    #[test]
    fn colours_follow_the_thresholds() {
        let cost: Vec<&str> = [69.9, 70.0, 84.9, 85.0]
            .map(|r| cost_class(Some(r)))
            .to_vec();
        assert_eq!(cost, ["good", "warn", "warn", "bad"]);
        let margin: Vec<&str> = [10.0, 9.9, 5.0, 4.9]
            .map(|m| margin_class(Some(m)))
            .to_vec();
        assert_eq!(margin, ["good", "warn", "warn", "bad"]);
    }

    #[test]
    fn each_day_opens_that_day_keeping_store_and_channel() {
        let q = ViewQuery::parse("store=A&channel=B&from=2026-11-01&to=2026-11-07");
        let to = Href::encoded().targets(&q);
        let json = json!({"days": {"best": {"date": "2026-11-02", "margin_pct": 12.0},
                                   "worst": null, "anomalies": [{"date": "2026-11-05", "margin_pct": 1.0}]}});
        let d = days(&json, &to);
        assert_eq!(d["list"].as_array().map(Vec::len), Some(2));
        assert_eq!(d["list"][1]["kind"], "异常日");
        let href = d["list"][0]["href"].as_str().unwrap_or_default();
        assert!(
            href.contains("from=2026-11-02") && href.contains("to=2026-11-02"),
            "{href}"
        );
        assert!(
            href.contains("store=A") && href.contains("channel=B"),
            "{href}"
        );
    }
}
