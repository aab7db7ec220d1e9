//! The fast `.xlsx` sheet reader against calamine's, on any sheet XML: the input (after a first
//! byte of options) is `xl/worksheets/sheet1.xml`, packed into an otherwise fixed, valid
//! workbook built in memory, and read by `read_rows` (the fast reader) and
//! `read_rows_with_calamine` (the reference).
//!
//! The first byte picks the rest of the package:
//! - bits 0–1: no shared strings, plain ones, or ones with rich text, phonetic runs, entities,
//!   white space, `_xHHHH_` escapes, CDATA and empty items (indexes 0..[`STRINGS`]);
//! - bit 2: a `styles.xml` whose cell style 1 is a date (built-in 14), 2 an elapsed time (46),
//!   3 a custom date, 4 a custom number, 5 a custom `[h]` time;
//! - bit 3: entries deflated, or stored;
//! - bit 4: the input is what goes inside `<worksheet xmlns="…main">…</worksheet>`, or (unset)
//!   the whole part, so that a root with a prefix (`<x:worksheet xmlns:x=…>`) is reachable;
//! - bit 5: `<workbookPr date1904="1"/>` (the fast reader leaves such a workbook to calamine).
//!
//! Must never panic. On well-formed sheet XML (Excel writes nothing else): when both readers
//! answer `Ok`, they must have handed `on_row` the same rows (row numbers, and every cell
//! written with `{:?}`) and named the same sheet, and what calamine reads the fast reader must
//! read too. On malformed XML the two recover differently; only "no panic" holds there.
#![no_main]

use std::io::{Cursor, Write};
use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use storeboard_data::cell::Cell;
use storeboard_data::limits::ParseLimits;
use storeboard_data::read::{read_rows, read_rows_with_calamine};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const CT: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// How many shared strings each table holds (a `t="s"` cell's `<v>` of 0..8 finds one).
const STRINGS: usize = 8;

/// Plain shared strings.
const PLAIN: [&str; STRINGS] = [
    "<si><t>订单ID</t></si>",
    "<si><t>plain</t></si>",
    "<si><t>可口可乐 500ml（瓶）</t></si>",
    "<si><t>2026-11-01 09:30</t></si>",
    "<si><t>12.5</t></si>",
    "<si><t>a &amp; b</t></si>",
    "<si><t/></si>",
    "<si><t>😀 𠀀</t></si>",
];

/// Shared strings calamine reads with care: runs, phonetics, white space, escapes.
const RICH: [&str; STRINGS] = [
    r#"<si><r><rPr><b/></rPr><t>a</t></r><r><t xml:space="preserve"> b </t></r></si>"#,
    r#"<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>"#,
    r#"<si><t xml:space="preserve">  padded  </t></si>"#,
    "<si><t>\n\ttrimmed\r\n</t></si>",
    "<si><t>line_x000D_next _xD83D__xDE00_</t></si>",
    "<si><t>&#x4E2D;&#20013; &lt;x&gt;</t></si>",
    "<si><t><![CDATA[a <b> & c]]></t></si>",
    "<si/>",
];

/// Cell styles 0..=5: general, date (14), elapsed time (46), custom date, custom number,
/// custom elapsed time.
const STYLES: &str = concat!(
    r#"<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>"#,
    r#"<numFmt numFmtId="165" formatCode="0.00"/><numFmt numFmtId="166" formatCode="[h]:mm:ss"/></numFmts>"#,
    r#"<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="46" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="165" applyNumberFormat="1"/><xf numFmtId="166" applyNumberFormat="1"/></cellXfs>"#,
);

/// Small budgets: no input of a few KB may make either reader allocate much.
const LIMITS: ParseLimits = ParseLimits {
    max_sheet_cells: 1 << 14,
    max_xls_ods_cells: 1 << 14,
    max_csv_field_bytes: 1 << 12,
    max_csv_record_bytes: 1 << 14,
};

const FILE: &str = "fuzz.xlsx";

type Rows = Vec<(u32, Vec<String>)>;

