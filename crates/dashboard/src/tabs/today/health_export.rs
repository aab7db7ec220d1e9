//! 商品健康 in the today workbook, after the card sheets: 商品健康 (the six quadrants in the 30
//! days and the 30 days before, with the advice), 健康商品明细 (every product, every field),
//! 象限迁移 (the migration pairs) and 象限周趋势 (the weekly counts).
//!
//! The answer always has `health`; it is `null` for an empty period, and the four sheets are
//! then written with their headers and no rows. A missing field or a value of the wrong type is
//! a shape error naming it.

use serde_json::{Map, Value};

use super::health::{MIGRATION, PRODUCTS, QUADRANTS};
use crate::export::book::Book;
use crate::export::sheet::{col, Col, Kind};
use crate::export::ExportError;

/// The sheets, in workbook order.
pub(crate) const SHEETS: [&str; 4] = ["商品健康", "健康商品明细", "象限迁移", "象限周趋势"];

/// The 商品健康 sheet's table, over the objects [`quadrant_rows`] builds.
const QUADRANT_TABLE: [Col; 8] = [
    col("象限", "name", Kind::Text),
    col("图标", "emoji", Kind::Text),
    col("商品数", "count", Kind::Int),
    col("销售额", "sales", Kind::Money),
    col("上期商品数", "previous_count", Kind::Int),
    col("上期销售额", "previous_sales", Kind::Money),
    col("商品数变化", "change", Kind::Int),
    col("建议", "advice", Kind::Text),
];

/// The 象限周趋势 sheet's columns, over the objects [`week_rows`] builds (a count per quadrant,
/// keyed by its name).
const WEEKLY: [Col; 8] = [
    col("开始日期", "from", Kind::Date),
    col("结束日期", "to", Kind::Date),
    col("策略引流", "策略引流", Kind::Int),
    col("明星", "明星", Kind::Int),
    col("畅销", "畅销", Kind::Int),
    col("潜力", "潜力", Kind::Int),
    col("自然引流", "自然引流", Kind::Int),
    col("低效", "低效", Kind::Int),
];

/// Appends the four 商品健康 sheets to `book` from the today answer `json`.
pub(crate) fn sheets(book: &mut Book, json: &Value) -> Result<(), ExportError> {
    let health = book.get(json, "health")?;
    let h = (!health.is_null()).then_some(health);
    summary(book, json, h)?;
    let rows = |path: &str| match h {
        Some(h) => book.array(h, path).map_err(|_| array_error(book, path)),
        None => Ok(&[][..]),
    };
    let (products, migration) = (rows("products")?, rows("migration")?);
    let weeks = match h {
        Some(h) => week_rows(book, h)?,
        None => Vec::new(),
    };
    table(book, SHEETS[1], PRODUCTS, products, "health.products")?;
    table(book, SHEETS[2], MIGRATION, migration, "health.migration")?;
    table(book, SHEETS[3], &WEEKLY, &weeks, "health.weekly")
}

/// `health.{path}` is missing or not an array.
fn array_error(book: &Book, path: &str) -> ExportError {
    book.shape(format!("health.{path} is missing or not an array"))
}

/// A sheet holding `rows` under `cols`' headers, the header frozen.
fn table(
    book: &mut Book,
    name: &str,
    cols: &[Col],
    rows: &[Value],
    path: &str,
) -> Result<(), ExportError> {
    let mut sheet = book.sheet(name);
    sheet.table(0, cols, rows, path)?;
    sheet.freeze(1, 0)?;
    book.push(sheet)
}

/// 商品健康: the title, the two windows, the store and channel, then one row per quadrant.
fn summary(book: &mut Book, json: &Value, h: Option<&Value>) -> Result<(), ExportError> {
    let mut sheet = book.sheet(SHEETS[0]);
    sheet.title(0, "🩺 商品健康")?;
    let period = |from: &str, to: &str| -> Result<String, ExportError> {
        let Some(h) = h else {
            return Ok("—".to_owned());
        };
        let (from, to) = (book.text(h, from)?, book.text(h, to)?);
        Ok(format!(
            "{} 至 {}",
            from.unwrap_or_default(),
            to.unwrap_or_default()
        ))
    };
    let lines = [
        ("统计周期(近30天)", period("from", "to")?),
        (
            "对比周期(前30天)",
            period("previous_period.from", "previous_period.to")?,
        ),
        (
            "门店",
            book.text(json, "filters.store")?
                .unwrap_or("全部门店")
                .to_owned(),
        ),
        (
            "渠道",
            book.text(json, "filters.channel")?
                .unwrap_or("全部渠道")
                .to_owned(),
        ),
    ];
    for (row, (label, value)) in (1..).zip(lines) {
        sheet.label(row, 0, label)?;
        sheet.text(row, 1, &value)?;
    }
    let mut header = 6;
    if h.is_none() {
        sheet.text(6, 0, "所选条件下没有订单")?;
        header = 8;
    }
    let rows = match h {
        Some(h) => quadrant_rows(book, h)?,
        None => Vec::new(),
    };
    sheet.table(header, &QUADRANT_TABLE, &rows, "health.quadrants")?;
    sheet.freeze(header + 1, 1)?;
    book.push(sheet)
}

