//! `.xlsx` and `.xlsm` sheets read without calamine's XML reader, on three threads: the rows
//! come out as calamine's streaming reader gives them (the equivalence tests hold both to it),
//! in well under its time.
//!
//! A workbook whose parts this reader does not handle exactly as calamine does (no package
//! relationships, a chart sheet, an odd encoding) is left to calamine: [`read_xlsx`] answers
//! `Ok(None)` before reading any row.

use std::io::{Read, Seek};
use std::ops::ControlFlow;

use zip::ZipArchive;

use crate::cell::Cell;
use crate::error::IngestError;
use crate::limits::ParseLimits;

mod book;
mod pipe;
mod scan;
mod text;

#[cfg(test)]
mod equivalence;

use book::Book;
use scan::ScanError;

/// Reads one sheet (`sheet`, or the first) of an `.xlsx`/`.xlsm` and hands its rows to
/// `on_row`; the sheet's name, or `None` when calamine should read this workbook instead.
pub(super) fn read_xlsx<RS: Read + Seek>(
    reader: RS,
    file_name: &str,
    sheet: Option<&str>,
    limits: &ParseLimits,
    on_row: &mut (impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send),
) -> Result<Option<String>, IngestError> {
    let corrupt = |detail: String| IngestError::Corrupt {
        file: file_name.to_owned(),
        detail,
    };
    let mut zip = ZipArchive::new(reader).map_err(|e| corrupt(e.to_string()))?;
    let Ok(book) = Book::open(&mut zip) else {
        return Ok(None);
    };
    let names: Vec<String> = book.sheets.iter().map(|(n, _)| n.clone()).collect();
    let name = super::choose_sheet(&names, sheet, file_name)?;
    let Some((_, path)) = book.sheets.iter().find(|(n, _)| *n == name) else {
        return Ok(None);
    };
    let Some(entry) = book.entry(path) else {
        return Ok(None);
    };
    let xml = zip.by_name(entry).map_err(|e| corrupt(e.to_string()))?;
    let too_large = |found, cells| super::too_large(file_name, &name, limits, found, cells);
    match pipe::read_sheet(xml, &book, limits.max_sheet_cells, on_row) {
        Ok(()) => Ok(Some(name)),
        Err(ScanError::Declared(cells)) => Err(too_large("declares", cells)),
        Err(ScanError::Spans(cells)) => Err(too_large("spans", cells)),
        Err(ScanError::Xml(detail)) => Err(corrupt(format!("sheet {name}: {detail}"))),
        Err(ScanError::TooLong) => Err(IngestError::MarkupTooLong {
            file: file_name.to_owned(),
            entry: entry.to_owned(),
            limit: pipe::MAX_CUT as u64,
        }),
    }
}
