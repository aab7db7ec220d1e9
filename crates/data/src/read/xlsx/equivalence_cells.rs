//! The cells, sheets and structures of the equivalence tests.

use std::fmt::Write as _;

use super::book::{all_strings, large_book, large_data, string_column, PLAIN, STYLES};
use super::builder::*;

/// A one-sheet workbook of the shared strings `items`, a row for each.
pub(super) fn strings_book(items: &[&str]) -> Book {
    Book::one(&string_column(items.len())).strings(items)
}

/// A sheet of the cells given, one row per `&str`, with the shared strings of [`PLAIN`] and
/// the styles of [`STYLES`].
pub(super) fn cells_book(rows: &[&str]) -> Book {
    let data: String = rows
        .iter()
        .enumerate()
        .map(|(i, r)| format!(r#"<row r="{}">{r}</row>"#, i + 1))
        .collect();
    Book::one(&format!("<sheetData>{data}</sheetData>"))
        .strings(PLAIN)
        .styles(STYLES)
}

/// Sheets `Sheet1`, `R&D` and `名单`, holding `first`, `second` and `third`.
pub(super) fn three_sheets() -> Vec<u8> {
    let data = |v: &str| {
        format!(
            r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{v}</t></is></c></row></sheetData>"#
        )
    };
    Book::new()
        .sheet("Sheet1", &data("first"))
        .sheet("R&amp;D", &data("second"))
        .sheet("名单", &data("third"))
        .bytes()
}

/// A workbook whose sheet and shared strings name every element with a prefix (`x:`).
pub(super) fn prefixed() -> Book {
    let sheet = format!(
        concat!(
            r#"<x:worksheet xmlns:x="{0}"><x:dimension ref="A1:C2"/><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c>"#,
            r#"<x:c r="B1" t="inlineStr"><x:is><x:t>inline</x:t></x:is></x:c><x:c r="C1" s="1"><x:v>46327</x:v></x:c></x:row>"#,
            r#"<x:row r="2"><x:c r="A2"><x:f>1+1</x:f><x:v>2.5</x:v></x:c><x:c r="B2" s="1"/></x:row></x:sheetData></x:worksheet>"#
        ),
        MAIN_NS
    );
    let strings = format!(r#"<x:sst xmlns:x="{MAIN_NS}"><x:si><x:t>前缀</x:t></x:si></x:sst>"#);
    Book::new()
        .sheet_part("Sheet1", &sheet)
        .strings_part(&strings)
        .styles(STYLES)
}

/// Cells holding an element calamine does not know.
pub(super) const UNKNOWN_ELEMENTS: &[&str] =
    &[r#"<c r="A1"><x/></c>"#, r#"<c r="A1"><v>1</v><x/></c>"#];

/// Cells whose value or reference calamine refuses.
pub(super) const MALFORMED_VALUES: &[&str] = &[
    r##"<c r="A1" t="e"><v>#SPILL!</v></c>"##,
    r#"<c r="A1" t="b"><v>2</v></c>"#,
    r#"<c r="A1" t="n"><v>abc</v></c>"#,
    r#"<c r="A1" t="zz"><v>1</v></c>"#,
    r#"<c r="A1" t="s"><v>99</v></c>"#,
    r#"<c r="1A"><v>1</v></c>"#,
    r#"<c r="A0"><v>1</v></c>"#,
    r#"<c r="A1" t="str"><v>&nbsp;</v></c>"#,
    r#"<c r="A1" t="str"><v>&#+65;</v></c>"#,
    r#"<c r="A1" t="str"><v>&#x+41;</v></c>"#,
    r#"<c r="A1" t="inlineStr"><is><t>&#+65;</t></is></c>"#,
];

/// Shared strings calamine refuses: character references with a sign.
pub(super) const MALFORMED_STRINGS: &[&str] =
    &["<si><t>&#+65;</t></si>", "<si><t>&#x+41;</t></si>"];

/// Markup inside the values of text cells (`t="str"`, `t="d"`): CDATA, comments, elements.
pub(super) const MARKUP_IN_VALUES: &[&str] = &[
    r#"<c r="A1" t="str"><v><![CDATA[abc]]></v></c><c r="B1" t="str"><v>a<![CDATA[ <b> ]]>c</v></c>"#,
    r#"<c r="A2" t="str"><v>a<!-- note -->b</v></c><c r="B2" t="str"><v>a<x/>b</v></c><c r="C2" t="str"><v><?pi x?>z</v></c>"#,
    r#"<c r="A3" t="d"><v><![CDATA[2026-01-01]]></v></c><c r="B3" t="d"><v>2026<!-- x -->-01-01</v></c>"#,
    r#"<c r="A4"><v><![CDATA[5]]></v></c><c r="B4"><v>5<!-- x -->6</v></c><c r="C4" t="s"><v><!-- x -->1</v></c>"#,
    r#"<c r="A5" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c><c r="B5" t="inlineStr"><is><t>a<!-- x -->b</t></is></c>"#,
];

/// Number cells: integers, decimals, signs, exponents, empty values, text in a number cell.
pub(super) const NUMBERS: &[&str] = &[
    r#"<c r="A1"><v>42</v></c><c r="B1"><v>3.25</v></c><c r="C1"><v>-17</v></c><c r="D1"><v>1.5E-3</v></c><c r="E1"><v></v></c><c r="F1"><v>12abc</v></c><c r="G1" t="n"><v>7</v></c><c r="H1" t="n"><v>-0.5</v></c>"#,
    r#"<c r="A2"><v>1234567890123</v></c><c r="B2"><v>0</v></c><c r="C2"><v>-0</v></c><c r="D2"><v>1e308</v></c><c r="E2"><v>.5</v></c><c r="F2"><v>5.</v></c><c r="G2"><v>+3</v></c><c r="H2"><v>1E+21</v></c>"#,
    r#"<c r="A3"><v>12345678901234567890</v></c><c r="B3"><v>0.1</v></c><c r="C3"><v>3.0000000000000004</v></c><c r="D3"><v>1.7976931348623157E308</v></c><c r="E3"><v>4.9E-324</v></c><c r="F3"><v>订单</v></c><c r="G3" t="n"><v></v></c><c r="H3"><v>00042</v></c>"#,
];

/// Boolean, error and ISO date cells.
pub(super) const BOOLS_ERRORS_DATES: &[&str] = &[
    r#"<c r="A1" t="b"><v>0</v></c><c r="B1" t="b"><v>1</v></c><c r="C1" t="b"><v>true</v></c><c r="D1" t="b"><v>false</v></c><c r="E1" t="b"><v>TRUE</v></c><c r="F1" t="b"><v></v></c>"#,
    r##"<c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="e"><v>#DIV/0!</v></c><c r="C2" t="e"><v>#VALUE!</v></c><c r="D2" t="e"><v>#REF!</v></c><c r="E2" t="e"><v>#NAME?</v></c><c r="F2" t="e"><v>#NUM!</v></c><c r="G2" t="e"><v>#NULL!</v></c>"##,
    r#"<c r="A3" t="d"><v>2026-11-01T09:30:00</v></c><c r="B3" t="d"><v>2026-11-01</v></c><c r="C3" t="d" s="1"><v>09:30:00.123</v></c><c r="D3" t="d"><v></v></c>"#,
];

/// Formula-string (`t="str"`) and inline-string cells.
pub(super) const STR_AND_INLINE: &[&str] = &[
    r#"<c r="A1" t="str"><v>a &amp; b &lt;c&gt; &#x4E2D;</v></c><c r="B1" t="str"><v>line_x000D_&#10;next</v></c><c r="C1" t="str"><v>  spaced  </v></c><c r="D1" t="str"><v></v></c><c r="E1" t="str"><f>"x"</f><v>x</v></c>"#,
    r#"<c r="A2" t="inlineStr"><is><t>inline 行</t></is></c><c r="B2" t="inlineStr"><is><r><rPr><b/></rPr><t>ri</t></r><r><t xml:space="preserve">ch </t></r></is></c><c r="C2" t="inlineStr"><is><t>  trimmed  </t></is></c><c r="D2" t="inlineStr"><is><t>_x0041_&amp;</t></is></c><c r="E2" t="inlineStr"><is/></c><c r="F2" t="inlineStr"><is><t>a</t><rPh><t>b</t></rPh></is></c>"#,
];

/// Formula cells, with and without cached values, shared formulas.
pub(super) const FORMULAS: &[&str] = &[
    r#"<c r="A1"><f>SUM(A2)</f><v>3</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>6</v></c><c r="C1"><f>NOW()</f></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="E1" t="b"><f>TRUE()</f><v>1</v></c>"#,
    r#"<c r="A2"><f>A1&amp;"&lt;"</f><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>8</v></c><c r="C2" s="1"><f t="array" ref="C2">TODAY()</f><v>46327</v></c><c r="D2" t="s"><f>"x"</f><v>1</v></c>"#,
];

/// Empty cells: self-closing, open and closed, typed, empty values.
pub(super) const EMPTY_CELLS: &[&str] = &[
    r#"<c r="A1"><v>1</v></c><c r="B1" s="1"/><c r="C1"></c>"#,
    r#"<c r="A2"><v>1</v></c><c r="B2" s="1"/><c r="C2"></c><c r="D2" t="s"/><c r="E2" t="inlineStr"/><c r="F2"><v/></c><c r="G2" t="str"/><c r="H2" s="4"/>"#,
];

/// Rows of cells longer than a chunk of the fast reader (1 MiB) and than the room it keeps for
/// a cut cell (64 KiB): inline strings, a formula string, a formula, a comment.
pub(super) fn long_cells() -> Book {
    let text = |n: usize| "长文本 long text ".repeat(n / 20);
    let data = format!(
        concat!(
            r#"<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>{}</t></is></c></row>"#,
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>{}</t></is></c><c r="B2" t="str"><v>{}</v></c></row>"#,
            r#"<!--{}--><row r="3"><c r="A3"><f>{}</f><v>3</v></c><c r="B3" t="s"><v>0</v></c></row></sheetData>"#
        ),
        text(70_000),
        text(1_500_000),
        text(300_000),
        "-".repeat(1_200_000),
        "A1+".repeat(100_000),
    );
    Book::one(&data).strings(PLAIN)
}

/// Values calamine reads in its own way: an unreadable shared-string index as 0, numbers with
/// spaces as text, `inf`/`NaN` as numbers, `<v>` of inline strings ignored.
pub(super) const QUIRKS: &[&str] = &[
    r#"<c r="A1" t="s"><v>abc</v></c><c r="B1" t="s"><v> 1</v></c><c r="C1" t="b"><v> 1 </v></c><c r="D1"><v> 5 </v></c><c r="E1"><v>inf</v></c><c r="F1"><v>NaN</v></c>"#,
    r#"<c r="A2" t="inlineStr"><v>ignored</v></c><c r="B2" t="inlineStr"><is><t>kept</t></is><v>ignored</v></c><c r="C2" t="s"><v></v></c><c r="D2" t="n"><v>1e400</v></c>"#,
];

/// [`large_book`]s whose sheet is cut short: in the middle, just before `</sheetData>`, and
/// inside it; and the archive of one cut in half.
pub(super) fn cut_sheets() -> Vec<(String, Vec<u8>)> {
    let data = large_data(3_000, 3);
    let end = data.len() - "</sheetData>".len();
    let mut cases: Vec<(String, Vec<u8>)> = [data.len() / 2, end, end + 3]
        .into_iter()
        .map(|at| {
            let at = (0..=at)
                .rev()
                .find(|&i| data.is_char_boundary(i))
                .unwrap_or(0);
            let part = format!(r#"<worksheet xmlns="{MAIN_NS}">{}"#, &data[..at]);
            let book = Book::new()
                .sheet_part("Sheet1", &part)
                .strings(&all_strings());
            let case = format!("sheet cut at byte {at} of {}", data.len());
            (case, book.styles(STYLES).bytes())
        })
        .collect();
    let zip = large_book(3_000, 3).bytes();
    cases.push((
        "archive cut in half".to_owned(),
        zip[..zip.len() / 2].to_vec(),
    ));
    cases
}

/// Cells written with XML's less usual but valid syntax: single quotes, white space around `=`
/// and between attributes, end tags with spaces, comments, processing instructions and CDATA
/// between cells.
pub(super) const SYNTAX: &[&str] = &[
    "<c r='A1' t='s'><v>1</v></c><c r = \"B1\"\tt=\"n\"\n s=\"1\"><v >46327</v ></c ><c r=\"C1\"\n/><c r=\"D1\" ></c>",
    "<!-- <c r=\"A2\"><v>9</v></c> --><c r=\"A2\"><v>2</v></c><?pi <c?><![CDATA[<c r=\"B2\"><v>9</v></c>]]><c r=\"C2\"><!-- x --><v>3</v><!-- y --></c>",
    r#"<c r="A3" t="inlineStr"><is><t>x</t></is></c><c r="B3" xmlns:x14ac="urn:x" x14ac:dyDescent="0.25"><v>1</v></c><c r="C3" t="s" cm="1"><v>0</v></c>"#,
];

/// Sheets whose XML is not UTF-8: declared ISO-8859-1 and GBK, and UTF-16 with its byte order
/// mark; each with an inline string and a formula string holding a non-ASCII character.
pub(super) fn encoded_sheets() -> Vec<(String, Vec<u8>)> {
    let sheet = |encoding: &str, text: &str| {
        format!(
            r#"<?xml version="1.0" encoding="{encoding}"?><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c><c r="B1" t="str"><v>{text}</v></c><c r="C1"><v>1.5</v></c></row></sheetData></worksheet>"#
        )
    };
    let latin1 = encoding_rs::WINDOWS_1252
        .encode(&sheet("ISO-8859-1", "café"))
        .0
        .into_owned();
    let gbk = encoding_rs::GBK
        .encode(&sheet("GBK", "门店"))
        .0
        .into_owned();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        sheet("UTF-16", "门店")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    [("ISO-8859-1", latin1), ("GBK", gbk), ("UTF-16", utf16)]
        .into_iter()
        .map(|(name, part)| {
            (
                name.to_owned(),
                Book::new().sheet_bytes("Sheet1", part).bytes(),
            )
        })
        .collect()
}

/// How many bytes of a sheet's XML the fast reader scans at a time (`pipe::CHUNK`).
const CHUNK: usize = 1 << 20;

/// Rows of every kind of cell, for a chunk boundary to fall in.
pub(super) const AT_BOUNDARY: &str = concat!(
    r#"<row r="2" spans="1:9"><c r="A2" s="1"><v>46327.5</v></c><c r="B2" t="s"><v>1</v></c>"#,
    r#"<c r="C2" t="str"><f>A1&amp;"x"</f><v>a &amp; b_x000D_</v></c><c r="D2" t="inlineStr"><is><r>"#,
    r#"<t xml:space="preserve"> x </t></r><r><t>y</t></r></is></c><c r="E2"/><c r="F2" t="b"><v>1</v></c>"#,
    r#"<c t="e"><v>#N/A</v></c><c r="H2" t="d"><v>2026-01-01</v></c></row><row><c><v>-1.5E-3</v></c>"#,
    r#"<!-- c --><c r='B3' t='s'><v>2</v></c></row><row r="4"/><row r="5"><c r="A5"><v>5</v></c></row>"#,
);

/// A sheet whose first chunk of XML ends `k` bytes into [`AT_BOUNDARY`] (a comment before it
/// fills the chunk).
pub(super) fn boundary_book(k: usize) -> Book {
    let head = format!(r#"{HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">"#);
    let before = r#"<sheetData><row r="1"><c r="A1"><v>1</v></c></row><!--"#;
    let fill = CHUNK - head.len() - before.len() - "-->".len() - k;
    let data = format!("{before}{}-->{AT_BOUNDARY}</sheetData>", "x".repeat(fill));
    Book::one(&data).strings(PLAIN).styles(STYLES)
}

/// Custom number format codes, dates and not, as exports write them (XML-escaped), split by `|`.
pub(super) const FORMAT_CODES: &str = concat!(
    r#"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;|[$-804]aaaa|[DBNum1][$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;|"#,
    r#"yyyy/m/d h:mm|h:mm AM/PM|mm:ss.0|[mm]:ss|[ss]|[h]|[hh]:mm|[H]:mm:ss|[s].00|0%|0.00E+00|# ?/?|@|General|"#,
    r#"&quot;¥&quot;#,##0.00|[$¥-804]#,##0.00|#,##0.00_ ;[Red]-#,##0.00 |[&lt;=9999999]###-####;(###) ###-####|"#,
    r#"[Red][&lt;0]0;0|0_);(0)|[$-409]mmm-yy;@|[$-F400]h:mm:ss AM/PM|yy/mm/dd;@|d-mmm|&quot;d&quot;0|\d0|_d0|"#,
    r#"*d0|0.0&quot;h&quot;|[Blue]General|AM/PM|A/P|a|am|ap|[$-804]上午/下午h&quot;时&quot;mm&quot;分&quot;|e|ee&quot;年&quot;|"#,
    r#"ggge&quot;年&quot;|B1yyyy|[=1]&quot;one&quot;;0|;;;|E+00|[DBNum2]0|[Color10]0|mmm|MMMM|dddd|Ss|0.00;[Red]yyyy|"#,
    r#"[[h]]|[h:mm]|[ h]:mm|[m]]|x[h]|[$-zh-CN]yyyy|\[h]:mm|&quot;[h]&quot;0|0 &quot;days&quot;|#,##0.0,,&quot;M&quot;|[&gt;1]h;0"#,
);

/// A workbook with a cell style for each of [`FORMAT_CODES`] (custom formats 164…) and for each
/// built-in format id `0..=200`, and a row of numbers in each style.
pub(super) fn formats_book() -> Book {
    let mut styles = String::from("<numFmts>");
    let codes: Vec<&str> = FORMAT_CODES.split('|').collect();
    for (i, code) in codes.iter().enumerate() {
        write!(
            styles,
            r#"<numFmt numFmtId="{}" formatCode="{code}"/>"#,
            164 + i
        )
        .ok();
    }
    styles.push_str("</numFmts><cellXfs>");
    let ids: Vec<usize> = (164..164 + codes.len()).chain(0..=200).collect();
    for id in &ids {
        write!(styles, r#"<xf numFmtId="{id}"/>"#).ok();
    }
    styles.push_str("</cellXfs>");
    let mut data = String::from("<sheetData>");
    for s in 0..ids.len() {
        let r = s + 1;
        write!(data, r#"<row r="{r}"><c r="A{r}" s="{s}"><v>45000.5</v></c><c r="B{r}" s="{s}"><v>-2</v></c></row>"#).ok();
    }
    data.push_str("</sheetData>");
    Book::one(&data).styles(&styles)
}

/// `xml` indented: a line break and spaces between every two tags (inside values too).
fn pretty(xml: &str) -> String {
    xml.replace("><", ">\r\n  <")
}

/// [`large_book`] with every part [`pretty`]-printed.
pub(super) fn pretty_large_book() -> Book {
    let strings: Vec<String> = all_strings().iter().map(|s| pretty(s)).collect();
    let strings: Vec<&str> = strings.iter().map(String::as_str).collect();
    Book::one(&pretty(&large_data(2_000, 5)))
        .strings(&strings)
        .styles(&pretty(STYLES))
}

/// Cells without `r`: each follows the one before.
pub(super) const IMPLICIT_COLUMNS: &[&str] = &[
    r#"<c t="s"><v>0</v></c><c><v>2</v></c><c r="E1"><v>3</v></c><c><v>4</v></c><c/><c><v>6</v></c>"#,
    r#"<c r="C2"><v>1</v></c><c><v>2</v></c>"#,
];

/// A row of only empty cells between rows of values, and a row of none.
pub(super) const ONLY_EMPTY: &[&str] = &[
    r#"<c r="A1"><v>1</v></c>"#,
    r#"<c r="A2" s="1"/><c r="B2" s="1"/><c r="C2"/>"#,
    "",
    r#"<c r="A4"><v>4</v></c>"#,
];

/// Rows without `r` (each the one after the row before it, whatever its cells say), a
/// self-closing row, a row whose cell names another row.
pub(super) const IMPLICIT_ROWS: &str = concat!(
    r#"<sheetData><row><c r="A1"><v>1</v></c></row><row><c><v>2</v></c></row>"#,
    r#"<row r="5"><c r="A5"><v>5</v></c></row><row><c><v>6</v></c></row><row r="8"/>"#,
    r#"<row><c><v>9</v></c></row><row r="11"><c><v>11</v></c></row><row><c r="B20"><v>20</v></c></row>"#,
    r#"<row><c><v>13</v></c></row></sheetData>"#,
);

/// Rows and cells out of order, a row number repeated.
pub(super) const OUT_OF_ORDER: &str = concat!(
    r#"<sheetData><row r="5"><c r="C5"><v>3</v></c><c r="A5"><v>1</v></c></row>"#,
    r#"<row r="2"><c r="A2"><v>2</v></c></row><row r="2"><c r="B2"><v>22</v></c></row></sheetData>"#,
);

/// Rows and columns skipped; the last column (`XFD`) and one beyond it.
pub(super) const GAPS: &str = concat!(
    r#"<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="D1"><v>4</v></c><c r="AB1"><v>28</v></c></row>"#,
    r#"<row r="5"><c r="C5"><v>3</v></c><c r="XFD5"><v>16384</v></c><c r="XFE5"><v>beyond</v></c></row></sheetData>"#,
);
