//! 智能调价's modes: which products a scenario selects, the price it proposes, the floors and
//! the rounding (docs/metrics.md, 智能调价).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::basis::Basis;
use super::rules::PricingRules;

/// Tolerance for comparisons of prices and margins computed in floating point.
const EPS: f64 = 1e-9;

/// A pricing scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// 亏损止血: 实收单价 < 真实保本价.
    LossStop,
    /// 利润修复: margin < 高光利润率 − `repair_gap_points`.
    MarginRepair,
    /// 滞销清仓: stock > 0 and at least `clearance_idle_days` without a sale.
    Clearance,
    /// 涨价机会: stable or rising sales, margin < 30%, price < 0.9 × 原价, |elasticity| < 0.8.
    RaiseOpportunity,
    /// 自由调价: the products picked (all when none).
    Free,
}

impl Scenario {
    /// All five, in menu order.
    pub const ALL: [Scenario; 5] = [
        Self::LossStop,
        Self::MarginRepair,
        Self::Clearance,
        Self::RaiseOpportunity,
        Self::Free,
    ];

    /// Its name in the API (`loss_stop`).
    pub fn code(self) -> &'static str {
        [
            "loss_stop",
            "margin_repair",
            "clearance",
            "raise_opportunity",
            "free",
        ][self as usize]
    }

    /// Its name on the page (亏损止血).
    pub fn label(self) -> &'static str {
        ["亏损止血", "利润修复", "滞销清仓", "涨价机会", "自由调价"][self as usize]
    }

    /// The direction it moves prices when the request names none.
    pub fn direction(self) -> Direction {
        match self {
            Self::Clearance => Direction::Down,
            Self::Free | Self::LossStop | Self::MarginRepair | Self::RaiseOpportunity => {
                Direction::Up
            }
        }
    }

    /// Whether `b` is one of its products (every product for [`Scenario::Free`]).
    pub fn selects(self, b: &Basis, r: &PricingRules) -> bool {
        match self {
            Self::LossStop => b.current_price < b.break_even_price - EPS,
            Self::MarginRepair => match (b.margin_pct, b.highlight_margin_pct) {
                (Some(m), Some(h)) => m < h - r.repair_gap_points - EPS,
                _ => false,
            },
            Self::Clearance => {
                b.stock.is_some_and(|s| s > 0.0) && b.idle_days >= r.clearance_idle_days
            }
            Self::RaiseOpportunity => {
                let stable = b.quantity_14d > 0.0
                    && b.quantity_14d + EPS
                        >= b.previous_quantity_14d * (1.0 - r.raise_stable_drop_pct / 100.0);
                stable
                    && b.margin_pct
                        .is_some_and(|m| m < r.raise_max_margin_pct - EPS)
                    && b.original_price
                        .is_some_and(|o| b.current_price < o * r.raise_max_price_share - EPS)
                    && b.elasticity.value.abs() < r.raise_max_abs_elasticity - EPS
            }
            Self::Free => true,
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A name that is no scenario, direction, level or rounding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`: expected one of {expected}")]
pub struct UnknownName {
    /// scenario, direction, level or rounding.
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// The names it accepts.
    pub expected: &'static str,
}

impl FromStr for Scenario {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scenario::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| UnknownName {
                what: "scenario",
                value: s.to_owned(),
                expected: "loss_stop, margin_repair, clearance, raise_opportunity, free",
            })
    }
}

/// Up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A rise.
    Up,
    /// A cut.
    Down,
}

impl FromStr for Direction {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "up" => Ok(Self::Up),
            "down" => Ok(Self::Down),
            _ => Err(UnknownName {
                what: "direction",
                value: s.to_owned(),
                expected: "up, down",
            }),
        }
    }
}

/// 轻, 中 or 重.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 轻 (3%).
    Light,
    /// 中 (6%).
    Medium,
    /// 重 (10%).
    Heavy,
}

impl FromStr for Level {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "light" => Ok(Self::Light),
            "medium" => Ok(Self::Medium),
            "heavy" => Ok(Self::Heavy),
            _ => Err(UnknownName {
                what: "level",
                value: s.to_owned(),
                expected: "light, medium, heavy",
            }),
        }
    }
}

/// How new prices are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// To ¥0.1.
    #[default]
    Jiao,
    /// To the nearest price ending in .9 (12.9).
    Nine,
}

impl FromStr for Rounding {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jiao" | "0.1" => Ok(Self::Jiao),
            "nine" | "9" => Ok(Self::Nine),
            _ => Err(UnknownName {
                what: "rounding",
                value: s.to_owned(),
                expected: "jiao, nine",
            }),
        }
    }
}

impl Rounding {
    /// `price` rounded, never below `floor` (rounded up past it when needed).
    pub fn apply(self, price: f64, floor: f64) -> f64 {
        let tenths = |x: f64| (x * 10.0 - EPS).ceil() / 10.0;
        let mut p = match self {
            Self::Jiao => (price * 10.0).round() / 10.0,
            Self::Nine => ((price - 0.9).round() + 0.9).max(0.9),
        };
        if p < floor - EPS {
            p = match self {
                Self::Jiao => tenths(floor),
                Self::Nine => (floor - 0.9 - EPS).ceil().max(0.0) + 0.9,
            };
        }
        (p * 100.0).round() / 100.0
    }
}

/// Why a proposed price is not what the level or target asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Clamp {
    /// Raised to 真实保本价.
    BreakEven,
    /// Raised to 单品成本 (滞销清仓).
    UnitCost,
    /// 🎯 策略引流: locked at its price.
    Locked,
    /// A gift (实收 ¥0): no price to move, kept.
    Gift,
}

impl Clamp {
    /// What the page says.
    pub fn label(self) -> &'static str {
        match self {
            Self::BreakEven => "已抬至真实保本价",
            Self::UnitCost => "清仓底线:单品成本",
            Self::Locked => "🎯 策略引流,价格锁定",
            Self::Gift => "赠品(实收 ¥0),不调价",
        }
    }
}

/// The proposed price of `b`, the floor that bound it (if any), before rounding.
pub fn propose(
    b: &Basis,
    scenario: Scenario,
    change_pct: f64,
    target_price: Option<f64>,
) -> (f64, Option<Clamp>) {
    let raw = target_price.unwrap_or(b.current_price * (1.0 + change_pct / 100.0));
    let (floor, clamp) = floor(b, scenario);
    if raw < floor - EPS {
        (floor, Some(clamp))
    } else {
        (raw, None)
    }
}

/// The lowest price allowed: 真实保本价, or 单品成本 in 滞销清仓.
pub fn floor(b: &Basis, scenario: Scenario) -> (f64, Clamp) {
    if scenario == Scenario::Clearance {
        (b.unit_cost, Clamp::UnitCost)
    } else {
        (b.break_even_price.max(b.unit_cost), Clamp::BreakEven)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_goes_to_the_tenth_or_the_nearest_nine_ending_and_never_below_the_floor() {
        assert!((Rounding::Jiao.apply(12.34, 0.0) - 12.3).abs() < 1e-9);
        assert!((Rounding::Jiao.apply(12.35, 0.0) - 12.4).abs() < 1e-9);
        // 12.34 rounds to 12.3 but the floor is 12.31: up to 12.4.
        assert!((Rounding::Jiao.apply(12.34, 12.31) - 12.4).abs() < 1e-9);
        assert!((Rounding::Nine.apply(12.34, 0.0) - 11.9).abs() < 1e-9);
        assert!((Rounding::Nine.apply(12.5, 0.0) - 12.9).abs() < 1e-9);
        assert!((Rounding::Nine.apply(12.34, 12.0) - 12.9).abs() < 1e-9);
        assert!((Rounding::Nine.apply(0.3, 0.0) - 0.9).abs() < 1e-9);
    }

    #[test]
    fn names_parse_and_unknown_ones_say_what_is_expected() {
        assert_eq!("loss_stop".parse::<Scenario>(), Ok(Scenario::LossStop));
        let e = "cheap".parse::<Scenario>().expect_err("unknown");
        assert!(e.to_string().contains("raise_opportunity"), "{e}");
        assert_eq!("down".parse::<Direction>(), Ok(Direction::Down));
        assert!("sideways".parse::<Direction>().is_err());
        assert_eq!("heavy".parse::<Level>(), Ok(Level::Heavy));
        assert_eq!("nine".parse::<Rounding>(), Ok(Rounding::Nine));
    }
}
