//! How many cells an `.xls` asks calamine for, counted from its BIFF records before calamine
//! parses it: calamine reads every sheet when it opens the file, reserves each sheet's declared
//! `DIMENSIONS`, and fills one dense range from its first to its last cell, so a 5 KB file with
//! a cell at A1 and one at IV65536 on three sheets takes 2 GB.

use std::io::{Read, Seek};

use super::cfb::{u16_at, u32_at, Cfb};
use crate::error::IngestError;
use crate::limits::{declared_cells, Extent, ParseLimits, MAX_SHEET_CELLS, MAX_XLS_ODS_CELLS};

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;
/// The records calamine turns into a cell (and a formula), each starting with row and column.
const CELLS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

/// One sheet as the scan found it.
#[derive(Debug, Default)]
struct SheetSize {
    name: String,
    declared: u64,
    spans: Extent,
}

/// Refuses an `.xls` whose sheets declare or span more cells than `limits` allow. A file that
/// is no readable compound file passes: calamine says what is wrong with it.
pub(super) fn check_xls<RS: Read + Seek>(
    reader: &mut RS,
    file: &str,
    limits: &ParseLimits,
) -> Result<(), IngestError> {
    let Ok(mut cfb) = Cfb::open(reader) else {
        return Ok(());
    };
    let Ok(Some(stream)) = cfb.stream(&["Workbook", "Book"]) else {
        return Ok(());
    };
    let mut total = 0u64;
    for sheet in sheets(&stream) {
        let found = [("declares", sheet.declared), ("spans", sheet.spans.cells())];
        for (found, cells) in found {
            if cells > limits.max_sheet_cells {
                return Err(IngestError::SheetTooLarge {
                    file: file.to_owned(),
                    sheet: sheet.name,
                    found,
                    cells,
                    limit: limits.max_sheet_cells,
                    setting: MAX_SHEET_CELLS,
                });
            }
        }
        total = total.saturating_add(sheet.declared.max(sheet.spans.cells()));
        if total > limits.max_xls_ods_cells {
            return Err(IngestError::WorkbookTooLarge {
                file: file.to_owned(),
                sheet: sheet.name,
                cells: total,
                limit: limits.max_xls_ods_cells,
                setting: MAX_XLS_ODS_CELLS,
            });
        }
    }
    Ok(())
}

/// The records of a BIFF stream from `at`: (type, data), until the stream or a record ends.
fn records(stream: &[u8], at: usize) -> impl Iterator<Item = (u16, &[u8])> + '_ {
    let mut at = at;
    std::iter::from_fn(move || {
        let head = stream.get(at..at + 4)?;
        let (typ, len) = (u16_at(head, 0), usize::from(u16_at(head, 2)));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, data))
    })
}

/// Every sheet the workbook globals list (calamine reads them all), with its size.
fn sheets(stream: &[u8]) -> Vec<SheetSize> {
    let mut biff8 = true;
    let mut listed = Vec::new();
    for (typ, data) in records(stream, 0) {
        match typ {
            // As calamine reads the version: anything but BIFF2–5 is BIFF8.
            BOF => {
                biff8 = !matches!(
                    u16_at(data, 0),
                    0x0002 | 0x0007 | 0x0200 | 0x0300 | 0x0400 | 0x0500
                )
            }
            BOUND_SHEET => listed.push((u32_at(data, 0) as usize, sheet_name(data, biff8))),
            EOF => break,
            _ => {}
        }
    }
    listed
        .into_iter()
        .map(|(at, name)| {
            let mut sheet = measure(stream, at);
            sheet.name = name;
            sheet
        })
        .collect()
}

/// The declared and the used size of the sheet whose BOF is at `at`, skipping the substreams
/// (embedded charts) nested in it as calamine does.
fn measure(stream: &[u8], at: usize) -> SheetSize {
    let mut size = SheetSize::default();
    let mut seen_bof = false;
    let mut depth = 0usize;
    for (typ, data) in records(stream, at) {
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => size.declared = size.declared.max(dimensions(data)),
            MUL_RK if data.len() >= 6 => {
                let row = u32::from(u16_at(data, 0));
                size.spans.add_cell(row, u32::from(u16_at(data, 2)));
                size.spans
                    .add_cell(row, u32::from(u16_at(data, data.len() - 2)));
            }
            t if CELLS.contains(&t) && data.len() >= 4 => {
                size.spans
                    .add_cell(u32::from(u16_at(data, 0)), u32::from(u16_at(data, 2)));
            }
            _ => {}
        }
    }
    size
}

/// The cells a `DIMENSIONS` record declares, as calamine reserves them.
fn dimensions(data: &[u8]) -> u64 {
    let (rf, rl, mut cf, cl) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0)),
            u32::from(u16_at(data, 2)),
            u32::from(u16_at(data, 4)),
            u32::from(u16_at(data, 6)),
        ),
        14 | 16 => (
            u32_at(data, 0),
            u32_at(data, 4),
            u32::from(u16_at(data, 8)),
            u32::from(u16_at(data, 10)),
        ),
        // calamine refuses the record.
        _ => return 0,
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl >= 1 && cl >= 1 {
        declared_cells((rf, cf), (rl - 1, cl - 1))
    } else {
        1
    }
}

/// A BoundSheet8 record's sheet name: one length byte, then (BIFF8) a flag for 16-bit
/// characters, then the characters.
fn sheet_name(data: &[u8], biff8: bool) -> String {
    let len = usize::from(data.get(6).copied().unwrap_or(0));
    if !biff8 {
        let bytes = data.get(7..).unwrap_or_default();
        return bytes.iter().take(len).map(|&b| char::from(b)).collect();
    }
    let wide = data.get(7).is_some_and(|f| f & 1 == 1);
    let chars = data.get(8..).unwrap_or_default();
    if wide {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(len)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        chars.iter().take(len).map(|&b| char::from(b)).collect()
    }
}
