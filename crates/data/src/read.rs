//! Reading rows of cells out of an upload: `.xlsx .xlsm .xlsb` streamed cell by cell,
//! `.xls .ods` through calamine's range reader, `.csv` in UTF-8 (with or without BOM) or GBK.

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};
use std::ops::ControlFlow;

use calamine::{Data, Reader, Sheets};

use crate::cell::Cell;
use crate::error::IngestError;
use crate::limits::{declared_cells, ParseLimits, MAX_SHEET_CELLS};

mod cfb;
mod csv;
mod ods_scan;
mod stream;
mod xls_scan;
mod xlsx;
pub use ods_scan::MAX_MARKUP_RUN;
use stream::stream_cells;

/// The largest `xl/sharedStrings.xml` accepted: calamine holds it in memory whole, so a zip bomb
/// hides here.
pub const MAX_SHARED_STRINGS: u64 = 256 << 20;
/// The largest uncompressed size of any one entry of a workbook archive.
pub const MAX_ENTRY: u64 = 4 << 30;

/// What kind of file an upload is, by its name and checked against its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Excel 2007+ (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel binary (`.xlsb`).
    Xlsb,
    /// Excel 97–2003 (`.xls`).
    Xls,
    /// OpenDocument (`.ods`).
    Ods,
    /// Comma-separated text.
    Csv,
}

impl Format {
    /// The format a file name announces, or `UnsupportedType`.
    pub fn from_name(file_name: &str) -> Result<Format, IngestError> {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "xlsb" => Ok(Format::Xlsb),
            "xls" => Ok(Format::Xls),
            "ods" => Ok(Format::Ods),
            "csv" => Ok(Format::Csv),
            _ => Err(IngestError::UnsupportedType {
                file: file_name.to_owned(),
                extension: ext,
            }),
        }
    }
}

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Magic {
    Zip,
    Cfb,
    Text,
}

fn sniff(head: &[u8]) -> Magic {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Magic::Zip
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Magic::Cfb
    } else {
        Magic::Text
    }
}

/// Rows of one sheet, handed one at a time to `on_row(excel_row_number, cells)` (on a thread of
/// its own for `.xlsx` and `.xlsb`, hence `Send`). A sheet, a workbook or a CSV line over
/// `limits` is refused before it is read into memory.
pub fn read_rows<RS: Read + Seek>(
    reader: RS,
    file_name: &str,
    sheet: Option<&str>,
    limits: &ParseLimits,
    on_row: impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send,
) -> Result<String, IngestError> {
    read_rows_by(reader, file_name, sheet, limits, on_row, Sheet::Fast)
}

/// [`read_rows`] with calamine's reader for `.xlsx` too: the reference the fast reader is held
/// to (tests, `examples/xlsx_equiv.rs`, the ingest bench's baseline).
pub fn read_rows_with_calamine<RS: Read + Seek>(
    reader: RS,
    file_name: &str,
    sheet: Option<&str>,
    limits: &ParseLimits,
    on_row: impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send,
) -> Result<String, IngestError> {
    read_rows_by(reader, file_name, sheet, limits, on_row, Sheet::Calamine)
}

/// Which reader reads an `.xlsx` sheet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sheet {
    Fast,
    Calamine,
}

