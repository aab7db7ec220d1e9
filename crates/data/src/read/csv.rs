//! CSV text: UTF-8 (a BOM is dropped) or GBK, comma- or tab-separated, read record by record
//! with csv-core into buffers that never grow past the field and record limits (the `csv`
//! crate's reader grows its buffers without bound: one 50 MB line cost ~770 MB).

use std::borrow::Cow;
use std::io::Read;
use std::ops::ControlFlow;

use csv_core::ReadRecordResult;

use crate::cell::Cell;
use crate::error::IngestError;
use crate::limits::{ParseLimits, MAX_CSV_FIELD_BYTES, MAX_CSV_RECORD_BYTES};

/// The output buffer's first size; it doubles up to the record limit.
const FIRST_BUFFER: usize = 4 << 10;

/// Reads the CSV `reader` (named `file`), handing each record to `on_row(record_number, cells)`.
pub(super) fn read_csv<R: Read>(
    mut reader: R,
    file: &str,
    limits: &ParseLimits,
    on_row: &mut impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()>,
) -> Result<(), IngestError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let text = decode_csv(&bytes);
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut records = Records::new(text.as_bytes(), delimiter, file, limits);
    let mut row = 0u32;
    while let Some(fields) = records.next_record()? {
        row = row.saturating_add(1);
        let cells: Vec<Cell<'_>> = records
            .fields(fields)
            .take(crate::ingest::MAX_COLUMNS)
            .map(|f| {
                if f.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f)
                }
            })
            .collect();
        if on_row(row, &cells).is_break() {
            break;
        }
    }
    Ok(())
}

/// Decodes CSV text: UTF-8 (a BOM is dropped), else GBK, the encoding Excel uses for CSV on
/// Chinese Windows.
pub(super) fn decode_csv(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::GBK.decode(bytes).0,
    }
}

/// The records of a CSV text, one at a time, in bounded buffers.
struct Records<'t> {
    core: csv_core::Reader,
    input: &'t [u8],
    /// The current record's field bytes, unquoted.
    out: Vec<u8>,
    /// The end of each of its fields in `out`.
    ends: Vec<usize>,
    record: u64,
    file: &'t str,
    limits: ParseLimits,
}

impl<'t> Records<'t> {
    fn new(input: &'t [u8], delimiter: u8, file: &'t str, limits: &ParseLimits) -> Self {
        Self {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            input,
            out: vec![0; FIRST_BUFFER.min(limits.max_csv_record_bytes.max(1))],
            ends: vec![0; 64],
            record: 0,
            file,
            limits: *limits,
        }
    }

