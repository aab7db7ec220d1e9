//! The 价格弹性 card: products whose 实收单价 moved at least 5% between the week before and the
//! last week (both with sales), and how their quantity answered.
//!
//! Cost: two week sums per product of the window already merged for the other product cards.

use chrono::NaiveDate;
use serde::Serialize;

use super::history::{back, History};

use super::TodayRules;

/// The tiers, strongest response first.
pub(super) const LEVELS: [&str; 3] = ["高", "中", "低"];

/// One product whose price moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElasticityRow {
    /// Product key.
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// 一级分类名.
    pub category: String,
    /// Mean 实收单价 of the week before (yesterday − 13 … − 7).
    pub previous_price: f64,
    /// Mean 实收单价 of the last week (yesterday − 6 … yesterday).
    pub price: f64,
    /// Price change in %.
    pub price_change_pct: f64,
    /// Σ销量 of the week before.
    pub previous_quantity: f64,
    /// Σ销量 of the last week.
    pub quantity: f64,
    /// Quantity change in %.
    pub quantity_change_pct: f64,
    /// %Δ销量 / %Δ实收单价.
    pub elasticity: f64,
    /// 高 (< −1.5), 中 (−1.5 … −0.5) or 低 (> −0.5).
    pub level: &'static str,
}

/// The products of 价格弹性 as of `d`, the largest price moves first.
pub(super) fn price_elasticity(h: &History<'_>, d: NaiveDate) -> Vec<ElasticityRow> {
    let mut rows: Vec<ElasticityRow> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let (cur, prev) = (p.sums(back(d, 6), d), p.sums(back(d, 13), back(d, 7)));
            let (price, previous_price) = (cur.unit_price()?, prev.unit_price()?);
            if cur.quantity <= 0 || prev.quantity <= 0 || previous_price <= 0.0 {
                return None;
            }
            let price_change_pct = (price - previous_price) / previous_price * 100.0;
            // The same tolerance the margin rules use: a move of exactly 5% counts.
            if price_change_pct.abs() + 1e-9 < h.rules.elasticity_min_price_change_pct {
                return None;
            }
            let quantity_change_pct =
                (cur.quantity - prev.quantity) as f64 / prev.quantity as f64 * 100.0;
            let elasticity = quantity_change_pct / price_change_pct;
            Some(ElasticityRow {
                key: (*key).to_owned(),
                name: p.name.to_owned(),
                category: p.category.to_owned(),
                previous_price,
                price,
                price_change_pct,
                previous_quantity: prev.quantity as f64 / 1000.0,
                quantity: cur.quantity as f64 / 1000.0,
                quantity_change_pct,
                elasticity,
                level: level(elasticity, &h.rules),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.price_change_pct
            .abs()
            .total_cmp(&a.price_change_pct.abs())
            .then_with(|| a.key.cmp(&b.key))
    });
    rows
}

/// The tier of an elasticity: 高 below `elasticity_high`, 低 above `elasticity_low`.
fn level(e: f64, rules: &TodayRules) -> &'static str {
    if e < rules.elasticity_high {
        LEVELS[0]
    } else if e <= rules.elasticity_low {
        LEVELS[1]
    } else {
        LEVELS[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Business;
    use crate::testkit::snapshots;

    /// Day 14 is yesterday. UP: 10 sold at ¥10 on day 3 (the week before: days 1–7), 5 at
    /// ¥12 on day 10 (the last week: 8–14): price +20%, quantity −50%, elasticity −2.5 (高).
    /// FLAT: ¥10 → ¥10.40 is +4%, under 5%. ONCE sold only in the last week.
    const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,利润额,一级分类名,店内码
a1,2026-11-03 10:00,一号店,UP,10,收银机订单,10.00,10.00,食品,UP
a2,2026-11-10 10:00,一号店,UP,5,收银机订单,12.00,10.00,食品,UP
b1,2026-11-03 11:00,一号店,FLAT,10,收银机订单,10.00,10.00,食品,FLAT
b2,2026-11-10 11:00,一号店,FLAT,10,收银机订单,10.40,10.00,食品,FLAT
c1,2026-11-14 11:00,一号店,ONCE,1,收银机订单,3.00,1.00,食品,ONCE
";

    #[test]
    fn a_price_move_of_five_percent_or_more_gives_its_elasticity() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
        let snaps = snapshots(CSV);
        let h = crate::today::recent::load_day(&snaps, day(14), &Business::default());
        let rows = price_elasticity(&h, day(14));
        assert_eq!(rows.len(), 1, "{rows:?}");
        let r = &rows[0];
        assert_eq!((r.key.as_str(), r.level), ("UP", "高"));
        assert!((r.price_change_pct - 20.0).abs() < 1e-9);
        assert!((r.quantity_change_pct + 50.0).abs() < 1e-9);
        assert!((r.elasticity + 2.5).abs() < 1e-9);
    }

    #[test]
    fn elasticity_is_bucketed_at_minus_one_and_a_half_and_minus_a_half() {
        let r = TodayRules::default();
        assert_eq!(level(-2.0, &r), "高");
        assert_eq!(level(-1.5, &r), "中");
        assert_eq!(level(-0.5, &r), "中");
        assert_eq!(level(-0.49, &r), "低");
        assert_eq!(level(1.0, &r), "低");
    }
}
