//! The chain's spread of one figure: its median and quartiles over the stores, and the stores
//! beyond median ± k × IQR (`[business.stores]`).

use serde::{Deserialize, Serialize};

/// 门店对比's rules: the `[business.stores]` table (docs/metrics.md, 门店对比).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreRules {
    /// A store is flagged on a figure beyond the chain median ± this × IQR.
    pub iqr_factor: f64,
    /// Fewer stores with a value than this: no flag on that figure (two or three stores have
    /// no meaningful spread).
    pub min_stores: usize,
}

impl Default for StoreRules {
    fn default() -> Self {
        StoreRules {
            iqr_factor: 1.5,
            min_stores: 4,
        }
    }
}

/// The quantile `q` (0..=1) of ascending `sorted` values, interpolated linearly between the two
/// nearest ranks (as spreadsheets' QUARTILE.INC and pandas do); `None` when empty.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q.clamp(0.0, 1.0) * last as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let (a, b) = (sorted[lo], sorted[hi.min(last)]);
    Some(a + (b - a) * (pos - lo as f64))
}

/// One figure's spread over the stores that have a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spread {
    pub median: f64,
    /// Values strictly below this are flagged (`None`: too few stores to flag).
    pub low: Option<f64>,
    /// Values strictly above this are flagged.
    pub high: Option<f64>,
}

impl Spread {
    /// The spread of `values` (`None`s left out) under `rules`; `None` when no store has one.
    pub fn of(values: impl Iterator<Item = Option<f64>>, rules: &StoreRules) -> Option<Spread> {
        let mut v: Vec<f64> = values.flatten().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let median = quantile(&v, 0.5)?;
        let fence = (v.len() >= rules.min_stores.max(1)).then(|| {
            let iqr = quantile(&v, 0.75).unwrap_or(median) - quantile(&v, 0.25).unwrap_or(median);
            // A negative factor in a config file would flag everybody: read as 0.
            rules.iqr_factor.max(0.0) * iqr
        });
        Some(Spread {
            median,
            low: fence.map(|f| median - f),
            high: fence.map(|f| median + f),
        })
    }

    /// `"high"` or `"low"` when `value` is beyond a fence.
    pub fn side(&self, value: f64) -> Option<&'static str> {
        if self.high.is_some_and(|h| value > h) {
            Some("high")
        } else if self.low.is_some_and(|l| value < l) {
            Some("low")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_between_ranks() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert_eq!(quantile(&v, 0.25), Some(2.0));
        assert_eq!(quantile(&v, 0.75), Some(4.0));
        // Four values: Q1 at rank 0.75 → 1 + 0.75 × (2 − 1) = 1.75.
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7.0], 0.75), Some(7.0));
    }

    #[test]
    fn a_value_is_flagged_only_strictly_beyond_the_fence() {
        // Median 3, IQR 4 − 2 = 2, fences 3 ± 3: 0 and 6 are on them, not beyond.
        let s = Spread::of(
            [1.0, 2.0, 3.0, 4.0, 10.0].map(Some).into_iter(),
            &StoreRules::default(),
        );
        let s = s.expect("values");
        assert_eq!((s.median, s.low, s.high), (3.0, Some(0.0), Some(6.0)));
        assert_eq!(s.side(6.0), None);
        assert_eq!(s.side(6.01), Some("high"));
        assert_eq!(s.side(0.0), None);
        assert_eq!(s.side(-0.01), Some("low"));
    }

    #[test]
    fn too_few_stores_have_a_median_but_no_fence() {
        let s = Spread::of(
            [Some(1.0), None, Some(9.0)].into_iter(),
            &StoreRules::default(),
        );
        let s = s.expect("values");
        assert_eq!((s.median, s.high), (5.0, None));
        assert_eq!(s.side(1e9), None);
        assert_eq!(Spread::of([None].into_iter(), &StoreRules::default()), None);
    }
}
