//! 时段场景: the eight slots, the scenes, and the slot × scene heatmap of sales.

use serde_json::Value;
use storeboard_tabs::Tab;

use super::columns::{SCENES, SLOTS};
use crate::export::book::Book;
use crate::export::sheet::Kind;
use crate::export::ExportError;

/// The timeslots workbook.
pub(super) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Timeslots.name())?;
    book.table_sheet("时段", json, "slots", SLOTS)?;
    book.table_sheet("场景", json, "scenes", SCENES)?;
    heatmap(&mut book, json)?;
    book.bytes()
}

/// 热力图: slots down, scenes across, each cell the slot's sales in the scene.
fn heatmap(book: &mut Book, json: &Value) -> Result<(), ExportError> {
    let slots = book.array(json, "heatmap.slots")?;
    let scenes = book.array(json, "heatmap.scenes")?;
    let cells = book.array(json, "heatmap.cells")?;
    if cells.len() != slots.len() {
        let detail = format!(
            "heatmap.cells has {} rows for {} slots",
            cells.len(),
            slots.len()
        );
        return Err(book.shape(detail));
    }
    let mut sheet = book.sheet("热力图");
    sheet.label(0, 0, "时段 \\ 场景 (销售额)")?;
    for (c, scene) in (1..).zip(scenes) {
        sheet.value(0, c, scene, Kind::Text, &|| {
            format!("heatmap.scenes[{}]", c - 1)
        })?;
    }
    for (r, (slot, row)) in (1..).zip(slots.iter().zip(cells)) {
        let i = r - 1;
        let path = format!("heatmap.cells[{i}]");
        let row = match row.as_array() {
            Some(row) if row.len() == scenes.len() => row,
            _ => {
                let detail = format!("{path} is not an array of {} cells", scenes.len());
                return Err(book.shape(detail));
            }
        };
        sheet.value(r, 0, slot, Kind::Text, &|| format!("heatmap.slots[{i}]"))?;
        for (c, cell) in (1..).zip(row) {
            let at = || format!("{path}[{}].sales", c - 1);
            let sales = cell
                .get("sales")
                .ok_or_else(|| book.shape(format!("{} is missing", at())))?;
            sheet.value(r, c, sales, Kind::Money, &at)?;
        }
    }
    sheet.freeze(1, 1)?;
    book.push(sheet)
}

#[cfg(test)]
mod tests {
    use calamine::Data;
    use serde_json::json;

    use super::*;
    use crate::export::testkit::{cell, num, read, texts};

    fn timeslots() -> Value {
        json!({
            "filters": {"store": null, "from": "2026-11-01", "to": "2026-11-07", "channel": "饿了么"},
            "empty": false,
            "slots": [
                {"slot": "清晨", "start_hour": 6, "end_hour": 9, "default_scene": "早餐", "orders": 10,
                 "lines": 25, "sales": 250.5, "avg_order_value": 25.05, "profit": 60.0, "margin_pct": 23.95},
                {"slot": "上午", "start_hour": 9, "end_hour": 12, "default_scene": "日常", "orders": 0,
                 "lines": 0, "sales": 0.0, "avg_order_value": null, "profit": 0.0, "margin_pct": null},
            ],
            "scenes": [
                {"scene": "早餐", "lines": 20, "quantity": 31.5, "sales": 200.0, "profit": 50.0, "margin_pct": 25.0},
                {"scene": "=1+1", "lines": 5, "quantity": 5.0, "sales": 50.5, "profit": 10.0, "margin_pct": 19.8},
            ],
            "heatmap": {
                "slots": ["清晨", "上午"],
                "scenes": ["早餐", "=1+1"],
                "cells": [[{"sales": 200.0, "lines": 20}, {"sales": 50.5, "lines": 5}],
                          [{"sales": 0.0, "lines": 0}, {"sales": 0.0, "lines": 0}]],
            },
        })
    }

    #[test]
    fn timeslots_export_has_slots_scenes_and_a_sales_grid() -> Result<(), ExportError> {
        let wb = read(&workbook(&timeslots())?);
        assert_eq!(wb.names(), ["时段", "场景", "热力图"]);
        let s = wb.sheet("时段");
        assert_eq!(
            texts(s, 0),
            SLOTS.iter().map(|c| c.header).collect::<Vec<_>>()
        );
        assert_eq!((num(s, 1, 1), num(s, 1, 6)), (6.0, 250.5));
        assert_eq!(cell(s, 2, 7), Data::Empty, "no orders, no AOV");
        assert_eq!(num(wb.sheet("场景"), 1, 2), 31.5);
        let s = wb.sheet("热力图");
        assert_eq!(texts(s, 0), ["时段 \\ 场景 (销售额)", "早餐", "=1+1"]);
        assert_eq!(cell(s, 0, 2), Data::String("=1+1".into()));
        assert_eq!(texts(s, 2)[0], "上午");
        assert_eq!((num(s, 1, 2), num(s, 2, 1)), (50.5, 0.0));
        Ok(())
    }

    #[test]
    fn a_heatmap_row_of_the_wrong_width_is_a_shape_error() {
        let mut json = timeslots();
        json["heatmap"]["cells"][1] = json!([{"sales": 1.0, "lines": 1}]);
        let err = workbook(&json).expect_err("ragged grid");
        assert!(err.to_string().contains("heatmap.cells[1]"), "{err}");
    }
}
