//! 今日必做: the today tab.

pub(crate) mod columns;
pub(crate) mod export;
pub(crate) mod health;
mod health_export;
mod view;

use storeboard_tabs::Tab;

use super::JsonTab;

/// The today tab in the registry.
pub(crate) static TAB: JsonTab = JsonTab {
    tab: Tab::Today,
    label: "✅ 今日必做",
    title: "今日必做",
    view: view::today,
    workbook: export::workbook,
};

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use storeboard_analytics::today::PriceRow;
    use storeboard_tabs::Tab;

    use super::columns::*;
    use crate::columns::contract::{assert_fields, assert_picked};
    use crate::export::testkit::rendered_tab;

    /// The rows of the card `key` in the rendered answer.
    fn card_rows(json: &Value, key: &str) -> Vec<Value> {
        json["cards"]
            .as_array()
            .and_then(|cards| cards.iter().find(|c| c["key"] == key))
            .and_then(|card| card["rows"].as_array())
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn every_column_names_a_field_of_the_answer() {
        let json = rendered_tab(Tab::Today);
        assert_fields("loss_orders", ORDER_ROWS, &card_rows(&json, "loss_orders"));
        assert_fields("top_profit", PRODUCT_ROWS, &card_rows(&json, "top_profit"));
        // The template sells nothing below cost: a row as the analytics serialise it.
        let price = PriceRow {
            store: "A".into(),
            order_id: "1".into(),
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 5).expect("valid"),
            channel: "美团闪购".into(),
            key: "K".into(),
            name: "N".into(),
            quantity: 1.0,
            actual_price: 1.0,
            unit_cost: 2.0,
            gap_pct: Some(-50.0),
            loss: 1.0,
            severity: "严重",
        };
        let price = serde_json::to_value(price).expect("serialises");
        assert_fields("price_anomaly", PRICE_ROWS, &[price]);
        assert_picked("price rows", PRICE_ROWS, PRICE_ROWS_PAGE);
        assert_picked("product rows", PRODUCT_ROWS, PRODUCT_ROWS_PAGE);
    }
}
