//! 今日必做: a 汇总 sheet of the cards, then one sheet per card with its detail rows.
//!
//! A card's rows are one of three kinds (orders, price anomalies, products), serialized without
//! a tag; the card's key says which (an unknown key: the first row's fields do). The product
//! cards' windows differ (yesterday for 新品 / 爆款 / 高利润商品, the last 7 days for the others),
//! so their headers say which.

use serde_json::Value;
use storeboard_tabs::Tab;

use super::columns::{
    AOV_ROWS, CUSTOMER_ROWS, ELASTICITY_ROWS, ORDER_ROWS, PRICE_ROWS, PRODUCT_ROWS,
};
use crate::export::book::Book;
use crate::export::sheet::{col, Col, Kind};
use crate::export::ExportError;

/// The 汇总 sheet's columns, over the objects [`summary_rows`] builds.
const SUMMARY: [Col; 9] = [
    col("卡片", "title", Kind::Text),
    col("分组", "group_name", Kind::Text),
    col("数量", "count", Kind::Int),
    col("金额", "amount", Kind::Money),
    col("金额说明", "amount_label", Kind::Text),
    col("前三日均值", "trend.previous_mean", Kind::Num),
    col("变化(%)", "trend.change_pct", Kind::Pct),
    col("明细总数", "total_rows", Kind::Int),
    col("本表明细行数", "shown", Kind::Int),
];

/// Marks an answer cut down to one card for its own workbook.
pub(crate) const ONE_CARD: &str = "one_card";

/// The today workbook.
pub(super) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Today.name())?;
    let cards = book.array(json, "cards")?;
    let mut sheet = book.sheet("汇总");
    let row = book.heading(&mut sheet, "今日必做", json)?;
    sheet.label(row, 0, "日期(昨日)")?;
    let yesterday = book.get(json, "yesterday")?;
    sheet.value(row, 1, yesterday, Kind::Date, &|| "yesterday".to_owned())?;
    sheet.label(row + 1, 0, "利润风险(紧急卡片金额合计)")?;
    let at_risk = book
        .get(json, "summary")
        .and_then(|s| book.get(s, "at_risk_amount"))?;
    sheet.value(row + 1, 1, at_risk, Kind::Money, &|| {
        "summary.at_risk_amount".to_owned()
    })?;
    let header = row + 3;
    sheet.table(header, &SUMMARY, &summary_rows(&book, cards)?, "cards")?;
    sheet.freeze(header + 1, 0)?;
    book.push(sheet)?;
    for (i, card) in cards.iter().enumerate() {
        let path = format!("cards[{i}]");
        let title = book.text(card, "title")?.unwrap_or("卡片");
        let rows = book
            .array(card, "rows")
            .map_err(|_| book.shape(format!("{path}.rows is not an array")))?;
        let key = book.text(card, "key")?.unwrap_or_default();
        let mut sheet = book.sheet(title);
        sheet.table(
            0,
            &columns(key, rows.first()),
            rows,
            &format!("{path}.rows"),
        )?;
        sheet.freeze(1, 0)?;
        book.push(sheet)?;
    }
    // A one-card workbook (`card=…` on the export route) has no 商品健康.
    if json.get(ONE_CARD).is_none() {
        super::health_export::sheets(&mut book, json)?;
    }
    book.bytes()
}

/// The group's name as the page shows it.
pub(crate) fn group_name(group: &str) -> &'static str {
    match group {
        "urgent" => "🔴 紧急处理",
        "watch" => "🟡 关注观察",
        "highlight" => "🟢 亮点",
        _ => "",
    }
}

