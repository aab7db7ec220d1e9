//! The thresholds of 今日必做's cards: the `[business.today]` table (docs/metrics.md).

use serde::{Deserialize, Serialize};

/// 今日必做's card thresholds; `Default` is docs/metrics.md's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TodayRules {
    /// 滞销积压: days without a sale from which a product in stock is listed (新增), then 持续,
    /// then 严重.
    pub idle_days: [i64; 3],
    /// 利润率下滑: points lost above which a product moves to the next tier (5-10 / 10-15 /
    /// 15-20 / >20 pp with the defaults).
    pub margin_tier_points: [f64; 3],
    /// 价格弹性: the smallest week-on-week move of 实收单价 (%) that counts.
    pub elasticity_min_price_change_pct: f64,
    /// 价格弹性: elasticity below this is 高.
    pub elasticity_high: f64,
    /// 价格弹性: elasticity above this is 低 (between the two: 中).
    pub elasticity_low: f64,
    /// 客单价异常: an AOV band whose orders fell by more than this share (%) is 严重 …
    pub aov_band_severe_drop_pct: f64,
    /// … by more than this (and at most the severe share) 中等.
    pub aov_band_moderate_drop_pct: f64,
    /// 客单价异常: a channel whose AOV moved by more than this share (%) is listed.
    pub aov_channel_move_pct: f64,
    /// 客单价异常: the whole AOV is listed when it fell by more than this share (%).
    pub aov_drop_pct: f64,
    /// 客单价异常: the ¥0-20 orders' share is listed when it rose by more than these points.
    pub aov_small_share_points: f64,
    /// 客单价异常: a product pulls the AOV down when its 实收单价 fell by at least this share (%) …
    pub aov_product_price_drop_pct: f64,
    /// … or its units per order fell by at least this share (%).
    pub aov_product_units_drop_pct: f64,
}

impl Default for TodayRules {
    fn default() -> Self {
        Self {
            idle_days: [3, 7, 15],
            margin_tier_points: [10.0, 15.0, 20.0],
            elasticity_min_price_change_pct: 5.0,
            elasticity_high: -1.5,
            elasticity_low: -0.5,
            aov_band_severe_drop_pct: 30.0,
            aov_band_moderate_drop_pct: 15.0,
            aov_channel_move_pct: 10.0,
            aov_drop_pct: 5.0,
            aov_small_share_points: 5.0,
            aov_product_price_drop_pct: 5.0,
            aov_product_units_drop_pct: 10.0,
        }
    }
}
