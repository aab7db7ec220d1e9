//! The query string of a tab request (`store`, `from`, `to`, `channel`) and how it becomes the
//! request's own [`Filters`]. Nothing here is global: every request resolves its own.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use storeboard_analytics::order::default_period;
use storeboard_analytics::{Filters, Period};
use storeboard_data::StoreSnapshot;

use crate::error::TabsError;

/// Days in the default period (when `from` and `to` are both missing).
pub const DEFAULT_DAYS: i64 = 7;

/// The longest period a request may ask for, in days (`max_period_days`): three years.
pub const DEFAULT_MAX_PERIOD_DAYS: u32 = 3 * 365 + 1;

/// The query string as sent; every field optional, unknown parameters ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TabQuery {
    /// One store's name; missing or empty means all stores.
    pub store: Option<String>,
    /// First day, `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// One channel (渠道); missing or empty means all channels.
    pub channel: Option<String>,
    /// 今日必做's window: `1`, `3` or `7` days ending yesterday for the order and line cards;
    /// missing or empty means 1. Other tabs ignore it.
    pub window: Option<String>,
}

impl TabQuery {
    /// 今日必做's window (1 when missing or empty); any other value than 1, 3 or 7 is a
    /// [`TabsError::BadParam`] naming `window`.
    pub fn window(&self) -> Result<u8, TabsError> {
        let Some(v) = non_empty(self.window.as_deref()) else {
            return Ok(1);
        };
        storeboard_analytics::today::WINDOWS
            .into_iter()
            .find(|w| w.to_string() == v)
            .ok_or(TabsError::BadParam {
                param: "window",
                value: v,
                expected: "1, 3 or 7 (days ending yesterday)".to_owned(),
            })
    }

    /// The selected store: `None` (all stores) when missing or empty.
    pub fn store(&self) -> Option<String> {
        non_empty(self.store.as_deref())
    }

    /// The filters of this request over `snaps` (every store's snapshot).
    ///
    /// Missing both `from` and `to`: the last [`DEFAULT_DAYS`] days of the selected data (the
    /// selected store, or all), ending at its last day; with no data at all, the 7 days ending
    /// `today`. Missing only `to`: the last day of the selected data (never before `from`).
    /// Missing only `from`: 7 days ending at `to`. A date that is not `YYYY-MM-DD`, or `from`
    /// after `to`, is a [`TabsError::BadDate`] / [`TabsError::FromAfterTo`]. Periods are
    /// limited as [`TabQuery::resolve_within`] does with [`DEFAULT_MAX_PERIOD_DAYS`].
    pub fn resolve(
        &self,
        snaps: &[Arc<StoreSnapshot>],
        today: NaiveDate,
    ) -> Result<Filters, TabsError> {
        self.resolve_within(snaps, today, DEFAULT_MAX_PERIOD_DAYS)
    }

    /// [`TabQuery::resolve`] with a budget: a period of more than `max_days` days is a
    /// [`TabsError::PeriodTooLong`], and a period reaching beyond the selected data's first or
    /// last day is clamped to them, the period asked for kept in [`Filters::requested`]. The
    /// cost of an answer then follows the data, never the dates typed (a period of
    /// `0001-01-01` – `9999-12-31` would list four million days).
    pub fn resolve_within(
        &self,
        snaps: &[Arc<StoreSnapshot>],
        today: NaiveDate,
        max_days: u32,
    ) -> Result<Filters, TabsError> {
        let from = parse_day("from", self.from.as_deref())?;
        let to = parse_day("to", self.to.as_deref())?;
        let store = self.store();
        let default = || {
            let selected: Vec<Arc<StoreSnapshot>> = snaps
                .iter()
                .filter(|s| store.as_deref().is_none_or(|name| s.name == name))
                .cloned()
                .collect();
            default_period(&selected).unwrap_or((today - Duration::days(DEFAULT_DAYS - 1), today))
        };
        let (from, to) = match (from, to) {
            (Some(from), Some(to)) => (from, to),
            (None, None) => default(),
            (Some(from), None) => (from, default().1.max(from)),
            (None, Some(to)) => (to - Duration::days(DEFAULT_DAYS - 1), to),
        };
        if from > to {
            return Err(TabsError::FromAfterTo { from, to });
        }
        let days = (to - from).num_days() + 1;
        let max_days = i64::from(max_days);
        if days > max_days {
            return Err(TabsError::PeriodTooLong {
                from,
                to,
                days,
                max: max_days,
            });
        }
        let (from, to, requested) = clamp(snaps, store.as_deref(), from, to);
        Ok(Filters {
            store,
            from,
            to,
            channel: non_empty(self.channel.as_deref()),
            requested,
        })
    }
}