fn read_rows_by<RS: Read + Seek>(
    mut reader: RS,
    file_name: &str,
    sheet: Option<&str>,
    limits: &ParseLimits,
    mut on_row: impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send,
    by: Sheet,
) -> Result<String, IngestError> {
    let format = Format::from_name(file_name)?;
    let mut head = [0u8; 8];
    let n = read_head(&mut reader, &mut head)?;
    let magic = sniff(&head[..n]);
    let mismatch = |looks: &str| IngestError::ContentMismatch {
        file: file_name.to_owned(),
        looks_like: looks.to_owned(),
    };
    match (format, magic) {
        (Format::Csv, Magic::Text) => {
            csv::read_csv(reader, file_name, limits, &mut on_row)?;
            return Ok("CSV".to_owned());
        }
        (Format::Csv, _) => return Err(mismatch("an Excel workbook (rename it to .xlsx or .xls)")),
        (_, Magic::Text) if n == 0 => {
            return Err(IngestError::Empty {
                file: file_name.to_owned(),
            })
        }
        (_, Magic::Text) => {
            return Err(mismatch(
                "CSV or other text, not a workbook (rename it to .csv)",
            ))
        }
        (Format::Xlsx | Format::Xlsb | Format::Ods, Magic::Cfb) => {
            return Err(IngestError::Encrypted {
                file: file_name.to_owned(),
            })
        }
        (Format::Xlsx | Format::Xlsb | Format::Ods, Magic::Zip) => {
            check_archive(&mut reader, file_name)?;
            reader.seek(SeekFrom::Start(0))?;
            if format == Format::Xlsx && by == Sheet::Fast {
                let read = xlsx::read_xlsx(&mut reader, file_name, sheet, limits, &mut on_row)?;
                if let Some(name) = read {
                    return Ok(name);
                }
                reader.seek(SeekFrom::Start(0))?;
            }
            if format == Format::Ods {
                ods_scan::check_ods(&mut reader, file_name, limits)?;
                reader.seek(SeekFrom::Start(0))?;
            }
        }
        (Format::Xls, Magic::Cfb) => {
            xls_scan::check_xls(&mut reader, file_name, limits)?;
            reader.seek(SeekFrom::Start(0))?;
        }
        _ => {}
    }
    let err = |e: calamine::Error| IngestError::from_calamine(file_name, e);
    let workbook = match format {
        Format::Xlsx => Sheets::Xlsx(calamine::Xlsx::new(reader).map_err(|e| err(e.into()))?),
        Format::Xlsb => Sheets::Xlsb(calamine::Xlsb::new(reader).map_err(|e| err(e.into()))?),
        Format::Xls => Sheets::Xls(calamine::Xls::new(reader).map_err(|e| err(e.into()))?),
        Format::Ods | Format::Csv => {
            Sheets::Ods(calamine::Ods::new(reader).map_err(|e| err(e.into()))?)
        }
    };
    read_workbook(workbook, file_name, sheet, limits, &mut on_row)
}

fn read_head<R: Read + Seek>(reader: &mut R, head: &mut [u8]) -> Result<usize, IngestError> {
    let mut filled = 0;
    while filled < head.len() {
        match reader.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    reader.seek(SeekFrom::Start(0))?;
    Ok(filled)
}

/// Refuses archives whose declared sizes would make calamine allocate without bound.
fn check_archive<RS: Read + Seek>(reader: RS, file_name: &str) -> Result<(), IngestError> {
    let corrupt = |detail: String| IngestError::Corrupt {
        file: file_name.to_owned(),
        detail,
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| corrupt(e.to_string()))?;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(e.to_string()))?;
        let size = entry.size();
        let name = entry
            .name()
            .map_err(|e| corrupt(e.to_string()))?
            .into_owned();
        let limit = if name.ends_with("sharedStrings.xml") {
            MAX_SHARED_STRINGS
        } else {
            MAX_ENTRY
        };
        if size > limit {
            return Err(IngestError::TooLargeInside {
                file: file_name.to_owned(),
                entry: name,
                size,
                limit,
            });
        }
    }
    Ok(())
}

