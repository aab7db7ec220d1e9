//! 时段场景: the eight slots, the scenes, and the slot × scene heatmap of sales.

use serde_json::Value;
use storeboard_tabs::Tab;

use super::columns::{DELIVERY, SCENES, SCENE_PRODUCTS, SLOTS};
use crate::export::book::Book;
use crate::export::sheet::Kind;
use crate::export::ExportError;

/// The timeslots workbook.
pub(super) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Timeslots.name())?;
    book.table_sheet("时段", json, "slots", SLOTS)?;
    book.table_sheet("场景", json, "scenes", SCENES)?;
    heatmap(&mut book, json, "热力图", ("sales", Kind::Money, "销售额"))?;
    heatmap(
        &mut book,
        json,
        "场景订单矩阵",
        ("orders", Kind::Int, "订单数"),
    )?;
    heatmap(
        &mut book,
        json,
        "场景利润矩阵",
        ("profit", Kind::Money, "利润额"),
    )?;
    book.table_sheet("配送", json, "delivery.cells", DELIVERY)?;
    let rows = serde_json::json!({ "product_scenes": super::view::scene_product_rows(json) });
    book.table_sheet("商品×场景", &rows, "product_scenes", SCENE_PRODUCTS)?;
    book.bytes()
}

/// A slot × scene grid: slots down, scenes across, each cell the `field` of the slot's lines
/// in the scene (`name` in the corner's label).
fn heatmap(
    book: &mut Book,
    json: &Value,
    sheet_name: &str,
    (field, kind, name): (&str, Kind, &str),
) -> Result<(), ExportError> {
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
    let mut sheet = book.sheet(sheet_name);
    sheet.label(0, 0, &format!("时段 \\ 场景 ({name})"))?;
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
            let at = || format!("{path}[{}].{field}", c - 1);
            let value = cell
                .get(field)
                .ok_or_else(|| book.shape(format!("{} is missing", at())))?;
            sheet.value(r, c, value, kind, &at)?;
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
                {"scene": "早餐", "lines": 20, "orders": 8, "avg_order_value": 25.0, "quantity": 31.5,
                 "sales": 200.0, "profit": 50.0, "margin_pct": 25.0},
                {"scene": "=1+1", "lines": 5, "orders": 2, "avg_order_value": 25.25, "quantity": 5.0,
                 "sales": 50.5, "profit": 10.0, "margin_pct": 19.8},
            ],
            "heatmap": {
                "slots": ["清晨", "上午"],
                "scenes": ["早餐", "=1+1"],
                "cells": [[{"sales": 200.0, "lines": 20, "orders": 8, "profit": 50.0},
                           {"sales": 50.5, "lines": 5, "orders": 2, "profit": 10.0}],
                          [{"sales": 0.0, "lines": 0, "orders": 0, "profit": 0.0},
                           {"sales": 0.0, "lines": 0, "orders": 0, "profit": 0.0}]],
            },
            "scene_coverage_pct": 80.0,
            "product_scenes": [
                {"scene": "早餐", "count": 1, "products": [
                    {"key": "K1", "name": "豆浆", "category": "乳品", "orders": 4, "quantity": 5.0,
                     "sales": 15.0, "profit": 6.0, "margin_pct": 40.0}]},
                {"scene": "=1+1", "count": 0, "products": []},
            ],
            "delivery": {
                "buckets": ["0-2km", "距离未知"], "slots": ["清晨", "上午"], "alert": 6.0, "flag_pct": 15.0,
                "cells": [
                    {"bucket": "0-2km", "slot": "清晨", "orders": 10, "delivery_net": 35.0,
                     "delivery_net_per_order": 3.5, "over_alert": 2, "over_alert_pct": 20.0, "flagged": true},
                    {"bucket": "距离未知", "slot": "上午", "orders": 0, "delivery_net": 0.0,
                     "delivery_net_per_order": null, "over_alert": 0, "over_alert_pct": null, "flagged": false},
                ],
            },
        })
    }

    #[test]
    fn timeslots_export_has_slots_scenes_and_a_sales_grid() -> Result<(), ExportError> {
        let wb = read(&workbook(&timeslots())?);
        assert_eq!(
            wb.names(),
            [
                "时段",
                "场景",
                "热力图",
                "场景订单矩阵",
                "场景利润矩阵",
                "配送",
                "商品×场景"
            ]
        );
        let s = wb.sheet("商品×场景");
        assert_eq!(texts(s, 1)[..3], ["早餐", "豆浆", "乳品"]);
        assert_eq!(num(s, 1, 5), 15.0);
        let s = wb.sheet("时段");
        assert_eq!(
            texts(s, 0),
            SLOTS.iter().map(|c| c.header).collect::<Vec<_>>()
        );
        assert_eq!((num(s, 1, 1), num(s, 1, 6)), (6.0, 250.5));
        assert_eq!(cell(s, 2, 7), Data::Empty, "no orders, no AOV");
        let s = wb.sheet("场景");
        assert_eq!(
            (num(s, 1, 2), num(s, 1, 3), num(s, 1, 4)),
            (8.0, 25.0, 31.5)
        );
        let s = wb.sheet("热力图");
        assert_eq!(texts(s, 0), ["时段 \\ 场景 (销售额)", "早餐", "=1+1"]);
        assert_eq!(cell(s, 0, 2), Data::String("=1+1".into()));
        assert_eq!(texts(s, 2)[0], "上午");
        assert_eq!((num(s, 1, 2), num(s, 2, 1)), (50.5, 0.0));
        let s = wb.sheet("场景订单矩阵");
        assert_eq!(texts(s, 0)[0], "时段 \\ 场景 (订单数)");
        assert_eq!((num(s, 1, 1), num(s, 1, 2)), (8.0, 2.0));
        assert_eq!(num(wb.sheet("场景利润矩阵"), 1, 2), 10.0);
        let s = wb.sheet("配送");
        assert_eq!(
            texts(s, 0),
            DELIVERY.iter().map(|c| c.header).collect::<Vec<_>>()
        );
        assert_eq!(texts(s, 1)[0], "0-2km");
        assert_eq!(
            (num(s, 1, 2), num(s, 1, 4), num(s, 1, 6)),
            (10.0, 3.5, 20.0)
        );
        assert_eq!(texts(s, 1)[7], "是", "flagged");
        assert_eq!(cell(s, 2, 4), Data::Empty, "no orders, no cost per order");
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