/// Each quadrant of `health.quadrants` with its count and sales in `health.previous` (matched by
/// name) and the change of its count.
fn quadrant_rows(book: &Book, h: &Value) -> Result<Vec<Value>, ExportError> {
    let now = book
        .array(h, "quadrants")
        .map_err(|_| array_error(book, "quadrants"))?;
    let before = book
        .array(h, "previous")
        .map_err(|_| array_error(book, "previous"))?;
    now.iter()
        .enumerate()
        .map(|(i, q)| {
            let at = |field: &str| format!("health.quadrants[{i}].{field}");
            let field = |v: &Value, name: &str| -> Result<Value, ExportError> {
                v.get(name)
                    .cloned()
                    .ok_or_else(|| book.shape(format!("{} is missing", at(name))))
            };
            let name = q
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| book.shape(format!("{} is not a string", at("name"))))?;
            let previous = before
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
                .ok_or_else(|| book.shape(format!("health.previous has no quadrant {name}")))?;
            let count = |v: &Value, path: String| {
                v.get("count")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| book.shape(format!("{path}.count is not a count")))
            };
            let change = count(q, format!("health.quadrants[{i}]"))?
                - count(previous, format!("health.previous quadrant {name}"))?;
            let mut row = Map::new();
            for key in ["name", "emoji", "count", "sales", "advice"] {
                row.insert(key.to_owned(), field(q, key)?);
            }
            row.insert("previous_count".to_owned(), field(previous, "count")?);
            row.insert("previous_sales".to_owned(), field(previous, "sales")?);
            row.insert("change".to_owned(), Value::from(change));
            Ok(Value::Object(row))
        })
        .collect()
}