/// Each card's summary fields, plus its group's name and `shown`: the rows its sheet holds
/// (every row: the answer the workbook is written from is never cut).
fn summary_rows(book: &Book, cards: &[Value]) -> Result<Vec<Value>, ExportError> {
    cards
        .iter()
        .enumerate()
        .map(|(i, card)| {
            let mut row = serde_json::Map::new();
            let group = card
                .get("group")
                .and_then(Value::as_str)
                .unwrap_or_default();
            row.insert("group_name".to_owned(), Value::from(group_name(group)));
            for field in [
                "title",
                "count",
                "amount",
                "amount_label",
                "trend",
                "total_rows",
            ] {
                let v = book
                    .get(card, field)
                    .map_err(|_| book.shape(format!("cards[{i}].{field} is missing")))?;
                row.insert(field.to_owned(), v.clone());
            }
            let shown = card
                .get("rows")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            row.insert("shown".to_owned(), Value::from(shown));
            Ok(Value::Object(row))
        })
        .collect()
}

/// The columns of a card's rows: by its key, else by the fields of its first row.
fn columns(key: &str, first: Option<&Value>) -> Vec<Col> {
    let has = |field: &str| first.is_some_and(|row| row.get(field).is_some());
    match key {
        "loss_orders" | "high_delivery" => ORDER_ROWS.to_vec(),
        "price_anomaly" => PRICE_ROWS.to_vec(),
        "customer_churn" => CUSTOMER_ROWS.to_vec(),
        "aov_anomaly" => AOV_ROWS.to_vec(),
        "price_elasticity" => ELASTICITY_ROWS.to_vec(),
        "hot_out_of_stock" | "sales_drop" | "margin_drop" | "slow_movers" | "new_products"
        | "hot_products" | "top_profit" => product_columns(key),
        _ if has("actual_price") => PRICE_ROWS.to_vec(),
        _ if has("order_id") => ORDER_ROWS.to_vec(),
        _ => product_columns(key),
    }
}

