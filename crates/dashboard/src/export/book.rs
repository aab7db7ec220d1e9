//! A workbook under construction: fixed document properties, unique valid sheet names, and the
//! JSON lookups every tab's sheets use (with the tab named in their errors).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use serde_json::Value;

use super::sheet::{Col, Sheet};
use super::{ExportError, ALL_CHANNELS, ALL_STORES};

/// Excel's limit on a sheet name, in UTF-16 units.
const SHEET_NAME_MAX: usize = 31;

/// Characters Excel refuses in sheet names.
const SHEET_NAME_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// The sheets of one export, in order.
pub(crate) struct Book {
    workbook: Workbook,
    /// The names taken so far, lower-cased: Excel compares sheet names without case.
    taken: Vec<String>,
    /// The tab's URL name, for shape errors.
    pub(crate) tab: &'static str,
}

impl Book {
    /// An empty workbook for `tab` (`template` for the upload template).
    pub(crate) fn new(tab: &'static str) -> Result<Self, ExportError> {
        let mut workbook = Workbook::new();
        // A fixed creation time: otherwise docProps/core.xml holds the current time and the same
        // JSON gives different bytes from one second to the next (as in storeboard-fixtures).
        let created = ExcelDateTime::from_ymd(2026, 1, 1)
            .map_err(ExportError::xlsx("document properties"))?;
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
        Ok(Self {
            workbook,
            taken: Vec::new(),
            tab,
        })
    }

    /// A new sheet named after `wanted`, made valid and unique (`渠道`, `渠道(2)`).
    pub(crate) fn sheet(&mut self, wanted: &str) -> Sheet {
        let base = sheet_name(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name.to_lowercase()) {
            let suffix = format!("({n})");
            name = truncate_utf16(&base, SHEET_NAME_MAX - suffix.len()) + &suffix;
            n += 1;
        }
        self.taken.push(name.to_lowercase());
        Sheet::new(name, self.tab)
    }

    /// Appends a finished sheet.
    pub(crate) fn push(&mut self, sheet: Sheet) -> Result<(), ExportError> {
        self.workbook.push_worksheet(sheet.finish()?);
        Ok(())
    }

    /// The `.xlsx` bytes.
    pub(crate) fn bytes(mut self) -> Result<Vec<u8>, ExportError> {
        self.workbook
            .save_to_buffer()
            .map_err(ExportError::xlsx("saving the workbook"))
    }

    /// A sheet holding only the table of the array at `path`, its header frozen.
    pub(crate) fn table_sheet(
        &mut self,
        name: &str,
        json: &Value,
        path: &str,
        cols: &[Col],
    ) -> Result<(), ExportError> {
        let rows = self.array(json, path)?;
        let mut sheet = self.sheet(name);
        sheet.table(0, cols, rows, path)?;
        sheet.freeze(1, 0)?;
        self.push(sheet)
    }

    /// A shape error about this book's tab.
    pub(crate) fn shape(&self, detail: impl Into<String>) -> ExportError {
        ExportError::Shape {
            tab: self.tab,
            detail: detail.into(),
        }
    }

