//! Unit tests of [`super`] on small hand-computed datasets. "Yesterday" d is 2026-11-30: the
//! window is 11-01..=11-30, the window before 10-02..=10-31, the weeks start on 10-06.
//! Percentiles are numpy's linear ones: with n values, h = (n − 1) × p / 100.

use std::fmt::Write as _;

use chrono::Duration;

use super::*;
use crate::testkit::snapshots;

const HEADER: &str =
    "订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,一级分类名,店内码\n";

/// (key, 一级分类, first day, orders, units per order, 实收价格, unit cost): one order a day from
/// the first day, in 一号店 on 收银机订单, each line with 商品采购成本 = unit cost × units and
/// 利润额 = (price − unit cost) × units.
type Sale = (&'static str, &'static str, NaiveDate, u32, u32, f64, f64);

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).expect("valid")
}

fn nov(d: u32) -> NaiveDate {
    day(11, d)
}

fn csv(sales: &[Sale]) -> String {
    let mut s = HEADER.to_owned();
    for (n, &(key, category, first, orders, qty, price, unit_cost)) in sales.iter().enumerate() {
        let q = f64::from(qty);
        for i in 0..orders {
            let at = first + Duration::days(i64::from(i));
            let (cost, profit) = (unit_cost * q, (price - unit_cost) * q);
            writeln!(
                s,
                "O{n}-{i},{at} 10:00,一号店,{key}名,{qty},收银机订单,{price:.2},{cost:.2},{profit:.2},{category},{key}"
            )
            .expect("writes");
        }
    }
    s
}

fn filters(store: Option<&str>, channel: Option<&str>) -> Filters {
    Filters {
        store: store.map(str::to_owned),
        from: nov(1),
        to: nov(30),
        channel: channel.map(str::to_owned),
        requested: None,
    }
}

fn health_of(text: &str, store: Option<&str>, channel: Option<&str>) -> Health {
    let f = filters(store, channel);
    health(&snapshots(text), &f, &Business::default(), nov(30))
}

fn counts(stats: &[QuadrantStat]) -> Vec<usize> {
    stats.iter().map(|s| s.count).collect()
}

fn product<'h>(h: &'h Health, key: &str) -> &'h HealthProduct {
    h.products
        .iter()
        .find(|p| p.key == key)
        .unwrap_or_else(|| panic!("{key} is in the window"))
}

