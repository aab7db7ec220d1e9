//! The dashboard's xlsx exports on the real application: content type, the Chinese file name
//! in `filename*`, the sheets and numbers read back with calamine and compared with the JSON
//! API, unknown tabs, and the upload template accepted by the upload API.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};
use serde_json::Value;

use crate::dashboard::{api, decode, query, seeded, A, FROM, TO};
use crate::support::app::{AppServer, Fetched, Part};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every sheet of an xlsx workbook, in order.
pub(crate) fn sheets(bytes: &[u8]) -> Vec<(String, Range<Data>)> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .unwrap_or_else(|e| panic!("not a readable workbook: {e}"));
    book.worksheets()
}

fn sheet<'a>(book: &'a [(String, Range<Data>)], name: &str) -> &'a Range<Data> {
    book.iter()
        .find(|(n, _)| n == name)
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// The number in column `col` of the row whose first cell is `label`.
fn number_beside(range: &Range<Data>, label: &str, col: usize) -> f64 {
    let row = range
        .rows()
        .find(|r| matches!(r.first(), Some(Data::String(s)) if s == label))
        .unwrap_or_else(|| panic!("no row {label}"));
    match row.get(col) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("{label}: {other:?} is not a number"),
    }
}

/// `GET {path}`, asserting a 200 xlsx download; returns the answer and the decoded
/// `filename*`.
fn download(server: &AppServer, path: &str) -> (Fetched, String) {
    let reply = server.fetch(path);
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    assert_eq!(reply.header("content-type"), XLSX, "{path}");
    let disposition = reply.header("content-disposition").to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let name = disposition
        .split("filename*=UTF-8''")
        .nth(1)
        .map(|v| decode(v.split(';').next().unwrap_or(v).trim()))
        .unwrap_or_else(|| panic!("{path}: no filename* in {disposition}"));
    // The ASCII fallback for old clients is there too, and is ASCII.
    let plain = disposition.split("filename=\"").nth(1).unwrap_or_default();
    assert!(!plain.is_empty() && plain.is_ascii(), "{disposition}");
    (reply, name)
}

#[test]
fn each_tab_exports_a_workbook_named_after_store_tab_and_period() {
    let (server, _) = seeded();
    let q = query(&[("store", A), ("from", FROM), ("to", TO)]);
    for (tab, label, first_sheet) in [
        ("overview", "经营分析报告", "经营概览"),
        ("products", "商品分析", "商品明细"),
        ("timeslots", "时段场景", "时段"),
        ("today", "今日必做", "汇总"),
    ] {
        let (reply, name) = download(&server, &format!("/export/{tab}.xlsx{q}"));
        assert_eq!(name, format!("{A}_{label}_{FROM}_{TO}.xlsx"), "{tab}");
        let book = sheets(&reply.body);
        assert_eq!(book[0].0, first_sheet, "{tab}");
        assert!(
            book.len() >= 3,
            "{tab}: {:?}",
            book.iter().map(|s| &s.0).collect::<Vec<_>>()
        );
        assert!(
            book[0].1.rows().count() > 2,
            "{tab}: the first sheet has content"
        );
    }
    let all = query(&[("from", FROM), ("to", TO)]);
    let (_, name) = download(&server, &format!("/export/overview.xlsx{all}"));
    assert_eq!(name, format!("全部门店_经营分析报告_{FROM}_{TO}.xlsx"));
}

#[test]
fn overview_export_has_its_twelve_sheets_and_the_api_numbers() {
    let (server, _) = seeded();
    for q in [
        query(&[("store", A), ("from", FROM), ("to", TO)]),
        query(&[("from", FROM), ("to", TO)]),
    ] {
        let (reply, _) = download(&server, &format!("/export/overview.xlsx{q}"));
        let book = sheets(&reply.body);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, crate::overview_depth::SHEETS);
        let json: Value = api(&server, "overview", &q);
        let kpis = &json["kpis"];
        let summary = sheet(&book, "经营概览");
        let sales = kpis["sales"]["value"].as_f64().expect("sales");
        let orders = kpis["orders"]["value"].as_f64().expect("orders");
        assert!(sales > 0.0);
        assert_eq!(
            number_beside(summary, "销售额", 1),
            sales,
            "{q}: the exact value"
        );
        assert_eq!(number_beside(summary, "订单数", 1), orders, "{q}");
        // One row per day (plus the header) in 日趋势数据.
        let days = json["daily"].as_array().map_or(0, Vec::len);
        assert_eq!(days, 7);
        let daily_rows = sheet(&book, "日趋势数据")
            .rows()
            .filter(|r| matches!(r.get(1), Some(Data::Float(_) | Data::Int(_))))
            .count();
        assert_eq!(daily_rows, days, "{q}");
    }
}

#[test]
fn unknown_exports_are_not_found_and_bad_dates_are_refused() {
    let (server, _) = seeded();
    for path in [
        "/export/nope.xlsx",
        "/export/data.xlsx",
        "/export/overview.csv",
    ] {
        let reply = server.fetch(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.text());
        assert_ne!(reply.header("content-type"), XLSX, "{path}");
    }
    let reply = server.fetch("/export/overview.xlsx?from=2026-13-01");
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("开始日期"), "{}", reply.text());
}

#[test]
fn the_upload_template_is_a_workbook_the_upload_api_accepts() {
    let server = AppServer::start();
    let (reply, name) = download(&server, "/template.xlsx");
    assert_eq!(name, "订单导入模板.xlsx");
    let book = sheets(&reply.body);
    assert_eq!(book[0].0, "订单明细");
    let records = server.upload_ok(&[Part::file("订单导入模板.xlsx", reply.body.clone())]);
    let report = &records[0]["report"];
    assert_eq!(report["accepted_lines"], 2, "{report}");
    assert_eq!(report["rejected_lines"], 0, "{report}");
    assert_eq!(report["problem_count"], 0, "{report}");
    let stores = server.stores();
    assert_eq!(stores[0]["lines"], 2, "{stores}");
}

#[test]
fn an_export_of_a_store_named_with_a_right_to_left_override_has_no_bidi_character_in_its_name() {
    let server = AppServer::start();
    // Would show in a download bar as 门店exe.xlsx… while being named …xslx.exe.
    let hostile = "门店\u{202e}xslx.exe\u{200b}\u{2066}";
    let spec = storeboard_fixtures::ExportSpec {
        stores: vec![hostile.to_owned()],
        start: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date"),
        days: 2,
        orders_per_store_day: 3,
        seed: 16,
        ..storeboard_fixtures::ExportSpec::default()
    };
    server.upload_ok(&[Part::file(
        "门店.xlsx",
        storeboard_fixtures::xlsx_bytes(&spec),
    )]);
    let stores = server.stores();
    let stored = stores[0]["name"].as_str().unwrap_or_default().to_owned();
    assert!(
        stored.contains('\u{202e}'),
        "the store keeps its name: {stores}"
    );
    let q = query(&[
        ("store", &stored),
        ("from", "2026-11-01"),
        ("to", "2026-11-02"),
    ]);
    let (reply, name) = download(&server, &format!("/export/products.xlsx{q}"));
    assert_eq!(name, "门店xslx.exe_商品分析_2026-11-01_2026-11-02.xlsx");
    let header = reply.header("content-disposition").to_ascii_uppercase();
    for encoded in ["%E2%80%AE", "%E2%80%8B", "%E2%81%A6"] {
        assert!(!header.contains(encoded), "{header}");
    }
}