fn read_workbook<RS: Read + Seek>(
    mut workbook: Sheets<RS>,
    file_name: &str,
    sheet: Option<&str>,
    limits: &ParseLimits,
    on_row: &mut (impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send),
) -> Result<String, IngestError> {
    let names = workbook.sheet_names();
    let name = choose_sheet(&names, sheet, file_name)?;
    let err = |e: calamine::Error| IngestError::from_calamine(file_name, e);
    let too_large = |found, cells| too_large(file_name, &name, limits, found, cells);
    let budget = limits.max_sheet_cells;
    match &mut workbook {
        Sheets::Xlsx(xlsx) => {
            let mut cells = xlsx
                .worksheet_cells_reader(&name)
                .map_err(|e| err(e.into()))?;
            let declared = cells.dimensions();
            check_declared(
                declared_cells(declared.start, declared.end),
                budget,
                too_large,
            )?;
            let next = || cells.next_cell().map_err(|e| err(e.into()));
            stream_cells(next, budget, |cells| too_large("spans", cells), on_row)?;
        }
        Sheets::Xlsb(xlsb) => {
            let mut cells = xlsb
                .worksheet_cells_reader(&name)
                .map_err(|e| err(e.into()))?;
            let declared = cells.dimensions();
            check_declared(
                declared_cells(declared.start, declared.end),
                budget,
                too_large,
            )?;
            let next = || cells.next_cell().map_err(|e| err(e.into()));
            stream_cells(next, budget, |cells| too_large("spans", cells), on_row)?;
        }
        other => {
            let range = other.worksheet_range(&name).map_err(err)?;
            let (row0, _) = range.start().unwrap_or((0, 0));
            let mut cells = Vec::new();
            for (i, row) in range.rows().enumerate() {
                cells.clear();
                cells.extend(row.iter().map(from_data));
                if on_row(row0 + i as u32 + 1, &cells).is_break() {
                    break;
                }
            }
        }
    }
    Ok(name)
}

/// The sheet to read: the one named `wanted`, or the first.
fn choose_sheet(
    names: &[String],
    wanted: Option<&str>,
    file_name: &str,
) -> Result<String, IngestError> {
    match wanted {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| IngestError::NoSuchSheet {
                file: file_name.to_owned(),
                sheet: wanted.to_owned(),
                sheets: names.to_vec(),
            }),
        None => names.first().cloned().ok_or_else(|| IngestError::NoSheet {
            file: file_name.to_owned(),
        }),
    }
}

/// A sheet over the cell budget: it `found` ("declares" or "spans") `cells`.
fn too_large(
    file_name: &str,
    sheet: &str,
    limits: &ParseLimits,
    found: &'static str,
    cells: u64,
) -> IngestError {
    IngestError::SheetTooLarge {
        file: file_name.to_owned(),
        sheet: sheet.to_owned(),
        found,
        cells,
        limit: limits.max_sheet_cells,
        setting: MAX_SHEET_CELLS,
    }
}

/// Refuses a sheet whose dimension record declares more than `budget` cells.
fn check_declared(
    cells: u64,
    budget: u64,
    too_large: impl Fn(&'static str, u64) -> IngestError,
) -> Result<(), IngestError> {
    if cells > budget {
        return Err(too_large("declares", cells));
    }
    Ok(())
}

/// A date cell's serial in the 1900 date system, which every reader after this one reads.
/// calamine hands a 1904 workbook's serials on as written (its cells carry the flag, which it
/// applies only in `as_datetime`), so a 1904 workbook's dates used to come out 1,462 days
/// early. Durations are not moved.
pub(crate) fn serial_1900(d: &calamine::ExcelDateTime) -> f64 {
    let serial = d.as_f64();
    if !d.is_datetime() {
        return serial;
    }
    // The flag has no getter, but the cells compare by value, type and flag: a date cell that
    // differs from the same serial in the 1900 system is a 1904 one.
    let as_1900 =
        calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false);
    if *d != as_1900 {
        serial + EXCEL_1900_1904_DAYS
    } else {
        serial
    }
}

/// Days between the 1900 and the 1904 date systems' day 0.
const EXCEL_1900_1904_DAYS: f64 = 1462.0;

fn from_data(value: &Data) -> Cell<'_> {
    match value {
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::String(s) => Cell::Text(Cow::Borrowed(s)),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => Cell::DateTime(serial_1900(d)),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(Cow::Borrowed(s)),
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::Empty => Cell::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_type_comes_from_the_extension_case_insensitively() {
        assert_eq!(Format::from_name("订单.XLSX").ok(), Some(Format::Xlsx));
        assert_eq!(Format::from_name("a.xlsm").ok(), Some(Format::Xlsx));
        assert!(matches!(
            Format::from_name("a.pdf"),
            Err(IngestError::UnsupportedType { .. })
        ));
        assert!(matches!(
            Format::from_name("noext"),
            Err(IngestError::UnsupportedType { .. })
        ));
    }
}
