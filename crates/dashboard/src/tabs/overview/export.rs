//! 经营分析报告: the overview tab, one sheet per section.
//!
//! 利润 is the order's actual profit (订单实际利润, after platform fee and delivery), 利润额 the
//! lines' gross profit: the headers keep the two apart as docs/metrics.md does.

use serde_json::Value;
use storeboard_tabs::Tab;

use super::columns::{AOV_BANDS, CATEGORIES, CHANNELS, DAILY, KPIS, PROFIT_BUCKETS};
use crate::export::book::Book;
use crate::export::sheet::Kind;
use crate::export::ExportError;

/// The KPI table's columns: header and field of each KPI object.
const KPI_COLUMNS: [(&str, &str); 4] = [
    ("本期", "value"),
    ("上期", "previous"),
    ("环比变化(%)", "change"),
    ("上周同期", "last_week"),
];

/// The overview workbook.
pub(super) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Overview.name())?;
    summary(&mut book, json)?;
    book.table_sheet("渠道", json, "channels", CHANNELS)?;
    book.table_sheet("每日趋势", json, "daily", DAILY)?;
    book.table_sheet("客单价分布", json, "aov_bands", AOV_BANDS)?;
    book.table_sheet("品类", json, "categories", CATEGORIES)?;
    book.table_sheet("订单利润分布", json, "profit_buckets", PROFIT_BUCKETS)?;
    book.bytes()
}

/// 概览: the title, what the report covers, then the KPI table.
fn summary(book: &mut Book, json: &Value) -> Result<(), ExportError> {
    let mut sheet = book.sheet("概览");
    let mut row = book.heading(&mut sheet, "经营分析报告", json)?;
    if book.get(json, "empty")?.as_bool() == Some(true) {
        sheet.text(row, 0, "所选条件下没有订单")?;
    }
    row += 1;
    let headers = ["指标"].into_iter().chain(KPI_COLUMNS.map(|(h, _)| h));
    sheet.header(row, headers.chain(["说明"]))?;
    sheet.freeze(row + 1, 1)?;
    for kpi in KPIS {
        let (label, field, kind) = (kpi.header, kpi.key, kpi.kind);
        row += 1;
        sheet.label(row, 0, label)?;
        for (c, (_, part)) in (1..).zip(KPI_COLUMNS) {
            let path = format!("kpis.{field}.{part}");
            let v = book.get(json, &path)?;
            // 环比 is a percent change for every KPI, in percentage points for the margin.
            let kind = if part == "change" { Kind::Pct } else { kind };
            sheet.value(row, c, v, kind, &|| path.clone())?;
        }
        if field == "profit_margin_pct" {
            sheet.text(row, 5, "环比变化为百分点差")?;
        }
    }
    book.push(sheet)
}

#[cfg(test)]
mod tests {
    use calamine::Data;
    use serde_json::json;

    use super::*;
    use crate::export::testkit::{cell, num, read, texts};

    fn kpi(value: f64, previous: f64) -> Value {
        json!({"value": value, "previous": previous, "change": (value - previous) / previous * 100.0, "last_week": null})
    }