/// `from`..`to` narrowed to the selected stores' first..last day, and the period asked for
/// when that changed it. A period with no day of data at all is kept as asked (it is empty,
/// and within the budget).
fn clamp(
    snaps: &[Arc<StoreSnapshot>],
    store: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> (NaiveDate, NaiveDate, Option<Period>) {
    let span = snaps
        .iter()
        .filter(|s| store.is_none_or(|name| s.name == name))
        .filter_map(|s| s.day_span())
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    let Some((first, last)) = span else {
        return (from, to, None);
    };
    let (clamped_from, clamped_to) = (from.max(first), to.min(last));
    if clamped_from > clamped_to || (clamped_from, clamped_to) == (from, to) {
        return (from, to, None);
    }
    (clamped_from, clamped_to, Some(Period { from, to }))
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A `YYYY-MM-DD` day (exactly: four-digit year, two-digit month and day); empty is missing.
fn parse_day(param: &'static str, value: Option<&str>) -> Result<Option<NaiveDate>, TabsError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let bad = || TabsError::BadDate {
        param,
        value: value.to_owned(),
    };
    let bytes = value.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(bad());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use storeboard_data::dataset::Dataset;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
    }

    fn query(store: &str, from: &str, to: &str, channel: &str) -> TabQuery {
        let some = |s: &str| Some(s.to_owned());
        TabQuery {
            store: some(store),
            from: some(from),
            to: some(to),
            channel: some(channel),
            window: None,
        }
    }

    fn no_data() -> Vec<Arc<StoreSnapshot>> {
        vec![Arc::new(StoreSnapshot::new(
            "空店".to_owned(),
            1,
            Dataset::default(),
        ))]
    }

    #[test]
    fn explicit_dates_and_names_become_the_filters() {
        let f = query("一号店", "2026-11-01", "2026-11-30", "美团闪购")
            .resolve(&[], day(30))
            .expect("valid");
        assert_eq!(f.store.as_deref(), Some("一号店"));
        assert_eq!((f.from, f.to), (day(1), day(30)));
        assert_eq!(f.channel.as_deref(), Some("美团闪购"));
    }

    #[test]
    fn empty_store_and_channel_mean_all() {
        let f = query("", "2026-11-01", "2026-11-02", "")
            .resolve(&[], day(30))
            .expect("valid");
        assert_eq!((f.store, f.channel), (None, None));
    }

    #[test]
    fn dates_other_than_yyyy_mm_dd_are_refused_naming_the_parameter() {
        for bad in [
            "2026-1-05",
            "2026/11/05",
            "20261105",
            "2026-11-31",
            "2026-13-01",
            "tomorrow",
            " 2026-11-05",
            "2026-11-05T00:00",
        ] {
            let err = query("", bad, "2026-11-30", "")
                .resolve(&[], day(30))
                .expect_err(bad);
            assert!(
                matches!(&err, TabsError::BadDate { param: "from", value } if value == bad),
                "{bad}: {err:?}"
            );
            let err = query("", "2026-11-01", bad, "")
                .resolve(&[], day(30))
                .expect_err(bad);
            assert!(matches!(err, TabsError::BadDate { param: "to", .. }));
        }
    }

    #[test]
    fn from_after_to_is_refused() {
        let err = query("", "2026-11-02", "2026-11-01", "")
            .resolve(&[], day(30))
            .expect_err("from > to");
        assert!(
            matches!(err, TabsError::FromAfterTo { from, to } if from == day(2) && to == day(1))
        );
        // One day is fine.
        assert!(query("", "2026-11-02", "2026-11-02", "")
            .resolve(&[], day(30))
            .is_ok());
    }

    #[test]
    fn missing_dates_without_data_are_the_seven_days_ending_today() {
        let f = TabQuery::default()
            .resolve(&no_data(), day(30))
            .expect("valid");
        assert_eq!((f.from, f.to), (day(24), day(30)));
        let empty = query("", "", "", "").resolve(&[], day(30)).expect("valid");
        assert_eq!((empty.from, empty.to), (day(24), day(30)));
    }

    #[test]
    fn the_window_is_one_three_or_seven_and_anything_else_is_refused_by_name() {
        let q = |w: &str| TabQuery {
            window: Some(w.to_owned()),
            ..TabQuery::default()
        };
        assert_eq!(TabQuery::default().window().expect("default"), 1);
        assert_eq!(q("").window().expect("empty"), 1);
        assert_eq!(q("3").window().expect("3"), 3);
        assert_eq!(q("7").window().expect("7"), 7);
        for bad in ["2", "07", "30", "-1", "seven"] {
            match q(bad).window() {
                Err(TabsError::BadParam { param, .. }) => assert_eq!(param, "window"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_missing_from_is_seven_days_before_to_and_a_missing_to_is_not_before_from() {
        let q = TabQuery {
            to: Some("2026-11-10".to_owned()),
            ..TabQuery::default()
        };
        let f = q.resolve(&[], day(30)).expect("valid");
        assert_eq!((f.from, f.to), (day(4), day(10)));
        let q = TabQuery {
            from: Some("2026-11-10".to_owned()),
            ..TabQuery::default()
        };
        // No data: the default period ends today (the 5th), so `to` becomes `from`.
        let f = q.resolve(&[], day(5)).expect("valid");
        assert_eq!((f.from, f.to), (day(10), day(10)));
    }
}
