//! 经营分析报告: the overview tab, one sheet per section.
//!
//! 利润 is the order's actual profit (订单实际利润, after platform fee and delivery), 利润额 the
//! lines' gross profit: the headers keep the two apart as docs/metrics.md does.

use serde_json::Value;
use storeboard_tabs::Tab;

use super::columns::{
    AOV_BANDS, AOV_MORE, CHANNELS, CHANNELS_MORE, COSTS, COST_BY_CATEGORY, DAILY, KPIS, MARKETING,
    PRODUCT_TOP,
};
use super::tops;
use crate::columns::Column;
use crate::export::book::Book;
use crate::export::sheet::{Kind, Sheet};
use crate::export::ExportError;

/// The KPI table's columns: header and field of each KPI object.
const KPI_COLUMNS: [(&str, &str); 5] = [
    ("本期", "value"),
    ("上期", "previous"),
    ("环比变化(%)", "change"),
    ("上周同期", "last_week"),
    ("较上周同期(%)", "last_week_change"),
];

/// The 12 sheets of the 经营分析报告, in order (what the tests expect).
#[cfg(test)]
pub(crate) const SHEETS: [&str; 12] = [
    "经营概览",
    "渠道表现",
    "客单价分析",
    "销量TOP50",
    "销售额TOP50",
    "利润额TOP50",
    "利润率TOP50",
    "滞销TOP50",
    "低销售额TOP50",
    "亏损TOP50",
    "低利润率TOP50",
    "日趋势数据",
];

/// The overview workbook: the overview's JSON with the product lists under `product_tops`
/// (added by the export handler from the products tab, [`tops::product_tops`]).
pub(super) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Overview.name())?;
    summary(&mut book, json)?;
    let channels: Vec<Column> = CHANNELS.iter().chain(CHANNELS_MORE).copied().collect();
    book.table_sheet("渠道表现", json, "channels", &channels)?;
    let bands: Vec<Column> = AOV_BANDS.iter().chain(AOV_MORE).copied().collect();
    book.table_sheet("客单价分析", json, "aov_bands", &bands)?;
    for (sheet, key) in tops::sheets() {
        book.table_sheet(sheet, json, &format!("product_tops.{key}"), PRODUCT_TOP)?;
    }
    book.table_sheet("日趋势数据", json, "daily", DAILY)?;
    book.bytes()
}

/// 经营概览: the title, what the report covers, the KPI table, then 利润, 成本结构 and the days.
fn summary(book: &mut Book, json: &Value) -> Result<(), ExportError> {
    let mut sheet = book.sheet("经营概览");
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
            let kind = if part.contains("change") {
                Kind::Pct
            } else {
                kind
            };
            sheet.value(row, c, v, kind, &|| path.clone())?;
        }
        if field.ends_with("_pct") {
            sheet.text(row, 6, "变化为百分点差")?;
        }
    }
    row = profit(book, &mut sheet, json, row + 2)?;
    row = costs(book, &mut sheet, json, row + 1)?;
    let cats = book.array(json, "cost_structure.by_category")?;
    sheet.label(row + 1, 0, "品类成本")?;
    row = sheet.table(
        row + 2,
        COST_BY_CATEGORY,
        cats,
        "cost_structure.by_category",
    )?;
    days(book, &mut sheet, json, row + 1)?;
    book.push(sheet)
}

/// One labelled value at `(row, 0..=1)`.
fn pair(
    book: &Book,
    sheet: &mut Sheet,
    json: &Value,
    row: u32,
    (label, path, kind): (&str, &str, Kind),
) -> Result<(), ExportError> {
    sheet.label(row, 0, label)?;
    sheet.value(row, 1, book.get(json, path)?, kind, &|| path.to_owned())
}

/// 利润: 盈利订单数, 亏损订单数, 平均订单利润. Returns the first free row.
fn profit(book: &Book, sheet: &mut Sheet, json: &Value, row: u32) -> Result<u32, ExportError> {
    sheet.label(row, 0, "利润")?;
    let rows = [
        ("盈利订单数", "profit_summary.profitable_orders", Kind::Int),
        ("亏损订单数", "profit_summary.loss_orders", Kind::Int),
        (
            "盈利订单占比(%)",
            "profit_summary.profitable_pct",
            Kind::Pct,
        ),
        (
            "平均订单利润",
            "profit_summary.avg_order_profit",
            Kind::Money,
        ),
    ];
    for (r, item) in (row + 1..).zip(rows) {
        pair(book, sheet, json, r, item)?;
    }
    Ok(row + 1 + rows.len() as u32)
}

