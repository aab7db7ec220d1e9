//! ✅ 今日必做: yesterday's cards, each with its trend and a short table of its rows.

use serde_json::{json, Value};

use super::columns as c;
use crate::columns::{pick, Column};
use crate::format;
use crate::query::ViewQuery;
use crate::views::{arr, sized_table, trend_class, Href};

/// The columns of a card's rows, told apart by their fields (the JSON rows are untagged).
fn card_columns(rows: &[Value]) -> Vec<Column> {
    match rows.first() {
        Some(r) if r.get("actual_price").is_some() => pick(c::PRICE_ROWS, c::PRICE_ROWS_PAGE),
        Some(r) if r.get("order_id").is_some() => c::ORDER_ROWS.to_vec(),
        _ => pick(c::PRODUCT_ROWS, c::PRODUCT_ROWS_PAGE),
    }
}

/// Rows per page of a to-do card (ten cards on one page: keep each short).
const CARD_PAGE_SIZE: usize = 10;

/// To-do cards where a rise is bad news (more loss orders, more price anomalies, …) and shows
/// red; on the other cards and on every KPI a rise is good news.
const BAD_WHEN_UP: [&str; 7] = [
    "loss_orders",
    "high_delivery",
    "hot_out_of_stock",
    "price_anomaly",
    "sales_drop",
    "margin_drop",
    "slow_movers",
];

/// `good`, `bad` or `flat`: the colour of a change of the card `key`.
fn card_trend(key: &str, change: Option<f64>) -> &'static str {
    trend_class(BAD_WHEN_UP.contains(&key), change)
}

/// ✅ 今日必做.
pub(crate) fn today(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let cards: Vec<Value> = arr(json, "cards")
        .iter()
        .map(|card| {
            let rows = arr(card, "rows");
            let key = card.get("key").and_then(Value::as_str).unwrap_or("card");
            let trend = card
                .get("trend")
                .and_then(|t| t.get("change_pct"))
                .and_then(Value::as_f64);
            json!({
                "key": key,
                "title": card.get("title"),
                "count": card.get("count"),
                "total_rows": card.get("total_rows"),
                "shown_rows": rows.len(),
                "trend": trend.map(|t| format::signed_pct(Some(t))),
                "trend_class": card_trend(key, trend),
                "table": sized_table(key, &card_columns(rows), rows, CARD_PAGE_SIZE, q, href),
            })
        })
        .collect();
    json!({"yesterday": json.get("yesterday"), "cards": cards})
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
}
