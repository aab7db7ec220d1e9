//! ✅ 今日必做: yesterday's cards, each with its trend and a short table of its rows.

use serde_json::{json, Value};

use super::columns as c;
use super::health;
use crate::columns::{pick, Column};
use crate::format;
use crate::query::ViewQuery;
use crate::views::{arr, sized_table, trend_class, Href};

/// The columns of a card's rows, told apart by their fields (the JSON rows are untagged).
fn card_columns(rows: &[Value]) -> Vec<Column> {
    match rows.first() {
        Some(r) if r.get("customer").is_some() => c::CUSTOMER_ROWS.to_vec(),
        Some(r) if r.get("elasticity").is_some() => c::ELASTICITY_ROWS.to_vec(),
        Some(r) if r.get("kind").is_some() && r.get("level").is_some() => c::AOV_ROWS.to_vec(),
        Some(r) if r.get("actual_price").is_some() => pick(c::PRICE_ROWS, c::PRICE_ROWS_PAGE),
        Some(r) if r.get("order_id").is_some() => c::ORDER_ROWS.to_vec(),
        _ => pick(c::PRODUCT_ROWS, c::PRODUCT_ROWS_PAGE),
    }
}

/// Rows per page of a to-do card (ten cards on one page: keep each short).
const CARD_PAGE_SIZE: usize = 10;

/// To-do cards where a rise is bad news (more loss orders, more price anomalies, …) and shows
/// red; on the other cards and on every KPI a rise is good news.
const BAD_WHEN_UP: [&str; 10] = [
    "loss_orders",
    "high_delivery",
    "hot_out_of_stock",
    "price_anomaly",
    "sales_drop",
    "margin_drop",
    "slow_movers",
    "customer_churn",
    "aov_anomaly",
    "price_elasticity",
];

/// `good`, `bad` or `flat`: the colour of a change of the card `key`.
fn card_trend(key: &str, change: Option<f64>) -> &'static str {
    trend_class(BAD_WHEN_UP.contains(&key), change)
}

/// The groups in page order: key, heading.
const GROUPS: [(&str, &str); 3] = [
    ("urgent", "🔴 紧急处理"),
    ("watch", "🟡 关注观察"),
    ("highlight", "🟢 亮点"),
];

/// Products listed under a card's money (the rest are in its export).
const CARD_PRODUCTS: usize = 10;

/// ✅ 今日必做: the summary line, the window switch, then the cards by group (the urgent group
/// open), each with its money, trend, channel split, tiers and rows.
pub(crate) fn today(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let window = json.get("window").and_then(Value::as_u64).unwrap_or(1);
    let cards: Vec<Value> = arr(json, "cards")
        .iter()
        .map(|c| card(c, q, href))
        .collect();
    let groups: Vec<Value> = GROUPS
        .iter()
        .map(|(key, name)| {
            let members: Vec<&Value> = cards.iter().filter(|c| c["group"] == *key).collect();
            let with_items = members
                .iter()
                .filter(|c| c["count"].as_u64() > Some(0))
                .count();
            json!({"key": key, "name": name, "open": *key == "urgent", "cards": members,
                   "with_items": with_items})
        })
        .collect();
    let summary = json.get("summary");
    let at_risk = summary
        .and_then(|s| s.get("at_risk_amount"))
        .and_then(Value::as_f64);
    let urgent = summary
        .and_then(|s| s.get("urgent_count"))
        .and_then(Value::as_u64);
    let when = if window == 1 {
        "昨日".to_owned()
    } else {
        format!("近{window}天")
    };
    let windows: Vec<Value> = [(1, "昨日"), (3, "近3天"), (7, "近7天")]
        .iter()
        .map(|(n, label)| {
            json!({"label": label, "active": *n == window,
                   "href": href.to(&q.with("window", &n.to_string()))})
        })
        .collect();
    json!({
        "yesterday": json.get("yesterday"),
        "window": window,
        "windows": windows,
        "summary": format!(
            "{when} {} 利润风险, {} 项紧急",
            format::money(at_risk),
            urgent.unwrap_or(0)
        ),
        "groups": groups,
        "health": health::view(json.get("health"), q, href),
    })
}

