//! Small files that ask the parser for a lot (issue 16, findings 1 and 6): each is refused
//! before it is read into memory, naming the limit and its setting, or read within bounds; and
//! honest `.ods`/`.xls` files still pass the same checks.

use std::io::Cursor;

use storeboard_data::limits::{
    MAX_CSV_FIELD_BYTES, MAX_SHEET_CELLS, MAX_TEXT_CHARS, MAX_XLS_ODS_CELLS,
};
use storeboard_data::{ingest, IngestError, IngestOptions, Ingested};
use storeboard_fixtures::{self as fx, XlsCell};

fn read(bytes: Vec<u8>, name: &str) -> Result<Ingested, IngestError> {
    ingest(Cursor::new(bytes), name, &IngestOptions::default())
}

/// How far the process's peak may rise during one read (the tests of this file run at once, so
/// it covers the others' files too: ~100 MB at most).
const HEADROOM_MIB: u64 = 300;

/// The peak resident memory of this test process so far, in MiB.
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kb.unwrap_or(0) / 1024
}

const HEADER: [&str; 5] = ["订单ID", "下单时间", "门店名称", "商品名称", "销量"];

fn order_rows() -> Vec<Vec<String>> {
    let mut rows = vec![HEADER.map(str::to_owned).to_vec()];
    for (i, product) in ["可乐", "雪碧", "芬达"].iter().enumerate() {
        let line = [
            &format!("A{i}"),
            "2026-11-01 09:30:00",
            "一号店",
            product,
            "2",
        ];
        rows.push(line.map(|s| s.to_owned()).to_vec());
    }
    rows
}

#[test]
fn an_ods_with_one_row_repeated_65536_times_of_256_cells_is_refused_naming_the_cell_budget() {
    let bomb = fx::ods_repeat_bomb(65_536, 256);
    assert!(bomb.len() < 2_000, "a small file: {} bytes", bomb.len());
    let before = peak_mib();
    let err = read(bomb, "bomb.ods").expect_err("refused");
    match &err {
        IngestError::WorkbookTooLarge {
            cells,
            setting,
            sheet,
            ..
        } => {
            assert!(*cells >= 65_536 * 256, "{err}");
            assert_eq!(*setting, MAX_XLS_ODS_CELLS);
            assert_eq!(sheet, "订单明细");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains(MAX_XLS_ODS_CELLS), "{err}");
    assert!(
        peak_mib() < before + HEADROOM_MIB,
        "peak {} MiB",
        peak_mib()
    );
}

#[test]
fn an_honest_ods_with_librecalcs_million_empty_trailing_rows_is_read() {
    let ods = fx::ods_bytes(&[
        ("订单", order_rows()),
        ("备注", vec![vec!["说明".to_owned()]]),
    ]);
    let got = read(ods, "orders.ods").expect("an honest file");
    assert_eq!(got.report.accepted_lines, 3);
    assert_eq!(got.report.sheet, "订单");
}

#[test]
fn an_xls_with_cells_at_a1_and_iv65536_on_three_sheets_is_refused_naming_the_cell_budget() {
    let bomb = fx::xls_far_cell_bomb(3);
    assert!(bomb.len() < 6_000, "a small file: {} bytes", bomb.len());
    let before = peak_mib();
    let err = read(bomb, "bomb.xls").expect_err("refused");
    match &err {
        IngestError::WorkbookTooLarge { cells, setting, .. } => {
            assert_eq!(*cells, 65_536 * 256, "{err}");
            assert_eq!(*setting, MAX_XLS_ODS_CELLS);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        peak_mib() < before + HEADROOM_MIB,
        "peak {} MiB",
        peak_mib()
    );
}

#[test]
fn an_xls_declaring_four_billion_rows_is_refused_before_calamine_reserves_them() {
    let cells = vec![((0, 0), XlsCell::Text("订单ID".to_owned()))];
    let xls = fx::xls_bytes(&[("Sheet1", (u32::MAX, 40), cells)]);
    let err = read(xls, "declared.xls").expect_err("refused");
    assert!(
        matches!(err, IngestError::SheetTooLarge { found: "declares", setting, .. } if setting == MAX_SHEET_CELLS),
        "{err:?}"
    );
}

#[test]
fn an_honest_xls_is_read_through_the_same_checks() {
    let cells: Vec<((u16, u16), XlsCell)> = order_rows()
        .into_iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.into_iter().enumerate().map(move |(c, v)| {
                let cell = match v.parse::<f64>() {
                    Ok(n) if r > 0 => XlsCell::Number(n),
                    _ => XlsCell::Text(v),
                };
                ((r as u16, c as u16), cell)
            })
        })
        .collect();
    let xls = fx::xls_bytes(&[("订单", (4, 5), cells)]);
    let got = read(xls, "orders.xls").expect("an honest file");
    assert_eq!(got.report.accepted_lines, 3);
}