    /// The value at `path` (`kpis.orders`), which must be present (it may be `null`).
    pub(crate) fn get<'v>(&self, json: &'v Value, path: &str) -> Result<&'v Value, ExportError> {
        lookup(json, path).ok_or_else(|| self.shape(format!("{path} is missing")))
    }

    /// The array at `path`.
    pub(crate) fn array<'v>(
        &self,
        json: &'v Value,
        path: &str,
    ) -> Result<&'v [Value], ExportError> {
        self.get(json, path)?
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.shape(format!("{path} is not an array")))
    }

    /// The string at `path`; `None` when it is `null`.
    pub(crate) fn text<'v>(
        &self,
        json: &'v Value,
        path: &str,
    ) -> Result<Option<&'v str>, ExportError> {
        match self.get(json, path)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            _ => Err(self.shape(format!("{path} is not a string"))),
        }
    }

    /// `title` in row 0, then what the export covers (period, store, channel) as label and
    /// value rows. Returns the first free row.
    pub(crate) fn heading(
        &self,
        sheet: &mut Sheet,
        title: &str,
        json: &Value,
    ) -> Result<u32, ExportError> {
        let from = self.text(json, "filters.from")?.unwrap_or_default();
        let to = self.text(json, "filters.to")?.unwrap_or_default();
        let store = self.text(json, "filters.store")?.unwrap_or(ALL_STORES);
        let channel = self.text(json, "filters.channel")?.unwrap_or(ALL_CHANNELS);
        sheet.title(0, title)?;
        let rows = [
            ("统计周期", format!("{from} 至 {to}")),
            ("门店", store.to_owned()),
            ("渠道", channel.to_owned()),
        ];
        for (row, (label, value)) in (1..).zip(rows) {
            sheet.label(row, 0, label)?;
            sheet.text(row, 1, &value)?;
        }
        Ok(4)
    }
}

/// The value at a dotted `path` (`cost_rates.product_cost`); `None` when a step is absent. Below
/// a `null` everything is `null`: a card without a trend has no trend figures, which is no error.
pub(crate) fn lookup<'v>(json: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(
        json,
        |v, key| if v.is_null() { Some(v) } else { v.get(key) },
    )
}

/// `wanted` as a valid sheet name: forbidden characters as `_`, no leading or trailing
/// apostrophe, at most 31 UTF-16 units, never blank.
fn sheet_name(wanted: &str) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| {
            if SHEET_NAME_FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = truncate_utf16(cleaned.trim().trim_matches('\''), SHEET_NAME_MAX);
    let trimmed = trimmed.trim_end_matches('\'');
    if trimmed.is_empty() {
        "Sheet".to_owned()
    } else if trimmed.eq_ignore_ascii_case("history") {
        // Excel reserves "History" for its change tracking.
        format!("{trimmed}_")
    } else {
        trimmed.to_owned()
    }
}

/// The longest prefix of `s` of at most `max` UTF-16 units (Excel's unit for name lengths).
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_lose_forbidden_characters_and_stay_within_31_units() {
        assert_eq!(sheet_name("a/b[c]:d*e?f\\g"), "a_b_c__d_e_f_g");
        assert_eq!(sheet_name("'引号'"), "引号");
        assert_eq!(sheet_name(""), "Sheet");
        assert_eq!(sheet_name("History"), "History_");
        let long = "很".repeat(40);
        assert_eq!(sheet_name(&long).chars().count(), 31);
        assert_eq!(truncate_utf16("😀😀😀", 5), "😀😀");
    }

    #[test]
    fn repeated_sheet_names_get_a_number_ignoring_case() -> Result<(), ExportError> {
        let mut book = Book::new("today")?;
        let names: Vec<String> = [
            "卡片",
            "卡片",
            "Ab",
            "aB",
            &"长".repeat(31),
            &"长".repeat(31),
        ]
        .iter()
        .map(|n| book.sheet(n).name().to_owned())
        .collect();
        assert_eq!(names[..4], ["卡片", "卡片(2)", "Ab", "aB(2)"]);
        assert_eq!(names[5], format!("{}(2)", "长".repeat(28)));
        Ok(())
    }

    #[test]
    fn lookups_tell_missing_fields_from_null_ones() -> Result<(), ExportError> {
        let book = Book::new("overview")?;
        let json = serde_json::json!({"a": {"b": null, "c": "x"}});
        assert_eq!(book.text(&json, "a.b")?, None);
        assert_eq!(book.text(&json, "a.c")?, Some("x"));
        let err = book.text(&json, "a.d").expect_err("missing");
        assert_eq!(
            err.to_string(),
            "the overview JSON does not have the expected shape: a.d is missing"
        );
        Ok(())
    }
}