fn quadrants(h: &Health) -> Vec<(&str, Quadrant)> {
    let mut q: Vec<(&str, Quadrant)> = h
        .products
        .iter()
        .map(|p| (p.key.as_str(), p.quadrant))
        .collect();
    q.sort();
    q
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

use Quadrant::{Bestseller, Lead, Potential, Star, Traffic, Weak};

#[test]
fn a_product_that_meets_two_quadrants_lands_in_the_first_in_priority_order() {
    let text = csv(&[
        ("LEAD", "食品", nov(1), 4, 15, 0.01, 0.0),
        ("STAR", "食品", nov(1), 6, 10, 1.0, 0.4),
        ("A", "食品", nov(1), 5, 2, 5.0, 4.0),
        ("B", "食品", nov(1), 2, 2, 10.0, 4.0),
        ("C", "食品", nov(1), 4, 2, 3.0, 2.7),
        ("BAG", "耗材", nov(1), 1, 1, 0.5, 0.1),
    ]);
    let h = health_of(&text, None, None);
    // (销量, 订单数, 实收单价, margin %): LEAD (60, 4, 0.01, 100), STAR (60, 6, 1, 60),
    // A (10, 5, 5, 20), B (4, 2, 10, 60), C (8, 4, 3, 10); the bag is a consumable.
    // 销量 [4, 8, 10, 60, 60]: p50 = 10, p70 = 10 + 0.8 × 50 = 50, p80 = 60.
    // 订单数 [2, 4, 4, 5, 6]: p70 = 4 + 0.8 × 1 = 4.8. Margins [10, 20, 60, 60, 100]: median 60.
    // 实收单价 [0.01, 1, 3, 5, 10]: p30 = 1 + 0.2 × 2 = 1.4.
    // 动销指数 = 0.6 × (q − 4) / 56 + 0.4 × (orders − 2) / 4: LEAD 0.8, STAR 1, A ≈ 0.364,
    // B 0, C ≈ 0.243; median A's. Unit profit [0.01, 0.3, 0.6, 1, 6]: p30 = 0.36 → max 0.5.
    // LEAD: 0.01 ≤ ¥0.01 with 60 ≥ max(10, 3) → 策略引流 (also 畅销: 0.01 < 1.4, 60 ≥ 60, 100%).
    // STAR: 60% ≥ 60%, 1 > 0.364, 60 ≥ 50, 6 ≥ 4.8, 0.6 ≥ 0.5 → 明星 (also 畅销: 1 < 1.4).
    // B: high margin, 4 < 10, unit profit 6 → 潜力. A, C: low margin, not active → 低效.
    assert_eq!(
        quadrants(&h),
        [
            ("A", Weak),
            ("B", Potential),
            ("C", Weak),
            ("LEAD", Lead),
            ("STAR", Star)
        ]
    );
    assert_eq!(counts(&h.quadrants), [1, 1, 0, 1, 0, 2]);
    let sales: Vec<f64> = h.quadrants.iter().map(|s| s.sales).collect();
    assert_eq!(sales, [0.6, 60.0, 0.0, 40.0, 0.0, 74.0]);
    let star = &h.products[0];
    assert_eq!(
        (star.key.as_str(), star.quantity, star.orders),
        ("STAR", 60.0, 6)
    );
    assert!(close(star.unit_price, 1.0) && close(star.unit_cost, 0.4));
    assert!(close(star.unit_profit, 0.6) && close(star.activity, 1.0));
    assert_eq!(
        (star.margin_pct, star.margin_threshold),
        (Some(60.0), Some(60.0))
    );
    assert!(close(product(&h, "LEAD").activity, 0.8));
    assert_eq!((h.from, h.to), (nov(1), nov(30)));
    assert_eq!(counts(&h.previous), [0; 6]);
    assert!(h.migration.is_empty() && star.previous_quadrant.is_none());

    let json = serde_json::to_value(&h).expect("serializes");
    let names: Vec<&str> = json["quadrants"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|q| q["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["策略引流", "明星", "畅销", "潜力", "自然引流", "低效"]
    );
    assert_eq!(json["from"], "2026-11-01");
    assert_eq!(json["previous"][1]["count"], 0);
    assert_eq!(json["products"][0]["quadrant"], "明星");
    assert_eq!(
        json["products"][0]["previous_quadrant"],
        serde_json::Value::Null
    );
}

#[test]
fn each_quadrant_rule_applies_to_the_products_the_earlier_rules_left() {
    let text = csv(&[
        ("HOT", "食品", nov(1), 2, 30, 1.0, 0.5),
        ("NAT", "食品", nov(1), 8, 5, 4.0, 3.6),
        ("LOSS", "食品", nov(1), 3, 4, 1.0, 3.0),
        ("F1", "食品", nov(1), 2, 2, 10.0, 5.0),
        ("F2", "食品", nov(1), 1, 2, 8.0, 6.0),
        ("F3", "食品", nov(1), 1, 1, 6.0, 3.0),
    ]);
    let h = health_of(&text, None, None);
    // (销量, 订单数, 实收单价, margin %): HOT (60, 2, 1, 50), NAT (40, 8, 4, 10),
    // LOSS (12, 3, 1, −200), F1 (4, 2, 10, 50), F2 (2, 1, 8, 25), F3 (1, 1, 6, 50).
    // 销量 [1, 2, 4, 12, 40, 60]: p50 = 8, p70 = 12 + 0.5 × 28 = 26, p80 = 40.
    // 订单数 [1, 1, 2, 2, 3, 8]: p70 = 2.5. Margins: median (25 + 50) / 2 = 37.5.
    // 实收单价 [1, 1, 4, 6, 8, 10]: p30 = 1 + 0.5 × 3 = 2.5.
    // 动销指数 = 0.6 × (q − 1) / 59 + 0.4 × (orders − 1) / 7: NAT ≈ 0.797, HOT ≈ 0.657, LOSS ≈
    // 0.226, F1 ≈ 0.088, F2 ≈ 0.010, F3 0; median ≈ 0.157. Only NAT is active (HOT: 2 orders).
    // LOSS −200% < −50% with 12 ≥ 8 → 策略引流. HOT 50% ≥ 37.5%, not active, 1 < 2.5, 60 ≥ 40
    // → 畅销. F1, F3 high margin, below 8 units → 潜力. NAT low margin, active → 自然引流.
    // F2 25% < 37.5%, not active → 低效.
    assert_eq!(
        quadrants(&h),
        [
            ("F1", Potential),
            ("F2", Weak),
            ("F3", Potential),
            ("HOT", Bestseller),
            ("LOSS", Lead),
            ("NAT", Traffic)
        ]
    );
    assert_eq!(counts(&h.quadrants), [1, 0, 1, 2, 1, 1]);
    assert!(close(
        product(&h, "LOSS").margin_pct.unwrap_or_default(),
        -200.0
    ));
    assert_eq!(product(&h, "F1").margin_threshold, Some(37.5));
}

#[test]
fn a_free_product_is_strategic_whatever_it_sells_and_a_penny_one_needs_the_volume() {
    let text = csv(&[
        ("FREE", "食品", nov(3), 1, 1, 0.0, 2.0),
        ("PENNY", "食品", nov(3), 1, 2, 0.01, 0.0),
        ("X", "食品", nov(3), 5, 2, 5.0, 2.0),
    ]);
    let h = health_of(&text, None, None);
    // 销量 [1, 2, 10]: p50 = 2, so the volume condition is 销量 ≥ max(2, 3) = 3.
    // FREE: 实收单价 0 with 销量 1 > 0 → 策略引流 (no margin: sales are 0).
    // PENNY: ¥0.01 but 2 < 3; margin 100% ≥ median(100, 60) = 80, yet 动销指数 0.6 × 1/9 is
    // the median (not above), 0.01 is not below p30 of [0, 0.01, 5] = 0.006, 2 is not below
    // p50 = 2 → 低效. X: 60% < 80%, 动销指数 1, 10 ≥ max(5.2, 5), 5 ≥ max(2.6, 2) → 自然引流.
    assert_eq!(
        quadrants(&h),
        [("FREE", Lead), ("PENNY", Weak), ("X", Traffic)]
    );
    let free = product(&h, "FREE");
    assert_eq!(
        (free.margin_pct, free.unit_price, free.sales),
        (None, 0.0, 0.0)
    );
    assert!(close(free.unit_cost, 2.0) && close(free.profit, -2.0));
}

#[test]
fn the_margin_threshold_is_the_category_median_and_the_global_one_for_a_category_of_one() {
    let text = csv(&[
        ("D1", "饮料", nov(5), 1, 5, 10.0, 9.0),
        ("D2", "饮料", nov(5), 1, 1, 10.0, 8.0),
        ("D3", "饮料", nov(5), 1, 5, 10.0, 7.0),
        ("S1", "零食", nov(5), 1, 1, 10.0, 8.5),
    ]);
    let h = health_of(&text, None, None);
    // Margins: 饮料 [10, 20, 30] → median 20; 零食 has S1 (15) alone → the median of all
    // [10, 15, 20, 30] = 17.5.
    let thresholds: Vec<(&str, Option<f64>)> = ["D1", "D2", "D3", "S1"]
        .iter()
        .map(|k| (*k, product(&h, k).margin_threshold))
        .collect();
    assert_eq!(
        thresholds,
        [
            ("D1", Some(20.0)),
            ("D2", Some(20.0)),
            ("D3", Some(20.0)),
            ("S1", Some(17.5))
        ]
    );
    // 销量 [1, 1, 5, 5]: p50 = 3. D2 at exactly its category's 20% is high, sells 1 < 3 with
    // ¥2 unit profit → 潜力. S1's 15% < 17.5% is low (its own median would make it high) →
    // 低效. D1 low; D3 high but 5 ≥ 3; nothing is active (one order each) → 低效.
    assert_eq!(
        quadrants(&h),
        [("D1", Weak), ("D2", Potential), ("D3", Weak), ("S1", Weak)]
    );
}

#[test]
fn high_activity_counts_its_floors_and_percentiles_as_reached_when_met_exactly() {
    let rows = |second_order_units| {
        csv(&[
            ("E5", "食品", nov(1), 1, 2, 2.0, 1.0),
            ("E5", "食品", nov(2), 1, second_order_units, 2.0, 1.0),
            ("E6", "食品", nov(1), 3, 2, 2.0, 1.6),
            ("E2", "食品", nov(1), 1, 2, 2.0, 1.0),
            ("E1a", "食品", nov(1), 1, 1, 2.0, 1.6),
            ("E1b", "食品", nov(1), 1, 1, 2.0, 1.6),
        ])
    };
    let h = health_of(&rows(3), None, None);
    // 销量 E5 5, E6 6, E2 2, E1a 1, E1b 1: [1, 1, 2, 5, 6], p70 = 2 + 0.8 × 3 = 4.4, floor 5.
    // 订单数 [1, 1, 1, 2, 3]: p70 = 1.8, floor 2. 动销指数: E5 0.6 × 4/5 + 0.4 × 1/2 = 0.68,
    // E6 1, E2 0.12 (the median), E1 0. Margins [50, 20, 50, 20, 20]: median 20.
    // E5: 5 ≥ 5, 2 ≥ 2, 50% ≥ 20%, unit profit 1 ≥ max(p30 0.4, 0.5) → 明星.
    // E6: active and at exactly 20% (high), but unit profit 0.4 < 0.5 and profit 2.4 < 50;
    // not below p30 of price (all ¥2), nor below p50 of 销量 (2) → 低效.
    // E1a, E1b: 20% ≥ 20%, 1 < 2, unit profit 0.4 ≥ 0.3 → 潜力. E2: 2 is not below 2 → 低效.
    assert_eq!(
        quadrants(&h),
        [
            ("E1a", Potential),
            ("E1b", Potential),
            ("E2", Weak),
            ("E5", Star),
            ("E6", Weak)
        ]
    );
    // One unit less: E5 sells 4 < the floor 5 (p70 of [1, 1, 2, 4, 6] is 3.6) → not active,
    // and 4 is not below p50 = 2 → 低效.
    let h = health_of(&rows(2), None, None);
    assert_eq!(product(&h, "E5").quadrant, Weak);
}

#[test]
fn products_migrate_between_the_window_before_and_the_window() {
    let text = csv(&[
        ("M1", "食品", day(10, 10), 1, 1, 0.0, 1.0),
        ("M2", "食品", day(10, 10), 1, 1, 5.0, 2.0),
        ("M3", "食品", day(10, 10), 1, 1, 5.0, 4.0),
        ("M5", "食品", day(10, 10), 1, 1, 5.0, 4.0),
        ("M4", "食品", day(10, 1), 1, 1, 0.0, 1.0),
        ("M1", "食品", nov(10), 1, 1, 5.0, 4.0),
        ("M2", "食品", nov(10), 1, 1, 0.0, 1.0),
        ("M4", "食品", nov(10), 1, 1, 5.0, 2.0),
        ("M5", "食品", nov(10), 1, 1, 5.0, 4.0),
        ("M3", "食品", day(12, 1), 1, 1, 0.0, 1.0),
    ]);
    let h = health_of(&text, None, None);
    // Before (10-02..=10-31; M4's 10-01 line is outside): M1 free → 策略引流; M2, M3, M5 one
    // unit each, not active, none below p50 → 低效. Now (M3's 12-01 line is after d): M2 free →
    // 策略引流; M1, M4, M5 → 低效.
    assert_eq!(
        h.previous_period,
        Period {
            from: day(10, 2),
            to: day(10, 31)
        }
    );
    assert_eq!(counts(&h.previous), [1, 0, 0, 0, 0, 3]);
    assert_eq!(h.previous[5].sales, 15.0);
    assert_eq!(counts(&h.quadrants), [1, 0, 0, 0, 0, 3]);
    let moves: Vec<(Quadrant, Quadrant, usize)> = h
        .migration
        .iter()
        .map(|m| (m.from, m.to, m.count))
        .collect();
    // M1 策略引流 → 低效, M2 低效 → 策略引流, M5 stays 低效; M3 and M4 are in one window only.
    assert_eq!(moves, [(Lead, Weak, 1), (Weak, Lead, 1), (Weak, Weak, 1)]);
    assert_eq!(product(&h, "M1").previous_quadrant, Some(Lead));
    assert_eq!(product(&h, "M4").previous_quadrant, None);
    let json = serde_json::to_value(&h).expect("serializes");
    assert_eq!(
        json["migration"][0],
        serde_json::json!({"from": "策略引流", "to": "低效", "count": 1})
    );
}

#[test]
fn the_weekly_trend_counts_each_of_the_eight_weeks_on_its_own_figures() {
    let text = csv(&[
        ("X", "食品", day(10, 5), 1, 1, 5.0, 2.0),
        ("W2", "食品", day(10, 8), 1, 1, 5.0, 4.0),
        ("W1", "食品", nov(28), 1, 1, 0.0, 1.0),
        ("W2", "食品", nov(29), 1, 1, 5.0, 4.0),
    ]);
    let h = health_of(&text, None, None);
    let weeks: Vec<(NaiveDate, NaiveDate)> = h.weekly.iter().map(|w| (w.from, w.to)).collect();
    assert_eq!(weeks.len(), 8);
    assert_eq!(weeks[0], (day(10, 6), day(10, 12)));
    assert_eq!(weeks[1], (day(10, 13), day(10, 19)));
    assert_eq!(weeks[7], (nov(24), nov(30)));
    // 10-06..=10-12: W2 alone (X's 10-05 is the week before) → 低效. 11-24..=11-30: W1 free →
    // 策略引流, W2 → 低效. The weeks between sold nothing.
    assert_eq!(h.weekly[0].counts, [0, 0, 0, 0, 0, 1]);
    assert_eq!(h.weekly[7].counts, [1, 0, 0, 0, 0, 1]);
    assert!(h.weekly[1..7].iter().all(|w| w.counts == [0; 6]));
    // The window before has X and W2 (10-05 and 10-08): both 低效.
    assert_eq!(counts(&h.previous), [0, 0, 0, 0, 0, 2]);
}

#[test]
fn store_and_channel_filters_choose_the_series_merged_by_product_key() {
    let text = format!(
        "{HEADER}\
A1,2026-11-10 10:00,一号店,K名,1,收银机订单,0.00,2.00,-2.00,食品,K
A2,2026-11-11 10:00,一号店,J名,2,闪购小程序,3.00,2.00,4.00,食品,J
B1,2026-11-12 10:00,二号店,K新名,1,闪购小程序,5.00,2.00,3.00,食品,K
"
    );
    let rows = |store, channel| {
        let h = health_of(&text, store, channel);
        h.products
            .iter()
            .map(|p| (p.key.clone(), p.quantity, p.sales, p.quadrant))
            .collect::<Vec<_>>()
    };
    let row = |k: &str, q, s, quadrant| (k.to_owned(), q, s, quadrant);
    // All: K merged over both stores: 2 units, ¥5, margin 20% < median(20, 66.7) → 低效; its
    // name is the one of its latest line (二号店, 11-12).
    let all = health_of(&text, None, None);
    assert_eq!(product(&all, "K").name, "K新名");
    assert_eq!(product(&all, "K").orders, 2);
    assert_eq!(
        rows(None, None),
        [row("J", 2.0, 6.0, Weak), row("K", 2.0, 5.0, Weak)]
    );
    // 一号店: K is its free line → 策略引流.
    assert_eq!(
        rows(Some("一号店"), None),
        [row("J", 2.0, 6.0, Weak), row("K", 1.0, 0.0, Lead)]
    );
    assert_eq!(rows(Some("二号店"), None), [row("K", 1.0, 5.0, Weak)]);
    // 闪购小程序: 二号店's K (1 unit at ¥5, 60%) and 一号店's J (2 at ¥3, 66.7%): J's ¥3 is
    // below p30 of [3, 5] = 3.6, its 2 units reach p80 of [1, 2] = 1.8 and its margin the
    // median 63.3% → 畅销 (with K's line it was not: p30 of [2.5, 3] is 2.65).
    // 收银机订单: the free K only.
    assert_eq!(
        rows(None, Some("闪购小程序")),
        [row("J", 2.0, 6.0, Bestseller), row("K", 1.0, 5.0, Weak)]
    );
    assert_eq!(rows(None, Some("收银机订单")), [row("K", 1.0, 0.0, Lead)]);
    assert_eq!(
        rows(Some("二号店"), Some("收银机订单")),
        Vec::<(String, f64, f64, Quadrant)>::new()
    );
}

#[test]
fn the_window_length_is_a_rule() {
    let text = csv(&[
        ("OLD", "食品", nov(10), 1, 1, 5.0, 2.0),
        ("NEW", "食品", nov(25), 1, 1, 0.0, 1.0),
    ]);
    let rules = HealthRules {
        window_days: 7,
        ..HealthRules::default()
    };
    let h = health_with(
        &snapshots(&text),
        &filters(None, None),
        &Business::default(),
        nov(30),
        &rules,
    );
    // 11-24..=11-30 holds NEW only; the week before (11-17..=11-23) nothing.
    assert_eq!((h.from, h.previous_period.from), (nov(24), nov(17)));
    assert_eq!(quadrants(&h), [("NEW", Lead)]);
    assert_eq!(counts(&h.previous), [0; 6]);
    assert_eq!(h.weekly.len(), 8, "the trend keeps its eight weeks");
    assert_eq!(
        h.weekly[5].counts,
        [0, 0, 0, 0, 0, 1],
        "OLD in 11-10..=11-16"
    );
}
