//! The validation report an upload answers with.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dataset::{self, Sym};
use crate::staged::Staged;

/// How many problems the report itself lists; all of them go to the downloadable CSV.
pub const REPORT_PROBLEMS: usize = 100;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row was rejected.
    Error,
    /// The value was read as 0; the row was kept.
    Warning,
}

/// One bad cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// The sheet (or `CSV`).
    pub sheet: String,
    /// The row number as Excel shows it.
    pub row: u32,
    /// The column's canonical name.
    pub column: String,
    /// The cell as written.
    pub value: String,
    /// What is wrong (Chinese first).
    pub message: String,
    /// Rejected row or warning.
    pub severity: Severity,
}

/// One store's share of an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreSpan {
    /// 门店名称.
    pub name: String,
    /// Accepted lines.
    pub lines: usize,
    /// Distinct orders.
    pub orders: usize,
    /// First day, `YYYY-MM-DD`.
    pub first_day: NaiveDate,
    /// Last day.
    pub last_day: NaiveDate,
}

/// An optional column the file lacks, and what that disables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingColumn {
    /// Canonical name.
    pub column: String,
    /// The figures that cannot be computed.
    pub disables: String,
}

/// What reading one file found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    /// The uploaded file's name.
    pub file_name: String,
    /// The sheet read (`CSV` for CSV).
    pub sheet: String,
    /// The header's row number as Excel shows it.
    pub header_row: u32,
    /// Lines kept.
    pub accepted_lines: usize,
    /// Lines rejected for a bad required cell.
    pub rejected_lines: usize,
    /// Distinct orders among the kept lines.
    pub orders: usize,
    /// Per store: lines, orders, first and last day.
    pub stores: Vec<StoreSpan>,
    /// Headers that are not part of the format (kept out of the analysis); the first 200.
    pub ignored_columns: Vec<String>,
    /// How many headers were ignored in all.
    pub ignored_column_count: usize,
    /// Expected columns the file lacks.
    pub missing_optional: Vec<MissingColumn>,
    /// Problems in all (errors and warnings).
    pub problem_count: usize,
    /// Of which warnings.
    pub warning_count: usize,
    /// The first [`REPORT_PROBLEMS`] problems.
    pub problems: Vec<Problem>,
}

/// Writes problems as CSV (UTF-8 with BOM so that Excel on Chinese Windows opens it right).
pub fn problems_csv(problems: &[Problem]) -> String {
    let mut out = String::from("\u{feff}工作表,行号,列,值,问题,级别\n");
    for p in problems {
        let severity = match p.severity {
            Severity::Error => "拒收",
            Severity::Warning => "警告",
        };
        let fields = [
            p.sheet.as_str(),
            &p.row.to_string(),
            &p.column,
            &p.value,
            &p.message,
            severity,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a CSV field when needed, and defuses spreadsheet formulas (`=`, `+`, `-`, `@` first).
fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@']) && value.parse::<f64>().is_err() {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// Lines, orders and first/last day of each store in `data`, by store name.
pub fn store_spans(data: &Staged) -> Vec<StoreSpan> {
    let mut spans: HashMap<Sym, (usize, usize, i64, i64)> = HashMap::new();
    let orders = data
        .order_stores()
        .iter()
        .zip(data.order_times())
        .zip(data.order_line_counts());
    for ((&store, &t), &lines) in orders {
        let e = spans.entry(store).or_insert((0, 0, t, t));
        e.0 += lines as usize;
        e.1 += 1;
        e.2 = e.2.min(t);
        e.3 = e.3.max(t);
    }
    let mut out: Vec<StoreSpan> = spans
        .into_iter()
        .map(|(store, (lines, orders, min, max))| StoreSpan {
            name: data.strings.get(store).to_owned(),
            lines,
            orders,
            first_day: dataset::day_of(min),
            last_day: dataset::day_of(max),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_csv_quotes_and_defuses_formulas() {
        let p = Problem {
            sheet: "Sheet1".into(),
            row: 7,
            column: "实收价格".into(),
            value: "=HYPERLINK(\"x\",\"a,b\")".into(),
            message: "不是数字".into(),
            severity: Severity::Warning,
        };
        let csv = problems_csv(&[p]);
        let line = csv.lines().nth(1).expect("a data line");
        assert!(
            line.starts_with("Sheet1,7,实收价格,\"'=HYPERLINK(\"\"x\"\",\"\"a,b\"\")\""),
            "{line}"
        );
        assert!(line.ends_with(",不是数字,警告"));
    }
}
