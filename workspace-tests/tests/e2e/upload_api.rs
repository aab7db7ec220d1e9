//! The upload API of the real application on `127.0.0.1:0`: reports checked against the
//! generated lines, `GET /api/v1/stores`, the history, `problems.csv`, merge and replace,
//! re-uploading a file, several files in one request, deleting a store.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use storeboard_fixtures as fx;

use crate::support::app::{encode_segment, expected_stores, AppServer, Part};

/// One store, `days` days from 2026-11-`first`, 10 orders a day.
fn one_store(store: &str, first: u32, days: u32, seed: u64) -> fx::ExportSpec {
    fx::ExportSpec {
        stores: vec![store.to_owned()],
        start: day(first),
        days,
        seed,
        orders_per_store_day: 10,
        ..fx::ExportSpec::default()
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("a November day")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn distinct_orders(lines: &[fx::Line]) -> usize {
    let ids: HashSet<(&str, &str)> = lines
        .iter()
        .map(|l| (l.store.as_str(), l.order_id.as_str()))
        .collect();
    ids.len()
}

/// Checks the record's report of a clean file against the lines it was generated from.
fn assert_clean_report(record: &Value, spec: &fx::ExportSpec, lines: &[fx::Line]) {
    let report = &record["report"];
    assert_eq!(report["accepted_lines"], lines.len(), "{report}");
    assert_eq!(report["rejected_lines"], 0, "{report}");
    assert_eq!(report["orders"], distinct_orders(lines), "{report}");
    assert_eq!(report["problem_count"], 0, "{report}");
    assert_eq!(report["warning_count"], 0, "{report}");
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["header_row"], spec.header_row(), "{report}");
    assert_eq!(report["stores"], expected_stores(lines), "{report}");
    assert_eq!(record["lines"], lines.len(), "{record}");
    assert_eq!(record["stores"], expected_stores(lines), "{record}");
    let first = lines
        .iter()
        .map(|l| l.time.date())
        .min()
        .map(|d| d.to_string());
    let last = lines
        .iter()
        .map(|l| l.time.date())
        .max()
        .map(|d| d.to_string());
    assert_eq!(record["first_day"], json!(first), "{record}");
    assert_eq!(record["last_day"], json!(last), "{record}");
}

#[test]
fn workbook_upload_reports_every_generated_line_and_lists_its_stores_and_history() {
    let server = AppServer::start();
    let spec = fx::ExportSpec::default();
    let lines = fx::lines(&spec);
    let bytes = fx::xlsx_bytes(&spec);
    let records = server.upload_ok(&[Part::file("订单明细.xlsx", bytes.clone())]);
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_clean_report(record, &spec, &lines);
    assert_eq!(record["file_name"], "订单明细.xlsx");
    assert_eq!(record["report"]["file_name"], "订单明细.xlsx");
    assert_eq!(record["sha256"], sha256_hex(&bytes));
    assert_eq!(record["mode"], "merge");
    assert_eq!(record["already_imported"], false);
    assert_eq!(record["report"]["missing_optional"], json!([]));
    assert_eq!(record["report"]["ignored_column_count"], 0);
    assert_eq!(server.stores(), expected_stores(&lines));
    let history = server.get("/api/v1/uploads");
    assert_eq!(history.status, 200, "{}", history.text());
    assert_eq!(history.json(), json!([record]));
}

#[test]
fn an_upload_says_how_long_receiving_parsing_and_applying_took() {
    let server = AppServer::start();
    let bytes = fx::xlsx_bytes(&fx::ExportSpec::default());
    let reply = server.upload(&[Part::file("订单明细.xlsx", bytes)]);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answer = reply.json();
    for step in ["receive_ms", "parse_ms", "apply_ms"] {
        let ms = answer["timings_ms"][step].as_f64();
        assert!(
            ms.is_some_and(|ms| (0.0..60_000.0).contains(&ms)),
            "{step}: {answer}"
        );
    }
}

#[test]
fn gbk_csv_upload_is_read_line_for_line() {
    let server = AppServer::start();
    let spec = fx::ExportSpec {
        stores: vec!["好邻居(中关村店)".to_owned(), "好邻居(望京店)".to_owned()],
        seed: 7,
        ..fx::ExportSpec::default()
    };
    let lines = fx::lines(&spec);
    let csv = fx::csv_bytes(&spec, fx::CsvEncoding::Gbk);
    let records = server.upload_ok(&[Part::file("orders-gbk.csv", csv)]);
    assert_clean_report(&records[0], &spec, &lines);
    assert_eq!(records[0]["report"]["sheet"], "CSV");
    assert_eq!(server.stores(), expected_stores(&lines));
}

#[test]
fn problems_csv_lists_every_bad_cell_of_an_upload() {
    let server = AppServer::start();
    let (bytes, bad) = fx::bad_cells_xlsx();
    let records = server.upload_ok(&[Part::file("bad.xlsx", bytes)]);
    let report = &records[0]["report"];
    let rejected = bad
        .iter()
        .filter(|b| b.severity == fx::Severity::RejectedRow)
        .count();
    let total = fx::lines(&fx::ExportSpec::default()).len();
    assert_eq!(report["rejected_lines"], rejected, "{report}");
    assert_eq!(report["accepted_lines"], total - rejected, "{report}");
    assert_eq!(report["problem_count"], bad.len(), "{report}");
    assert_eq!(report["warning_count"], bad.len() - rejected, "{report}");

    let id = records[0]["id"].as_i64().expect("an id");
    let reply = server.get(&format!("/api/v1/uploads/{id}/problems.csv"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.content_type.starts_with("text/csv"), "{reply:?}");
    let text = reply.text();
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("\u{feff}工作表,行号,列,值"), "{text}");
    assert_eq!(rows.len(), 1 + bad.len(), "{text}");
    for (b, row) in bad.iter().zip(&rows[1..]) {
        let level = match b.severity {
            fx::Severity::RejectedRow => "拒收",
            fx::Severity::Warning => "警告",
        };
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(
            cells[1..3],
            [b.excel_row.to_string().as_str(), b.column],
            "{row}"
        );
        assert!(row.ends_with(level), "{row}");
    }
    for unknown in ["999999", "abc"] {
        let reply = server.get(&format!("/api/v1/uploads/{unknown}/problems.csv"));
        assert_eq!(reply.status, 404, "{unknown}: {}", reply.text());
        assert_eq!(reply.error_code(), "not_found");
    }
}

#[test]
fn merge_replaces_only_the_files_days_and_replace_drops_the_rest() {
    let server = AppServer::start();
    let store = "鲜丰便利(测试店)";
    let first = one_store(store, 1, 5, 1);
    let overlap = one_store(store, 4, 3, 2);
    let later = one_store(store, 10, 2, 3);
    let first_lines = fx::lines(&first);
    server.upload_ok(&[Part::file("a.xlsx", fx::xlsx_bytes(&first))]);
    assert_eq!(server.stores(), expected_stores(&first_lines));

    let records = server.upload_ok(&[
        Part::mode("merge"),
        Part::file("b.xlsx", fx::xlsx_bytes(&overlap)),
    ]);
    assert_eq!(records[0]["mode"], "merge");
    let overlap_lines = fx::lines(&overlap);
    let kept = first_lines.iter().filter(|l| l.time.date() < day(4));
    assert_eq!(server.stores(), expected_stores(kept.chain(&overlap_lines)));

    let records = server.upload_ok(&[
        Part::file("c.xlsx", fx::xlsx_bytes(&later)),
        Part::mode("replace"),
    ]);
    assert_eq!(records[0]["mode"], "replace");
    assert_eq!(server.stores(), expected_stores(&fx::lines(&later)));
}

#[test]
fn the_same_file_twice_changes_nothing_and_says_it_was_already_imported() {
    let server = AppServer::start();
    let bytes = fx::xlsx_bytes(&fx::ExportSpec::default());
    let first = server.upload_ok(&[Part::file("orders.xlsx", bytes.clone())]);
    let before = server.stores_raw();
    let second = server.upload_ok(&[Part::file("orders.xlsx", bytes)]);
    assert_eq!(first[0]["already_imported"], false);
    assert_eq!(second[0]["already_imported"], true);
    assert_eq!(second[0]["sha256"], first[0]["sha256"]);
    assert_eq!(
        server.stores_raw(),
        before,
        "a re-upload changed the stores"
    );
    let history = server.get("/api/v1/uploads").json();
    assert_eq!(history, json!([second[0], first[0]]), "newest first");
}

#[test]
fn two_files_in_one_request_are_both_applied_in_the_order_sent() {
    let server = AppServer::start();
    let east = one_store("东店", 1, 2, 11);
    let west = one_store("西店", 3, 2, 12);
    let records = server.upload_ok(&[
        Part::file("east.xlsx", fx::xlsx_bytes(&east)),
        Part::file("west.csv", fx::csv_bytes(&west, fx::CsvEncoding::Gbk)),
        Part::mode("replace"),
    ]);
    let names: Vec<&Value> = records.iter().map(|r| &r["file_name"]).collect();
    assert_eq!(names, [&json!("east.xlsx"), &json!("west.csv")]);
    assert!(
        records.iter().all(|r| r["mode"] == "replace"),
        "{records:?}"
    );
    assert!(records[0]["id"].as_i64() < records[1]["id"].as_i64());
    let (east_lines, west_lines) = (fx::lines(&east), fx::lines(&west));
    assert_eq!(
        server.stores(),
        expected_stores(east_lines.iter().chain(&west_lines))
    );
}

#[test]
fn deleting_a_store_removes_only_it_and_a_second_delete_is_404() {
    let server = AppServer::start();
    let spec = fx::ExportSpec::default();
    let lines = fx::lines(&spec);
    server.upload_ok(&[Part::file("orders.xlsx", fx::xlsx_bytes(&spec))]);
    let (gone, kept) = (&spec.stores[0], &spec.stores[1]);
    let path = format!("/api/v1/stores/{}", encode_segment(gone));
    let reply = server.delete(&path);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "deleted": gone }));
    let rest = lines.iter().filter(|l| &l.store == kept);
    assert_eq!(server.stores(), expected_stores(rest));
    let again = server.delete(&path);
    assert_eq!(again.status, 404, "{}", again.text());
    assert_eq!(again.error_code(), "not_found");
}
