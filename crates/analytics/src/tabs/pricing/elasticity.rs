//! A product's price elasticity and where it comes from: a saved plan's measured response,
//! else measured on the selected channel, else over every channel, else its category's
//! default (docs/metrics.md, 智能调价).
//!
//! Measured: the history is cut into 7-day weeks ending at "yesterday"; for each two
//! consecutive weeks with sales in both, a move of 实收单价 of at least `min_price_change_pct`
//! gives %Δ销量 / %Δ实收单价; values outside `elasticity_min..=elasticity_max` are dropped, and
//! the mean of the rest is the elasticity once at least `min_price_changes` remain.
//!
//! Cost: one pass over the product's days in the history (at most `history_days`).

use serde::Serialize;

use super::days::{DaySum, Days};
use super::rules::PricingRules;

/// Where an elasticity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A saved plan's measured response.
    Plan,
    /// Measured on the selected channel.
    Channel,
    /// Measured over every channel.
    Product,
    /// Its category's default.
    Category,
    /// The default for a category no entry matches.
    Default,
}

/// An elasticity with its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Elasticity {
    /// %Δ销量 / %Δ价格 (negative: a rise sells less).
    pub value: f64,
    /// Where it comes from.
    pub source: Source,
    /// The source as the page says it (本渠道实测 (4 次调价), 品类默认 (饮料), …).
    pub label: String,
    /// Price changes the measured value averages (0 for a default).
    pub changes: usize,
}

/// A saved plan's measured response for one product.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanResponse {
    /// The measured elasticity.
    pub value: f64,
    /// The plan's id.
    pub plan_id: i64,
    /// The plan's name.
    pub plan_name: String,
}

/// The measured elasticity of `days` as of day `d`: (mean, changes kept), or `None`.
pub fn measured(days: &Days, d: i64, rules: &PricingRules) -> Option<(f64, usize)> {
    let weeks = usize::try_from(rules.history_days.max(14) / 7).unwrap_or(0);
    let mut sums = vec![DaySum::default(); weeks];
    for (day, s) in days.iter().rev() {
        if day > d || s.quantity == 0 && s.sales == 0 {
            continue;
        }
        let w = usize::try_from((d - day) / 7).unwrap_or(usize::MAX);
        match sums.get_mut(w) {
            Some(acc) => acc.add(s),
            None => break,
        }
    }
    let mut kept = Vec::new();
    // Oldest first: week w + 1 is the week before week w.
    for w in (0..weeks.saturating_sub(1)).rev() {
        let (old, new) = (&sums[w + 1], &sums[w]);
        if old.quantity <= 0 || new.quantity <= 0 || old.sales <= 0 {
            continue;
        }
        let price = |s: &DaySum| s.sales as f64 / s.quantity as f64;
        let dp = (price(new) - price(old)) / price(old) * 100.0;
        if dp.abs() + 1e-9 < rules.min_price_change_pct {
            continue;
        }
        let dq = (new.quantity - old.quantity) as f64 / old.quantity as f64 * 100.0;
        let e = dq / dp;
        if rules.keeps(e) {
            kept.push(e);
        }
    }
    (kept.len() >= rules.min_price_changes.max(1))
        .then(|| (kept.iter().sum::<f64>() / kept.len() as f64, kept.len()))
}

