//! Reading exported workbooks back with calamine, for the tests.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};

/// Every sheet of a workbook, in order.
pub(super) struct Read {
    sheets: Vec<(String, Range<Data>)>,
}

/// Reads `bytes` as an xlsx workbook.
pub(super) fn read(bytes: &[u8]) -> Read {
    let mut wb =
        open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("readable workbook");
    Read {
        sheets: wb.worksheets(),
    }
}

impl Read {
    /// The sheet names, in order.
    pub(super) fn names(&self) -> Vec<&str> {
        self.sheets.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The sheet called `name`.
    pub(super) fn sheet(&self, name: &str) -> &Range<Data> {
        self.sheets
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("no sheet {name} in {:?}", self.names()))
    }
}

/// The cell at absolute `(row, col)`; `Empty` outside the used range.
pub(super) fn cell(range: &Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// The texts of a row, from column 0 up to the last non-empty cell.
pub(super) fn texts(range: &Range<Data>, row: u32) -> Vec<String> {
    let width = range.end().map_or(0, |(_, c)| c + 1);
    let mut cells: Vec<String> = (0..width)
        .map(|c| match cell(range, row, c) {
            Data::Empty => String::new(),
            d => d.to_string(),
        })
        .collect();
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

/// The number at `(row, col)`, panicking when it is not one (a date cell gives its serial).
pub(super) fn num(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match cell(range, row, col) {
        Data::Float(x) => x,
        Data::Int(x) => x as f64,
        Data::DateTime(t) => t.as_f64(),
        d => panic!("({row}, {col}) is {d:?}, not a number"),
    }
}
