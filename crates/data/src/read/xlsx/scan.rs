//! The sheet's XML scanned for its cells, byte by byte, without a general XML parser: a sheet
//! is millions of `<c r="B7" t="s"><v>12</v></c>`, and this is where an upload spends its time.
//!
//! The rules are calamine's (`XlsxCellReader::next_cell`), so that every cell reads the same:
//! a cell's position is its `r`, or the one after the previous cell; `t` says how `<v>` reads
//! (`s` a shared string, `b` a boolean, `e` an error, `str` text, `d` an ISO date, none or `n` a
//! number, a date when its style `s` is a date format); `<is>` is inline rich text; `<f>`
//! formulas are skipped; empty cells are kept.
//!
//! The scanner works on chunks of the sheet that end anywhere: when a chunk ends inside a cell
//! or a tag it stops before it ([`Stop::More`]) and is handed that tail again with the next
//! chunk.

use super::book::{self, Format};
use super::text::unescape_xml;
use crate::limits::{declared_cells, Extent};
use bytes::{
    attr, close_of, closing_start, content_text, digits, position, row_of, skip_special, tag, Tag,
};

/// A cell's value; text lives in the batch's `owned` string or the shared strings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Val {
    Empty,
    /// Index into the shared strings.
    Shared(u32),
    /// `owned[start..end]` of its batch.
    Owned(u32, u32),
    Float(f64),
    DateTime(f64),
    Bool(bool),
    /// Index into [`ERRORS`].
    Error(u8),
}

/// Excel's error values.
pub(super) const ERRORS: [&str; 7] = [
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
];

/// One cell: 0-based row and column, and its value.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawCell {
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) val: Val,
}

/// Where a scan of a chunk stopped.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// The chunk ended inside a tag or a cell starting at this offset: hand it on again.
    More(usize),
    /// `</sheetData>`: every cell was read.
    Done,
}

/// Why a sheet cannot be read.
#[derive(Debug)]
pub(super) enum ScanError {
    /// Malformed or unexpected XML, said in words.
    Xml(String),
    /// The `<dimension>` declares more cells than the budget.
    Declared(u64),
    /// The cells read so far span more than the budget.
    Spans(u64),
    /// One cell, tag or comment runs on past `pipe::MAX_CUT` bytes.
    TooLong,
}

fn xml<T>(what: impl Into<String>) -> Result<T, ScanError> {
    Err(ScanError::Xml(what.into()))
}

/// The scanner's state between chunks.
pub(super) struct Scanner<'b> {
    strings: &'b [String],
    formats: &'b [Format],
    budget: u64,
    extent: Extent,
    in_data: bool,
    /// The first element of the part, to say what it is when it is not a worksheet.
    first: Option<String>,
    row: u32,
    col: u32,
}

impl<'b> Scanner<'b> {
    pub(super) fn new(strings: &'b [String], formats: &'b [Format], budget: u64) -> Self {
        Scanner {
            strings,
            formats,
            budget,
            extent: Extent::default(),
            in_data: false,
            first: None,
            row: 0,
            col: 0,
        }
    }

    /// Scans `data` from its start; cells go to `out`, their text to `owned`.
    pub(super) fn scan(
        &mut self,
        data: &[u8],
        out: &mut Vec<RawCell>,
        owned: &mut String,
    ) -> Result<Stop, ScanError> {
        let mut at = 0;
        loop {
            let lt = if data.get(at) == Some(&b'<') {
                at
            } else {
                match memchr::memchr(b'<', &data[at..]) {
                    Some(i) => at + i,
                    None => return Ok(Stop::More(data.len())),
                }
            };
            if self.in_data && data.get(lt + 1) == Some(&b'c') {
                if let Some(plain) = self.plain_cell(data, lt, owned) {
                    let (end, cell) = plain?;
                    self.keep(cell, out)?;
                    at = end;
                    continue;
                }
            }
            let Some(skip) = skip_special(data, lt)? else {
                return Ok(Stop::More(lt));
            };
            if skip > lt {
                at = skip;
                continue;
            }
            let Some(tag) = tag(data, lt) else {
                return Ok(Stop::More(lt));
            };
            if !self.in_data {
                at = tag.end;
                self.header(&tag)?;
                if self.in_data && tag.empty {
                    return Ok(Stop::Done);
                }
                continue;
            }
            match (tag.closing, tag.name) {
                (true, b"sheetData") => return Ok(Stop::Done),
                (true, b"row") => self.end_row(),
                (false, b"row") => {
                    if let Some(r) = attr(tag.attrs, b"r") {
                        self.row = row_of(r)?;
                    }
                    if tag.empty {
                        self.end_row();
                    }
                }
                (false, b"c") => match self.cell(data, &tag, owned)? {
                    Some((end, cell)) => {
                        self.keep(cell, out)?;
                        at = end;
                        continue;
                    }
                    None => return Ok(Stop::More(lt)),
                },
                _ => {}
            }
            at = tag.end;
        }
    }

