//! The fast `.xlsx` reader against calamine's path: every workbook here is read by both, and
//! both must hand `on_row` the same rows of the same cells (compared as `{cell:?}`), return the
//! same sheet name, and fail with the same kind of error (where the rows handed over before an
//! error are not compared). calamine is the reference: where they differ, the fast reader is
//! wrong, even where calamine's reading is odd. The fast reader may not give up (`Ok(None)`) on
//! any workbook here but the deliberately odd ones said so below (prefixed element names,
//! sheets not in UTF-8).

use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{Reader as _, Sheets};

use crate::cell::Cell;
use crate::error::IngestError;
use crate::limits::ParseLimits;

#[path = "equivalence_cases.rs"]
mod book;
#[path = "equivalence_book.rs"]
mod builder;
#[path = "equivalence_cells.rs"]
mod cells;

use book::{difference, Book, STYLES};

const FILE: &str = "equivalence.xlsx";

type Rows = Vec<(u32, Vec<String>)>;

/// What one reader made of a workbook.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// The rows handed to `on_row`, and the sheet read.
    Read { sheet: String, rows: Rows },
    /// The error's code (messages differ between the readers).
    Failed(&'static str),
    /// The fast reader gave up on the structure (`Ok(None)`), after this many rows.
    GaveUp(usize),
}

