//! The thresholds of 商品健康 ([`HealthRules`]) and the one percentile method they use.

use serde::{Deserialize, Serialize};

/// The rules of 商品健康; `Default` is product.md §1 (documented in docs/metrics.md).
///
/// Percentiles are whole percents (`70` = p70) over the products considered in the window
/// (those with 销量 > 0), computed by [`percentile`]. Money in yuan, quantities in units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthRules {
    /// Days of the window ending at "yesterday" (d); the previous window is the same number of
    /// days just before it.
    pub window_days: u32,
    /// Weeks of the weekly trend of the counts (7-day blocks ending at d).
    pub trend_weeks: u32,
    /// Weight of the min-max-normalized 销量 in 动销指数.
    pub activity_quantity_weight: f64,
    /// Weight of the min-max-normalized 订单数 in 动销指数.
    pub activity_orders_weight: f64,
    /// High activity: 销量 ≥ this percentile of 销量 …
    pub active_quantity_pct: u32,
    /// … and ≥ this many units …
    pub active_min_quantity: f64,
    /// … and 订单数 ≥ this percentile of 订单数 …
    pub active_orders_pct: u32,
    /// … and ≥ this many orders (and 动销指数 above its median).
    pub active_min_orders: f64,
    /// 策略引流's volume condition: 销量 ≥ this percentile of 销量 …
    pub lead_quantity_pct: u32,
    /// … and ≥ this many units.
    pub lead_min_quantity: f64,
    /// 策略引流 when 实收单价 ≤ this (with the volume condition).
    pub lead_max_price: f64,
    /// 策略引流 when the margin (%) is below this (with the volume condition).
    pub lead_margin_pct: f64,
    /// 策略引流 when 实收单价 ≤ this …
    pub lead_low_price: f64,
    /// … and below this × 单品成本 (with the volume condition).
    pub lead_cost_ratio: f64,
    /// 明星: unit profit ≥ max(this percentile of unit profit, `star_min_unit_profit`) …
    pub star_unit_profit_pct: u32,
    /// … (yuan per unit) …
    pub star_min_unit_profit: f64,
    /// … or profit ≥ max(this percentile of profit, `star_min_profit`) …
    pub star_profit_pct: u32,
    /// … (yuan).
    pub star_min_profit: f64,
    /// 畅销: 实收单价 below this percentile of 实收单价 …
    pub bestseller_price_pct: u32,
    /// … and 销量 ≥ this percentile of 销量 (and a high margin).
    pub bestseller_quantity_pct: u32,
    /// 潜力: 销量 below this percentile of 销量 …
    pub potential_quantity_pct: u32,
    /// … and unit profit ≥ this (yuan per unit; and a high margin).
    pub potential_min_unit_profit: f64,
}

impl Default for HealthRules {
    fn default() -> Self {
        Self {
            window_days: 30,
            trend_weeks: 8,
            activity_quantity_weight: 0.6,
            activity_orders_weight: 0.4,
            active_quantity_pct: 70,
            active_min_quantity: 5.0,
            active_orders_pct: 70,
            active_min_orders: 2.0,
            lead_quantity_pct: 50,
            lead_min_quantity: 3.0,
            lead_max_price: 0.01,
            lead_margin_pct: -50.0,
            lead_low_price: 2.0,
            lead_cost_ratio: 0.5,
            star_unit_profit_pct: 30,
            star_min_unit_profit: 0.5,
            star_profit_pct: 30,
            star_min_profit: 50.0,
            bestseller_price_pct: 30,
            bestseller_quantity_pct: 80,
            potential_quantity_pct: 50,
            potential_min_unit_profit: 0.3,
        }
    }
}

/// The percentile method of every threshold here: the products tab's (linear interpolation
/// between closest ranks, exact on a rank).
pub use crate::products::percentile;

/// `values` sorted ascending (by [`f64::total_cmp`]).
pub(super) fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_linearly_between_ranks_like_numpy() {
        let four = [1.0, 2.0, 3.0, 4.0];
        // h = 3 × 50 / 100 = 1.5: 2 + 0.5 × (3 − 2).
        assert_eq!(percentile(&four, 50), Some(2.5));
        // h = 3 × 30 / 100 = 0.9: 1 + 0.9 × 1 = 1.9 (numpy.percentile([1,2,3,4], 30) = 1.9).
        assert!((percentile(&four, 30).unwrap_or_default() - 1.9).abs() < 1e-12);
        assert_eq!(percentile(&four, 0), Some(1.0));
        assert_eq!(percentile(&four, 100), Some(4.0));
        assert_eq!(percentile(&four, 150), Some(4.0), "above 100 counts as 100");
        assert_eq!(percentile(&[7.0], 70), Some(7.0));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn a_percentile_on_a_rank_is_exactly_that_value() {
        // Eleven values 0..=10: h = 10 × 70 / 100 = 7 exactly (0.7 × 10 in floats need not be).
        let eleven: Vec<f64> = (0..=10).map(|i| f64::from(i) * 0.1).collect();
        assert_eq!(percentile(&eleven, 70), Some(eleven[7]));
        // Five values: p80 is h = 3.2, between the fourth and the fifth.
        let five = [4.0, 8.0, 10.0, 60.0, 100.0];
        assert_eq!(percentile(&five, 80), Some(68.0));
        assert_eq!(percentile(&five, 50), Some(10.0));
    }

    #[test]
    fn rules_read_from_configuration_default_every_missing_field_and_refuse_unknown_ones() {
        let r: HealthRules =
            serde_json::from_str(r#"{"window_days": 14, "star_min_profit": 80}"#).expect("valid");
        assert_eq!((r.window_days, r.star_min_profit), (14, 80.0));
        assert_eq!(r.trend_weeks, HealthRules::default().trend_weeks);
        assert!(serde_json::from_str::<HealthRules>(r#"{"window": 14}"#).is_err());
    }
}
