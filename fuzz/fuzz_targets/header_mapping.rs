//! Rows of arbitrary strings as a sheet's first rows: header detection and alias mapping,
//! checked against a model of docs/data-format.md §1–§2 (the header is the first non-blank row
//! holding every required column; `Column::from_header` names each header cell; a column's
//! second header is ignored).
//!
//! The rows go in as a CSV with every field quoted, so any string survives, through `ingest`:
//! the path an upload takes. Known columns are often spelled the way real exports do (aliases,
//! Latin case, white space inside and around, a BOM), so the fuzzer reaches found headers often.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use storeboard_data::ingest::{HEADER_SEARCH_ROWS, MAX_COLUMNS};
use storeboard_data::schema::{Column, Level};
use storeboard_data::{ingest, IngestError, IngestOptions};

#[derive(Arbitrary, Debug)]
enum Field {
    /// A known column's canonical name (`alias` 0) or one of its aliases, decorated.
    Known {
        column: u8,
        alias: u8,
        upper: bool,
        around: Space,
        inside: Option<(u8, Space)>,
        bom: bool,
    },
    /// Anything at all.
    Raw(String),
    Empty,
}

/// White space that header matching must ignore.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Space {
    None,
    Space,
    Tab,
    Newline,
    NoBreak,
    Ideographic,
}

impl Space {
    fn as_str(self) -> &'static str {
        match self {
            Space::None => "",
            Space::Space => " ",
            Space::Tab => "\t",
            Space::Newline => "\r\n",
            Space::NoBreak => "\u{a0}",
            Space::Ideographic => "\u{3000}",
        }
    }
}

impl Field {
    fn render(&self) -> String {
        match self {
            Field::Empty => String::new(),
            Field::Raw(s) => s.clone(),
            &Field::Known {
                column,
                alias,
                upper,
                around,
                inside,
                bom,
            } => {
                let col = Column::ALL[usize::from(column) % Column::ALL.len()];
                let spellings: Vec<&str> = std::iter::once(col.name())
                    .chain(col.aliases().iter().copied())
                    .collect();
                let base = spellings[usize::from(alias) % spellings.len()];
                let mut s = String::new();
                if bom {
                    s.push('\u{feff}');
                }
                s.push_str(around.as_str());
                let chars = base.chars().count();
                for (i, c) in base.chars().enumerate() {
                    if let Some((at, space)) = inside {
                        if i > 0 && i == usize::from(at) % chars {
                            s.push_str(space.as_str());
                        }
                    }
                    s.push(if upper { c.to_ascii_uppercase() } else { c });
                }
                s.push_str(around.as_str());
                // The claim of data-format.md §2: spaces, Latin case and a BOM do not matter.
                assert_eq!(Column::from_header(&s), Some(col), "{s:?}");
                s
            }
        }
    }
}

/// What a CSV row looks like to the header search: its non-blank cells, trimmed.
fn texts(row: &[String]) -> Vec<&str> {
    row.iter()
        .take(MAX_COLUMNS)
        .map(|f| f.trim())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The columns a header row maps (first occurrence wins) and the headers it ignores.
fn map(row: &[String]) -> (Vec<Column>, Vec<String>) {
    let mut mapped = Vec::new();
    let mut ignored = Vec::new();
    for text in texts(row) {
        match Column::from_header(text) {
            Some(col) if !mapped.contains(&col) => mapped.push(col),
            _ => ignored.push(text.to_owned()),
        }
    }
    (mapped, ignored)
}

enum Expected {
    Empty,
    Missing { missing: Vec<Column>, found: Vec<String> },
    Header { row: usize, mapped: Vec<Column>, ignored: Vec<String>, lines: usize },
}

fn model(rows: &[Vec<String>]) -> Expected {
    let mut best: Option<(Vec<Column>, Vec<String>)> = None;
    for (i, row) in rows.iter().enumerate() {
        if texts(row).is_empty() {
            // As ingest does: a blank row does not count against the search, even the 30th,
            // so blank rows from row 30 on let a header further down be found.
            continue;
        }
        let (mapped, ignored) = map(row);
        let missing: Vec<Column> = Column::required_columns()
            .filter(|c| !mapped.contains(c))
            .collect();
        if missing.is_empty() {
            let lines = rows[i + 1..].iter().filter(|r| !texts(r).is_empty()).count();
            return Expected::Header { row: i + 1, mapped, ignored, lines };
        }
        if best.as_ref().is_none_or(|(m, _)| missing.len() < m.len()) {
            let found = texts(row).into_iter().take(50).map(str::to_owned).collect();
            best = Some((missing, found));
        }
        if i + 1 >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    match best {
        Some((missing, found)) => Expected::Missing { missing, found },
        None => Expected::Empty,
    }
}

fn names(cols: &[Column]) -> Vec<String> {
    cols.iter().map(|c| c.name().to_owned()).collect()
}

fuzz_target!(|rows: Vec<Vec<Field>>| {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| match row.as_slice() {
            [] => vec![String::new()],
            fields => fields.iter().map(Field::render).collect(),
        })
        .collect();
    let mut csv = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .flexible(true)
        .from_writer(Vec::new());
    for row in &rows {
        csv.write_record(row).expect("writing to a Vec");
    }
    let bytes = csv.into_inner().expect("writing to a Vec");

    let result = ingest(std::io::Cursor::new(&bytes), "header.csv", &IngestOptions::default());

    // The reader takes a first line with a tab and no comma for a tab-separated file: then the
    // quoted comma-separated rows are read another way than written, and only "no panic" holds.
    let text = std::str::from_utf8(&bytes).expect("UTF-8 in, UTF-8 out");
    let first_line = text.lines().next().unwrap_or("");
    if first_line.contains('\t') && !first_line.contains(',') {
        return;
    }

    match (model(&rows), result) {
        (Expected::Empty, Err(IngestError::EmptySheet { .. })) => {}
        (Expected::Missing { missing, found }, Err(IngestError::MissingColumns { missing: m, found: f, .. })) => {
            assert_eq!(m, names(&missing));
            assert_eq!(f, found);
        }
        (Expected::Header { row, lines: 0, .. }, Err(IngestError::NoLines { header_row, .. })) => {
            assert_eq!(header_row as usize, row);
        }
        (Expected::Header { row, mapped, ignored, lines }, Ok(done)) => {
            let report = done.report;
            assert_eq!(report.header_row as usize, row);
            assert_eq!(report.accepted_lines + report.rejected_lines, lines);
            assert_eq!(report.ignored_column_count, ignored.len());
            assert_eq!(report.ignored_columns, ignored.into_iter().take(200).collect::<Vec<_>>());
            let missing_optional: Vec<Column> = Column::ALL
                .iter()
                .copied()
                .filter(|c| !c.required() && c.level() != Level::Key && !mapped.contains(c))
                .collect();
            let reported: Vec<String> =
                report.missing_optional.iter().map(|m| m.column.clone()).collect();
            assert_eq!(reported, names(&missing_optional));
        }
        (expected, got) => {
            let expected = match expected {
                Expected::Empty => "an empty sheet".to_owned(),
                Expected::Missing { missing, .. } => format!("missing {:?}", names(&missing)),
                Expected::Header { row, lines, .. } => format!("header at {row}, {lines} lines"),
            };
            panic!("expected {expected}, got {:?}", got.map(|d| d.report));
        }
    }
});