/// `on_row` of both readers: keeps each row, stops after `stop_after` rows.
fn keep(rows: &mut Rows, stop_after: usize, row: u32, cells: &[Cell<'_>]) -> ControlFlow<()> {
    rows.push((row, cells.iter().map(|c| format!("{c:?}")).collect()));
    match rows.len() >= stop_after {
        true => ControlFlow::Break(()),
        false => ControlFlow::Continue(()),
    }
}

/// How a workbook is read: the sheet asked for, the limits, the rows after which to stop.
type How<'a> = (Option<&'a str>, &'a ParseLimits, usize);

fn fast(file: &[u8], (sheet, limits, stop_after): How<'_>) -> Outcome {
    let mut rows = Rows::new();
    let mut on_row = |row: u32, cells: &[Cell<'_>]| keep(&mut rows, stop_after, row, cells);
    match super::read_xlsx(Cursor::new(file), FILE, sheet, limits, &mut on_row) {
        Ok(Some(sheet)) => Outcome::Read { sheet, rows },
        Ok(None) => Outcome::GaveUp(rows.len()),
        Err(err) => Outcome::Failed(err.code()),
    }
}

fn calamine(file: &[u8], (sheet, limits, stop_after): How<'_>) -> Outcome {
    let mut rows = Rows::new();
    let mut on_row = |row: u32, cells: &[Cell<'_>]| keep(&mut rows, stop_after, row, cells);
    let read = calamine::Xlsx::new(Cursor::new(file))
        .map_err(|e| IngestError::from_calamine(FILE, e.into()))
        .and_then(|xlsx| {
            super::super::read_workbook(Sheets::Xlsx(xlsx), FILE, sheet, limits, &mut on_row)
        });
    match read {
        Ok(sheet) => Outcome::Read { sheet, rows },
        Err(err) => Outcome::Failed(err.code()),
    }
}

/// `file` as the fast reader and as calamine read it.
fn both(file: &[u8], how: How<'_>) -> (Outcome, Outcome) {
    (fast(file, how), calamine(file, how))
}

/// `file`'s first sheet read whole by both, with the default limits.
fn both_whole(file: &[u8]) -> (Outcome, Outcome) {
    both(file, (None, &ParseLimits::default(), usize::MAX))
}

/// `book`'s first sheet as both read it: they must agree, and calamine must read it.
#[track_caller]
fn same_rows(book: &Book) -> Rows {
    same_rows_of(&book.bytes(), None)
}

#[track_caller]
fn same_rows_of(file: &[u8], sheet: Option<&str>) -> Rows {
    let (f, c) = both(file, (sheet, &ParseLimits::default(), usize::MAX));
    assert!(f == c, "the readers differ: {}", difference(&f, &c));
    match c {
        Outcome::Read { rows, .. } => rows,
        other => panic!("a broken case: calamine says {other:?}"),
    }
}

/// Both readers fail on `file`; returns the kinds of error (fast, calamine).
#[track_caller]
fn both_fail(
    file: &[u8],
    sheet: Option<&str>,
    limits: &ParseLimits,
) -> (&'static str, &'static str) {
    match both(file, (sheet, limits, usize::MAX)) {
        (Outcome::Failed(f), Outcome::Failed(c)) => (f, c),
        (f, c) => panic!("both should fail: {}", difference(&f, &c)),
    }
}

/// Whether calamine's rendering of `rows` has `cell`: checks that a case tests what it claims.
fn has(rows: &Rows, cell: &str) -> bool {
    rows.iter()
        .any(|(_, cells)| cells.iter().any(|c| c == cell))
}

#[test]
fn plain_and_cjk_shared_strings_read_as_calamine_reads_them() {
    let rows = same_rows(&book::strings_book(book::PLAIN));
    assert!(has(&rows, r#"Text("可口可乐 500ml（瓶）")"#));
}

#[test]
fn shared_strings_with_rich_text_runs_read_as_calamine_reads_them() {
    let rows = same_rows(&book::strings_book(book::RICH));
    assert!(has(&rows, r#"Text("ab")"#));
}

#[test]
fn phonetic_runs_in_shared_strings_are_ignored_as_calamine_ignores_them() {
    let rows = same_rows(&book::strings_book(book::PHONETIC));
    assert!(has(&rows, r#"Text("東京")"#));
}

#[test]
fn entities_and_character_references_decode_as_calamine_decodes_them() {
    let rows = same_rows(&book::strings_book(book::ENTITIES));
    assert!(has(&rows, r#"Text("中中😀")"#));
}

#[test]
fn shared_strings_keep_or_trim_white_space_as_calamine_does() {
    same_rows(&book::strings_book(book::SPACES));
}

#[test]
fn excel_x_escapes_in_shared_strings_decode_as_calamine_decodes_them() {
    same_rows(&book::strings_book(book::ESCAPES));
}

#[test]
fn empty_shared_strings_read_as_calamine_reads_them() {
    same_rows(&book::strings_book(book::EMPTY));
}

#[test]
fn cdata_in_shared_strings_reads_as_calamine_reads_it() {
    same_rows(&book::strings_book(book::CDATA));
}

#[test]
fn number_cells_read_as_calamine_reads_them() {
    same_rows(&book::cells_book(book::NUMBERS));
}

#[test]
fn boolean_error_and_iso_date_cells_read_as_calamine_reads_them() {
    same_rows(&book::cells_book(book::BOOLS_ERRORS_DATES));
}

#[test]
fn formula_string_and_inline_string_cells_read_as_calamine_reads_them() {
    same_rows(&book::cells_book(book::STR_AND_INLINE));
}

#[test]
fn formula_cells_read_their_cached_values_as_calamine_does() {
    same_rows(&book::cells_book(book::FORMULAS));
}

#[test]
fn markup_inside_text_values_reads_as_calamine_reads_it() {
    same_rows(&book::cells_book(book::MARKUP_IN_VALUES));
}

#[test]
fn cells_longer_than_a_chunk_read_as_calamine_reads_them() {
    let rows = same_rows(&book::long_cells());
    assert_eq!(rows.len(), 3);
}

#[test]
fn empty_cells_read_as_calamine_reads_them() {
    same_rows(&book::cells_book(book::EMPTY_CELLS));
}

#[test]
fn builtin_date_and_time_formats_read_as_calamine_reads_them() {
    let rows = same_rows(&book::styled_book(Some(STYLES)));
    assert!(has(&rows, "DateTime(46327.395833333336)"));
}

#[test]
fn a_builtin_format_id_redefined_in_num_fmts_reads_as_calamine_reads_it() {
    let styles = STYLES
        .replace(
            r#"numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss""#,
            r#"numFmtId="14" formatCode="0.00""#,
        )
        .replace(
            r#"numFmtId="165" formatCode="0.00""#,
            r#"numFmtId="2" formatCode="yyyy-mm-dd""#,
        );
    same_rows(&book::styled_book(Some(&styles)));
}

#[test]
fn custom_and_builtin_formats_tell_dates_as_calamine_tells_them() {
    let rows = same_rows(&book::formats_book());
    assert!(has(&rows, "DateTime(45000.5)") && has(&rows, "Float(45000.5)"));
}

#[test]
fn a_workbook_without_styles_reads_styled_cells_as_calamine_reads_them() {
    same_rows(&book::styled_book(None));
}

/// A 1904 workbook is left to calamine, whose date cells are moved to the 1900 system by 1,462
/// days (`read::serial_1900`; they used to come out four years early); durations, numbers and
/// text are not moved. Without the flag (or with it false) both readers read it alike.
#[test]
fn a_1904_workbook_is_read_by_calamine_with_its_dates_moved_to_the_1900_system() {
    let plain = same_rows(&book::styled_book(Some(STYLES)));
    for pr in [r#"<workbookPr date1904="false"/>"#, "<workbookPr/>"] {
        assert_eq!(
            same_rows(&book::styled_book(Some(STYLES)).workbook_pr(pr)),
            plain
        );
    }
    for pr in [
        r#"<workbookPr date1904="1"/>"#,
        r#"<workbookPr date1904="true" defaultThemeVersion="164011"/>"#,
    ] {
        let file = book::styled_book(Some(STYLES)).workbook_pr(pr).bytes();
        let (fast, calamine) = both_whole(&file);
        assert_eq!(fast, Outcome::GaveUp(0), "{pr}");
        let Outcome::Read { rows, .. } = calamine else {
            panic!("calamine reads it: {calamine:?}");
        };
        let serial = |c: &str| -> Option<f64> {
            c.strip_prefix("DateTime(")?.strip_suffix(')')?.parse().ok()
        };
        let mut moved = 0;
        for ((r1, a), (r2, b)) in plain.iter().zip(&rows) {
            assert_eq!(r1, r2);
            for (a, b) in a.iter().zip(b) {
                match (serial(a), serial(b)) {
                    (Some(x), Some(y)) if y == x + 1462.0 => moved += 1,
                    _ => assert_eq!(a, b, "row {r1}"),
                }
            }
        }
        assert!(moved > 0, "no date cell in the case");
    }
}

#[test]
fn cells_without_references_take_the_next_column_as_in_calamine() {
    same_rows(&book::cells_book(book::IMPLICIT_COLUMNS));
}

#[test]
fn rows_without_references_follow_the_previous_row_as_in_calamine() {
    let rows = same_rows(&Book::one(book::IMPLICIT_ROWS));
    let numbers: Vec<u32> = rows.iter().map(|(r, _)| *r).collect();
    assert_eq!(numbers, [1, 2, 5, 6, 9, 11, 20, 13], "calamine's numbering");
}

#[test]
fn gaps_between_rows_and_columns_read_as_in_calamine() {
    same_rows(&Book::one(book::GAPS));
    same_rows(&Book::one(
        r#"<sheetData><row r="2"><c r="B2"><v>1</v></c></row><row r="1048576"><c r="C1048576"><v>2</v></c></row></sheetData>"#,
    ));
}

#[test]
fn lowercase_references_read_as_in_calamine() {
    same_rows(&Book::one(
        r#"<sheetData><row r="2"><c r="b2"><v>1</v></c><c r="aa2"><v>2</v></c></row><row r="3"><c r="Ab3"><v>3</v></c></row></sheetData>"#,
    ));
}

#[test]
fn rows_and_cells_out_of_order_read_as_in_calamine() {
    same_rows(&Book::one(book::OUT_OF_ORDER));
}

#[test]
fn a_row_of_only_empty_cells_reads_as_in_calamine() {
    same_rows(&book::cells_book(book::ONLY_EMPTY));
}

#[test]
fn a_declared_dimension_or_none_reads_as_in_calamine() {
    let data = r#"<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="C3"><v>3</v></c></row></sheetData>"#;
    for dimension in [
        r#"<dimension ref="A1:C3"/>"#,
        "",
        r#"<dimension ref="A1"/>"#,
        r#"<dimension ref="B2:Z99"/>"#,
    ] {
        same_rows(&Book::one(&format!(
            r#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>{dimension}<sheetViews><sheetView workbookViewId="0"/></sheetViews>{data}<pageMargins left="0.7"/>"#
        )));
    }
}

/// Prefixed elements are the one structure the fast reader may give up on (`Ok(None)`, before
/// any row): a scanner keyed on `<row`/`<c` may leave them to calamine. If it reads them, it
/// must read them as calamine does.
#[test]
fn namespace_prefixed_elements_read_as_calamine_reads_them_or_are_left_to_it() {
    let file = book::prefixed().bytes();
    match both_whole(&file) {
        (Outcome::GaveUp(rows), _) => assert_eq!(rows, 0, "gave up after handing rows over"),
        (f, c) => assert!(
            f == c && matches!(c, Outcome::Read { .. }),
            "{}",
            difference(&f, &c)
        ),
    }
}

#[test]
fn the_sheet_chosen_by_name_is_read_as_calamine_reads_it() {
    let file = book::three_sheets();
    for (sheet, text) in [
        (Some("名单"), "third"),
        (Some("R&D"), "second"),
        (None, "first"),
    ] {
        let rows = same_rows_of(&file, sheet);
        assert_eq!(rows[0].1, [format!("Text({text:?})")]);
    }
}

#[test]
fn a_missing_named_sheet_is_a_no_sheet_error_in_both() {
    assert_eq!(
        both_fail(
            &book::three_sheets(),
            Some("不存在"),
            &ParseLimits::default()
        ),
        ("no_sheet", "no_sheet")
    );
}

#[test]
fn absolute_relationship_targets_read_as_in_calamine() {
    same_rows(
        &book::strings_book(book::PLAIN)
            .styles(STYLES)
            .absolute_targets(),
    );
}

#[test]
fn a_shared_strings_part_named_in_odd_case_reads_as_in_calamine() {
    same_rows(&book::strings_book(book::PLAIN).strings_named("SharedStrings.xml"));
}

#[test]
fn unusual_but_valid_xml_syntax_reads_as_calamine_reads_it() {
    same_rows(&book::cells_book(book::SYNTAX));
}

/// Non-UTF-8 sheets may be left to calamine too (`Ok(None)` before any row).
#[test]
fn sheets_in_other_encodings_read_as_calamine_reads_them_or_are_left_to_it() {
    let wrong: Vec<String> = book::encoded_sheets()
        .into_iter()
        .filter_map(|(encoding, file)| match both_whole(&file) {
            (Outcome::GaveUp(0), _) | (Outcome::Failed(_), Outcome::Failed(_)) => None,
            (f, c) if f == c => None,
            (f, c) => Some(format!("{encoding}: {}", difference(&f, &c))),
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_chunk_boundary_anywhere_in_a_row_changes_nothing() {
    for k in 0..=book::AT_BOUNDARY.len() {
        let file = book::boundary_book(k).bytes();
        let (f, c) = both_whole(&file);
        assert!(f == c, "boundary {k} bytes in: {}", difference(&f, &c));
    }
}

#[test]
fn a_large_mixed_sheet_crossing_many_batches_reads_as_calamine_reads_it() {
    let rows = same_rows(&book::large_book(5_000, 0x5eed));
    assert!(rows.len() > 4_000, "{} rows", rows.len());
}

#[test]
fn pretty_printed_parts_read_as_calamine_reads_them() {
    same_rows(&book::pretty_large_book());
}

#[test]
fn a_sheet_over_the_cell_budget_is_refused_in_both() {
    let small = ParseLimits {
        max_sheet_cells: 36 * 1_000,
        ..ParseLimits::default()
    };
    let large = book::large_book(5_000, 7).bytes();
    assert_eq!(
        both_fail(&large, None, &small),
        ("sheet_too_large", "sheet_too_large")
    );
    let declared = Book::one(
        r#"<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>"#,
    );
    let codes = both_fail(&declared.bytes(), None, &ParseLimits::default());
    assert_eq!(codes, ("sheet_too_large", "sheet_too_large"));
}

/// Both readers fail on each of `cases` (of any kind of error).
#[track_caller]
fn all_fail(cases: Vec<(String, Vec<u8>)>) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(case, file)| match both_whole(file) {
            (Outcome::Failed(_), Outcome::Failed(_)) => None,
            // A workbook part the fast reader cannot read is left to calamine, before any
            // row: the upload then fails with calamine's own error.
            (Outcome::GaveUp(0), Outcome::Failed(_)) => None,
            (f, c) => Some(format!("{case}: {}", difference(&f, &c))),
        })
        .collect();
    assert!(wrong.is_empty(), "both should fail:\n{}", wrong.join("\n"));
}

#[test]
fn malformed_sheets_are_errors_in_both() {
    let mut cases = book::cut_sheets();
    for cell in book::UNKNOWN_ELEMENTS {
        cases.push((cell.to_string(), book::cells_book(&[cell]).bytes()));
    }
    all_fail(cases);
}

#[test]
fn malformed_cell_values_are_errors_in_both() {
    let strings = book::MALFORMED_STRINGS.iter();
    let mut cases: Vec<_> = strings
        .map(|s| (s.to_string(), book::strings_book(&[s]).bytes()))
        .collect();
    let cells = book::MALFORMED_VALUES.iter();
    cases.extend(cells.map(|c| (c.to_string(), book::cells_book(&[c]).bytes())));
    all_fail(cases);
}

#[test]
fn quirky_values_read_as_calamine_reads_them() {
    same_rows(&book::cells_book(book::QUIRKS));
    same_rows(&book::strings_book(&[
        "<si>stray<t>x</t>stray</si>",
        "<si><t>a</t><t>b</t></si>",
    ]));
}

#[test]
fn a_break_after_three_rows_gets_the_same_three_rows_from_both() {
    let file = book::large_book(5_000, 11).bytes();
    let (f, c) = both(&file, (None, &ParseLimits::default(), 3));
    assert!(f == c, "{}", difference(&f, &c));
    assert!(
        matches!(c, Outcome::Read { ref rows, .. } if rows.len() == 3),
        "{c:?}"
    );
}

/// Found by the differential fuzz target (`fuzz/fuzz_targets/xlsx_sheet.rs`): names with two
/// colons or a `/`, form feeds, `<cr=…>`, repeated attributes, `>` and `</` inside quoted
/// attribute values of markup within a value.
#[test]
fn xml_syntax_corner_cases_read_as_calamine_reads_them() {
    for data in [
        "<sheetData><::c></c></sheetData>",
        "<sheetData><x:cx:c r=\"B2\"><v>1</v></x:cx:c></sheetData>",
        "<sheetData><c//></sheetData>",
        "<sheetData><c/t></c></sheetData>",
        "<sheetData><c\x0cr=\"B2\"><v>1</v></c></sheetData>",
        "<sheetData><row\x0cr=\"3\"><c><v>1</v></c></row></sheetData>",
        "<sheetData><row><cr=\"B2\"><v>1</v></c></row></sheetData>",
        "<sheetData>c<c r=\"B1\" r=\"C3\">v</c></sheetData>",
        "<sheetData><c t=\"s\" t=\"str\"><v>1</v></c></sheetData>",
        "<sheetData><c r=\"A1\" r=\"B1\"><v>2</v></c><c><v>3</v></c></sheetData>",
        "<sheetData><c t=\"str\"><v><=\">\"></v></c></sheetData>",
        "<sheetData><c t=\"d\"><v><\">\"></v></c></sheetData>",
        "<sheetData><c t=\"str\"><v>a<x y=\">\">b</x>c</v></c></sheetData>",
        "<sheetData><c t=\"str\"><v>a<x y=\"</v>\">b</x>c</v></c></sheetData>",
        "<sheetData><row><c t=\"inlineStr\"><is>=x:t>x:t</t></is></c></row></sheetData>",
    ] {
        let book = Book::one(data).strings(book::PLAIN).styles(STYLES);
        let (f, c) = both_whole(&book.bytes());
        assert!(f == c, "{data:?}: {}", difference(&f, &c));
    }
}

/// The plain inline strings streaming writers write for every text cell, read on the fast path:
/// trimmed, escapes decoded, CJK kept; anything else (entities, CR, preserved space) goes the
/// general way.
#[test]
fn plain_inline_strings_read_as_calamine_reads_them() {
    let cell = |t: &str| format!(r#"<c t="inlineStr"><is><t>{t}</t></is></c>"#);
    let rows: Vec<String> = [
        "商品A",
        " 前后空格 ",
        "\ttab\n",
        "a_x000D_b",
        "_x005F_x000D_",
        "",
        "a&amp;b",
        "x\r\ny",
        "no type",
    ]
    .iter()
    .map(|t| cell(t))
    .chain([
        r#"<c r="B9"><is><t>without t</t></is></c>"#.to_owned(),
        r#"<c t="s"><is><t>t is s</t></is></c>"#.to_owned(),
        r#"<c t="inlineStr"><is><t xml:space="preserve"> kept </t></is></c>"#.to_owned(),
    ])
    .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let read = same_rows(&book::cells_book(&rows));
    assert!(has(&read, "Text(\"商品A\")") && has(&read, "Text(\"a\\rb\")"));
}