/// 成本结构: each cost and marketing column with its rate. Returns the first free row.
fn costs(book: &Book, sheet: &mut Sheet, json: &Value, row: u32) -> Result<u32, ExportError> {
    sheet.label(row, 0, "成本结构")?;
    sheet.header(row + 1, ["项目", "金额", "占销售额(%)"])?;
    let mut r = row + 1;
    let amounts = COSTS
        .iter()
        .map(|&(field, label, rate)| (label.to_owned(), field.to_owned(), format!("rates.{rate}")));
    let marketing = MARKETING.iter().map(|m| {
        (
            format!("  其中 {m}"),
            format!("marketing.{m}"),
            format!("marketing_rates.{m}"),
        )
    });
    for (label, amount, rate) in amounts.chain(marketing) {
        r += 1;
        sheet.text(r, 0, &label)?;
        for (c, (path, kind)) in [(amount, Kind::Money), (rate, Kind::Pct)]
            .into_iter()
            .enumerate()
        {
            let path = format!("cost_structure.{path}");
            sheet.value(r, c as u16 + 1, book.get(json, &path)?, kind, &|| {
                path.clone()
            })?;
        }
    }
    Ok(r + 1)
}

/// 利润率概览: mean, σ, threshold, then the best, worst and anomaly days.
fn days(book: &Book, sheet: &mut Sheet, json: &Value, row: u32) -> Result<u32, ExportError> {
    sheet.label(row, 0, "利润率概览")?;
    let stats = [
        ("日均利润率(%)", "days.mean_margin_pct", Kind::Pct),
        ("标准差(总体)", "days.std_margin_pct", Kind::Num),
        ("异常阈值(均值−1σ,%)", "days.threshold_pct", Kind::Pct),
    ];
    for (r, item) in (row + 1..).zip(stats) {
        pair(book, sheet, json, r, item)?;
    }
    let mut days: Vec<(&str, &Value)> = vec![
        ("最佳日", book.get(json, "days.best")?),
        ("最差日", book.get(json, "days.worst")?),
    ];
    for d in book.array(json, "days.anomalies")? {
        days.push(("异常日", d));
    }
    let mut r = row + 1 + stats.len() as u32;
    sheet.header(
        r,
        ["类型"].into_iter().chain(DAILY.iter().map(|c| c.header)),
    )?;
    for (kind, day) in days.into_iter().filter(|(_, d)| !d.is_null()) {
        r += 1;
        sheet.text(r, 0, kind)?;
        for (c, col) in (1..).zip(DAILY) {
            let v = day.get(col.key).unwrap_or(&Value::Null);
            sheet.value(r, c, v, col.kind, &|| format!("days.{}", col.key))?;
        }
    }
    Ok(r + 1)
}

#[cfg(test)]
mod tests {
    use calamine::Data;
    use serde_json::json;

    use super::*;
    use crate::export::testkit::{cell, num, read, texts};

    fn kpi(value: f64, previous: f64) -> Value {
        json!({"value": value, "previous": previous, "change": (value - previous) / previous * 100.0,
               "last_week": null, "last_week_change": null})
    }

    fn product(i: usize) -> Value {
        json!({"key": format!("K{i}"), "name": format!("商品{i}"), "category": "饮料", "quantity": i as f64,
               "orders": i, "sales": i as f64 * 2.0, "cost": 1.0, "profit": i as f64 - 3.0, "margin_pct": 10.0})
    }

    /// `n` rows under each list of `product_tops`.
    fn tops(counts: [usize; 8]) -> Value {
        let mut out = serde_json::Map::new();
        for ((_, key), n) in tops::sheets().zip(counts) {
            out.insert(key.to_owned(), (0..n).map(product).collect());
        }
        Value::Object(out)
    }

    fn day(date: &str, margin: Option<f64>) -> Value {
        json!({"date": date, "orders": 60, "sales": 1200.0, "profit": 150.0, "margin_pct": margin})
    }

