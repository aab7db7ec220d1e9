//! One cell's value as the readers hand it over, and how each column type is read from it.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// A cell, whatever the file format (xlsx/xls/ods cells, or CSV text).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Nothing in the cell.
    Empty,
    /// Text.
    Text(std::borrow::Cow<'a, str>),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date/time cell, as an Excel serial (days since 1899-12-30, fraction = time of day).
    DateTime(f64),
    /// An error value (`#DIV/0!`).
    Error(String),
}

impl Cell<'_> {
    /// True for an empty cell or text that is only white space.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// How the cell is shown in problem reports.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => float_text(*f),
            Cell::Bool(b) => b.to_string(),
            Cell::DateTime(s) => {
                serial_to_datetime(*s).map_or_else(|| s.to_string(), |d| d.to_string())
            }
            Cell::Error(e) => e.clone(),
        }
    }
}

/// The largest integer an `f64` holds exactly; beyond it digits would be invented.
const EXACT_F64: f64 = 9_007_199_254_740_992.0;

/// A float as text: an integral value as its digits (`1234567890123`, never `1.23e12`).
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < EXACT_F64 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Reads a text column: trimmed text (borrowed, no copy); numbers as their digits. `None` when
/// blank.
pub fn read_text<'c>(cell: &'c Cell<'_>) -> Option<Cow<'c, str>> {
    let text = match cell {
        Cell::Empty | Cell::Error(_) => return None,
        Cell::Text(t) => Cow::Borrowed(t.trim()),
        Cell::Int(i) => Cow::Owned(i.to_string()),
        Cell::Float(f) => Cow::Owned(float_text(*f)),
        Cell::Bool(b) => Cow::Owned(b.to_string()),
        Cell::DateTime(s) => Cow::Owned(
            serial_to_datetime(*s)?
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        ),
    };
    (!text.is_empty()).then_some(text)
}

/// Reads a number column. `Ok(None)` for blank, `Err(())` for text that is not a number.
#[allow(clippy::result_unit_err)]
pub fn read_number(cell: &Cell<'_>) -> Result<Option<f64>, ()> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Int(i) => Ok(Some(*i as f64)),
        Cell::Float(f) if f.is_finite() => Ok(Some(*f)),
        Cell::Float(_) | Cell::Error(_) | Cell::Bool(_) | Cell::DateTime(_) => Err(()),
        Cell::Text(t) => parse_number_text(t),
    }
}

/// Parses `1,234.50`, `¥12.3`, `-5`, ` 7 `, `12%` (as 0.12); blank is `None`.
#[allow(clippy::result_unit_err)]
pub fn parse_number_text(raw: &str) -> Result<Option<f64>, ()> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed == "-" || trimmed == "--" {
        return Ok(None);
    }
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | '$' | ' ' | '元'))
        .collect();
    let (digits, scale) = match cleaned.strip_suffix('%') {
        Some(d) => (d, 0.01),
        None => (cleaned.as_str(), 1.0),
    };
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v * scale)),
        _ => Err(()),
    }
}

/// Days from 1899-12-30 (Excel's serial epoch, which absorbs its 1900 leap-year bug for every
/// date after February 1900) to a date-time, to the nearest second.
pub fn serial_to_datetime(serial: f64) -> Option<NaiveDateTime> {
    // Years 1900..=9999 only: anything else is not a plausible order time.
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    let millis = (serial * 86_400_000.0).round() as i64;
    let dt = epoch.checked_add_signed(Duration::milliseconds(millis))?;
    // Round to whole seconds: serials carry float noise (…:59.9999).
    let secs = (dt.and_utc().timestamp_millis() + 500).div_euclid(1000);
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
}

const DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
];

const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"];

/// Reads a date-time column: date cells, Excel serials, or the common text forms.
pub fn read_datetime(cell: &Cell<'_>) -> Option<NaiveDateTime> {
    match cell {
        Cell::DateTime(s) | Cell::Float(s) => serial_to_datetime(*s),
        Cell::Int(i) => serial_to_datetime(*i as f64),
        Cell::Text(t) => parse_datetime_text(t),
        _ => None,
    }
}

/// Parses `YYYY-MM-DD HH:MM[:SS]`, `YYYY/M/D [H:MM[:SS]]`, ISO `T` forms, `YYYY年M月D日`, and
/// a number written as text (an Excel serial).
pub fn parse_datetime_text(raw: &str) -> Option<NaiveDateTime> {
    let text = raw.trim();
    if text.is_empty() || text.len() > 40 {
        return None;
    }
    if let Some(dt) = DATETIME_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    {
        return Some(dt);
    }
    if let Some(d) = DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
    {
        return Some(d.and_time(NaiveTime::MIN));
    }
    text.parse::<f64>().ok().and_then(serial_to_datetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    #[test]
    fn integral_numeric_order_id_becomes_its_digits() {
        assert_eq!(
            read_text(&Cell::Float(1_234_567_890_123.0)).as_deref(),
            Some("1234567890123")
        );
        assert_eq!(read_text(&Cell::Int(42)).as_deref(), Some("42"));
        assert_eq!(read_text(&text("  A-1 ")).as_deref(), Some("A-1"));
        assert_eq!(read_text(&text("   ")), None);
    }

    #[test]
    fn numbers_read_from_numeric_and_text_cells() {
        assert_eq!(read_number(&Cell::Float(2.5)), Ok(Some(2.5)));
        assert_eq!(read_number(&text("1,234.5")), Ok(Some(1234.5)));
        assert_eq!(read_number(&text("￥12")), Ok(Some(12.0)));
        assert_eq!(read_number(&text("")), Ok(None));
        assert_eq!(read_number(&text("abc")), Err(()));
        assert_eq!(read_number(&text("NaN")), Err(()));
    }

    #[test]
    fn dates_read_from_serials_and_common_text_forms() {
        let want = NaiveDate::from_ymd_opt(2026, 11, 1)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .expect("valid");
        // 46327 is 2026-11-01 in Excel's 1900 system; 9:30 is 0.395833…
        assert_eq!(
            read_datetime(&Cell::DateTime(46327.0 + 9.5 / 24.0)),
            Some(want)
        );
        assert_eq!(read_datetime(&text("2026-11-01 09:30")), Some(want));
        assert_eq!(read_datetime(&text("2026-11-01 09:30:00")), Some(want));
        assert_eq!(read_datetime(&text("2026/11/1 9:30")), Some(want));
        assert_eq!(
            read_datetime(&text("2026/11/1")),
            NaiveDate::from_ymd_opt(2026, 11, 1).map(|d| d.and_time(NaiveTime::MIN))
        );
        assert_eq!(read_datetime(&text("昨天下午")), None);
        assert_eq!(read_datetime(&Cell::Float(-3.0)), None);
    }

    #[test]
    fn serial_noise_rounds_to_the_second() {
        let dt = serial_to_datetime(46327.0 + (86_399.999_9 / 86_400.0)).expect("valid");
        assert_eq!(dt.to_string(), "2026-11-02 00:00:00");
    }
}
