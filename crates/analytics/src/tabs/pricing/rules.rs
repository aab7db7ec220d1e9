//! The thresholds and defaults of 智能调价 and the product page's 真实保本价 and elasticity: the
//! `[business.pricing]` table (docs/metrics.md, 智能调价).

use serde::{Deserialize, Serialize};

/// A name matched inside a category or channel name, and its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    /// Matched as a substring (饮料 matches 酒水饮料); the first entry that matches wins.
    pub name: String,
    /// The value.
    pub value: f64,
}

/// 智能调价's rules; `Default` is docs/metrics.md's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PricingRules {
    /// Days ending at "yesterday" over which 单品成本, 营销费率, margin and the daily quantity
    /// are measured.
    pub window_days: i64,
    /// A product is priced when it sold in this many days ending at yesterday.
    pub lookback_days: i64,
    /// Days of history read for 高光利润率 and the measured elasticity.
    pub history_days: i64,
    /// 平台费率 in 真实保本价 = 单品成本 / max(floor, 1 − fee − 营销费率).
    pub platform_fee_rate: f64,
    /// 营销费率 is capped here.
    pub marketing_rate_cap: f64,
    /// The divisor of 真实保本价 never goes below this.
    pub break_even_divisor_floor: f64,
    /// A week-on-week price move (%) from which it counts as a change for the elasticity.
    pub min_price_change_pct: f64,
    /// Price changes needed (after the outliers are dropped) for a measured elasticity.
    pub min_price_changes: usize,
    /// Measured values above this are dropped (a price rise that sold more is noise).
    pub elasticity_max: f64,
    /// Measured values below this are dropped.
    pub elasticity_min: f64,
    /// The elasticity of a category no entry matches.
    pub default_elasticity: f64,
    /// Category defaults, first match wins.
    pub category_elasticity: Vec<Named>,
    /// Channel factors applied to the elasticity when a channel is selected, first match wins
    /// (1.0 for none).
    pub channel_factors: Vec<Named>,
    /// 轻, 中, 重: the price change (%) of each level.
    pub levels_pct: [f64; 3],
    /// Stock covering more than this many days of sales boosts the response …
    pub long_stock_days: f64,
    /// … by this factor for a cut …
    pub long_stock_cut_factor: f64,
    /// … and this one for a rise.
    pub long_stock_rise_factor: f64,
    /// Stock covering fewer days than this damps the response to a rise …
    pub short_stock_days: f64,
    /// … by this factor.
    pub short_stock_rise_factor: f64,
    /// 利润修复: margin below 高光利润率 minus these points.
    pub repair_gap_points: f64,
    /// 滞销清仓: stock > 0 and at least this many days without a sale.
    pub clearance_idle_days: i64,
    /// 涨价机会: margin below this (%) …
    pub raise_max_margin_pct: f64,
    /// … 实收单价 below this share of 商品原价 …
    pub raise_max_price_share: f64,
    /// … |elasticity| below this …
    pub raise_max_abs_elasticity: f64,
    /// … and the last 14 days sold at least (100 − this) % of the 14 before (stable or rising).
    pub raise_stable_drop_pct: f64,
    /// 目标导向: the largest change (%) either way when the request names none.
    pub target_max_change_pct: f64,
    /// A saved plan's measured response is used once this many days after it exist …
    pub plan_feedback_days: i64,
    /// … and the real price moved at least this share (%).
    pub plan_min_price_move_pct: f64,
}

fn named(items: &[(&str, f64)]) -> Vec<Named> {
    items
        .iter()
        .map(|&(name, value)| Named {
            name: name.to_owned(),
            value,
        })
        .collect()
}

