//! Ingest of generated order exports: every format variant, aliases, title rows, bad cells and
//! the bad-input corpus, each with its exact error.

use std::collections::HashSet;
use std::io::Cursor;

use storeboard_data::report::Severity;
use storeboard_data::{ingest, IngestError, IngestOptions, Ingested};
use storeboard_fixtures as fx;

fn read(bytes: Vec<u8>, name: &str) -> Result<Ingested, IngestError> {
    ingest(Cursor::new(bytes), name, &IngestOptions::default())
}

fn expect_matches(spec: &fx::ExportSpec, got: &Ingested) {
    let lines = fx::lines(spec);
    assert_eq!(got.report.accepted_lines, lines.len());
    assert_eq!(
        got.report.rejected_lines,
        0,
        "{:?}",
        got.report.problems.first()
    );
    let orders: HashSet<(&str, &str)> = lines
        .iter()
        .map(|l| (l.store.as_str(), l.order_id.as_str()))
        .collect();
    assert_eq!(got.report.orders, orders.len());
    let ids: HashSet<&str> = got.data.order_keys().map(|o| o.id).collect();
    for line in &lines {
        assert!(
            ids.contains(line.order_id.as_str()),
            "order id {} read as something else",
            line.order_id
        );
    }
    assert_eq!(got.report.stores.len(), spec.stores.len());
    assert_eq!(got.report.header_row, spec.header_row());
}

#[test]
fn default_export_is_read_line_for_line() {
    let spec = fx::ExportSpec::default();
    let got = read(fx::xlsx_bytes(&spec), "订单.xlsx").expect("reads");
    expect_matches(&spec, &got);
    assert!(
        got.report.missing_optional.is_empty(),
        "{:?}",
        got.report.missing_optional
    );
    let first = fx::lines(&spec)[0].time.date();
    assert_eq!(got.report.stores[0].first_day, first);
}

#[test]
fn aliases_numeric_order_ids_and_serial_dates_are_understood() {
    let spec = fx::ExportSpec {
        header_style: fx::HeaderStyle::Aliases,
        order_id_kind: fx::OrderIdKind::Numeric,
        date_kind: fx::DateKind::Serial,
        title_rows: vec!["订单明细导出".into(), "导出时间: 2026-11-01".into()],
        extra_ignored_columns: vec!["备注".into()],
        ..fx::ExportSpec::default()
    };
    let got = read(fx::xlsx_bytes(&spec), "orders.xlsx").expect("reads");
    expect_matches(&spec, &got);
    assert!(
        got.report.ignored_columns.contains(&"备注".to_owned()),
        "{:?}",
        got.report.ignored_columns
    );
    let id = got.data.order_keys().next().expect("an order").id;
    assert!(
        id.chars().all(|c| c.is_ascii_digit()),
        "numeric order id read as {id}"
    );
}

#[test]
fn text_dates_in_both_common_forms_are_understood() {
    for date_kind in [
        fx::DateKind::Text("%Y-%m-%d %H:%M:%S"),
        fx::DateKind::TextSlash,
    ] {
        let spec = fx::ExportSpec {
            date_kind,
            ..fx::ExportSpec::default()
        };
        let got = read(fx::xlsx_bytes(&spec), "orders.xlsx").expect("reads");
        expect_matches(&spec, &got);
    }
}

#[test]
fn csv_in_utf8_with_bom_and_gbk_is_read() {
    let spec = fx::ExportSpec::default();
    for encoding in [
        fx::CsvEncoding::Utf8,
        fx::CsvEncoding::Utf8Bom,
        fx::CsvEncoding::Gbk,
    ] {
        let got = read(fx::csv_bytes(&spec, encoding), "orders.csv").expect("reads");
        expect_matches(&spec, &got);
    }
}

#[test]
fn missing_optional_columns_are_reported_with_what_they_disable() {
    let spec = fx::ExportSpec {
        columns: fx::ColumnSet::RequiredOnly,
        ..fx::ExportSpec::default()
    };
    let got = read(fx::xlsx_bytes(&spec), "orders.xlsx").expect("reads");
    let stock = got
        .report
        .missing_optional
        .iter()
        .find(|m| m.column == "剩余库存")
        .expect("stock listed");
    assert!(stock.disables.contains("库存"), "{stock:?}");
}

#[test]
fn bad_cells_are_reported_with_row_column_and_value() {
    let (bytes, bad) = fx::bad_cells_xlsx();
    let got = read(bytes, "bad.xlsx").expect("reads the good rows");
    let rejected_rows: HashSet<u32> = bad
        .iter()
        .filter(|b| b.severity == fx::Severity::RejectedRow)
        .map(|b| b.excel_row)
        .collect();
    assert_eq!(got.report.rejected_lines, rejected_rows.len());
    for cell in &bad {
        let found = got
            .problems
            .iter()
            .find(|p| p.row == cell.excel_row && p.column == cell.column);
        let p =
            found.unwrap_or_else(|| panic!("no problem reported for {cell:?}: {:?}", got.problems));
        assert_eq!(p.value, cell.value);
        let want = match cell.severity {
            fx::Severity::RejectedRow => Severity::Error,
            fx::Severity::Warning => Severity::Warning,
        };
        assert_eq!(p.severity, want, "{cell:?}");
    }
}

#[test]
fn formula_cells_are_read_as_their_cached_values() {
    let got = read(fx::formula_cells_xlsx(), "formulas.xlsx").expect("reads");
    assert!(got.report.accepted_lines > 0);
}

#[test]
fn bad_inputs_fail_with_their_exact_error() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not.xlsx", fx::not_a_workbook(), "content_mismatch"),
        ("truncated.xlsx", fx::truncated_xlsx(), "corrupt_workbook"),
        (
            "bomb.xlsx",
            fx::zip_bomb_shared_strings(),
            "workbook_too_large",
        ),
        ("empty.xlsx", fx::empty_sheet_xlsx(), "no_lines"),
        ("header.xlsx", fx::header_only_xlsx(), "no_lines"),
        (
            "missing.xlsx",
            fx::missing_required_columns_xlsx(),
            "missing_columns",
        ),
        ("named.xlsx", fx::csv_named_xlsx(), "content_mismatch"),
        (
            "locked.xlsx",
            fx::encrypted_like_xlsx(),
            "encrypted_workbook",
        ),
        ("orders.pdf", b"%PDF-1.4".to_vec(), "unsupported_type"),
        ("empty.csv", Vec::new(), "no_lines"),
    ];
    for (name, bytes, code) in cases {
        match read(bytes, name) {
            Ok(got) => panic!("{name}: accepted {} lines", got.report.accepted_lines),
            Err(err) => assert_eq!(err.code(), code, "{name}: {err}"),
        }
    }
}

#[test]
fn five_thousand_garbage_columns_are_ignored_and_counted() {
    let got =
        read(fx::garbage_5000_columns_xlsx(), "wide.xlsx").expect("known columns are all there");
    assert!(got.report.accepted_lines > 0);
    assert_eq!(got.report.ignored_column_count, 4964);
    assert!(got.report.ignored_columns.len() <= 200);
}

#[test]
fn missing_columns_error_names_them_and_the_headers_found() {
    let err = read(fx::missing_required_columns_xlsx(), "m.xlsx").expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("销量") && text.contains("门店名称"), "{text}");
    assert!(text.contains("订单ID"), "headers found are listed: {text}");
}
