//! 智能调价's workbooks: a plan (what it proposes and predicts, with what it was computed from)
//! and a saved plan against what happened.

use serde_json::Value;

use super::columns::{ITEMS, OUTCOME};
use crate::export::book::{lookup, Book};
use crate::export::sheet::Kind;
use crate::export::ExportError;

/// The file name's label.
pub(crate) const TITLE: &str = "智能调价方案";

/// (label, path, kind) of the totals sheet.
const TOTALS: [(&str, &str, Kind); 9] = [
    ("商品数", "total.items", Kind::Int),
    ("调价商品数", "total.changed", Kind::Int),
    ("锁定商品数 (🎯 策略引流)", "total.locked", Kind::Int),
    ("当前日销售额", "total.daily_sales", Kind::Money),
    ("预计日销售额", "total.predicted_daily_sales", Kind::Money),
    (
        "当前日利润 (扣平台费与营销)",
        "total.daily_profit",
        Kind::Money,
    ),
    ("预计日利润", "total.predicted_daily_profit", Kind::Money),
    ("日利润变化", "total.daily_profit_change", Kind::Money),
    ("日销售额变化", "total.daily_sales_change", Kind::Money),
];

fn label_rows(json: &Value, rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(label, path)| {
            let v = lookup(json, path).cloned().unwrap_or(Value::Null);
            let text = match v {
                Value::Null => "全部".to_owned(),
                Value::String(s) => s,
                other => other.to_string(),
            };
            ((*label).to_owned(), text)
        })
        .collect()
}

/// The workbook of a plan as `GET /api/v1/pricing` answers it.
pub(crate) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new("pricing")?;
    let items = book.array(json, "items")?;
    let mut sheet = book.sheet("调价方案");
    sheet.title(0, TITLE)?;
    let about = label_rows(
        json,
        &[
            ("门店", "store"),
            ("渠道", "channel"),
            ("数据截至", "as_of"),
            ("场景", "request.scenario"),
            ("方向", "direction"),
            ("幅度(%)", "change_pct"),
            ("渠道系数", "channel_factor"),
        ],
    );
    for (row, (label, value)) in (1..).zip(&about) {
        sheet.label(row, 0, label)?;
        sheet.text(row, 1, value)?;
    }
    let start = 1 + u32::try_from(about.len()).unwrap_or(0) + 1;
    sheet.table(start, ITEMS, items, "items")?;
    sheet.freeze(start + 1, 2)?;
    book.push(sheet)?;
    let mut totals = book.sheet("汇总");
    totals.header(0, ["指标", "每日"])?;
    for (row, (label, path, kind)) in (1..).zip(TOTALS) {
        totals.label(row, 0, label)?;
        let v = book.get(json, path)?;
        totals.value(row, 1, v, kind, &|| path.to_owned())?;
    }
    book.push(totals)?;
    book.bytes()
}

/// The workbook of a saved plan as `GET /api/v1/pricing/plans/{id}` answers it.
pub(crate) fn plan_workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new("pricing")?;
    let mut sheet = book.sheet("方案");
    sheet.title(0, TITLE)?;
    let about = label_rows(
        json,
        &[
            ("方案", "name"),
            ("保存人", "author"),
            ("保存时间 (UTC)", "created_at"),
            ("门店", "store"),
            ("渠道", "channel"),
            ("场景", "scenario"),
            ("生效日期", "effective_from"),
            ("已有天数", "outcome.days"),
        ],
    );
    for (row, (label, value)) in (1..).zip(&about) {
        sheet.label(row, 0, label)?;
        sheet.text(row, 1, value)?;
    }
    let start = 1 + u32::try_from(about.len()).unwrap_or(0) + 1;
    sheet.table(start, ITEMS, book.array(json, "items")?, "items")?;
    sheet.freeze(start + 1, 2)?;
    book.push(sheet)?;
    book.table_sheet("效果对比", json, "outcome.items", OUTCOME)?;
    book.bytes()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::export::testkit::{num, read, texts};

    fn item() -> Value {
        json!({"key": "K", "name": "大米", "category": "粮油调味", "quadrant": "明星",
               "current_price": 15.0, "new_price": 15.9, "change_pct": 6.0, "unit_cost": 12.0,
               "break_even_price": 13.04, "margin_pct": 20.0, "new_margin_pct": 24.5,
               "highlight_margin_pct": 20.0, "elasticity": -0.5, "elasticity_label": "品类默认 (粮油调味)",
               "note": "", "stock": null, "stock_days": null, "idle_days": 10,
               "current": {"daily_qty": 0.67, "daily_profit": 1.2},
               "predicted": {"qty_change_pct": -3.0, "daily_qty": 0.65, "daily_profit": 1.7, "daily_profit_change": 0.5}})
    }

    #[test]
    fn a_plan_sheet_lists_every_product_with_its_prediction() {
        let plan = json!({
            "store": "一号店", "channel": null, "as_of": "2026-11-30", "request": {"scenario": "raise_opportunity"},
            "direction": "up", "change_pct": 6.0, "channel_factor": 1.0,
            "items": [item()],
            "total": {"items": 1, "changed": 1, "locked": 0, "daily_sales": 10.0, "predicted_daily_sales": 10.3,
                      "daily_profit": 1.2, "predicted_daily_profit": 1.7, "daily_profit_change": 0.5, "daily_sales_change": 0.3},
        });
        let bytes = workbook(&plan).expect("built");
        let book = read(&bytes);
        assert_eq!(book.names(), ["调价方案", "汇总"]);
        let sheet = book.sheet("调价方案");
        assert_eq!(texts(sheet, 1), ["门店", "一号店"]);
        assert_eq!(texts(sheet, 2), ["渠道", "全部"]);
        let header = texts(sheet, 9);
        assert_eq!(header[5], "建议价格");
        assert!((num(sheet, 10, 5) - 15.9).abs() < 1e-9);
        assert!((num(book.sheet("汇总"), 8, 1) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_saved_plan_workbook_compares_predicted_and_actual() {
        // As `storeboard_tabs::PlanAnswer` serializes.
        let saved = json!({
            "id": 3, "name": "周末", "author": "admin (session)", "created_at": "2026-12-01T08:00:00Z",
            "store": null, "channel": null, "scenario": "free", "effective_from": "2026-12-01", "item_count": 1,
            "items": [item()],
            "outcome": {"days": 2, "items": [{"key": "K", "name": "大米", "new_price": 15.9, "actual_price": 15.9,
                "predicted_daily_qty": 0.65, "actual_daily_qty": 1.0, "predicted_daily_profit": 1.7,
                "actual_daily_profit": 2.0, "measured_elasticity": null}]},
        });
        let book = read(&plan_workbook(&saved).expect("built"));
        assert_eq!(book.names(), ["方案", "效果对比"]);
        assert_eq!(texts(book.sheet("方案"), 1), ["方案", "周末"]);
        assert_eq!(texts(book.sheet("方案"), 7), ["生效日期", "2026-12-01"]);
        assert!((num(book.sheet("效果对比"), 1, 5) - 1.0).abs() < 1e-9);
    }
}