fuzz_target!(|input: &[u8]| {
    let Some((&options, sheet)) = input.split_first() else {
        return;
    };
    let Ok(file) = package(options, sheet) else {
        return;
    };
    let (mut fast_rows, mut calamine_rows) = (Rows::new(), Rows::new());
    let fast = read_rows(Cursor::new(&file[..]), FILE, None, &LIMITS, |r, cells| {
        keep(&mut fast_rows, r, cells)
    });
    let calamine =
        read_rows_with_calamine(Cursor::new(&file[..]), FILE, None, &LIMITS, |r, cells| {
            keep(&mut calamine_rows, r, cells)
        });
    // Excel writes well-formed XML. On malformed XML (a quote left open, a tag never closed,
    // an attribute twice) the two readers recover differently, and only "no panic" holds.
    if !well_formed(sheet) {
        return;
    }
    let (fast_sheet, calamine_sheet) = match (fast, calamine) {
        (Ok(f), Ok(c)) => (f, c),
        // What calamine reads, the fast reader must read too: a user would lose the upload.
        // The cell budget is the one refusal allowed (the readers reach it at different
        // cells, and a cell reference past u32 is refused rather than wrapped).
        (Err(e), Ok(_))
            if e.code() != "sheet_too_large" && !e.to_string().contains("a cell reference") =>
        {
            panic!("the fast reader refuses what calamine reads: {e}")
        }
        _ => return,
    };
    assert_eq!(
        fast_sheet, calamine_sheet,
        "the readers name different sheets"
    );
    if fast_rows != calamine_rows {
        panic!(
            "the readers differ: {}\nfast:     {fast_rows:?}\ncalamine: {calamine_rows:?}",
            difference(&fast_rows, &calamine_rows)
        );
    }
});

/// Whether `xml` is well-formed as quick-xml checks it (tags matched, names checked, each
/// attribute once and quoted), with no character XML 1.0 forbids (NUL and the other controls).
fn well_formed(xml: &[u8]) -> bool {
    use quick_xml::events::Event;
    if xml.iter().any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) {
        return false;
    }
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => return true,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if e.attributes().any(|a| a.is_err()) {
                    return false;
                }
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

fn keep(rows: &mut Rows, row: u32, cells: &[Cell<'_>]) -> ControlFlow<()> {
    rows.push((row, cells.iter().map(|c| format!("{c:?}")).collect()));
    ControlFlow::Continue(())
}

/// Where two readings first differ.
fn difference(fast: &Rows, calamine: &Rows) -> String {
    match fast.iter().zip(calamine).position(|(a, b)| a != b) {
        Some(i) => format!("row #{i}: fast {:?}, calamine {:?}", fast[i], calamine[i]),
        None => format!("fast read {} rows, calamine {}", fast.len(), calamine.len()),
    }
}

/// The workbook: `sheet` as its one sheet's part (or its inside), the rest as `options` says.
fn package(options: u8, sheet: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let strings: Option<&[&str]> = match options & 3 {
        0 => None,
        1 => Some(&PLAIN),
        _ => Some(&RICH),
    };
    let styles = options & 4 != 0;
    let method = match options & 8 {
        0 => CompressionMethod::Stored,
        _ => CompressionMethod::Deflated,
    };
    let wrap = options & 16 != 0;
    let pr = match options & 32 {
        0 => "",
        _ => r#"<workbookPr date1904="1"/>"#,
    };

    let (mut types, mut rels) = (String::new(), String::new());
    let mut parts: Vec<(&str, String)> = Vec::new();
    if let Some(items) = strings {
        types += &format!(
            r#"<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>"#
        );
        rels += &format!(
            r#"<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>"#
        );
        parts.push((
            "xl/sharedStrings.xml",
            format!(
                r#"{HEAD}<sst xmlns="{MAIN_NS}" count="{STRINGS}" uniqueCount="{STRINGS}">{}</sst>"#,
                items.concat()
            ),
        ));
    }
    if styles {
        types += &format!(r#"<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>"#);
        rels += &format!(r#"<Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/>"#);
        parts.push((
            "xl/styles.xml",
            format!(r#"{HEAD}<styleSheet xmlns="{MAIN_NS}">{STYLES}</styleSheet>"#),
        ));
    }
    let package = [
        (
            "[Content_Types].xml",
            format!(
                r#"{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>{types}</Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"{HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"{HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{pr}<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"{HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>{rels}</Relationships>"#
            ),
        ),
    ];

    let opts = SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(if method == CompressionMethod::Deflated {
            Some(1)
        } else {
            None
        })
        .large_file(false);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (entry, part) in package.iter().chain(&parts) {
        zip.start_file(*entry, opts)?;
        zip.write_all(part.as_bytes())?;
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts)?;
    if wrap {
        write!(
            zip,
            r#"{HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">"#
        )?;
        zip.write_all(sheet)?;
        zip.write_all(b"</worksheet>")?;
    } else {
        zip.write_all(sheet)?;
    }
    Ok(zip.finish()?.into_inner())
}