    /// Adds a cell, refused once the cells span more than the budget.
    fn keep(&mut self, cell: RawCell, out: &mut Vec<RawCell>) -> Result<(), ScanError> {
        if cell.val != Val::Empty {
            self.extent.add_cell(cell.row, cell.col);
            if self.extent.cells() > self.budget {
                return Err(ScanError::Spans(self.extent.cells()));
            }
        }
        out.push(cell);
        Ok(())
    }

    fn end_row(&mut self) {
        self.row = self.row.wrapping_add(1);
        self.col = 0;
    }

    /// A tag before `<sheetData>`: the declared dimension, or what the part is.
    fn header(&mut self, tag: &Tag<'_>) -> Result<(), ScanError> {
        if tag.closing {
            return Ok(());
        }
        match tag.name {
            b"sheetData" => self.in_data = true,
            b"dimension" => {
                let Some(range) = attr(tag.attrs, b"ref") else {
                    return xml("a <dimension> without its ref");
                };
                let mut parts = range.split(|&b| b == b':');
                let start = position(parts.next().unwrap_or_default())?;
                let end = match parts.next() {
                    Some(p) => position(p)?,
                    None => start,
                };
                if parts.next().is_some() {
                    return xml("a <dimension> with more than two corners");
                }
                let cells = declared_cells(start, end);
                if cells > self.budget {
                    return Err(ScanError::Declared(cells));
                }
            }
            other => {
                self.first
                    .get_or_insert_with(|| String::from_utf8_lossy(other).into_owned());
            }
        }
        Ok(())
    }

    /// What the part turned out to be when it ended before `<sheetData>`.
    pub(super) fn not_a_sheet(&self) -> ScanError {
        match &self.first {
            Some(first) if !self.in_data => {
                ScanError::Xml(format!("the sheet's part is a <{first}>, not a worksheet"))
            }
            _ => ScanError::Xml("the sheet ends before </sheetData>".to_owned()),
        }
    }

    /// The cell whose start tag is `start`: its end offset and the cell, or `None` when the
    /// chunk ends inside it.
    fn cell(
        &mut self,
        data: &[u8],
        start: &Tag<'_>,
        owned: &mut String,
    ) -> Result<Option<(usize, RawCell)>, ScanError> {
        let (r, style, kind) = (
            attr(start.attrs, b"r"),
            attr(start.attrs, b"s"),
            attr(start.attrs, b"t"),
        );
        let (row, col) = match r {
            Some(r) => {
                let (row, col) = position(r)?;
                self.col = col;
                (row, col)
            }
            None => (self.row, self.col),
        };
        let mark = owned.len();
        let read = if start.empty {
            Some((start.end, Val::Empty))
        } else {
            self.content(data, start.end, (style, kind), (row, col), owned)?
        };
        let Some((end, val)) = read else {
            owned.truncate(mark);
            return Ok(None);
        };
        self.col = col.wrapping_add(1);
        Ok(Some((end, RawCell { row, col, val })))
    }

    /// A cell's children from `at` to its `</c>`: its end and value (the last child's, as in
    /// calamine), or `None` when the chunk ends first.
    fn content(
        &self,
        data: &[u8],
        mut at: usize,
        (style, kind): (Option<&[u8]>, Option<&[u8]>),
        (row, col): (u32, u32),
        owned: &mut String,
    ) -> Result<Option<(usize, Val)>, ScanError> {
        let mut val = Val::Empty;
        loop {
            let Some(lt) = memchr::memchr(b'<', &data[at..]).map(|i| at + i) else {
                return Ok(None);
            };
            let Some(skip) = skip_special(data, lt)? else {
                return Ok(None);
            };
            if skip > lt {
                at = skip;
                continue;
            }
            let Some(child) = tag(data, lt) else {
                return Ok(None);
            };
            at = child.end;
            if child.closing {
                if child.name == b"c" {
                    return Ok(Some((at, val)));
                }
                continue;
            }
            let read = match child.name {
                b"v" => self.value(data, &child, style, kind, owned)?,
                b"f" => close_of(data, &child, true).map(|end| (end, Val::Empty)),
                b"is" => inline(data, lt, &child, owned)?,
                other => {
                    return xml(format!(
                        "<{}> in the cell at row {}, column {}: a cell holds <v>, <f> or <is>",
                        String::from_utf8_lossy(other),
                        u64::from(row) + 1,
                        u64::from(col) + 1
                    ))
                }
            };
            let Some((end, v)) = read else {
                return Ok(None);
            };
            (at, val) = (end, v);
        }
    }

