//! Hostile files over HTTP (issue 16, findings 1 and 6): a tiny `.ods` or `.xls` that expands to
//! millions of cells, a 50 MB CSV line, a sheet claiming a billion rows are each refused with
//! `413`, a code and a message naming the limit's setting, and the stored data stays
//! byte-identical; a 5 MB product name is stored cut to 255 characters with a warning.

use serde_json::Value;
use storeboard_fixtures as fx;

use crate::support::app::{AppServer, Part};

/// The exact bytes of `GET /api/v1/stores` and `GET /api/v1/uploads`.
fn data(server: &AppServer) -> (Vec<u8>, Vec<u8>) {
    let history = server.get("/api/v1/uploads");
    assert_eq!(history.status, 200, "{}", history.text());
    (server.stores_raw(), history.body)
}

#[test]
fn tiny_ods_and_xls_bombs_a_long_csv_line_and_a_billion_row_claim_are_refused_naming_their_setting()
{
    let server = AppServer::start();
    server.upload_ok(&[Part::file(
        "base.xlsx",
        fx::xlsx_bytes(&fx::ExportSpec::default()),
    )]);
    let before = data(&server);
    let refusals = [
        (
            "bomb.ods",
            fx::ods_repeat_bomb(65_536, 256),
            "workbook_too_large_to_read",
            "max_xls_ods_cells",
        ),
        (
            "bomb.xls",
            fx::xls_far_cell_bomb(3),
            "workbook_too_large_to_read",
            "max_xls_ods_cells",
        ),
        (
            "long.csv",
            fx::csv_long_line(50 << 20),
            "csv_line_too_long",
            "max_csv_field_bytes",
        ),
        (
            "dimension.xlsx",
            fx::zip_bomb_dimension(),
            "sheet_too_large",
            "max_sheet_cells",
        ),
    ];
    for (name, bytes, code, setting) in refusals {
        let reply = server.upload(&[Part::file(name, bytes)]);
        assert_eq!(reply.status, 413, "{name}: {}", reply.text());
        assert_eq!(reply.error_code(), code, "{name}: {}", reply.text());
        let error = &reply.json()["error"];
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(setting), "{name}: {message}");
        assert!(message.contains(name), "{name}: {message}");
        assert_eq!(error["details"]["setting"], setting, "{name}: {error}");
        assert_eq!(data(&server), before, "{name} changed the stored data");
        assert!(server.temp_files().is_empty(), "{name} left temp files");
    }
}

#[test]
fn a_5_mb_product_name_is_stored_cut_to_255_characters_and_the_report_warns() {
    let server = AppServer::start();
    let bytes = fx::long_product_name_xlsx("一号店", 5 << 20);
    let records = server.upload_ok(&[Part::file("long-name.xlsx", bytes)]);
    let report = &records[0]["report"];
    assert_eq!(report["file_name"], "long-name.xlsx", "{report}");
    assert_eq!(report["accepted_lines"], 2, "{report}");
    assert_eq!(report["warning_count"], 1, "{report}");
    let warning = &report["problems"][0];
    assert_eq!(warning["sheet"], "订单明细", "{warning}");
    assert_eq!(warning["row"], 2, "{warning}");
    assert_eq!(warning["column"], "商品名称", "{warning}");
    assert!(
        warning["message"]
            .as_str()
            .is_some_and(|m| m.contains("255")),
        "{warning}"
    );
    // The products the tabs API lists: the long name at 255 characters, not 5 MB.
    let reply = server.get("/api/v1/tabs/products?from=2026-11-01&to=2026-11-01");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.body.len() < 64 << 10, "{} bytes", reply.body.len());
    let text = reply.text();
    assert!(text.contains(&"长".repeat(255)), "the cut name is listed");
    assert!(!text.contains(&"长".repeat(256)), "nothing longer");
    let _: Value = reply.json();
}
