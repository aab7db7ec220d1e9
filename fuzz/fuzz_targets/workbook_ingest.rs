//! Arbitrary bytes uploaded as a workbook: the first byte picks the name (`.xlsx .xlsm .xlsb
//! .xls .ods`), the rest is the file. Reaches the content sniffing, the zip-bomb guards
//! (`MAX_SHARED_STRINGS`, `MAX_ENTRY`), calamine's readers, the cell streaming and the same header
//! and cell parsing as a CSV.
//!
//! Must never panic; an `Err` is a fine answer.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use storeboard_data::{ingest, IngestOptions};

const NAMES: [&str; 5] = [
    "upload.xlsx",
    "upload.xlsm",
    "upload.xlsb",
    "upload.xls",
    "upload.ods",
];

fuzz_target!(|input: &[u8]| {
    let Some((&pick, bytes)) = input.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let Ok(done) = ingest(Cursor::new(bytes), name, &IngestOptions::default()) else {
        return;
    };
    let report = &done.report;
    assert_eq!(report.accepted_lines, done.data.line_count());
    assert!(report.accepted_lines + report.rejected_lines > 0);
    assert!(done.problems.len() <= report.problem_count);
});
