//! The shared strings and styles of the equivalence tests, and a large deterministic sheet
//! mixing every kind of cell; the tests reach every case through this module.

use std::fmt::Write as _;

pub(super) use super::builder::*;
pub(super) use super::cells::*;

/// Plain and CJK shared strings.
pub(super) const PLAIN: &[&str] = &[
    "<si><t>订单ID</t></si>",
    "<si><t>plain</t></si>",
    "<si><t>可口可乐 500ml（瓶）</t></si>",
    "<si><t>😀 emoji 𠀀</t></si>",
    "<si><t>2026-11-01 09:30</t></si>",
];

/// Rich text: runs with and without properties, text before the first run.
pub(super) const RICH: &[&str] = &[
    r#"<si><r><rPr><b/><sz val="11"/><color rgb="FFFF0000"/><rFont val="宋体"/></rPr><t>a</t></r><r><t>b</t></r></si>"#,
    r#"<si><r><t xml:space="preserve">foo </t></r><r><rPr><i/></rPr><t>bar</t></r></si>"#,
    "<si><t>lead</t><r><t>run</t></r></si>",
    "<si><r><t>one run</t></r></si>",
    "<si><r><t> a </t></r><r><t> b </t></r></si>",
];

/// Phonetic runs (ignored) and their properties.
pub(super) const PHONETIC: &[&str] = &[
    r#"<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1" type="noConversion"/></si>"#,
    r#"<si><r><t>大</t></r><r><t>阪</t></r><rPh sb="0" eb="1"><t>オオ</t></rPh><rPh sb="1" eb="2"><t>サカ</t></rPh></si>"#,
    r#"<si><rPh sb="0" eb="1"><t>only</t></rPh></si>"#,
];

/// Entities and character references.
pub(super) const ENTITIES: &[&str] = &[
    "<si><t>a &amp; b &lt;c&gt; &quot;q&quot; &apos;s&apos;</t></si>",
    "<si><t>&#x4E2D;&#20013;&#x1F600;</t></si>",
    "<si><t>x&#13;&#10;y&#9;z</t></si>",
    "<si><t>&amp;amp;</t></si>",
];

/// White space, kept with `xml:space="preserve"`, trimmed without.
pub(super) const SPACES: &[&str] = &[
    r#"<si><t xml:space="preserve">  padded  </t></si>"#,
    "<si><t>  trimmed  </t></si>",
    "<si><t>\n\tlines\r\n</t></si>",
    "<si><t>a\r\nb\rc</t></si>",
    "<si><t>\u{a0}nbsp kept\u{a0}</t></si>",
    r#"<si><t xml:space="preserve">   </t></si>"#,
    "<si><t>   </t></si>",
    r#"<si><t xml:space="default"> x </t></si>"#,
    "<si><t>\u{3000}全角\u{3000}</t></si>",
];

/// Excel's `_xHHHH_` escapes.
pub(super) const ESCAPES: &[&str] = &[
    "<si><t>line_x000D_\nnext</t></si>",
    "<si><t>_x0041_BC_x000d_</t></si>",
    "<si><t>_x005F_x0041_</t></si>",
    "<si><t>_xD83D__xDE00_ and _xD83D_ alone</t></si>",
    "<si><t>_x0020_edge_x0020_</t></si>",
    r#"<si><t xml:space="preserve"> _x0009_ </t></si>"#,
    "<si><t>_xZZZZ_ _x12_ _x00410_</t></si>",
];

/// Empty shared strings.
pub(super) const EMPTY: &[&str] = &[
    "<si/>",
    "<si><t/></si>",
    "<si><t></t></si>",
    "<si><r><t/></r></si>",
    "<si></si>",
];

/// CDATA sections.
pub(super) const CDATA: &[&str] = &[
    "<si><t><![CDATA[a <b> & c]]></t></si>",
    "<si><t>x<![CDATA[ y ]]>z</t></si>",
    "<si><t><![CDATA[  edge  ]]></t></si>",
];

/// Every kind of shared string above.
pub(super) fn all_strings() -> Vec<&'static str> {
    [
        PLAIN, RICH, PHONETIC, ENTITIES, SPACES, ESCAPES, EMPTY, CDATA,
    ]
    .concat()
}

/// A sheet of one shared-string cell per row, pointing at each of `count` strings in turn.
pub(super) fn string_column(count: usize) -> String {
    let mut data = String::from("<sheetData>");
    for i in 0..count {
        let r = i + 1;
        write!(
            data,
            r#"<row r="{r}"><c r="A{r}" t="s"><v>{i}</v></c><c r="B{r}"><v>{r}</v></c></row>"#
        )
        .ok();
    }
    data.push_str("</sheetData>");
    data
}

/// Cell formats 0..=14 (`cellXfs`), with traps: `cellStyleXfs` and `dxfs` holding formats of
/// their own that no cell uses.
pub(super) const STYLES: &str = concat!(
    r#"<numFmts count="8"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="0.00"/>"#,
    r#"<numFmt numFmtId="166" formatCode="&quot;yy&quot;0"/><numFmt numFmtId="167" formatCode="[h]:mm:ss"/>"#,
    r#"<numFmt numFmtId="168" formatCode="[Red]#,##0"/><numFmt numFmtId="169" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>"#,
    r#"<numFmt numFmtId="170" formatCode="0.00_);[Red]\(0.00\)"/><numFmt numFmtId="171" formatCode="[$-F800]dddd\,\ mmmm\ dd\,\ yyyy"/></numFmts>"#,
    r#"<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="14" fontId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="15"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="22" applyNumberFormat="1"/><xf numFmtId="46" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="165" applyNumberFormat="1"/><xf numFmtId="166" applyNumberFormat="1"/><xf numFmtId="167" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="168"/><xf numFmtId="169" applyNumberFormat="1"><alignment horizontal="center"/></xf><xf numFmtId="170"/>"#,
    r#"<xf numFmtId="171"/><xf fontId="0"/><xf numFmtId="49" applyNumberFormat="1"/><xf numFmtId="45" applyNumberFormat="1"/></cellXfs>"#,
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    r#"<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="yyyy"/></dxf></dxfs>"#,
);