/// One card as the template shows it.
fn card(card: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let rows = arr(card, "rows");
    let key = card.get("key").and_then(Value::as_str).unwrap_or("card");
    let trend = card
        .get("trend")
        .and_then(|t| t.get("change_pct"))
        .and_then(Value::as_f64);
    let money = |v: &Value| v.as_f64().map(|a| format::money(Some(a)));
    let to = href.targets(q);
    let text = |v: &Value, field: &str| v.get(field).and_then(Value::as_str).map(str::to_owned);
    let channels: Vec<Value> = arr(card, "channels")
        .iter()
        .map(|c| {
            json!({"channel": c.get("channel"), "count": c.get("count"),
                   "amount": c.get("amount").and_then(money),
                   "href": text(c, "channel").map(|ch| to.channel(&ch))})
        })
        .collect();
    let tiers: Vec<&Value> = arr(card, "tiers")
        .iter()
        .filter(|t| t["count"].as_u64() > Some(0))
        .collect();
    let products: Vec<Value> = arr(card, "products")
        .iter()
        .take(CARD_PRODUCTS)
        .map(|p| {
            json!({"name": p.get("name"), "count": p.get("count"),
                   "amount": p.get("amount").and_then(money), "action": p.get("action"),
                   "href": text(p, "key").map(|k| to.product(&k))})
        })
        .collect();
    let count = card.get("count").and_then(Value::as_u64).unwrap_or(0);
    json!({
        "key": key,
        "title": card.get("title"),
        "group": card.get("group"),
        "count": count,
        "amount": card.get("amount").and_then(money),
        "amount_label": card.get("amount_label"),
        "total_rows": card.get("total_rows"),
        "trend": trend.map(|t| format::signed_pct(Some(t))),
        "trend_class": card_trend(key, trend),
        "channels": channels,
        "tiers": tiers,
        "products": products,
        "note": card.get("note"),
        "table": (count > 0).then(|| sized_table(key, &card_columns(rows), rows, CARD_PAGE_SIZE, q, href)),
        // The query of the card's own workbook (`{base}export/today.xlsx` + it): the page's
        // filters and window, and the card.
        "export_query": q.filters_only().with("card", key).suffix(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_loss_orders_is_bad_news_and_more_sales_is_good_news() {
        assert_eq!(card_trend("loss_orders", Some(3.7)), "bad");
        assert_eq!(card_trend("loss_orders", Some(-2.0)), "good");
        assert_eq!(card_trend("hot_products", Some(5.0)), "good");
        assert_eq!(card_trend("sales", Some(0.8)), "good");
        assert_eq!(card_trend("sales", Some(0.0)), "flat");
        assert_eq!(card_trend("sales", None), "flat");
    }

    #[test]
    fn a_cards_products_and_channels_lead_to_their_pages() {
        let c = json!({"key": "customer_churn", "count": 1,
                       "channels": [{"channel": "抖音", "count": 1, "amount": 3.0}],
                       "products": [{"key": "a/b", "name": "可乐", "count": 1, "amount": 3.0}],
                       "rows": [{"store": "一号店", "customer": "某路1号", "orders": 2, "sales": 3.0,
                                 "last_order": "2026-11-01", "days_since": 9, "reason": "缺货",
                                 "reason_product": "可乐", "reason_product_key": "a/b",
                                 "products": ["可乐", "薯片"], "product_keys": ["a/b", "K2"],
                                 "high_value": true}]});
        let q = ViewQuery::parse("from=2026-11-01&to=2026-11-10");
        let v = card(&c, &q, Href::encoded());
        let period = "?from=2026-11-01&to=2026-11-10";
        assert_eq!(v["products"][0]["href"], format!("/products/a%2Fb{period}"));
        let channel = v["channels"][0]["href"].as_str().unwrap_or_default();
        assert!(channel.starts_with("/?tab=overview&from="), "{channel}");
        // The churned customer's row: the store, the reason's product and each usual product.
        let row = &v["table"]["rows"][0];
        let hrefs = |i: usize| -> Vec<Value> {
            row[i]["links"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| l["href"].clone())
                .collect()
        };
        assert!(hrefs(0)[0].as_str().is_some_and(|h| h.contains("store=")));
        assert_eq!(hrefs(7), [json!(format!("/products/a%2Fb{period}"))]);
        assert_eq!(
            hrefs(8),
            [
                json!(format!("/products/a%2Fb{period}")),
                json!(format!("/products/K2{period}"))
            ]
        );
    }
}
