//! Workbooks written part by part for the equivalence tests, and how two readings differ,
//! said in words.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::Outcome;

pub(super) const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
pub(super) const REL_NS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(super) const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
pub(super) const CT: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
pub(super) const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// One workbook, every part as XML text.
pub(super) struct Book {
    /// Sheet names as `workbook.xml` spells them (escaped), each with its whole part.
    sheets: Vec<(String, Vec<u8>)>,
    /// The whole `sharedStrings.xml`, if any.
    shared: Option<String>,
    /// The shared strings' entry name inside `xl/`.
    shared_name: &'static str,
    /// The whole `styles.xml`, if any.
    styles: Option<String>,
    /// `<workbookPr …/>` or nothing.
    workbook_pr: &'static str,
    /// Relationship targets written `/xl/…` rather than relative to `xl/`.
    absolute: bool,
}

impl Book {
    /// A workbook of no sheet yet.
    pub(super) fn new() -> Book {
        Book {
            sheets: Vec::new(),
            shared: None,
            shared_name: "sharedStrings.xml",
            styles: None,
            workbook_pr: "",
            absolute: false,
        }
    }

    /// A one-sheet workbook: `inside` is the XML inside `<worksheet>`.
    pub(super) fn one(inside: &str) -> Book {
        Book::new().sheet("Sheet1", inside)
    }

    /// Adds a sheet (`name` escaped as XML) whose `<worksheet>` holds `inside`.
    pub(super) fn sheet(self, name: &str, inside: &str) -> Book {
        let part = format!(
            r#"{HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{inside}</worksheet>"#
        );
        self.sheet_part(name, &part)
    }

    /// Adds a sheet whose whole part is `part`.
    pub(super) fn sheet_part(self, name: &str, part: &str) -> Book {
        self.sheet_bytes(name, part.as_bytes().to_vec())
    }

    /// Adds a sheet whose whole part is `part`, in whatever encoding.
    pub(super) fn sheet_bytes(mut self, name: &str, part: Vec<u8>) -> Book {
        self.sheets.push((name.to_owned(), part));
        self
    }

    /// Shared strings: `items` are the `<si>` elements.
    pub(super) fn strings(self, items: &[&str]) -> Book {
        let part = format!(
            r#"{HEAD}<sst xmlns="{MAIN_NS}" count="{n}" uniqueCount="{n}">{}</sst>"#,
            items.concat(),
            n = items.len()
        );
        self.strings_part(&part)
    }

    /// Shared strings whose whole part is `part`.
    pub(super) fn strings_part(mut self, part: &str) -> Book {
        self.shared = Some(part.to_owned());
        self
    }

    /// The shared strings stored as `xl/{name}` (and so named in the relationships).
    pub(super) fn strings_named(mut self, name: &'static str) -> Book {
        self.shared_name = name;
        self
    }

    /// `styles.xml` holding `inside` in its `<styleSheet>`.
    pub(super) fn styles(mut self, inside: &str) -> Book {
        self.styles = Some(format!(
            r#"{HEAD}<styleSheet xmlns="{MAIN_NS}">{inside}</styleSheet>"#
        ));
        self
    }

    /// `<workbookPr>` of the workbook.
    pub(super) fn workbook_pr(mut self, pr: &'static str) -> Book {
        self.workbook_pr = pr;
        self
    }

    /// Relationship targets as absolute part names (`/xl/worksheets/sheet1.xml`).
    pub(super) fn absolute_targets(mut self) -> Book {
        self.absolute = true;
        self
    }

    /// The `.xlsx` file. Sheet `i` of `n` is stored as `sheet{n - i}.xml` under relationship
    /// `rId{n - i}`, so that only the relationships tell which part is which sheet.
    pub(super) fn bytes(&self) -> Vec<u8> {
        self.write().expect("an in-memory workbook writes")
    }

    fn write(&self) -> zip::result::ZipResult<Vec<u8>> {
        let (mut types, mut rels, mut sheets) = (String::new(), String::new(), String::new());
        let mut parts: Vec<(String, &[u8])> = Vec::new();
        let mut add = |part: String, kind: [&str; 2], id: usize, bytes| {
            let [content, rel] = kind;
            let target = if self.absolute {
                format!("/xl/{part}")
            } else {
                part.clone()
            };
            types +=
                &format!(r#"<Override PartName="/xl/{part}" ContentType="{CT}.{content}+xml"/>"#);
            rels +=
                &format!(r#"<Relationship Id="rId{id}" Type="{REL_NS}/{rel}" Target="{target}"/>"#);
            parts.push((format!("xl/{part}"), bytes));
        };
        let n = self.sheets.len();
        for (i, (name, part)) in self.sheets.iter().enumerate() {
            let k = n - i;
            add(
                format!("worksheets/sheet{k}.xml"),
                ["worksheet"; 2],
                k,
                part.as_slice(),
            );
            sheets += &format!(
                r#"<sheet name="{name}" sheetId="{}" r:id="rId{k}"/>"#,
                i + 1
            );
        }
        if let Some(part) = &self.shared {
            add(
                self.shared_name.to_owned(),
                ["sharedStrings"; 2],
                n + 1,
                part.as_bytes(),
            );
        }
        if let Some(part) = &self.styles {
            add(
                "styles.xml".to_owned(),
                ["styles"; 2],
                n + 2,
                part.as_bytes(),
            );
        }
        let pr = self.workbook_pr;
        let package = [
            (
                "[Content_Types].xml",
                format!(
                    r#"{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>{types}</Types>"#
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
                    r#"{HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{pr}<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(r#"{HEAD}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>"#),
            ),
        ];
        let opts = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1));
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let package = package.iter().map(|(e, p)| (*e, p.as_bytes()));
        for (entry, part) in package.chain(parts.iter().map(|(e, p)| (e.as_str(), *p))) {
            zip.start_file(entry, opts)?;
            zip.write_all(part)?;
        }
        Ok(zip.finish()?.into_inner())
    }
}

/// Where two readings differ: their outcomes, or the first rows that differ, cell by cell.
pub(super) fn difference(fast: &Outcome, calamine: &Outcome) -> String {
    let (Outcome::Read { rows: a, sheet: sa }, Outcome::Read { rows: b, sheet: sb }) =
        (fast, calamine)
    else {
        return format!("fast: {}; calamine: {}", summary(fast), summary(calamine));
    };
    let mut out = format!(
        "fast/calamine: sheet {sa:?}/{sb:?}, {}/{} rows",
        a.len(),
        b.len()
    );
    if a.len() != b.len() {
        let extra = a.get(b.len()).or(b.get(a.len()));
        out.push_str(&format!("; the first row only one has: {extra:?}"));
    }
    let differing = a.iter().zip(b).enumerate().filter(|(_, (x, y))| x != y);
    for (i, ((ra, ca), (rb, cb))) in differing.take(8) {
        out.push_str(&format!(
            "\nrow #{i}: fast says row {ra}, calamine row {rb}"
        ));
        for c in 0..ca.len().max(cb.len()) {
            let (x, y) = (ca.get(c).map(|x| short(x)), cb.get(c).map(|y| short(y)));
            if x != y {
                out.push_str(&format!("\n  column {c}: fast {x:?}, calamine {y:?}"));
            }
        }
    }
    out
}

fn summary(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Read { sheet, rows } => format!("read {} rows of {sheet:?}", rows.len()),
        other => format!("{other:?}"),
    }
}

/// A cell's rendering cut to 120 characters, for messages.
fn short(cell: &str) -> String {
    match cell.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &cell[..at]),
        None => cell.to_owned(),
    }
}