    fn overview() -> Value {
        let split = |v: f64| {
            json!({"满减金额": v, "商品减免金额": v, "商家代金券": v, "商家承担部分券": v,
                                    "满赠金额": v, "商家其他优惠": v, "新客减免金额": v})
        };
        json!({
            "filters": {"store": "门店1", "from": "2026-11-01", "to": "2026-11-07", "channel": null},
            "empty": false,
            "kpis": {
                "orders": kpi(120.0, 100.0), "sales": kpi(2345.67, 2000.0), "profit": kpi(300.5, 250.0),
                "avg_order_value": kpi(19.547, 20.0), "active_products": kpi(42.0, 40.0),
                "profit_margin_pct": {"value": 12.81, "previous": 12.5, "change": 0.31, "last_week": 11.9,
                                      "last_week_change": 0.91},
                "gmv": kpi(2800.0, 2400.0),
                "marketing_rate_pct": {"value": 6.2, "previous": 6.5, "change": -0.3, "last_week": null,
                                       "last_week_change": null},
            },
            "channels": [{
                "channel": "=HYPERLINK(\"http://x\")", "orders": 80, "sales": 1500.25, "share_pct": 63.9,
                "profit": 200.0, "avg_order_value": 18.75, "margin_pct": 13.3, "profit_per_order": 2.5,
                "marketing_per_order": 1.2, "delivery_per_order": 3.4,
                "cost_rates": {"product_cost": 70.1, "consumables": 0.3, "product_discount": 5.5,
                               "subsidy": 2.0, "delivery": 4.3, "commission": null},
                "total_cost_rate": 82.2, "previous": null,
                "change": {"orders": null, "sales": null, "profit": null, "margin_pct": null},
            }, {
                "channel": "饿了么", "orders": 40, "sales": 800.0, "share_pct": 36.1,
                "profit": 50.0, "avg_order_value": 20.0, "margin_pct": 6.25, "profit_per_order": 1.25,
                "marketing_per_order": 1.0, "delivery_per_order": 3.0,
                "cost_rates": {"product_cost": 70.0, "consumables": 0.5, "product_discount": 5.0,
                               "subsidy": 2.0, "delivery": 4.0, "commission": 8.0},
                "total_cost_rate": 89.5,
                "previous": {"orders": 20, "sales": 400.0, "profit": 40.0, "margin_pct": 10.0},
                "change": {"orders": 100.0, "sales": 100.0, "profit": 25.0, "margin_pct": -3.75},
            }],
            "aov_bands": [{"label": "¥0-10", "orders": 3, "share_pct": 2.5, "sales": 25.0, "margin_pct": null,
                           "cost_rate": 90.0, "previous_orders": 2, "previous_margin_pct": 5.0, "orders_change": 50.0}],
            "daily": [day("2026-11-01", Some(12.5)), day("2026-11-02", None), day("2026-11-03", Some(1.0))],
            "categories": [],
            "profit_buckets": [],
            "insights": [],
            "profit_summary": {"profitable_orders": 100, "loss_orders": 20, "profitable_pct": 83.3, "avg_order_profit": 2.5},
            "cost_structure": {
                "sales": 2345.67, "product_cost": 1600.0, "consumables": 10.0, "delivery_net": 90.0,
                "platform_fee": 150.0, "marketing_total": 70.0, "total_cost": 1920.0,
                "marketing": split(10.0), "marketing_rates": split(0.43),
                "rates": {"product_cost": 68.2, "consumables": 0.4, "delivery_net": 3.8, "platform_fee": 6.4,
                          "marketing_total": 3.0, "total": 81.9},
                "by_category": [{"category": "饮料", "cost": 1000.0, "sales": 1500.0, "cost_rate": 66.7, "share_pct": 62.1}],
            },
            "days": {"mean_margin_pct": 6.75, "std_margin_pct": 5.75, "threshold_pct": 1.0,
                     "best": day("2026-11-01", Some(12.5)), "worst": day("2026-11-03", Some(1.0)),
                     "anomalies": []},
            "product_tops": tops([50, 50, 50, 50, 50, 50, 7, 0]),
        })
    }

