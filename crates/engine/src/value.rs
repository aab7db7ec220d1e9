//! Textual forms of setting values: what a flag, an environment variable or a TOML file holds.

use std::time::Duration;

/// A type a setting can have. `parse_setting` returns what was expected on failure.
pub trait SettingValue: Sized {
    /// Parses the textual form; the error says what was expected.
    fn parse_setting(raw: &str) -> Result<Self, String>;
    /// The textual form, parseable again by `parse_setting`.
    fn show_setting(&self) -> String;
}

impl SettingValue for String {
    fn parse_setting(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("a non-empty text".to_owned());
        }
        Ok(raw.to_owned())
    }
    fn show_setting(&self) -> String {
        self.clone()
    }
}

macro_rules! integer_value {
    ($($ty:ty),*) => {$(
        impl SettingValue for $ty {
            fn parse_setting(raw: &str) -> Result<Self, String> {
                raw.trim().replace('_', "").parse().map_err(|_| {
                    format!("a whole number from {} to {}", <$ty>::MIN, <$ty>::MAX)
                })
            }
            fn show_setting(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
integer_value!(u16, u32, u64, usize);

impl SettingValue for Option<usize> {
    fn parse_setting(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "" | "none" | "default" | "unset" => Ok(None),
            other => usize::parse_setting(other).map(Some),
        }
    }
    fn show_setting(&self) -> String {
        match self {
            Some(v) => v.to_string(),
            None => "unset".to_owned(),
        }
    }
}

impl SettingValue for bool {
    fn parse_setting(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err("true or false".to_owned()),
        }
    }
    fn show_setting(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for Duration {
    fn parse_setting(raw: &str) -> Result<Self, String> {
        let expected = || "a number of seconds (decimals allowed) up to 31536000".to_owned();
        let secs: f64 = raw.trim().parse().map_err(|_| expected())?;
        // A year is far past any sensible timeout and keeps the value clear of Duration overflow.
        if !secs.is_finite() || !(0.0..=31_536_000.0).contains(&secs) {
            return Err(expected());
        }
        Ok(Duration::from_secs_f64(secs))
    }
    fn show_setting(&self) -> String {
        let secs = self.as_secs_f64();
        if secs.fract() == 0.0 {
            format!("{}", self.as_secs())
        } else {
            format!("{secs}")
        }
    }
}

impl SettingValue for Vec<String> {
    fn parse_setting(raw: &str) -> Result<Self, String> {
        if raw.trim() == "unset" {
            return Ok(Vec::new());
        }
        Ok(raw
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }
    fn show_setting(&self) -> String {
        if self.is_empty() {
            "unset".to_owned()
        } else {
            self.join(",")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip_through_their_text() {
        let d = Duration::parse_setting("0.25").expect("valid");
        assert_eq!(d, Duration::from_millis(250));
        assert_eq!(d.show_setting(), "0.25");
        assert_eq!(Duration::from_secs(60).show_setting(), "60");
        assert!(Duration::parse_setting("-1").is_err());
        assert!(Duration::parse_setting("NaN").is_err());
    }

    #[test]
    fn booleans_accept_the_usual_spellings() {
        assert!(bool::parse_setting("Yes").expect("valid"));
        assert!(!bool::parse_setting("off").expect("valid"));
        assert!(bool::parse_setting("maybe").is_err());
    }

    #[test]
    fn unset_reads_back_as_no_value() {
        assert_eq!(Option::<usize>::parse_setting("unset"), Ok(None));
        assert_eq!(Vec::<String>::parse_setting("unset"), Ok(Vec::new()));
        assert_eq!(None::<usize>.show_setting(), "unset");
    }

    #[test]
    fn integers_reject_negative_and_overflowing_values() {
        assert!(u16::parse_setting("70000").is_err());
        assert!(usize::parse_setting("-3").is_err());
        assert_eq!(usize::parse_setting("262_144"), Ok(262_144));
    }
}
