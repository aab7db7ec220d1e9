//! One cell's value through `read_text`, `read_number` and `read_datetime` (and the text parsers
//! behind them): never a panic, and what they read survives a round trip.
//!
//! - Any cell (the kinds the readers hand over, or a calamine `Data` value converted as
//!   `read.rs` converts it): the three readers agree with each other.
//! - A finite number written with `{}` (bare, with `¥`/`￥`/`元`, thousands separators, white
//!   space, or `%`) reads back as itself within 1e-9 relative.
//! - A date-time written `YYYY-MM-DD HH:MM:SS` (and the other documented text forms) reads back as
//!   itself; one between 1899-12-31 and 9999-12-31 also does as an Excel serial.
#![no_main]

use std::borrow::Cow;

use arbitrary::Arbitrary;
use calamine::{CellErrorType, Data, ExcelDateTime, ExcelDateTimeType};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use libfuzzer_sys::fuzz_target;
use storeboard_data::cell::{
    parse_datetime_text, parse_number_text, read_datetime, read_number, read_text,
    serial_to_datetime, Cell,
};

#[derive(Arbitrary, Debug)]
enum Input {
    Cell(AnyCell),
    Data(AnyData),
    Text(String),
    Number {
        value: f64,
        dress: Dress,
    },
    DateTime {
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        millis: u16,
    },
}

/// The cells the readers hand over (`storeboard_data::cell::Cell`).
#[derive(Arbitrary, Debug)]
enum AnyCell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(f64),
    Error(String),
}

/// calamine's cell values, as `.xls`/`.ods` sheets give them.
#[derive(Arbitrary, Debug)]
enum AnyData {
    Int(i64),
    Float(f64),
    String(String),
    Bool(bool),
    DateTime {
        value: f64,
        duration: bool,
        is_1904: bool,
    },
    DateTimeIso(String),
    DurationIso(String),
    Error(u8),
    Empty,
}

/// How a number is dressed in an export.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Dress {
    Bare,
    Padded,
    Yuan,
    FullWidthYuan,
    YuanSuffix,
    Dollar,
    Thousands,
    FullWidthThousands,
    Percent,
}

impl AnyCell {
    fn cell(&self) -> Cell<'_> {
        match self {
            AnyCell::Empty => Cell::Empty,
            AnyCell::Text(s) => Cell::Text(Cow::Borrowed(s)),
            AnyCell::Int(i) => Cell::Int(*i),
            AnyCell::Float(f) => Cell::Float(*f),
            AnyCell::Bool(b) => Cell::Bool(*b),
            AnyCell::DateTime(s) => Cell::DateTime(*s),
            AnyCell::Error(e) => Cell::Error(e.clone()),
        }
    }
}

impl AnyData {
    fn data(&self) -> Data {
        const ERRORS: [CellErrorType; 8] = [
            CellErrorType::Div0,
            CellErrorType::NA,
            CellErrorType::Name,
            CellErrorType::Null,
            CellErrorType::Num,
            CellErrorType::Ref,
            CellErrorType::Value,
            CellErrorType::GettingData,
        ];
        match self {
            AnyData::Int(i) => Data::Int(*i),
            AnyData::Float(f) => Data::Float(*f),
            AnyData::String(s) => Data::String(s.clone()),
            AnyData::Bool(b) => Data::Bool(*b),
            &AnyData::DateTime {
                value,
                duration,
                is_1904,
            } => {
                let kind = if duration {
                    ExcelDateTimeType::TimeDelta
                } else {
                    ExcelDateTimeType::DateTime
                };
                Data::DateTime(ExcelDateTime::new(value, kind, is_1904))
            }
            AnyData::DateTimeIso(s) => Data::DateTimeIso(s.clone()),
            AnyData::DurationIso(s) => Data::DurationIso(s.clone()),
            AnyData::Error(e) => Data::Error(ERRORS[usize::from(*e) % ERRORS.len()].clone()),
            AnyData::Empty => Data::Empty,
        }
    }
}

/// calamine `Data` → `Cell`, as `read.rs` (`from_data`, private) converts `.xls`/`.ods` cells;
/// the real conversion is fuzzed end to end by `workbook_ingest`.
fn from_data(value: &Data) -> Cell<'_> {
    match value {
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::String(s) => Cell::Text(Cow::Borrowed(s)),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => Cell::DateTime(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(Cow::Borrowed(s)),
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::Empty => Cell::Empty,
    }
}

fn text(s: &str) -> Cell<'_> {
    Cell::Text(Cow::Borrowed(s))
}