    fn overview() -> Value {
        json!({
            "filters": {"store": "门店1", "from": "2026-11-01", "to": "2026-11-07", "channel": null},
            "empty": false,
            "kpis": {
                "orders": kpi(120.0, 100.0), "sales": kpi(2345.67, 2000.0), "profit": kpi(300.5, 250.0),
                "avg_order_value": kpi(19.547, 20.0), "active_products": kpi(42.0, 40.0),
                "profit_margin_pct": {"value": 12.81, "previous": 12.5, "change": 0.31, "last_week": 11.9},
            },
            "channels": [{
                "channel": "=HYPERLINK(\"http://x\")", "orders": 80, "sales": 1500.25, "share_pct": 63.9,
                "profit": 200.0, "avg_order_value": 18.75, "margin_pct": 13.3, "profit_per_order": 2.5,
                "marketing_per_order": 1.2, "delivery_per_order": 3.4,
                "cost_rates": {"product_cost": 70.1, "consumables": 0.3, "product_discount": 5.5,
                               "subsidy": 2.0, "delivery": 4.3, "commission": null},
            }],
            "aov_bands": [{"label": "¥0-10", "orders": 3, "share_pct": 2.5, "sales": 25.0, "margin_pct": null}],
            "daily": [
                {"date": "2026-11-01", "orders": 60, "sales": 1200.0, "profit": 150.0, "margin_pct": 12.5},
                {"date": "2026-11-02", "orders": 0, "sales": 0.0, "profit": 0.0, "margin_pct": null},
            ],
            "categories": [{"category": "饮料", "sales": 800.0, "profit": 210.0, "margin_pct": 26.25, "quantity": 12.5}],
            "profit_buckets": [{"label": "<-100", "orders": 1, "share_pct": 0.8, "sales": 10.0, "margin_pct": -900.0}],
        })
    }

    #[test]
    fn overview_has_one_sheet_per_section_with_the_api_numbers() -> Result<(), ExportError> {
        let wb = read(&workbook(&overview())?);
        assert_eq!(
            wb.names(),
            [
                "概览",
                "渠道",
                "每日趋势",
                "客单价分布",
                "品类",
                "订单利润分布"
            ]
        );
        let s = wb.sheet("概览");
        assert_eq!(texts(s, 0), ["经营分析报告"]);
        assert_eq!(texts(s, 1), ["统计周期", "2026-11-01 至 2026-11-07"]);
        assert_eq!(texts(s, 2), ["门店", "门店1"]);
        assert_eq!(texts(s, 3), ["渠道", "全部渠道"]);
        assert_eq!(
            texts(s, 5),
            ["指标", "本期", "上期", "环比变化(%)", "上周同期", "说明"]
        );
        assert_eq!(texts(s, 7)[0], "销售额");
        assert_eq!((num(s, 7, 1), num(s, 7, 2)), (2345.67, 2000.0));
        assert_eq!(num(s, 10, 3), 0.31);
        assert_eq!(
            cell(s, 7, 4),
            Data::Empty,
            "a null last_week is an empty cell"
        );
        Ok(())
    }

    #[test]
    fn channel_cards_keep_every_field_and_names_stay_text() -> Result<(), ExportError> {
        let wb = read(&workbook(&overview())?);
        let s = wb.sheet("渠道");
        assert_eq!(texts(s, 0).len(), 16);
        assert_eq!(texts(s, 0)[13], "活动补贴率(%)");
        assert_eq!(
            cell(s, 1, 0),
            Data::String("=HYPERLINK(\"http://x\")".into())
        );
        assert_eq!((num(s, 1, 2), num(s, 1, 13)), (1500.25, 2.0));
        assert_eq!(cell(s, 1, 15), Data::Empty);
        Ok(())
    }

    #[test]
    fn daily_trend_has_real_dates_and_empty_cells_for_null_margins() -> Result<(), ExportError> {
        let wb = read(&workbook(&overview())?);
        let s = wb.sheet("每日趋势");
        assert!(matches!(cell(s, 1, 0), Data::DateTime(_)));
        assert_eq!(num(s, 2, 0), 46_328.0, "2026-11-02 as an Excel serial");
        assert_eq!(cell(s, 2, 4), Data::Empty);
        assert_eq!(num(wb.sheet("品类"), 1, 4), 12.5);
        Ok(())
    }

    #[test]
    fn the_same_json_gives_the_same_bytes() -> Result<(), ExportError> {
        assert_eq!(workbook(&overview())?, workbook(&overview())?);
        Ok(())
    }

    #[test]
    fn a_missing_section_is_a_shape_error_naming_it() {
        let mut json = overview();
        json.as_object_mut().map(|o| o.remove("categories"));
        let err = workbook(&json).expect_err("no categories");
        assert_eq!(
            err.to_string(),
            "the overview JSON does not have the expected shape: categories is missing"
        );
    }
}
