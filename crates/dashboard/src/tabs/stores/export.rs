//! 门店对比's workbook: every store with every figure and its 环比, the previous period, the
//! flags one per row, and the chain's medians and fences.

use serde_json::{json, Value};
use storeboard_tabs::Tab;

use super::columns::{FLAGS, PREVIOUS, SPREADS, STORES};
use super::view::{rows, FIGURES};
use crate::export::book::Book;
use crate::export::ExportError;
use crate::views::arr;

/// One row per flag: its store, and its side and badness in words.
fn flag_rows(json: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for s in arr(json, "stores") {
        for f in arr(s, "flags") {
            let mut row = f.clone();
            row["store"] = s.get("store").cloned().unwrap_or(Value::Null);
            let high = f.get("side").and_then(Value::as_str) == Some("high");
            row["side_text"] = json!(if high { "偏高" } else { "偏低" });
            let bad = f.get("bad") == Some(&json!(true));
            row["bad_text"] = json!(if bad { "是" } else { "否" });
            out.push(row);
        }
    }
    out
}

/// One row per figure: the chain median and the fences (`null` with too few stores).
fn spread_rows(json: &Value) -> Vec<Value> {
    FIGURES
        .iter()
        .map(|(key, label, _)| {
            let fence = json["fences"].get(*key).and_then(Value::as_array);
            let at = |i: usize| fence.and_then(|f| f.get(i)).cloned().unwrap_or(Value::Null);
            json!({"label": label, "median": json["medians"].get(*key).cloned().unwrap_or(Value::Null),
                   "low": at(0), "high": at(1)})
        })
        .collect()
}

/// The 门店对比 workbook.
pub(super) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Stores.name())?;
    let flat = json!({
        "stores": rows(json),
        "flags": flag_rows(json),
        "spreads": spread_rows(json),
    });
    book.table_sheet("门店对比", &flat, "stores", STORES)?;
    book.table_sheet("上期", &flat, "stores", PREVIOUS)?;
    book.table_sheet("预警", &flat, "flags", FLAGS)?;
    book.table_sheet("中位数与预警线", &flat, "spreads", SPREADS)?;
    book.bytes()
}