    #[test]
    fn the_report_has_the_twelve_sheets_with_one_row_per_item() -> Result<(), ExportError> {
        let wb = read(&workbook(&overview())?);
        assert_eq!(wb.names(), SHEETS);
        // Header + rows: 2 channels, 1 band, 3 days; the product lists as given (50, …, 7, 0).
        let height = |name: &str| wb.sheet(name).height();
        assert_eq!(
            (
                height("渠道表现"),
                height("客单价分析"),
                height("日趋势数据")
            ),
            (3, 2, 4)
        );
        let tops: Vec<usize> = SHEETS[3..11].iter().map(|s| height(s)).collect();
        assert_eq!(tops, [51, 51, 51, 51, 51, 51, 8, 1]);
        assert_eq!(texts(wb.sheet("销量TOP50"), 0)[..2], ["店内码", "商品名称"]);
        Ok(())
    }

    #[test]
    fn the_summary_has_the_kpis_profit_costs_and_days() -> Result<(), ExportError> {
        let wb = read(&workbook(&overview())?);
        let s = wb.sheet("经营概览");
        assert_eq!(texts(s, 0), ["经营分析报告"]);
        assert_eq!(texts(s, 1), ["统计周期", "2026-11-01 至 2026-11-07"]);
        assert_eq!(
            texts(s, 5),
            [
                "指标",
                "本期",
                "上期",
                "环比变化(%)",
                "上周同期",
                "较上周同期(%)",
                "说明"
            ]
        );
        assert_eq!(texts(s, 7)[0], "销售额");
        assert_eq!((num(s, 7, 1), num(s, 7, 2)), (2345.67, 2000.0));
        assert_eq!((num(s, 10, 3), num(s, 10, 5)), (0.31, 0.91));
        assert_eq!(
            cell(s, 7, 4),
            Data::Empty,
            "a null last_week is an empty cell"
        );
        // 利润 from row 15: a label, then four rows.
        assert_eq!(texts(s, 15), ["利润"]);
        assert_eq!(
            (texts(s, 16)[0].as_str(), num(s, 16, 1)),
            ("盈利订单数", 100.0)
        );
        assert_eq!(num(s, 19, 1), 2.5);
        // 成本结构: a label, a header, six costs, then the seven marketing columns.
        assert_eq!(texts(s, 21), ["成本结构"]);
        assert_eq!((num(s, 23, 1), num(s, 23, 2)), (1600.0, 68.2));
        assert_eq!(texts(s, 29)[0], "  其中 满减金额");
        assert_eq!(texts(s, 35)[0], "  其中 新客减免金额");
        // 品类成本 and 利润率概览 with the best and the worst day.
        assert_eq!(texts(s, 37), ["品类成本"]);
        assert_eq!(num(s, 39, 1), 1000.0);
        assert_eq!(texts(s, 41), ["利润率概览"]);
        assert_eq!(texts(s, 45)[0], "类型");
        assert_eq!(
            (texts(s, 46)[0].as_str(), texts(s, 47)[0].as_str()),
            ("最佳日", "最差日")
        );
        assert_eq!(s.height(), 48);
        Ok(())
    }

    #[test]
    fn channel_sheet_has_the_previous_period_and_names_stay_text() -> Result<(), ExportError> {
        let wb = read(&workbook(&overview())?);
        let s = wb.sheet("渠道表现");
        assert_eq!(texts(s, 0).len(), 25);
        assert_eq!(texts(s, 0)[16], "总成本率(%)");
        assert_eq!(
            cell(s, 1, 0),
            Data::String("=HYPERLINK(\"http://x\")".into())
        );
        assert_eq!(cell(s, 1, 17), Data::Empty, "no previous card");
        assert_eq!((num(s, 2, 17), num(s, 2, 24)), (20.0, -3.75));
        Ok(())
    }

    #[test]
    fn daily_trend_has_real_dates_and_empty_cells_for_null_margins() -> Result<(), ExportError> {
        let wb = read(&workbook(&overview())?);
        let s = wb.sheet("日趋势数据");
        assert!(matches!(cell(s, 1, 0), Data::DateTime(_)));
        assert_eq!(num(s, 2, 0), 46_328.0, "2026-11-02 as an Excel serial");
        assert_eq!(cell(s, 2, 4), Data::Empty);
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
        json.as_object_mut().map(|o| o.remove("product_tops"));
        let err = workbook(&json).expect_err("no product lists");
        assert_eq!(
            err.to_string(),
            "the overview JSON does not have the expected shape: product_tops.quantity is missing"
        );
    }
}
