//! Rows of arbitrary strings as a sheet's first rows: header detection and alias mapping,
//! checked against a model of docs/data-format.md §1–§2 (the header is the first non-blank row
//! holding every required column; `Column::from_header` names each header cell; a column's
//! second header is ignored; each column is read from where its header is).
//!
//! The rows go in as a CSV with every field quoted, so any string survives, through `ingest`:
//! the path an upload takes. Known columns are spelled the way real exports do (aliases, Latin
//! case, white space inside and around, a BOM). A `Header` row holds all five required columns
//! (in an order and among other cells the fuzzer picks), and a `Line` row puts valid values
//! under the model's header, so found headers and accepted lines are reached at once.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use storeboard_data::ingest::{HEADER_GIVE_UP_CELLS, HEADER_SEARCH_ROWS, MAX_COLUMNS};
use storeboard_data::limits::MAX_TEXT_CHARS;
use storeboard_data::schema::{Column, Level};
use storeboard_data::{ingest, IngestError, IngestOptions};

#[derive(Arbitrary, Debug)]
enum Row {
    /// Any cells.
    Cells(Vec<Field>),
    /// The five required columns, spelled as given, among `others`, the whole row rotated.
    Header {
        required: [Spelling; 5],
        others: Vec<Field>,
        rotate: u8,
    },
    /// A valid order line under the header found so far (a blank row before one is found).
    Line { id: u8, store: u8, quantity: u8 },
}

#[derive(Arbitrary, Debug)]
enum Field {
    /// A known column, spelled one of its ways.
    Known {
        column: u8,
        spelling: Spelling,
    },
    /// Anything at all.
    Raw(String),
    Empty,
}

/// One way to write a column's header: its canonical name (`alias` 0) or an alias, decorated.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Spelling {
    alias: u8,
    upper: bool,
    around: Space,
    inside: Option<(u8, Space)>,
    bom: bool,
}

/// White space that header matching must ignore.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Space {
    None,
    Blank,
    Tab,
    Newline,
    NoBreak,
    Ideographic,
}

impl Space {
    fn as_str(self) -> &'static str {
        match self {
            Space::None => "",
            Space::Blank => " ",
            Space::Tab => "\t",
            Space::Newline => "\r\n",
            Space::NoBreak => "\u{a0}",
            Space::Ideographic => "\u{3000}",
        }
    }
}

impl Spelling {
    fn write(self, col: Column) -> String {
        let spellings: Vec<&str> = std::iter::once(col.name())
            .chain(col.aliases().iter().copied())
            .collect();
        let base = spellings[usize::from(self.alias) % spellings.len()];
        let mut s = String::new();
        if self.bom {
            s.push('\u{feff}');
        }
        s.push_str(self.around.as_str());
        let chars = base.chars().count();
        for (i, c) in base.chars().enumerate() {
            if let Some((at, space)) = self.inside {
                if i > 0 && i == usize::from(at) % chars {
                    s.push_str(space.as_str());
                }
            }
            s.push(if self.upper {
                c.to_ascii_uppercase()
            } else {
                c
            });
        }
        s.push_str(self.around.as_str());
        // The claim of data-format.md §2: spaces, Latin case and a BOM do not matter.
        assert_eq!(Column::from_header(&s), Some(col), "{s:?}");
        s
    }
}

impl Field {
    fn render(&self) -> String {
        match self {
            Field::Empty => String::new(),
            Field::Raw(s) => s.clone(),
            Field::Known { column, spelling } => {
                spelling.write(Column::ALL[usize::from(*column) % Column::ALL.len()])
            }
        }
    }
}

/// A row's non-blank cells, trimmed, with their positions: what the header search sees.
fn texts(row: &[String]) -> Vec<(usize, &str)> {
    row.iter()
        .take(MAX_COLUMNS)
        .map(|f| f.trim())
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .collect()
}

/// Text as the report keeps it: at most `MAX_TEXT_CHARS` characters.
fn cut(text: &str) -> String {
    text.chars().take(MAX_TEXT_CHARS).collect()
}

/// A found header: where it is, where each column it maps is, and the headers it ignores.
struct Header {
    row: usize,
    positions: Vec<(usize, Column)>,
    ignored: Vec<String>,
}

/// The header search, fed one row at a time.
#[derive(Default)]
struct Search {
    rows: usize,
    header: Option<Header>,
    /// Stopped without a header.
    given_up: bool,
    /// The row that came closest: the required columns it lacks and its headers.
    best: Option<(Vec<Column>, Vec<String>)>,
    /// Non-blank rows after the header, and how many of them are `Line` rows.
    lines: usize,
    valid_lines: usize,
}