/// Each week of `health.weekly` as `{from, to, 策略引流: n, …}`: `counts` must hold six counts.
fn week_rows(book: &Book, h: &Value) -> Result<Vec<Value>, ExportError> {
    let weeks = book
        .array(h, "weekly")
        .map_err(|_| array_error(book, "weekly"))?;
    weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let path = format!("health.weekly[{i}]");
            let counts = w
                .get("counts")
                .and_then(Value::as_array)
                .filter(|c| c.len() == QUADRANTS.len())
                .ok_or_else(|| book.shape(format!("{path}.counts is not six counts")))?;
            let mut row = Map::new();
            for key in ["from", "to"] {
                let v = w
                    .get(key)
                    .ok_or_else(|| book.shape(format!("{path}.{key} is missing")))?;
                row.insert(key.to_owned(), v.clone());
            }
            for ((name, _), n) in QUADRANTS.iter().zip(counts) {
                row.insert((*name).to_owned(), n.clone());
            }
            Ok(Value::Object(row))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use calamine::Data;
    use serde_json::json;

    use super::*;
    use crate::export::testkit::{cell, num, read, texts};
    use crate::tabs::today::health::sample;

    fn today(health: Value) -> Value {
        json!({
            "filters": {"store": "门店1", "from": "2026-11-21", "to": "2026-11-27", "channel": null},
            "health": health,
        })
    }

    fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
        let mut book = Book::new("today")?;
        sheets(&mut book, json)?;
        book.bytes()
    }

    fn headers(cols: &[Col]) -> Vec<String> {
        cols.iter().map(|c| c.header.to_owned()).collect()
    }

    #[test]
    fn the_four_health_sheets_have_their_names_and_headers() -> Result<(), ExportError> {
        let wb = read(&workbook(&today(sample::health()))?);
        assert_eq!(wb.names(), SHEETS);
        let s = wb.sheet("商品健康");
        assert_eq!(
            texts(s, 1),
            ["统计周期(近30天)", "2026-10-29 至 2026-11-27"]
        );
        assert_eq!(
            texts(s, 2),
            ["对比周期(前30天)", "2026-09-29 至 2026-10-28"]
        );
        assert_eq!(texts(s, 3), ["门店", "门店1"]);
        assert_eq!(texts(s, 4), ["渠道", "全部渠道"]);
        assert_eq!(texts(s, 6), headers(&QUADRANT_TABLE));
        assert_eq!(texts(wb.sheet("健康商品明细"), 0), headers(PRODUCTS));
        assert_eq!(texts(wb.sheet("象限迁移"), 0), headers(MIGRATION));
        assert_eq!(
            texts(wb.sheet("象限周趋势"), 0),
            [
                "开始日期",
                "结束日期",
                "策略引流",
                "明星",
                "畅销",
                "潜力",
                "自然引流",
                "低效"
            ]
        );
        Ok(())
    }

    #[test]
    fn the_quadrant_rows_hold_now_previous_the_change_and_the_advice() -> Result<(), ExportError> {
        let wb = read(&workbook(&today(sample::health()))?);
        let s = wb.sheet("商品健康");
        // 明星: 2 now, 3 before.
        assert_eq!(texts(s, 8)[..2], ["明星", "🌟"]);
        assert_eq!(
            (
                num(s, 8, 2),
                num(s, 8, 3),
                num(s, 8, 4),
                num(s, 8, 5),
                num(s, 8, 6)
            ),
            (2.0, 200.0, 3.0, 50.0, -1.0)
        );
        assert_eq!(cell(s, 8, 7), Data::String("明星的建议".into()));
        assert_eq!(texts(s, 12)[0], "低效");
        Ok(())
    }

    #[test]
    fn a_product_row_has_every_field_with_its_type() -> Result<(), ExportError> {
        let wb = read(&workbook(&today(sample::health()))?);
        let s = wb.sheet("健康商品明细");
        assert_eq!(texts(s, 1)[..5], ["1", "商品1", "饮料", "明星", "明星"]);
        assert_eq!(cell(s, 1, 0), Data::String("1".into()), "a key stays text");
        let numbers: Vec<f64> = (5..16).map(|c| num(s, 1, c)).collect();
        assert_eq!(
            numbers,
            [12.0, 9.0, 120.5, 80.0, 40.5, 33.6, 10.04, 6.67, 3.38, 0.72, 30.0]
        );
        assert_eq!(cell(s, 4, 4), Data::Empty, "a product new in the window");
        assert_eq!(texts(s, 5)[3..5], ["低效", "自然引流"]);
        Ok(())
    }

    #[test]
    fn migration_and_weekly_sheets_hold_the_pairs_and_the_counts() -> Result<(), ExportError> {
        let wb = read(&workbook(&today(sample::health()))?);
        let m = wb.sheet("象限迁移");
        assert_eq!(texts(m, 2), ["潜力", "策略引流", "1"]);
        assert_eq!(num(m, 1, 2), 2.0);
        let w = wb.sheet("象限周趋势");
        assert_eq!(num(w, 1, 0), 46_340.0, "2026-11-14 as an Excel date");
        let counts: Vec<f64> = (2..8).map(|c| num(w, 2, c)).collect();
        assert_eq!(counts, [0.0, 2.0, 1.0, 0.0, 0.0, 2.0]);
        Ok(())
    }

    #[test]
    fn an_empty_period_writes_the_four_sheets_without_rows() -> Result<(), ExportError> {
        let wb = read(&workbook(&today(Value::Null))?);
        assert_eq!(wb.names(), SHEETS);
        let s = wb.sheet("商品健康");
        assert_eq!(texts(s, 6), ["所选条件下没有订单"]);
        assert_eq!(texts(s, 8), headers(&QUADRANT_TABLE));
        assert_eq!(texts(wb.sheet("健康商品明细"), 1), Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn a_missing_health_or_a_malformed_part_is_a_shape_error_naming_it() {
        let err =
            workbook(&json!({"filters": {"store": null, "channel": null}})).expect_err("no health");
        assert_eq!(
            err.to_string(),
            "the today JSON does not have the expected shape: health is missing"
        );
        let mut h = sample::health();
        h["weekly"][1]["counts"] = json!([1, 2]);
        let err = workbook(&today(h)).expect_err("five counts short");
        assert!(err.to_string().contains("health.weekly[1].counts"), "{err}");
        let mut h = sample::health();
        h["products"][0]["sales"] = json!("many");
        let err = workbook(&today(h)).expect_err("text sales");
        assert!(
            err.to_string().contains("health.products[0].sales"),
            "{err}"
        );
        let mut h = sample::health();
        h.as_object_mut().map(|o| o.remove("migration"));
        let err = workbook(&today(h)).expect_err("no migration");
        assert!(err.to_string().contains("health.migration"), "{err}");
    }
}
