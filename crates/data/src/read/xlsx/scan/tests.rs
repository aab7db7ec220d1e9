use super::*;

const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="str"><v>a &amp; b</v></c><c r="C1" s="1"><v>46327.5</v></c><c r="D1"><f>SUM(A1)</f><v>-1.5E-3</v></c></row><row r="3" spans="1:4"><c t="inlineStr"><is><r><t>红</t></r><r><t xml:space="preserve"> 烧 </t></r><rPh><t>x</t></rPh></is></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c r="D3"/></row><row><c><v>abc</v></c><!-- a > comment --><c r="C4" t="d"><v>2026-01-02</v></c></row></sheetData></worksheet>"#;

fn scanner() -> Scanner<'static> {
    static STRINGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let strings = STRINGS.get_or_init(|| vec!["零".to_owned(), "一".to_owned()]);
    Scanner::new(strings, &[Format::Other, Format::DateTime], 1_000)
}

/// The cells of `xml` fed in pieces cut at `cuts`, each tail handed on with the next piece,
/// rendered with their text.
fn cells_cut_at(xml: &[u8], cuts: &[usize]) -> Vec<(u32, u32, String)> {
    let mut scanner = scanner();
    let (mut out, mut owned, mut tail) = (Vec::new(), String::new(), Vec::new());
    let mut pieces = cuts.to_vec();
    pieces.push(xml.len());
    let mut from = 0;
    for to in pieces {
        let mut data = std::mem::take(&mut tail);
        data.extend_from_slice(&xml[from..to]);
        from = to;
        match scanner.scan(&data, &mut out, &mut owned).expect("scans") {
            Stop::Done => break,
            Stop::More(at) => tail = data[at..].to_vec(),
        }
    }
    out.iter()
        .map(|c| {
            let text = match c.val {
                Val::Owned(s, e) => format!("{:?}", &owned[s as usize..e as usize]),
                other => format!("{other:?}"),
            };
            (c.row, c.col, text)
        })
        .collect()
}

#[test]
fn every_kind_of_cell_reads_as_calamine_reads_it() {
    let cells = cells_cut_at(SHEET.as_bytes(), &[]);
    let expected: Vec<(u32, u32, String)> = vec![
        (0, 0, "Shared(1)".into()),
        (0, 1, "\"a & b\"".into()),
        (0, 2, "DateTime(46327.5)".into()),
        (0, 3, "Float(-0.0015)".into()),
        (2, 0, "\"红 烧 \"".into()),
        (2, 1, "Bool(true)".into()),
        (2, 2, "Error(1)".into()),
        (2, 3, "Empty".into()),
        (3, 0, "\"abc\"".into()),
        (3, 2, "\"2026-01-02\"".into()),
    ];
    assert_eq!(cells, expected);
}

#[test]
fn a_sheet_cut_anywhere_between_chunks_reads_the_same() {
    let xml = SHEET.as_bytes();
    let whole = cells_cut_at(xml, &[]);
    for cut in 1..xml.len() {
        assert_eq!(cells_cut_at(xml, &[cut]), whole, "cut at byte {cut}");
    }
    let every: Vec<usize> = (1..xml.len()).step_by(7).collect();
    assert_eq!(cells_cut_at(xml, &every), whole, "cut every 7 bytes");
}

#[test]
fn a_declared_dimension_over_the_budget_is_refused_before_any_cell() {
    let mut scanner = Scanner::new(&[], &[], 100);
    let xml = br#"<worksheet><dimension ref="A1:Z1000"/><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>"#;
    let (mut out, mut owned) = (Vec::new(), String::new());
    match scanner.scan(xml, &mut out, &mut owned) {
        Err(ScanError::Declared(cells)) => assert_eq!(cells, 26_000),
        other => panic!("{other:?}"),
    }
    assert!(out.is_empty());
}

#[test]
fn cells_far_apart_are_refused_once_they_span_more_than_the_budget() {
    let mut scanner = Scanner::new(&[], &[], 100);
    let xml = br#"<worksheet><sheetData><row><c r="A1"><v>1</v></c><c r="A200"><v>2</v></c></row></sheetData></worksheet>"#;
    let (mut out, mut owned) = (Vec::new(), String::new());
    assert!(matches!(
        scanner.scan(xml, &mut out, &mut owned),
        Err(ScanError::Spans(200))
    ));
}

#[test]
fn a_cell_holding_an_unknown_element_or_a_bad_reference_is_an_error_saying_where() {
    for (xml, says) in [
        (
            &br#"<worksheet><sheetData><row><c r="B2"><x/></c></row></sheetData></worksheet>"#[..],
            "<x> in the cell at row 2, column 2",
        ),
        (
            br#"<worksheet><sheetData><row><c r="2B"><v>1</v></c></row></sheetData></worksheet>"#,
            "a cell reference \"2B\"",
        ),
        (
            br#"<worksheet><sheetData><row><c t="s"><v>7</v></c></row></sheetData></worksheet>"#,
            "shared string 7",
        ),
    ] {
        let mut scanner = scanner();
        match scanner.scan(xml, &mut Vec::new(), &mut String::new()) {
            Err(ScanError::Xml(detail)) => assert!(detail.contains(says), "{detail}"),
            other => panic!("{other:?}"),
        }
    }
}