impl Search {
    fn feed(&mut self, row: &[String], valid_line: bool) {
        self.rows += 1;
        let texts = texts(row);
        if texts.is_empty() {
            // As ingest does: a blank row does not count against the search, even the 30th,
            // so blank rows from row 30 on let a header further down be found.
            return;
        }
        if self.header.is_some() {
            self.lines += 1;
            self.valid_lines += usize::from(valid_line);
            return;
        }
        if self.given_up {
            return;
        }
        let mut positions: Vec<(usize, Column)> = Vec::new();
        let mut ignored = Vec::new();
        for &(i, text) in &texts {
            // A row with no known header among its first cells is given up on.
            if i >= HEADER_GIVE_UP_CELLS && positions.is_empty() {
                break;
            }
            match Column::from_header(text) {
                Some(col) if !positions.iter().any(|&(_, c)| c == col) => positions.push((i, col)),
                _ => ignored.push(cut(text)),
            }
        }
        let missing: Vec<Column> = Column::required_columns()
            .filter(|c| !positions.iter().any(|(_, k)| k == c))
            .collect();
        if missing.is_empty() {
            self.header = Some(Header {
                row: self.rows,
                positions,
                ignored,
            });
            return;
        }
        if self
            .best
            .as_ref()
            .is_none_or(|(m, _)| missing.len() < m.len())
        {
            let found = texts.iter().take(50).map(|(_, t)| cut(t)).collect();
            self.best = Some((missing, found));
        }
        if self.rows >= HEADER_SEARCH_ROWS {
            self.given_up = true;
        }
    }

    /// A valid line under the header found so far: every required column filled, nothing else.
    fn line(&self, id: u8, store: u8, quantity: u8) -> Vec<String> {
        let Some(header) = &self.header else {
            return vec![String::new()];
        };
        let width = header
            .positions
            .iter()
            .map(|&(i, _)| i + 1)
            .max()
            .unwrap_or(1);
        let mut cells = vec![String::new(); width];
        for &(i, col) in &header.positions {
            cells[i] = match col {
                Column::OrderId => format!("O-{id}"),
                Column::OrderTime => "2026-11-01 09:30:00".to_owned(),
                Column::Store => format!("{store}号店"),
                Column::Product => "香蕉".to_owned(),
                Column::Quantity => quantity.to_string(),
                _ => continue,
            };
        }
        cells
    }
}

fn names(cols: &[Column]) -> Vec<String> {
    cols.iter().map(|c| c.name().to_owned()).collect()
}

fuzz_target!(|input: Vec<Row>| {
    let mut search = Search::default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for row in &input {
        let (cells, valid_line) = match row {
            Row::Cells(fields) => (fields.iter().map(Field::render).collect(), false),
            Row::Header {
                required,
                others,
                rotate,
            } => {
                let mut cells: Vec<String> = Column::required_columns()
                    .zip(required)
                    .map(|(col, spelling)| spelling.write(col))
                    .chain(others.iter().map(Field::render))
                    .collect();
                let by = usize::from(*rotate) % cells.len();
                cells.rotate_left(by);
                (cells, false)
            }
            &Row::Line {
                id,
                store,
                quantity,
            } => (search.line(id, store, quantity), search.header.is_some()),
        };
        // A record needs a field: an empty row is one empty cell.
        let cells = if cells.is_empty() {
            vec![String::new()]
        } else {
            cells
        };
        search.feed(&cells, valid_line);
        rows.push(cells);
    }

    let mut csv = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .flexible(true)
        .from_writer(Vec::new());
    for row in &rows {
        csv.write_record(row).expect("writing to a Vec");
    }
    let bytes = csv.into_inner().expect("writing to a Vec");

    let result = ingest(
        std::io::Cursor::new(&bytes),
        "header.csv",
        &IngestOptions::default(),
    );

    // The reader takes a first line with a tab and no comma for a tab-separated file: then the
    // quoted comma-separated rows are read another way than written, and only "no panic" holds.
    let text = std::str::from_utf8(&bytes).expect("UTF-8 in, UTF-8 out");
    let first_line = text.lines().next().unwrap_or("");
    if first_line.contains('\t') && !first_line.contains(',') {
        return;
    }

    match (search.header, result) {
        (Some(header), Ok(done)) => {
            let report = done.report;
            assert_eq!(report.header_row as usize, header.row);
            assert_eq!(report.accepted_lines + report.rejected_lines, search.lines);
            assert!(report.accepted_lines >= search.valid_lines);
            assert_eq!(report.ignored_column_count, header.ignored.len());
            assert_eq!(
                report.ignored_columns,
                header.ignored.into_iter().take(200).collect::<Vec<_>>()
            );
            let missing_optional: Vec<Column> = Column::ALL
                .iter()
                .copied()
                .filter(|c| {
                    !c.required()
                        && c.level() != Level::Key
                        && !header.positions.iter().any(|(_, k)| k == c)
                })
                .collect();
            let reported: Vec<String> = report
                .missing_optional
                .iter()
                .map(|m| m.column.clone())
                .collect();
            assert_eq!(reported, names(&missing_optional));
        }
        (Some(header), Err(IngestError::NoLines { header_row, .. })) if search.lines == 0 => {
            assert_eq!(header_row as usize, header.row);
        }
        (None, Err(IngestError::MissingColumns { missing, found, .. }))
            if search.best.is_some() =>
        {
            let (want_missing, want_found) = search.best.expect("checked");
            assert_eq!(missing, names(&want_missing));
            assert_eq!(found, want_found);
        }
        (None, Err(IngestError::EmptySheet { .. })) if search.best.is_none() => {}
        (header, got) => {
            let expected = match header {
                Some(h) => format!("a header at row {}, {} lines", h.row, search.lines),
                None => format!("no header (closest: {:?})", search.best),
            };
            panic!(
                "expected {expected}, got {:?}",
                got.map(|d| (d.report.header_row, d.report.accepted_lines))
            );
        }
    }
});