#[test]
fn a_50_mb_csv_line_is_refused_at_the_field_limit_without_holding_it_twice() {
    let csv = fx::csv_long_line(50 << 20);
    let before = peak_mib();
    let err = read(csv, "long.csv").expect_err("refused");
    assert!(
        matches!(
            err,
            IngestError::CsvTooLong {
                record: 2,
                what: "field",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains(MAX_CSV_FIELD_BYTES), "{err}");
    // The file itself is in memory (50 MB); its line is not copied again.
    assert!(
        peak_mib() < before + HEADROOM_MIB,
        "peak {} MiB",
        peak_mib()
    );
}

#[test]
fn a_sheet_claiming_a_billion_rows_is_refused_naming_the_cell_budget() {
    // The sheet declares A1:Z1000000000 and holds a row 1,000,000,000: refused from its
    // dimension record, before a cell is read.
    let err = read(fx::zip_bomb_dimension(), "dim.xlsx").expect_err("refused");
    assert!(
        matches!(err, IngestError::SheetTooLarge { found: "declares", cells: 26_000_000_000, setting, .. } if setting == MAX_SHEET_CELLS),
        "{err:?}"
    );
    assert!(err.to_string().contains(MAX_SHEET_CELLS), "{err}");
}

/// The CPU this costs is not timed here (never a timed test): the header search's give-up is
/// checked by the unit tests beside it (`header.rs`), and this read of the real file (24 s of
/// CPU before the give-up, under 1 s after) must end with the right refusal.
#[test]
fn thirty_rows_of_16384_cells_above_any_header_are_refused_for_missing_columns() {
    let wide = fx::wide_rows_xlsx();
    let err = read(wide, "wide.xlsx").expect_err("no header in the first 30 rows");
    assert!(matches!(err, IngestError::MissingColumns { .. }), "{err:?}");
}

#[test]
fn a_5_mb_product_name_is_cut_to_255_characters_with_a_warning_naming_row_and_column() {
    let got = read(fx::long_product_name_xlsx("一号店", 5 << 20), "long.xlsx").expect("read");
    assert_eq!(got.report.accepted_lines, 2);
    let cut = got
        .problems
        .iter()
        .find(|p| p.column == "商品名称")
        .expect("a warning for the long name");
    assert_eq!((cut.row, cut.sheet.as_str()), (2, "订单明细"), "{cut:?}");
    assert!(cut.message.contains("255"), "{cut:?}");
    assert_eq!(got.report.warning_count, 1);
    assert_eq!(got.report.file_name, "long.xlsx");
    let longest = (0..got.data.strings.len())
        .map(|i| got.data.strings.get(i as u32).chars().count())
        .max();
    assert_eq!(longest, Some(MAX_TEXT_CHARS));
}

#[test]
fn an_ods_cell_of_two_megabytes_of_text_is_refused_before_the_xml_reader_holds_it() {
    let mut rows = order_rows();
    rows[1][3] = "x".repeat(2 << 20);
    let err = read(fx::ods_bytes(&[("订单", rows)]), "text.ods").expect_err("refused");
    assert!(
        matches!(&err, IngestError::MarkupTooLong { entry, limit, .. } if entry == "content.xml" && *limit == storeboard_data::read::MAX_MARKUP_RUN),
        "{err:?}"
    );
}