impl Default for PricingRules {
    fn default() -> Self {
        Self {
            window_days: 30,
            lookback_days: 90,
            history_days: 365,
            platform_fee_rate: 0.08,
            marketing_rate_cap: 0.5,
            break_even_divisor_floor: 0.1,
            min_price_change_pct: 5.0,
            min_price_changes: 3,
            elasticity_max: 1.0,
            elasticity_min: -5.0,
            default_elasticity: -1.0,
            category_elasticity: named(&[
                ("饮料", -1.2),
                ("酒水", -0.8),
                ("零食", -1.0),
                ("休闲食品", -1.0),
                ("生鲜", -1.5),
                ("日用品", -0.6),
                ("粮油调味", -0.5),
                ("乳品", -0.9),
                ("个人洗护", -0.7),
                ("母婴", -0.4),
                ("速食", -0.9),
                ("耗材", -0.3),
            ]),
            channel_factors: named(&[
                ("美团", 1.1),
                ("饿了么", 1.0),
                ("京东到家", 0.9),
                ("小程序", 0.8),
            ]),
            levels_pct: [3.0, 6.0, 10.0],
            long_stock_days: 30.0,
            long_stock_cut_factor: 1.1,
            long_stock_rise_factor: 1.2,
            short_stock_days: 7.0,
            short_stock_rise_factor: 0.8,
            repair_gap_points: 10.0,
            clearance_idle_days: 7,
            raise_max_margin_pct: 30.0,
            raise_max_price_share: 0.9,
            raise_max_abs_elasticity: 0.8,
            raise_stable_drop_pct: 10.0,
            target_max_change_pct: 10.0,
            plan_feedback_days: 7,
            plan_min_price_move_pct: 1.0,
        }
    }
}

impl PricingRules {
    /// The first entry of `list` whose name is inside `text`.
    pub fn matching<'a>(list: &'a [Named], text: &str) -> Option<&'a Named> {
        list.iter()
            .find(|n| !n.name.is_empty() && text.contains(n.name.as_str()))
    }

    /// The category default elasticity of `category`, and the entry's name when one matched.
    pub fn category_default(&self, category: &str) -> (f64, Option<&str>) {
        match Self::matching(&self.category_elasticity, category) {
            Some(n) => (n.value, Some(n.name.as_str())),
            None => (self.default_elasticity, None),
        }
    }

    /// The factor of `channel` (1.0 for all channels or a channel no entry matches).
    pub fn channel_factor(&self, channel: Option<&str>) -> f64 {
        channel
            .and_then(|c| Self::matching(&self.channel_factors, c))
            .map_or(1.0, |n| n.value)
    }

    /// 真实保本价 of a unit cost under a 营销费率 (capped), or `None` without a cost.
    pub fn break_even(&self, unit_cost: Option<f64>, marketing_rate: f64) -> Option<f64> {
        let rate = marketing_rate.clamp(0.0, self.marketing_rate_cap);
        let divisor = (1.0 - self.platform_fee_rate - rate).max(self.break_even_divisor_floor);
        unit_cost.map(|c| c / divisor)
    }

    /// Whether a measured elasticity is kept.
    pub fn keeps(&self, e: f64) -> bool {
        e.is_finite() && e <= self.elasticity_max && e >= self.elasticity_min
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn break_even_divides_the_unit_cost_by_what_fee_and_marketing_leave() {
        let r = PricingRules::default();
        // 10 / (1 − 0.08 − 0.12) = 12.5.
        assert!((r.break_even(Some(10.0), 0.12).unwrap_or(0.0) - 12.5).abs() < 1e-9);
        // The marketing rate is capped at 0.5: 10 / (1 − 0.08 − 0.5) = 23.8095…
        let capped = r.break_even(Some(10.0), 0.9).unwrap_or(0.0);
        assert!((capped - 10.0 / 0.42).abs() < 1e-9, "{capped}");
        // With a cap above 0.82 the divisor would fall under 0.1: it stops at 0.1.
        let wide = PricingRules {
            marketing_rate_cap: 1.0,
            ..PricingRules::default()
        };
        assert!((wide.break_even(Some(10.0), 0.95).unwrap_or(0.0) - 100.0).abs() < 1e-9);
        assert_eq!(r.break_even(None, 0.1), None);
    }

    #[test]
    fn category_and_channel_names_match_inside_longer_names() {
        let r = PricingRules::default();
        assert_eq!(r.category_default("酒水饮料"), (-1.2, Some("饮料")));
        assert_eq!(r.category_default("休闲食品"), (-1.0, Some("休闲食品")));
        assert_eq!(r.category_default("五金"), (-1.0, None));
        assert!((r.channel_factor(Some("美团闪购")) - 1.1).abs() < 1e-12);
        assert!((r.channel_factor(Some("闪购小程序")) - 0.8).abs() < 1e-12);
        assert!((r.channel_factor(Some("收银机订单")) - 1.0).abs() < 1e-12);
        assert!((r.channel_factor(None) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn measured_values_outside_minus_five_to_one_are_dropped() {
        let r = PricingRules::default();
        assert!(r.keeps(1.0) && r.keeps(-5.0) && r.keeps(-1.3));
        assert!(!r.keeps(1.01) && !r.keeps(-5.01) && !r.keeps(f64::NAN));
    }
}
