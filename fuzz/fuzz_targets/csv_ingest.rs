//! Arbitrary bytes uploaded as a `.csv`: the CSV reader (UTF-8, BOM, GBK; comma or tab), header
//! detection and alias mapping, and every cell parser behind `ingest`.
//!
//! Must never panic; an `Err` is a fine answer. When it succeeds, its report agrees with its data.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use storeboard_data::{ingest, IngestOptions};

fuzz_target!(|bytes: &[u8]| {
    let Ok(done) = ingest(Cursor::new(bytes), "upload.csv", &IngestOptions::default()) else {
        return;
    };
    let report = &done.report;
    assert!(report.header_row >= 1);
    assert_eq!(report.accepted_lines, done.data.line_count());
    assert_eq!(report.orders, done.data.order_count());
    assert!(report.accepted_lines + report.rejected_lines > 0);
    assert!(done.problems.len() <= report.problem_count);
    assert!(report.warning_count <= report.problem_count);
    assert!(report.problems.len() <= done.problems.len());
    // Every rejected line was rejected for at least one error.
    assert!(report.problem_count - report.warning_count >= report.rejected_lines);
});
