//! How many cells an `.ods` expands to, counted from `content.xml` before calamine reads it:
//! calamine expands `table:number-rows-repeated` × `table:number-columns-repeated` into one
//! dense range per sheet, every sheet at once, so an 800-byte file can ask for gigabytes.
//!
//! The count follows calamine: a sheet spans from its first to its last non-empty row (repeats
//! expanded) × from column A to its last non-empty column; empty repeated rows and cells after
//! the data (LibreOffice writes a million of them) cost nothing and count nothing.

use std::io::{BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};

use crate::error::IngestError;
use crate::limits::{ParseLimits, MAX_SHEET_CELLS, MAX_XLS_ODS_CELLS};

/// The longest piece of text or tag accepted in `content.xml`: the XML reader holds one whole,
/// and a real cell (at most 32,767 characters, escaped) stays far below.
pub const MAX_MARKUP_RUN: u64 = 1 << 20;

const CONTENT: &str = "content.xml";

/// Refuses an `.ods` whose sheets expand past `limits`, reading `content.xml` as a stream.
pub(super) fn check_ods<RS: Read + Seek>(
    reader: RS,
    file: &str,
    limits: &ParseLimits,
) -> Result<(), IngestError> {
    let corrupt = |detail: String| IngestError::Corrupt {
        file: file.to_owned(),
        detail,
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| corrupt(e.to_string()))?;
    // Without content.xml calamine says what is wrong.
    let Ok(entry) = archive.by_name(CONTENT) else {
        return Ok(());
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(Runs::new(entry)));
    // As calamine reads it: what it accepts is counted, not refused as malformed here.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.trim_text(false);
    let mut count = Count::new(file, limits);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(_) if xml.get_ref().get_ref().tripped => {
                return Err(IngestError::MarkupTooLong {
                    file: file.to_owned(),
                    entry: CONTENT.to_owned(),
                    limit: MAX_MARKUP_RUN,
                });
            }
            // Malformed XML: calamine's own message says where.
            Err(_) => return Ok(()),
        };
        match event {
            Event::Start(e) => count.open(&e, false)?,
            Event::Empty(e) => count.open(&e, true)?,
            Event::End(e) => count.close(e.name().as_ref())?,
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The running count of one `content.xml`.
struct Count<'a> {
    file: &'a str,
    limits: &'a ParseLimits,
    /// Cells of the finished sheets.
    total: u64,
    sheet: Option<Sheet>,
    /// Depth inside a non-empty cell's content, whose elements are not the sheet's.
    in_cell: usize,
}

/// The sheet being counted.
#[derive(Default)]
struct Sheet {
    name: String,
    /// Index of the next row.
    row: u64,
    /// Repeats of the open row, the next column in it, and its last non-empty column + 1.
    open_row: Option<(u64, u64, u64)>,
    first_row: Option<u64>,
    rows_end: u64,
    cols_end: u64,
}

impl Sheet {
    fn cells(&self) -> u64 {
        let rows = self.first_row.map_or(0, |first| self.rows_end - first);
        rows.saturating_mul(self.cols_end)
    }
}

impl<'a> Count<'a> {
    fn new(file: &'a str, limits: &'a ParseLimits) -> Self {
        Self {
            file,
            limits,
            total: 0,
            sheet: None,
            in_cell: 0,
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), IngestError> {
        if self.in_cell > 0 {
            self.in_cell += usize::from(!empty);
            return Ok(());
        }
        match e.name().as_ref() {
            "table:table" => {
                let name = attr(e, "table:name").unwrap_or_default();
                self.sheet = Some(Sheet {
                    name,
                    ..Sheet::default()
                });
                if empty {
                    self.close("table:table")?;
                }
            }
            "table:table-row" => {
                if let Some(sheet) = &mut self.sheet {
                    let repeats = number(e, "table:number-rows-repeated");
                    sheet.open_row = Some((repeats, 0, 0));
                    if empty {
                        self.close("table:table-row")?;
                    }
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let Some((_, col, end)) = self.sheet.as_mut().and_then(|s| s.open_row.as_mut())
                else {
                    return Ok(());
                };
                let repeats = number(e, "table:number-columns-repeated");
                *col = col.saturating_add(repeats);
                // A cell with a value, a formula or any content counts: more than calamine
                // keeps, never less.
                let valued = ["office:value-type", "table:formula"]
                    .iter()
                    .any(|name| attr(e, name).is_some());
                if valued || !empty {
                    *end = *col;
                }
                self.in_cell = usize::from(!empty);
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, name: &str) -> Result<(), IngestError> {
        if self.in_cell > 0 {
            self.in_cell -= 1;
            return Ok(());
        }
        match name {
            "table:table-row" => {
                let Some(sheet) = &mut self.sheet else {
                    return Ok(());
                };
                if let Some((repeats, _, end)) = sheet.open_row.take() {
                    if end > 0 {
                        sheet.first_row.get_or_insert(sheet.row);
                        sheet.rows_end = sheet.row.saturating_add(repeats);
                        sheet.cols_end = sheet.cols_end.max(end);
                    }
                    sheet.row = sheet.row.saturating_add(repeats);
                    self.check()?;
                }
            }
            "table:table" => {
                self.check()?;
                if let Some(sheet) = self.sheet.take() {
                    self.total = self.total.saturating_add(sheet.cells());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Refuses the file once the sheet, or all sheets so far, are over their limit; checked
    /// after every row, so a refusal comes as soon as the count passes.
    fn check(&self) -> Result<(), IngestError> {
        let Some(sheet) = &self.sheet else {
            return Ok(());
        };
        let cells = sheet.cells();
        if cells > self.limits.max_sheet_cells {
            return Err(IngestError::SheetTooLarge {
                file: self.file.to_owned(),
                sheet: sheet.name.clone(),
                found: "spans",
                cells,
                limit: self.limits.max_sheet_cells,
                setting: MAX_SHEET_CELLS,
            });
        }
        let total = self.total.saturating_add(cells);
        if total > self.limits.max_xls_ods_cells {
            return Err(IngestError::WorkbookTooLarge {
                file: self.file.to_owned(),
                sheet: sheet.name.clone(),
                cells: total,
                limit: self.limits.max_xls_ods_cells,
                setting: MAX_XLS_ODS_CELLS,
            });
        }
        Ok(())
    }
}

/// An attribute's value, unescaped where possible.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let found = e.try_get_attribute(name).ok().flatten()?;
    Some(found.value.into_owned())
}

/// A repeat count; absent or unreadable counts 1 (calamine refuses the unreadable ones).
fn number(e: &BytesStart<'_>, name: &str) -> u64 {
    attr(e, name)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// A reader that fails once a run of bytes without `<` or `>` (one text or one tag) is longer
/// than [`MAX_MARKUP_RUN`], so the XML reader never buffers more.
struct Runs<R> {
    inner: R,
    run: u64,
    tripped: bool,
}

impl<R> Runs<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            run: 0,
            tripped: false,
        }
    }
}

impl<R: Read> Read for Runs<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'<' || b == b'>' {
                self.run = 0;
            } else {
                self.run += 1;
            }
            if self.run > MAX_MARKUP_RUN {
                self.tripped = true;
                return Err(std::io::Error::other("a run of XML over the limit"));
            }
        }
        Ok(n)
    }
}
