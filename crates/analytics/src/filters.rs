//! What a request asks for: store, inclusive day range, channel. Per request, never global.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// The filters of one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Filters {
    /// One store, or all stores when `None`.
    pub store: Option<String>,
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// One channel (渠道), or all when `None`.
    pub channel: Option<String>,
    /// The period the request asked for, when `from`..`to` is narrower: it reached beyond the
    /// selected data's first or last day and was clamped to them (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<Period>,
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
}

impl Filters {
    /// Days in the period.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The same number of days just before: `[from − n, to − n]`.
    pub fn previous(&self) -> Filters {
        self.shifted(self.days())
    }

    /// The period a week earlier, only for periods of at most 7 days.
    pub fn last_week(&self) -> Option<Filters> {
        (self.days() <= 7).then(|| self.shifted(7))
    }

    fn shifted(&self, days: i64) -> Filters {
        Filters {
            from: self.from - Duration::days(days),
            to: self.to - Duration::days(days),
            requested: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
    }

    #[test]
    fn previous_period_is_the_same_length_just_before() {
        let f = Filters {
            store: None,
            from: day(8),
            to: day(14),
            channel: None,
            requested: None,
        };
        assert_eq!(f.days(), 7);
        let p = f.previous();
        assert_eq!((p.from, p.to), (day(1), day(7)));
        assert_eq!(
            f.last_week().map(|w| (w.from, w.to)),
            Some((day(1), day(7)))
        );
    }

    #[test]
    fn last_week_only_for_periods_up_to_seven_days() {
        let f = Filters {
            store: None,
            from: day(1),
            to: day(8),
            channel: None,
            requested: None,
        };
        assert!(f.last_week().is_none());
    }
}
