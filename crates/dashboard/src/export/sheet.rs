//! One worksheet under construction: typed cells from JSON values, bold headers, frozen panes and
//! column widths measured from what was written.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use serde_json::Value;

use super::book::lookup;
use super::ExportError;

pub(crate) use crate::columns::{Column as Col, Kind};

/// A column of a sheet only (a rank, a list name, a summary field): the same header on the
/// page, which never shows it.
pub(crate) const fn col(header: &'static str, field: &'static str, kind: Kind) -> Col {
    crate::columns::same(field, header, kind)
}

/// Widest a column gets, in characters.
const MAX_WIDTH: usize = 60;
/// Narrowest a column gets, in characters.
const MIN_WIDTH: usize = 6;
/// Excel day number of 1970-01-01: dates are written as serials from Unix time.
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;

/// The cell formats of a sheet.
struct Styles {
    bold: Format,
    title: Format,
    int: Format,
    qty: Format,
    money: Format,
    pct: Format,
    general: Format,
    date: Format,
    datetime: Format,
}

impl Styles {
    fn new() -> Self {
        Self {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(16),
            int: Format::new().set_num_format("#,##0"),
            qty: Format::new().set_num_format("#,##0.###"),
            money: Format::new().set_num_format("#,##0.00"),
            pct: Format::new().set_num_format("0.0"),
            general: Format::new(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }
}

/// A worksheet being written, with what it needs to name itself in errors.
pub(crate) struct Sheet {
    ws: Worksheet,
    name: String,
    tab: &'static str,
    /// Widest content per column so far, in characters (a CJK character counts two).
    widths: Vec<usize>,
    styles: Styles,
}

impl Sheet {
    /// An empty sheet; `name` must already be valid and unique (see `Book::sheet`).
    pub(crate) fn new(name: String, tab: &'static str) -> Self {
        Self {
            ws: Worksheet::new(),
            name,
            tab,
            widths: Vec::new(),
            styles: Styles::new(),
        }
    }

    /// The sheet's name.
    #[cfg(test)]
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// A large bold title; it does not widen its column (it may overflow to the right).
    pub(crate) fn title(&mut self, row: u32, text: &str) -> Result<(), ExportError> {
        let res = self
            .ws
            .write_string_with_format(row, 0, text, &self.styles.title)
            .map(drop);
        self.check(res)
    }

    /// Text in bold (a label or a header cell).
    pub(crate) fn label(&mut self, row: u32, col: u16, text: &str) -> Result<(), ExportError> {
        let res = self
            .ws
            .write_string_with_format(row, col, text, &self.styles.bold)
            .map(drop);
        self.widen(col, text_width(text) + 1);
        self.check(res)
    }

    /// Text, always as a string cell: user data never becomes a formula.
    pub(crate) fn text(&mut self, row: u32, col: u16, text: &str) -> Result<(), ExportError> {
        let res = self.ws.write_string(row, col, text).map(drop);
        self.widen(col, text_width(text));
        self.check(res)
    }

    /// A number in the format of `kind` (a text or date kind writes it in the general format).
    pub(crate) fn number(
        &mut self,
        row: u32,
        col: u16,
        v: f64,
        kind: Kind,
    ) -> Result<(), ExportError> {
        let s = &self.styles;
        let format = match kind {
            Kind::Int => &s.int,
            Kind::Qty if v.fract() == 0.0 => &s.int,
            Kind::Qty | Kind::Points => &s.qty,
            Kind::Money => &s.money,
            Kind::Pct | Kind::Change => &s.pct,
            Kind::Date => &s.date,
            Kind::DateTime => &s.datetime,
            Kind::Num | Kind::Text => &s.general,
        };
        let res = self
            .ws
            .write_number_with_format(row, col, v, format)
            .map(drop);
        self.widen(col, number_width(v, kind));
        self.check(res)
    }

    /// A date-time cell (`yyyy-mm-dd hh:mm:ss`).
    pub(crate) fn date_time(
        &mut self,
        row: u32,
        col: u16,
        t: NaiveDateTime,
    ) -> Result<(), ExportError> {
        self.number(row, col, serial(t), Kind::DateTime)
    }

    /// A JSON value as a `kind` cell; `null` leaves the cell empty. `at` names the value for
    /// errors (`channels[2].sales`).
    pub(crate) fn value(
        &mut self,
        row: u32,
        col: u16,
        v: &Value,
        kind: Kind,
        at: &dyn Fn() -> String,
    ) -> Result<(), ExportError> {
        match (kind, v) {
            (_, Value::Null) => Ok(()),
            (Kind::Text, Value::String(s)) => self.text(row, col, s),
            (Kind::Text, Value::Number(n)) => self.text(row, col, &n.to_string()),
            (Kind::Text, Value::Bool(b)) => self.text(row, col, if *b { "是" } else { "否" }),
            (Kind::Text, Value::Array(items)) => self.text(row, col, &crate::format::list(items)),
            (Kind::Date, Value::String(s)) => match NaiveDate::from_str(s) {
                Ok(d) => self.number(row, col, serial(d.and_time(Default::default())), kind),
                Err(_) => Err(self.shape(format!("{} is not a YYYY-MM-DD date: {s:?}", at()))),
            },
            (Kind::DateTime, Value::String(s)) => match NaiveDateTime::from_str(s) {
                Ok(t) => self.date_time(row, col, t),
                Err(_) => Err(self.shape(format!("{} is not a date-time: {s:?}", at()))),
            },
            (
                Kind::Int
                | Kind::Qty
                | Kind::Money
                | Kind::Pct
                | Kind::Change
                | Kind::Points
                | Kind::Num,
                Value::Number(n),
            ) => match n.as_f64() {
                Some(x) => self.number(row, col, x, kind),
                None => Err(self.shape(format!("{} is not a finite number", at()))),
            },
            _ => Err(self.shape(format!("{} is {v}, not a {kind:?} value", at()))),
        }
    }

    /// A row of bold headers from column 0.
    pub(crate) fn header<'h>(
        &mut self,
        row: u32,
        headers: impl IntoIterator<Item = &'h str>,
    ) -> Result<(), ExportError> {
        for (c, h) in headers.into_iter().enumerate() {
            self.label(row, column(c)?, h)?;
        }
        Ok(())
    }

    /// `cols`' headers at `row`, then one row per item of `rows` (the array at `path`, named in
    /// errors). Returns the first row after the table.
    pub(crate) fn table(
        &mut self,
        row: u32,
        cols: &[Col],
        rows: &[Value],
        path: &str,
    ) -> Result<u32, ExportError> {
        self.header(row, cols.iter().map(|c| c.header))?;
        let mut r = row;
        for (i, item) in rows.iter().enumerate() {
            r += 1;
            for (c, col) in cols.iter().enumerate() {
                let at = || format!("{path}[{i}].{}", col.key);
                let v = lookup(item, col.key)
                    .ok_or_else(|| self.shape(format!("{} is missing", at())))?;
                self.value(r, column(c)?, v, col.kind, &at)?;
            }
        }
        Ok(r + 1)
    }

    /// Keeps rows above `row` and columns left of `col` in view while scrolling.
    pub(crate) fn freeze(&mut self, row: u32, col: u16) -> Result<(), ExportError> {
        let res = self.ws.set_freeze_panes(row, col).map(drop);
        self.check(res)
    }

    /// A shape error about this sheet's tab.
    pub(crate) fn shape(&self, detail: String) -> ExportError {
        ExportError::Shape {
            tab: self.tab,
            detail,
        }
    }

    /// The named worksheet with its column widths, ready to push into the workbook.
    pub(crate) fn finish(mut self) -> Result<Worksheet, ExportError> {
        let res = self.ws.set_name(&self.name).map(drop);
        self.check(res)?;
        for (c, w) in self.widths.iter().enumerate() {
            let width = (w + 2).clamp(MIN_WIDTH, MAX_WIDTH);
            let res = self.ws.set_column_width(column(c)?, width as f64).map(drop);
            self.check(res)?;
        }
        Ok(self.ws)
    }

    fn widen(&mut self, col: u16, width: usize) {
        let c = usize::from(col);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(width);
    }

    fn check(&self, res: Result<(), XlsxError>) -> Result<(), ExportError> {
        res.map_err(|source| ExportError::Xlsx {
            context: format!("sheet {}", self.name),
            source,
        })
    }
}

/// A column index as rust_xlsxwriter wants it.
fn column(c: usize) -> Result<u16, ExportError> {
    u16::try_from(c).map_err(|_| ExportError::Xlsx {
        context: format!("column {c}"),
        source: XlsxError::RowColumnLimitError,
    })
}

/// The Excel serial of a date-time (days since 1899-12-30, the time as a fraction of a day).
fn serial(t: NaiveDateTime) -> f64 {
    UNIX_EPOCH_SERIAL + t.and_utc().timestamp() as f64 / 86_400.0
}

/// Display width of text: East Asian characters take two columns.
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Display width of a number as its format shows it (digits, separators, decimals).
fn number_width(v: f64, kind: Kind) -> usize {
    let digits = format!("{:.0}", v.abs().trunc()).len();
    let grouped = digits + (digits - 1) / 3 + usize::from(v < 0.0);
    match kind {
        Kind::Int => grouped,
        Kind::Qty | Kind::Money | Kind::Points => grouped + 3,
        Kind::Pct | Kind::Change => grouped + 2,
        Kind::Date => 10,
        Kind::DateTime => 19,
        Kind::Num | Kind::Text => v.to_string().len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_excel_serials() {
        let t = NaiveDateTime::from_str("2026-11-27T12:00:00").expect("valid");
        // 2026-11-27 is Excel day 46353; noon is half a day.
        assert_eq!(serial(t), 46_353.5);
    }

    #[test]
    fn widths_count_cjk_twice_and_numbers_with_separators() {
        assert_eq!(text_width("门店a"), 5);
        assert_eq!(number_width(1_234_567.891, Kind::Money), 12);
        assert_eq!(number_width(-5.0, Kind::Int), 2);
    }

    #[test]
    fn values_of_the_wrong_type_are_shape_errors() {
        let mut sheet = Sheet::new("s".into(), "products");
        let at = || "products[0].sales".to_owned();
        let err = sheet
            .value(1, 0, &Value::from("x"), Kind::Money, &at)
            .expect_err("text is no money");
        assert!(err.to_string().contains("products[0].sales"), "{err}");
        assert!(sheet.value(1, 0, &Value::Null, Kind::Money, &at).is_ok());
    }
}