/// The elasticity of a product: `plan` first, then measured on `selected` (the selected
/// channel's days, when `channel_selected`), then on `all` (every channel), then the category.
pub fn resolve(
    plan: Option<&PlanResponse>,
    selected: &Days,
    all: Option<&Days>,
    category: &str,
    d: i64,
    rules: &PricingRules,
) -> Elasticity {
    if let Some(p) = plan {
        return Elasticity {
            value: p.value,
            source: Source::Plan,
            label: format!("调价计划实测 (#{} {})", p.plan_id, p.plan_name),
            changes: 1,
        };
    }
    let (channel_days, product_days) = match all {
        Some(all) => (Some(selected), all),
        None => (None, selected),
    };
    if let Some((value, n)) = channel_days.and_then(|days| measured(days, d, rules)) {
        return Elasticity {
            value,
            source: Source::Channel,
            label: format!("本渠道实测 ({n} 次调价)"),
            changes: n,
        };
    }
    if let Some((value, n)) = measured(product_days, d, rules) {
        return Elasticity {
            value,
            source: Source::Product,
            label: format!("全渠道实测 ({n} 次调价)"),
            changes: n,
        };
    }
    match rules.category_default(category) {
        (value, Some(name)) => Elasticity {
            value,
            source: Source::Category,
            label: format!("品类默认 ({name})"),
            changes: 0,
        },
        (value, None) => Elasticity {
            value,
            source: Source::Default,
            label: "默认".to_owned(),
            changes: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One day per week (the week's last day, d − 7w) with `qty` units at `price`.
    fn weekly(points: &[(f64, i64)], d: i64) -> Days {
        let n = points.len() as i64;
        let days: Vec<(i64, DaySum)> = points
            .iter()
            .enumerate()
            .map(|(i, &(price, qty))| {
                let w = n - 1 - i as i64;
                let q = qty * 1000;
                let sum = DaySum {
                    quantity: q,
                    sales: (price * 100_000.0).round() as i64 * qty,
                    ..DaySum::default()
                };
                (d - 7 * w, sum)
            })
            .collect();
        Days::from_points(&days)
    }

    #[test]
    fn three_price_moves_of_five_percent_give_their_mean_response() {
        // Weeks oldest first: ¥10 ×100 → ¥11 ×90 (+10% price, −10% qty: −1.0) → ¥11 ×90 (no
        // move) → ¥9.9 ×99 (−10%, +10%: −1.0) → ¥10.89 ×79.2≈79 (+10%, −20.2%: −2.02) →
        // ¥11.4345 (+5%) ×76 (−3.8%: −0.76). Kept: −1.0, −1.0, −2.0202, −0.7595.
        let d = 1000;
        let days = weekly(
            &[
                (10.0, 100),
                (11.0, 90),
                (11.0, 90),
                (9.9, 99),
                (10.89, 79),
                (11.4345, 76),
            ],
            d,
        );
        let (e, n) = measured(&days, d, &PricingRules::default()).expect("measured");
        assert_eq!(n, 4);
        let expected = (-1.0 - 1.0 + (79.0 / 99.0 - 1.0) * 10.0 + (76.0 / 79.0 - 1.0) * 20.0) / 4.0;
        assert!((e - expected).abs() < 1e-3, "{e} vs {expected}");
    }

    #[test]
    fn a_move_under_five_percent_does_not_count_and_two_moves_are_not_enough() {
        let d = 1000;
        // +4.9% then +10% then +10%: only two changes count.
        let days = weekly(&[(10.0, 100), (10.49, 95), (11.539, 85), (12.6929, 75)], d);
        assert_eq!(measured(&days, d, &PricingRules::default()), None);
        let e = resolve(None, &days, None, "酒水饮料", d, &PricingRules::default());
        assert_eq!((e.value, e.source), (-1.2, Source::Category));
        assert_eq!(e.label, "品类默认 (饮料)");
    }

    #[test]
    fn a_response_outside_minus_five_to_one_is_dropped() {
        let d = 1000;
        // +10% price with +50% qty (e = 5) is dropped; the other three stay.
        let days = weekly(
            &[
                (10.0, 100),
                (11.0, 90),
                (12.1, 81),
                (13.31, 72),
                (14.641, 108),
            ],
            d,
        );
        let (_, n) = measured(&days, d, &PricingRules::default()).expect("three kept");
        assert_eq!(n, 3);
    }

    #[test]
    fn a_saved_plan_comes_first_then_the_channel_then_every_channel() {
        let d = 1000;
        let moving = weekly(&[(10.0, 100), (11.0, 90), (12.1, 81), (13.31, 72)], d);
        let flat = weekly(&[(10.0, 100), (10.0, 100)], d);
        let r = PricingRules::default();
        let plan = PlanResponse {
            value: -0.7,
            plan_id: 3,
            plan_name: "周末".into(),
        };
        assert_eq!(
            resolve(Some(&plan), &flat, None, "x", d, &r).source,
            Source::Plan
        );
        let on_channel = resolve(None, &moving, Some(&flat), "x", d, &r);
        assert_eq!(on_channel.source, Source::Channel);
        let everywhere = resolve(None, &flat, Some(&moving), "x", d, &r);
        assert_eq!(everywhere.source, Source::Product);
        assert!((everywhere.value - (-1.0 - 1.0 - 10.0 / 9.0) / 3.0).abs() < 1e-9);
        assert_eq!(
            resolve(None, &flat, None, "五金", d, &r).source,
            Source::Default
        );
    }
}
