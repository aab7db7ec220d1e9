//! How numbers read on the page and in exports: `¥1,234.56`, `9,876`, `12.3%`, and `—` for a
//! value that does not exist (a margin of no sales), never `NaN` or `0`.

/// Shown for a missing value.
pub const MISSING: &str = "—";

/// A list of texts (a customer's products…) as one text, `、`-separated; other values as JSON.
pub fn list(items: &[serde_json::Value]) -> String {
    items
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect::<Vec<_>>()
        .join("、")
}

/// Money with a yuan sign, thousands separators and two decimals.
pub fn money(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) => {
            let sign = if v < 0.0 { "-" } else { "" };
            let fixed = format!("{:.2}", v.abs());
            let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, "00"));
            format!("{sign}¥{}.{frac}", group(int))
        }
        None => MISSING.to_owned(),
    }
}

/// A whole number with thousands separators.
pub fn int(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) => {
            let sign = if v < 0.0 { "-" } else { "" };
            format!("{sign}{}", group(&format!("{:.0}", v.abs())))
        }
        None => MISSING.to_owned(),
    }
}

/// A quantity: whole when it is whole (3), else up to three decimals (1.25 kg).
pub fn quantity(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) if (v - v.round()).abs() < 1e-9 => int(Some(v)),
        Some(v) => {
            let text = format!("{v:.3}");
            text.trim_end_matches('0').to_owned()
        }
        None => MISSING.to_owned(),
    }
}

/// A percentage already in percent units (12.345 → `12.3%`).
pub fn pct(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) => format!("{v:.1}%"),
        None => MISSING.to_owned(),
    }
}

/// A change in percent with its sign (`+4.2%`, `-3.0%`).
pub fn signed_pct(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) if v > 0.0 => format!("+{v:.1}%"),
        Some(v) => format!("{v:.1}%"),
        None => MISSING.to_owned(),
    }
}

/// A stored UTC time (RFC 3339) in this server's local time, `2026-11-23 21:14`: what the people
/// at the store read on their clocks. Unparseable text is shown as it is.
pub fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_separators_two_decimals_and_a_sign() {
        assert_eq!(money(Some(0.0)), "¥0.00");
        assert_eq!(money(Some(999.999)), "¥1,000.00");
        assert_eq!(money(Some(-1234.5)), "-¥1,234.50");
        assert_eq!(money(Some(f64::NAN)), MISSING);
        assert_eq!(money(None), MISSING);
    }

    #[test]
    fn stored_times_show_to_the_minute_and_junk_passes_through() {
        let shown = local_time("2026-11-23T21:14:20Z");
        assert_eq!(shown.len(), "2026-11-23 21:14".len(), "{shown}");
        assert!(shown.starts_with("2026-11-2"), "{shown}");
        assert_eq!(local_time("yesterday"), "yesterday");
    }

    #[test]
    fn quantities_drop_needless_decimals() {
        assert_eq!(quantity(Some(3.0)), "3");
        assert_eq!(quantity(Some(1.25)), "1.25");
        assert_eq!(quantity(Some(12345.0)), "12,345");
    }

    #[test]
    fn percentages_keep_one_decimal_and_changes_their_sign() {
        assert_eq!(pct(Some(12.345)), "12.3%");
        assert_eq!(signed_pct(Some(4.16)), "+4.2%");
        assert_eq!(signed_pct(Some(-3.0)), "-3.0%");
        assert_eq!(signed_pct(None), MISSING);
    }
}
