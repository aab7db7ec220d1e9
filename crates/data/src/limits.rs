//! The budget of one parse: how large a sheet, a CSV line or a text cell may be, so that a small
//! hostile file cannot take gigabytes (issue 16). Each limit is a server setting; its name is
//! here so that a refusal can name it.

/// Setting: cells a sheet may span (rows × columns of its declared or used area).
pub const MAX_SHEET_CELLS: &str = "max_sheet_cells";
/// Setting: cells an `.xls` or `.ods` workbook may expand to, all its sheets together.
pub const MAX_XLS_ODS_CELLS: &str = "max_xls_ods_cells";
/// Setting: bytes of one CSV field.
pub const MAX_CSV_FIELD_BYTES: &str = "max_csv_field_bytes";
/// Setting: bytes of one CSV record (a line, or several when a quoted field holds line breaks).
pub const MAX_CSV_RECORD_BYTES: &str = "max_csv_record_bytes";

/// Default of [`MAX_SHEET_CELLS`]: the largest legitimate export, a full Excel sheet
/// (1,048,576 rows) of 40 columns; the real monthly chain files are ~890k lines × 36 columns.
pub const DEFAULT_MAX_SHEET_CELLS: u64 = 1_048_576 * 40;
/// Default of [`MAX_XLS_ODS_CELLS`]: a full `.xls` sheet (65,536 rows, the format's maximum) of
/// 40 columns. calamine reads these formats into one dense range per sheet, every sheet at once,
/// at about 100 bytes a cell: ~260 MB at this budget (`.xlsx` and `.csv` are streamed instead).
pub const DEFAULT_MAX_XLS_ODS_CELLS: u64 = 65_536 * 40;
/// Default of [`MAX_CSV_FIELD_BYTES`]: Excel's longest cell, 32,767 characters, at 4 bytes each.
pub const DEFAULT_MAX_CSV_FIELD_BYTES: usize = 128 << 10;
/// Default of [`MAX_CSV_RECORD_BYTES`]: 1 MiB; a real export line is under 2 KB.
pub const DEFAULT_MAX_CSV_RECORD_BYTES: usize = 1 << 20;

/// Text cells (names, IDs, categories, addresses) longer than this many characters are cut,
/// with a warning: no store or product name needs more, and a 5 MB name would make every page
/// and export that shows it megabytes long (an `.xlsx` cell holds at most 32,767 characters).
pub const MAX_TEXT_CHARS: usize = 255;

/// The limits of one parse; [`ParseLimits::default`] holds the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// See [`MAX_SHEET_CELLS`].
    pub max_sheet_cells: u64,
    /// See [`MAX_XLS_ODS_CELLS`].
    pub max_xls_ods_cells: u64,
    /// See [`MAX_CSV_FIELD_BYTES`].
    pub max_csv_field_bytes: usize,
    /// See [`MAX_CSV_RECORD_BYTES`].
    pub max_csv_record_bytes: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_sheet_cells: DEFAULT_MAX_SHEET_CELLS,
            max_xls_ods_cells: DEFAULT_MAX_XLS_ODS_CELLS,
            max_csv_field_bytes: DEFAULT_MAX_CSV_FIELD_BYTES,
            max_csv_record_bytes: DEFAULT_MAX_CSV_RECORD_BYTES,
        }
    }
}

/// The rectangle a sheet's cells span, grown cell by cell (0-based, inclusive ends), in `u64`
/// so that repeat counts cannot overflow it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Extent {
    span: Option<[u64; 4]>,
}

impl Extent {
    /// Grows the rectangle to hold rows `rows.0..=rows.1` × columns `cols.0..=cols.1`.
    pub(crate) fn add(&mut self, rows: (u64, u64), cols: (u64, u64)) {
        let [r0, r1, c0, c1] = self.span.get_or_insert([rows.0, rows.1, cols.0, cols.1]);
        *r0 = (*r0).min(rows.0);
        *r1 = (*r1).max(rows.1);
        *c0 = (*c0).min(cols.0);
        *c1 = (*c1).max(cols.1);
    }

    /// Grows the rectangle to hold one cell.
    pub(crate) fn add_cell(&mut self, row: u32, col: u32) {
        let (r, c) = (u64::from(row), u64::from(col));
        self.add((r, r), (c, c));
    }

    /// Rows × columns of the rectangle (0 when nothing was added).
    pub(crate) fn cells(&self) -> u64 {
        self.span.map_or(0, |[r0, r1, c0, c1]| {
            (r1 - r0)
                .saturating_add(1)
                .saturating_mul((c1 - c0).saturating_add(1))
        })
    }
}

/// Rows × columns of a declared `start..=end` range, as calamine sizes it (a range whose end is
/// before its start counts as huge: calamine's `u32` arithmetic would wrap).
pub(crate) fn declared_cells(start: (u32, u32), end: (u32, u32)) -> u64 {
    let rows = end.0.wrapping_sub(start.0).wrapping_add(1);
    let cols = end.1.wrapping_sub(start.1).wrapping_add(1);
    let wide = |n: u32| if n == 0 { 1 << 32 } else { u64::from(n) };
    wide(rows).saturating_mul(wide(cols))
}

/// `text` cut to [`MAX_TEXT_CHARS`] characters, or `None` when it is short enough.
pub(crate) fn cut_text(text: &str) -> Option<&str> {
    // Bytes ≤ the limit means characters ≤ the limit: the common case costs nothing.
    if text.len() <= MAX_TEXT_CHARS {
        return None;
    }
    text.char_indices()
        .nth(MAX_TEXT_CHARS)
        .map(|(at, _)| &text[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extent_spans_its_first_to_last_row_and_column() {
        let mut e = Extent::default();
        assert_eq!(e.cells(), 0);
        e.add_cell(3, 2);
        assert_eq!(e.cells(), 1);
        e.add_cell(65_535, 255);
        assert_eq!(e.cells(), (65_535 - 3 + 1) * (255 - 2 + 1));
        e.add((0, u64::MAX), (0, u64::MAX));
        assert_eq!(e.cells(), u64::MAX, "saturates rather than wraps");
    }

    #[test]
    fn a_declared_range_is_sized_as_calamine_sizes_it() {
        assert_eq!(declared_cells((0, 0), (0, 0)), 1);
        assert_eq!(declared_cells((0, 0), (65_535, 255)), 65_536 * 256);
        assert!(
            declared_cells((100, 0), (0, 0)) > 1 << 31,
            "an end before the start"
        );
    }

    #[test]
    fn text_is_cut_at_255_characters_not_bytes() {
        assert_eq!(cut_text("可口可乐"), None);
        let long = "好".repeat(300);
        let cut = cut_text(&long).expect("cut");
        assert_eq!(cut.chars().count(), MAX_TEXT_CHARS);
        assert_eq!(
            cut_text(&"好".repeat(255)),
            None,
            "255 characters of 3 bytes stay"
        );
    }
}