    /// A `<v>` read as its cell's type says; `None` when the chunk ends inside it.
    fn value(
        &self,
        data: &[u8],
        v: &Tag<'_>,
        style: Option<&[u8]>,
        kind: Option<&[u8]>,
        owned: &mut String,
    ) -> Result<Option<(usize, Val)>, ScanError> {
        let (content, end) = if v.empty {
            (&data[v.end..v.end], v.end)
        } else {
            // calamine reads to the end of a typed value, nested `<v>`s counted; its loop for
            // text values stops at the first `</v>`.
            let nested = matches!(
                kind,
                None | Some(b"n" | b"s" | b"b" | b"e" | b"inlineStr" | b"is")
            );
            match close_of(data, v, nested) {
                Some(end) => (&data[v.end..closing_start(data, end)], end),
                None => return Ok(None),
            }
        };
        let val = match kind {
            Some(b"inlineStr" | b"is") => Val::Empty,
            None | Some(b"n" | b"s" | b"b" | b"e") => {
                // calamine reads the first text of the element, raw: up to an entity.
                let first =
                    &content[..memchr::memchr2(b'&', b'<', content).unwrap_or(content.len())];
                if first.is_empty() {
                    Val::Empty
                } else {
                    self.read_v(first, style, kind, owned)?
                }
            }
            Some(_) => {
                let mut text = String::new();
                content_text(content, &mut text)?;
                self.read_v(text.as_bytes(), style, kind, owned)?
            }
        };
        Ok(Some((end, val)))
    }

    /// A value's text read as its cell type `t` says.
    fn read_v(
        &self,
        v: &[u8],
        style: Option<&[u8]>,
        kind: Option<&[u8]>,
        owned: &mut String,
    ) -> Result<Val, ScanError> {
        let text = || {
            std::str::from_utf8(v)
                .map_err(|e| ScanError::Xml(format!("a value that is not UTF-8: {e}")))
        };
        Ok(match kind {
            Some(b"s") => {
                let index = digits(v).unwrap_or(0);
                if index >= self.strings.len() {
                    return xml(format!(
                        "shared string {index} is not in the shared strings table"
                    ));
                }
                Val::Shared(index as u32)
            }
            Some(b"b") => match text()?.trim() {
                "" => Val::Empty,
                t if t == "0" || t.eq_ignore_ascii_case("false") => Val::Bool(false),
                t if t == "1" || t.eq_ignore_ascii_case("true") => Val::Bool(true),
                t => return xml(format!("a boolean cell holding {t:?}")),
            },
            Some(b"e") => match ERRORS.iter().position(|e| e.as_bytes() == v) {
                Some(i) => Val::Error(i as u8),
                None => return xml(format!("an error cell holding {:?}", text()?)),
            },
            Some(b"d") => push(owned, text()?),
            Some(b"str") => push(owned, &unescape_xml(text()?)),
            Some(b"n") | None => match fast_float2::parse::<f64, _>(v) {
                Ok(n) => match self.format(style) {
                    Some(Format::DateTime | Format::TimeDelta) => Val::DateTime(n),
                    _ => Val::Float(n),
                },
                Err(_) if kind.is_none() => push(owned, text()?),
                Err(_) => return xml(format!("a number cell holding {:?}", text()?)),
            },
            Some(other) => {
                return xml(format!(
                    "a cell of unknown type t=\"{}\"",
                    String::from_utf8_lossy(other)
                ))
            }
        })
    }

    /// The format of style `s` (none without an `s`; an `s` that is not a number is style 0).
    fn format(&self, style: Option<&[u8]>) -> Option<Format> {
        match style {
            None => Some(Format::Other),
            Some(s) => self.formats.get(digits(s).unwrap_or(0)).copied(),
        }
    }
}

fn push(owned: &mut String, text: &str) -> Val {
    let start = owned.len() as u32;
    owned.push_str(text);
    Val::Owned(start, owned.len() as u32)
}

/// An inline string `<is>…</is>` read as a shared string item is; `None` when the chunk ends
/// inside it.
fn inline(
    data: &[u8],
    lt: usize,
    is: &Tag<'_>,
    owned: &mut String,
) -> Result<Option<(usize, Val)>, ScanError> {
    if is.empty {
        return Ok(Some((is.end, push(owned, ""))));
    }
    let Ok(qname) = std::str::from_utf8(is.qname) else {
        return xml("an inline string whose tag is not UTF-8");
    };
    let Some(close) = close_of(data, is, false) else {
        return Ok(None);
    };
    // The reader is handed the `<is>` too, inside the elements calamine's reader has open at a
    // cell (worksheet, sheetData, row, c): with end names unchecked, a stray end tag closes
    // one of those rather than being an error.
    let source = std::io::Read::chain(&b"<_><_><_><_>"[..], &data[lt..close]);
    let mut reader = book::as_calamine(quick_xml::Reader::from_reader(source));
    let mut opening = Vec::new();
    let mut opened = 0;
    let rich = loop {
        opening.clear();
        match reader.read_event_into(&mut opening) {
            Ok(quick_xml::events::Event::Start(_)) if opened < 4 => opened += 1,
            Ok(quick_xml::events::Event::Start(_)) => break book::read_rich(&mut reader, qname),
            _ => break Err(book::Unusual),
        }
    };
    match rich {
        Ok(text) => Ok(Some((close, push(owned, &text)))),
        Err(book::Unusual) => xml("an inline string that cannot be read"),
    }
}

mod bytes;
mod plain;
#[cfg(test)]
mod tests;