/// How many cell formats [`STYLES`] defines.
pub(super) const STYLE_COUNT: usize = 15;

/// The numbers of every styled row.
const STYLED_VALUES: [&str; 8] = [
    "46327.395833333336",
    "0.75",
    "1.5",
    "-1",
    "0",
    "45000",
    "2958466",
    "1E-3",
];

/// A row per style of `styles` (then out-of-range and unreadable style indexes), each holding
/// the same numbers and a styled string and boolean.
pub(super) fn styled_rows(styles: usize) -> String {
    let mut data = String::from("<sheetData>");
    let mut attrs: Vec<String> = (0..styles).map(|s| format!(r#" s="{s}""#)).collect();
    attrs.extend([r#" s="99""#, r#" s="x""#, r#" s="""#, ""].map(str::to_owned));
    for (i, s) in attrs.iter().enumerate() {
        let r = i + 1;
        write!(data, r#"<row r="{r}">"#).ok();
        for (c, v) in STYLED_VALUES.iter().enumerate() {
            let col = (b'A' + c as u8) as char;
            write!(data, r#"<c r="{col}{r}"{s}><v>{v}</v></c>"#).ok();
        }
        write!(data, r#"<c r="I{r}"{s} t="s"><v>0</v></c><c r="J{r}"{s} t="b"><v>1</v></c><c r="K{r}"{s} t="n"><v>2</v></c></row>"#).ok();
    }
    data.push_str("</sheetData>");
    data
}

/// A workbook of [`styled_rows`] for every style of `styles` (a `<styleSheet>`'s inside), or
/// without `styles.xml`.
pub(super) fn styled_book(styles: Option<&str>) -> Book {
    let book = Book::one(&styled_rows(STYLE_COUNT)).strings(PLAIN);
    match styles {
        Some(styles) => book.styles(styles),
        None => book,
    }
}

/// A tiny linear congruential generator: deterministic, no dependency.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// `rows` rows × 36 columns of every kind of cell, picked by a seeded generator: shared strings
/// of [`all_strings`], numbers styled by [`STYLES`], inline strings, booleans, errors, formulas,
/// ISO dates, empty cells, missing cells, rows and cells without references, missing rows.
pub(super) fn large_book(rows: u32, seed: u64) -> Book {
    Book::one(&large_data(rows, seed))
        .strings(&all_strings())
        .styles(STYLES)
}

/// The XML inside `<worksheet>` of [`large_book`].
pub(super) fn large_data(rows: u32, seed: u64) -> String {
    let strings = all_strings();
    let mut rng = Lcg(seed);
    let mut data = String::from(r#"<sheetFormatPr defaultRowHeight="15"/><sheetData>"#);
    let mut r = 0;
    while r < rows {
        r += 1 + u32::from(rng.below(50) == 0) * 3;
        let implicit_row = rng.below(40) == 0;
        match implicit_row {
            // A row without `r` follows the previous one, so must come right after it.
            true => data.push_str("<row>"),
            false => write!(data, r#"<row r="{r}" spans="1:36">"#).unwrap_or(()),
        }
        for c in 0..36u8 {
            let at = match (implicit_row || rng.below(60) == 0, c < 26) {
                (true, _) => String::new(),
                (false, true) => format!(r#" r="{}{r}""#, (b'A' + c) as char),
                (false, false) => format!(r#" r="A{}{r}""#, (b'A' + c - 26) as char),
            };
            let s = rng.below(STYLE_COUNT as u64 + 1);
            let n = rng.below(1_000_000);
            let cell = match rng.below(16) {
                0..=2 => format!(
                    r#"<c{at} t="s"><v>{}</v></c>"#,
                    rng.below(strings.len() as u64)
                ),
                3 => format!(r#"<c{at} s="{s}"><v>{n}</v></c>"#),
                4 => format!(
                    r#"<c{at} s="{s}"><v>{}.{:03}</v></c>"#,
                    40_000 + n % 9_000,
                    n % 1000
                ),
                5 => format!(r#"<c{at}><v>-{n}.5E-3</v></c>"#),
                6 => format!(r#"<c{at} t="inlineStr"><is><t>行{r}列{c} &amp; {n}</t></is></c>"#),
                7 => format!(r#"<c{at} t="b"><v>{}</v></c>"#, n % 2),
                8 => format!(
                    r#"<c{at} t="e"><v>{}</v></c>"#,
                    ["#N/A", "#DIV/0!", "#VALUE!", "#REF!"][n as usize % 4]
                ),
                9 => format!(r#"<c{at} t="str"><f>A1&amp;"x"</f><v>{n}_x000D_&lt;</v></c>"#),
                10 => format!(r#"<c{at}><f>SUM(A1:B1)</f><v>{n}</v></c>"#),
                11 => format!(
                    r#"<c{at} t="d"><v>2026-{:02}-01T09:30:00</v></c>"#,
                    1 + n % 12
                ),
                12 => format!(r#"<c{at} s="{s}"/>"#),
                13 if at.is_empty() => "<c/>".to_owned(),
                13 => continue,
                14 => format!(r#"<c{at} t="n" s="4"><v>{n}</v></c>"#),
                _ => format!(r#"<c{at}><v>{n}</v></c>"#),
            };
            data.push_str(&cell);
        }
        data.push_str("</row>");
    }
    data.push_str("</sheetData>");
    data
}