/// The three readers on one cell, and how they must agree.
fn check(cell: &Cell<'_>) {
    let as_text = read_text(cell);
    let number = read_number(cell);
    let when = read_datetime(cell);
    let _ = cell.display();
    if let Some(t) = &as_text {
        assert!(
            !t.is_empty() && t.trim() == t,
            "read_text gives trimmed text: {t:?}"
        );
    }
    if cell.is_blank() {
        assert_eq!(as_text, None);
        assert_eq!(number, Ok(None));
        assert_eq!(when, None);
    }
    if let Ok(Some(x)) = number {
        assert!(x.is_finite(), "{x}");
    }
    match cell {
        // A numeric ID read as text reads back as the same number (`1234567890123`, not `1.2e12`).
        Cell::Int(_) | Cell::Float(_) => {
            let t = as_text.as_deref().expect("a number always has a text");
            assert_eq!(read_number(&text(t)), number, "{cell:?} as text {t:?}");
        }
        // A date cell read as text reads back as the same date-time.
        Cell::DateTime(_) => {
            if let Some(t) = &as_text {
                assert_eq!(read_datetime(&text(t)), when, "{cell:?} as text {t:?}");
            }
            assert_eq!(as_text.is_some(), when.is_some(), "{cell:?}");
        }
        Cell::Text(t) => {
            assert_eq!(number, parse_number_text(t));
            assert_eq!(when, parse_datetime_text(t));
        }
        Cell::Empty | Cell::Bool(_) | Cell::Error(_) => {
            assert_eq!(when, None);
        }
    }
}

/// `digits` with a separator every three digits of its integer part.
fn thousands(digits: &str, separator: char) -> String {
    let (sign, rest) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits),
    };
    let (int, frac) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

fn number_round_trip(value: f64, dress: Dress) {
    if !value.is_finite() {
        return;
    }
    let digits = format!("{value}");
    let (written, want) = match dress {
        Dress::Bare => (digits, value),
        Dress::Padded => (format!(" \t{digits} "), value),
        Dress::Yuan => (format!("¥{digits}"), value),
        Dress::FullWidthYuan => (format!("￥{digits}"), value),
        Dress::YuanSuffix => (format!("{digits}元"), value),
        Dress::Dollar => (format!("${digits}"), value),
        Dress::Thousands => (thousands(&digits, ','), value),
        Dress::FullWidthThousands => (thousands(&digits, '，'), value),
        Dress::Percent => (format!("{digits}%"), value / 100.0),
    };
    let got = read_number(&text(&written));
    let Ok(Some(got)) = got else {
        panic!("{written:?} read as {got:?}, want {want}");
    };
    // Relative 1e-9; the absolute floor only matters where `%` underflows a subnormal.
    let tolerance = 1e-9 * want.abs() + f64::MIN_POSITIVE;
    assert!(
        (got - want).abs() <= tolerance,
        "{written:?} read as {got}, want {want}"
    );
}

/// The Excel serial of a date-time (days since 1899-12-30).
fn serial(dt: NaiveDateTime) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .expect("valid")
        .and_time(NaiveTime::MIN);
    (dt - epoch).num_milliseconds() as f64 / 86_400_000.0
}

fn datetime_round_trip(year: u16, month: u8, day: u8, hms: (u8, u8, u8), millis: u16) {
    let Some(date) =
        NaiveDate::from_ymd_opt(i32::from(year % 10_000), u32::from(month), u32::from(day))
    else {
        return;
    };
    let (h, m, s) = hms;
    let Some(dt) = date.and_hms_opt(u32::from(h % 24), u32::from(m % 60), u32::from(s % 60)) else {
        return;
    };
    let cases: [(&str, NaiveDateTime); 6] = [
        ("%Y-%m-%d %H:%M:%S", dt),
        ("%Y/%m/%d %H:%M:%S", dt),
        ("%Y-%m-%dT%H:%M:%S", dt),
        ("%Y年%m月%d日 %H:%M:%S", dt),
        ("%Y-%m-%d %H:%M", dt.with_second(0).expect("valid")),
        ("%Y-%m-%d", date.and_time(NaiveTime::MIN)),
    ];
    for (format, want) in cases {
        let written = dt.format(format).to_string();
        assert_eq!(read_datetime(&text(&written)), Some(want), "{written:?}");
        let padded = format!("  {written}\t");
        assert_eq!(read_datetime(&text(&padded)), Some(want), "{padded:?}");
    }
    // Fractional seconds are kept by the `%.f` form.
    let fine = dt + chrono::Duration::milliseconds(i64::from(millis % 1000));
    let written = fine.format("%Y-%m-%d %H:%M:%S%.3f").to_string();
    assert_eq!(read_datetime(&text(&written)), Some(fine), "{written:?}");
    // As an Excel serial (date cell or number) within Excel's range: back to the second.
    let first = NaiveDate::from_ymd_opt(1899, 12, 31).expect("valid");
    if dt >= first.and_time(NaiveTime::MIN) {
        let s = serial(dt);
        assert_eq!(serial_to_datetime(s), Some(dt), "serial {s}");
        assert_eq!(read_datetime(&Cell::DateTime(s)), Some(dt), "serial {s}");
        assert_eq!(
            read_text(&Cell::DateTime(s)).as_deref(),
            Some(dt.format("%Y-%m-%d %H:%M:%S").to_string().as_str())
        );
    }
}

fuzz_target!(|input: Input| {
    match input {
        Input::Cell(c) => check(&c.cell()),
        Input::Data(d) => check(&from_data(&d.data())),
        Input::Text(s) => {
            check(&text(&s));
            let _ = parse_number_text(&s);
            let _ = parse_datetime_text(&s);
        }
        Input::Number { value, dress } => {
            number_round_trip(value, dress);
            check(&Cell::Float(value));
        }
        Input::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millis,
        } => {
            datetime_round_trip(year, month, day, (hour, minute, second), millis);
        }
    }
});
