//! Reading exported workbooks back with calamine, for the tests.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};
use chrono::NaiveDate;
use serde_json::Value;
use storeboard_analytics::{Business, Filters};
use storeboard_data::{IngestOptions, OrderStore, UploadMode};
use storeboard_tabs::Tab;

/// Every sheet of a workbook, in order.
pub(crate) struct Read {
    sheets: Vec<(String, Range<Data>)>,
}

/// Reads `bytes` as an xlsx workbook.
pub(crate) fn read(bytes: &[u8]) -> Read {
    let mut wb =
        open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("readable workbook");
    Read {
        sheets: wb.worksheets(),
    }
}

impl Read {
    /// The sheet names, in order.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.sheets.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The sheet called `name`.
    pub(crate) fn sheet(&self, name: &str) -> &Range<Data> {
        self.sheets
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("no sheet {name} in {:?}", self.names()))
    }
}

/// The cell at absolute `(row, col)`; `Empty` outside the used range.
pub(crate) fn cell(range: &Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// The texts of a row, from column 0 up to the last non-empty cell.
pub(crate) fn texts(range: &Range<Data>, row: u32) -> Vec<String> {
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
pub(crate) fn num(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match cell(range, row, col) {
        Data::Float(x) => x,
        Data::Int(x) => x as f64,
        Data::DateTime(t) => t.as_f64(),
        d => panic!("({row}, {col}) is {d:?}, not a number"),
    }
}

/// The tabs as the API renders them over the upload template's two lines (2026-11-21 … 27).
pub(crate) fn rendered() -> Vec<(Tab, Value)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = OrderStore::open(dir.path()).expect("store opens");
    let bytes = super::template_workbook().expect("template");
    let opts = IngestOptions::default();
    let ingested = storeboard_data::ingest(Cursor::new(bytes), "template.xlsx", &opts)
        .expect("the template imports");
    store
        .apply(&ingested, "template.xlsx", "0", UploadMode::Merge)
        .expect("stored");
    let snaps = store.registry().all();
    let filters = Filters {
        store: None,
        from: NaiveDate::from_ymd_opt(2026, 11, 21).expect("valid"),
        to: NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid"),
        channel: None,
        requested: None,
    };
    Tab::ALL
        .iter()
        .map(|&tab| {
            let json = tab
                .render(&snaps, &filters, &Business::default())
                .expect("renders");
            (tab, serde_json::from_slice(&json).expect("JSON"))
        })
        .collect()
}

/// The answer of `tab` from [`rendered`].
pub(crate) fn rendered_tab(tab: Tab) -> Value {
    rendered()
        .into_iter()
        .find_map(|(t, json)| (t == tab).then_some(json))
        .expect("every tab renders")
}