/// A product card's columns (`storeboard_analytics::today::ProductCardRow`), headed for its
/// window and comparison.
fn product_columns(key: &str) -> Vec<Col> {
    let window = match key {
        "new_products" | "hot_products" | "top_profit" => {
            [("昨日销量", "昨日销售额"), ("昨日利润额", "昨日利润率(%)")]
        }
        "hot_out_of_stock" | "sales_drop" | "margin_drop" | "slow_movers" => [
            ("近7天销量", "近7天销售额"),
            ("近7天利润额", "近7天利润率(%)"),
        ],
        _ => [("销量", "销售额"), ("利润额", "利润率(%)")],
    };
    let (previous_quantity, previous_margin, change) = match key {
        "sales_drop" => ("前7天销量", "前7天利润率(%)", "销量变化(%)"),
        "margin_drop" => ("前7天销量", "前7天利润率(%)", "利润率变化(百分点)"),
        "hot_products" => ("前日销量", "对比期利润率(%)", "销量变化(%)"),
        _ => ("对比期销量", "对比期利润率(%)", "变化(%)"),
    };
    let header = |c: &Col| match c.key {
        "quantity" => window[0].0,
        "previous_quantity" => previous_quantity,
        "sales" => window[0].1,
        "profit" => window[1].0,
        "margin_pct" => window[1].1,
        "previous_margin_pct" => previous_margin,
        "change_pct" => change,
        _ => c.header,
    };
    PRODUCT_ROWS
        .iter()
        .map(|c| Col {
            header: header(c),
            ..*c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use calamine::Data;
    use serde_json::json;

    use super::*;
    use crate::export::testkit::{cell, num, read, texts};

    fn card(key: &str, title: &str, count: usize, rows: Value) -> Value {
        let trend = (count > 0).then(|| json!({"previous_mean": 2.0, "change_pct": 50.0}));
        json!({"key": key, "title": title, "group": "urgent", "count": count, "amount": 12.5,
               "amount_label": "亏损金额", "trend": trend, "total_rows": count, "rows": rows})
    }

    fn today() -> Value {
        let order = json!({"store": "门店/1", "order_id": "3826112701600018654", "channel": "美团闪购",
                           "time": "2026-11-27T12:00:00", "sales": 35.5, "profit": -172.09, "delivery_net": 4.6,
                           "distance_km": 2.5});
        let price = json!({"store": "门店1", "order_id": "38261127", "day": "2026-11-27",
                           "channel": "美团闪购", "key": "100076", "name": "伊利纯牛奶",
                           "quantity": 1.0, "actual_price": 0.0, "unit_cost": 39.77, "gap_pct": -100.0,
                           "loss": 39.77, "severity": "严重"});
        let product = json!({"key": "100048", "name": "=1+1", "category": "饮料", "quantity": 118.0,
                             "previous_quantity": 71.0, "sales": 2542.0, "profit": 754.3, "margin_pct": 29.67,
                             "previous_margin_pct": null, "change_pct": 66.2, "stock": 32.0,
                             "last_sale": "2026-11-27", "days_since_sale": 0,
                             "amount": 2542.0, "tier": null});
        json!({
            "filters": {"store": null, "from": "2026-11-21", "to": "2026-11-27", "channel": null},
            "empty": false,
            "yesterday": "2026-11-27",
            "summary": {"urgent_count": 2, "at_risk_amount": 25.0},
            "cards": [
                card("loss_orders", "亏损订单", 3, json!([order])),
                card("price_anomaly", "价格异常", 1, json!([price])),
                card("sales_drop", "销量下滑", 0, json!([])),
                card("hot_products", "爆款", 1, json!([product])),
            ],
            "health": null,
        })
    }

    #[test]
    fn today_export_has_a_summary_then_one_sheet_per_card() -> Result<(), ExportError> {
        let wb = read(&workbook(&today())?);
        assert_eq!(
            wb.names()[..5],
            ["汇总", "亏损订单", "价格异常", "销量下滑", "爆款"]
        );
        assert_eq!(wb.names()[5..], super::super::health_export::SHEETS);
        let s = wb.sheet("汇总");
        assert_eq!(texts(s, 4)[0], "日期(昨日)");
        assert_eq!(num(s, 4, 1), 46_353.0, "2026-11-27 as an Excel date");
        assert_eq!(num(s, 5, 1), 25.0, "the money at risk under the date");
        assert_eq!(texts(s, 7), SUMMARY.map(|c| c.header));
        assert_eq!(texts(s, 8)[..2], ["亏损订单", "🔴 紧急处理"]);
        assert_eq!(
            (num(s, 8, 2), num(s, 8, 3), num(s, 8, 6), num(s, 8, 8)),
            (3.0, 12.5, 50.0, 1.0)
        );
        assert_eq!(cell(s, 10, 5), Data::Empty, "no trend, no trend figures");
        Ok(())
    }

    #[test]
    fn card_sheets_keep_every_column_of_their_rows() -> Result<(), ExportError> {
        let wb = read(&workbook(&today())?);
        let s = wb.sheet("亏损订单");
        assert_eq!(
            texts(s, 0),
            ORDER_ROWS.iter().map(|c| c.header).collect::<Vec<_>>()
        );
        assert_eq!(cell(s, 1, 1), Data::String("3826112701600018654".into()));
        assert_eq!((num(s, 1, 3), num(s, 1, 5)), (46_353.5, -172.09));
        assert_eq!(
            texts(wb.sheet("价格异常"), 0),
            PRICE_ROWS.iter().map(|c| c.header).collect::<Vec<_>>()
        );
        assert_eq!(texts(wb.sheet("销量下滑"), 0)[3], "近7天销量");
        let s = wb.sheet("爆款");
        assert_eq!(texts(s, 0)[3..5], ["昨日销量", "前日销量"]);
        assert_eq!(cell(s, 1, 1), Data::String("=1+1".into()));
        assert_eq!(cell(s, 1, 8), Data::Empty);
        assert_eq!(num(s, 1, 9), 66.2);
        Ok(())
    }

    #[test]
    fn cards_of_unknown_kind_take_their_columns_from_their_rows() {
        let order = json!({"order_id": "1"});
        let price = json!({"order_id": "1", "actual_price": 1.0});
        assert_eq!(columns("new_card", Some(&order))[1].key, "order_id");
        assert_eq!(columns("new_card", Some(&price))[7].key, "actual_price");
        assert_eq!(columns("new_card", None)[3].header, "销量");
    }
}