    /// Reads the next record: its number of fields, or `None` at the end of the text.
    fn next_record(&mut self) -> Result<Option<usize>, IngestError> {
        let (mut outlen, mut endlen) = (0, 0);
        loop {
            let (result, nin, nout, nend) = self.core.read_record(
                self.input,
                &mut self.out[outlen..],
                &mut self.ends[endlen..],
            );
            // All of the text is in `input`: once it is used up, the next call's empty input
            // tells csv-core that the text has ended.
            self.input = &self.input[nin..];
            outlen += nout;
            endlen += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.grow(outlen, endlen)?,
                ReadRecordResult::OutputEndsFull => {
                    let more = self.ends.len();
                    self.ends.resize(more * 2, 0);
                }
                ReadRecordResult::Record => {
                    self.record += 1;
                    self.check_fields(endlen)?;
                    return Ok(Some(endlen));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// Doubles the output buffer, unless the record or its current field is at its limit.
    fn grow(&mut self, outlen: usize, endlen: usize) -> Result<(), IngestError> {
        let field_start = endlen.checked_sub(1).map_or(0, |i| self.ends[i]);
        // The record being read is the one after the last one returned.
        let record = self.record + 1;
        if outlen - field_start > self.limits.max_csv_field_bytes {
            return Err(self.too_long(record, "field"));
        }
        if outlen >= self.limits.max_csv_record_bytes {
            return Err(self.too_long(record, "record"));
        }
        let size = (self.out.len() * 2).min(self.limits.max_csv_record_bytes);
        self.out.resize(size, 0);
        Ok(())
    }

    fn check_fields(&self, endlen: usize) -> Result<(), IngestError> {
        let mut start = 0;
        for &end in &self.ends[..endlen] {
            if end - start > self.limits.max_csv_field_bytes {
                return Err(self.too_long(self.record, "field"));
            }
            start = end;
        }
        Ok(())
    }

    fn too_long(&self, record: u64, what: &'static str) -> IngestError {
        let (limit, setting) = match what {
            "field" => (self.limits.max_csv_field_bytes, MAX_CSV_FIELD_BYTES),
            _ => (self.limits.max_csv_record_bytes, MAX_CSV_RECORD_BYTES),
        };
        IngestError::CsvTooLong {
            file: self.file.to_owned(),
            record,
            what,
            limit,
            setting,
        }
    }

    /// The fields of the record [`Records::next_record`] just returned, as text.
    fn fields(&self, count: usize) -> impl Iterator<Item = Cow<'_, str>> {
        let ends = &self.ends[..count];
        let starts = std::iter::once(0).chain(ends.iter().copied());
        starts.zip(ends).map(|(start, &end)| {
            // Only ASCII quotes and delimiters are taken out of valid UTF-8: still valid.
            String::from_utf8_lossy(&self.out[start..end])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, limits: &ParseLimits) -> Result<Vec<Vec<String>>, IngestError> {
        let mut rows = Vec::new();
        read_csv(text.as_bytes(), "t.csv", limits, &mut |_, cells| {
            rows.push(cells.iter().map(Cell::display).collect());
            ControlFlow::Continue(())
        })?;
        Ok(rows)
    }

    #[test]
    fn gbk_csv_is_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("订单ID,门店名称\n1,一号店\n");
        assert_eq!(decode_csv(&gbk), "订单ID,门店名称\n1,一号店\n");
        assert_eq!(decode_csv("\u{feff}a,b".as_bytes()), "a,b");
    }

    #[test]
    fn quoted_fields_line_breaks_and_tabs_read_as_the_csv_crate_reads_them() {
        let text = "a,\"b,\"\"c\"\"\",\r\n\"multi\nline\",x\n\nlast";
        let got = rows(text, &ParseLimits::default()).expect("reads");
        assert_eq!(
            got,
            [
                vec!["a", "b,\"c\"", ""],
                vec!["multi\nline", "x"],
                vec!["last"]
            ]
        );
        let tabs = rows("订单ID\t门店\n1\t一号店\n", &ParseLimits::default()).expect("reads");
        assert_eq!(tabs, [vec!["订单ID", "门店"], vec!["1", "一号店"]]);
    }

    #[test]
    fn a_record_longer_than_its_limit_is_refused_naming_the_record_and_the_setting() {
        let limits = ParseLimits {
            max_csv_field_bytes: 100,
            max_csv_record_bytes: 1000,
            ..ParseLimits::default()
        };
        let ok = format!("{}\n", vec!["x".repeat(90); 9].join(","));
        assert_eq!(rows(&ok, &limits).expect("under both limits").len(), 1);
        let long_record = format!("a,b\n{}\n", vec!["x".repeat(90); 20].join(","));
        let err = rows(&long_record, &limits).expect_err("record over 1000 bytes");
        assert!(
            matches!(
                err,
                IngestError::CsvTooLong {
                    record: 2,
                    what: "record",
                    limit: 1000,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(MAX_CSV_RECORD_BYTES), "{err}");
        let long_field = format!("a,b\nc,{}\n", "y".repeat(500));
        let err = rows(&long_field, &limits).expect_err("field over 100 bytes");
        assert!(
            matches!(
                err,
                IngestError::CsvTooLong {
                    record: 2,
                    what: "field",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(MAX_CSV_FIELD_BYTES), "{err}");
    }
}
