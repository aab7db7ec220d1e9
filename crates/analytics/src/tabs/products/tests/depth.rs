//! ABC, price bands, 低周转, the quadrant trend and the migration on hand-worked files
//! (2026-11-01..=10, ten days, via [`super::tab`]).

use super::{close, keys, tab};
use crate::products::depth::{abc_class, price_band, turnover_days};
use crate::products::Quadrant;

#[test]
fn abc_classes_by_the_share_sold_before_a_product() {
    // Sales 50, 20, 20, 10 (total 100; the two 20s by key: AB2 then AB3).
    // AB1 starts at 0 % → A; AB2 starts at 50 % and ends exactly at 70 % → A (the product that
    // crosses or reaches 70 % is A); AB3 starts at 70 % → B; AB4 starts at 90 % → C.
    let p = tab(
        "A1,2026-11-02 09:00,一号店,甲,5,10.00,20.00,30.00,休闲食品,AB1,
A2,2026-11-02 09:00,一号店,乙,2,10.00,10.00,10.00,休闲食品,AB2,
A3,2026-11-02 09:00,一号店,丙,2,10.00,10.00,10.00,休闲食品,AB3,
A4,2026-11-02 09:00,一号店,丁,1,10.00,5.00,5.00,休闲食品,AB4,
",
    );
    let classes: Vec<&str> = p.products.iter().map(|r| r.abc).collect();
    assert_eq!(keys(&p.products), ["AB1", "AB2", "AB3", "AB4"]);
    assert_eq!(classes, ["A", "A", "B", "C"]);
    let abc = &p.abc;
    assert_eq!((abc.a.count, abc.b.count, abc.c.count), (2, 1, 1));
    assert!(close(abc.a.sales_share, 70.0) && close(abc.b.sales_share, 20.0));
    assert!(close(abc.c.sales_share, 10.0) && close(abc.a.sales, 70.0));
    // The rule at its edges: starting just below 70 % is A, at 90 % is C.
    assert_eq!(abc_class(69.99, 100.0), "A");
    assert_eq!(abc_class(70.0, 100.0), "B");
    assert_eq!(abc_class(89.99, 100.0), "B");
    assert_eq!(abc_class(90.0, 100.0), "C");
    assert_eq!(abc_class(0.0, 0.0), "C", "no sales: C");
}

#[test]
fn price_bands_include_their_lower_edge() {
    // 实收单价: 4.99 → ¥0-5; 5.00 → ¥5-10; 10.00 → ¥10-20; 49.99 → ¥20-50; 50.00 → ¥50+.
    // One more at 6.00 with cost 6 (profit 0): ¥5-10 holds 5 + 6 = 11 of sales, 1 of profit.
    let p = tab(
        "B1,2026-11-02 09:00,一号店,甲,1,4.99,2.99,2.00,休闲食品,PB1,
B2,2026-11-02 09:00,一号店,乙,1,5.00,4.00,1.00,休闲食品,PB2,
B3,2026-11-02 09:00,一号店,丙,1,10.00,5.00,5.00,休闲食品,PB3,
B4,2026-11-02 09:00,一号店,丁,1,49.99,40.00,9.99,休闲食品,PB4,
B5,2026-11-02 09:00,一号店,戊,1,50.00,25.00,25.00,休闲食品,PB5,
B6,2026-11-02 09:00,一号店,己,1,6.00,6.00,0.00,休闲食品,PB6,
",
    );
    let counts: Vec<usize> = p.price_bands.iter().map(|b| b.products).collect();
    assert_eq!(counts, [1, 2, 1, 1, 1]);
    let five = &p.price_bands[1];
    assert_eq!(five.band, "¥5-10");
    assert!(close(five.sales, 11.0) && close(five.profit, 1.0));
    assert!(close(five.margin_pct.unwrap_or_default(), 100.0 / 11.0));
    assert_eq!(p.price_bands[4].max, None);
    assert_eq!(
        (price_band(4.999), price_band(5.0), price_band(-1.0)),
        (0, 1, 0)
    );
    assert_eq!((price_band(20.0), price_band(50.0)), (3, 4));
}

#[test]
fn low_turnover_is_more_than_thirty_days_of_stock_or_stock_without_sales() {
    // Ten days. LT1 sold 10 (1 a day) and holds 31: 31 days > 30 → 低周转. LT2 holds 30: exactly
    // 30 days, not. LT3 sold nothing (a 0-quantity line) and holds 5: 低周转, days `null`.
    // LT4 sold 10 and holds 0: no stock, not.
    let p = tab(
        "L1,2026-11-02 09:00,一号店,甲,10,1.00,0.50,0.50,休闲食品,LT1,31
L2,2026-11-02 09:00,一号店,乙,10,1.00,0.50,0.50,休闲食品,LT2,30
L3,2026-11-02 09:00,一号店,丙,0,1.00,0.00,0.00,休闲食品,LT3,5
L4,2026-11-02 09:00,一号店,丁,10,1.00,0.50,0.50,休闲食品,LT4,0
",
    );
    assert_eq!(keys(&p.low_turnover.rows), ["LT1", "LT3"]);
    let days = |k: &str| {
        p.products
            .iter()
            .find(|r| r.key == k)
            .and_then(|r| r.turnover_days)
    };
    assert_eq!((days("LT1"), days("LT2")), (Some(31.0), Some(30.0)));
    assert_eq!((days("LT3"), days("LT4")), (None, None));
    assert_eq!(turnover_days(Some(5.0), 0.0, 10), Some(f64::INFINITY));
}

/// Ten days, halves 11-01..05 and 11-06..10. M1 (50 %) sells days 1–4, M2 (50 %) days 6–9,
/// M3 (10 %) days 1 and 6, M4 (10 %) days 2, 3, 7, 8. 动销指数 .4 .4 .2 .4 → median .4.
const HALVES: &str = "M1,2026-11-01 09:00,一号店,甲,1,10.00,5.00,5.00,休闲食品,M1,
M2,2026-11-02 09:00,一号店,甲,1,10.00,5.00,5.00,休闲食品,M1,
M3,2026-11-03 09:00,一号店,甲,1,10.00,5.00,5.00,休闲食品,M1,
M4,2026-11-04 09:00,一号店,甲,1,10.00,5.00,5.00,休闲食品,M1,
M5,2026-11-06 09:00,一号店,乙,1,10.00,5.00,5.00,休闲食品,M2,
M6,2026-11-07 09:00,一号店,乙,1,10.00,5.00,5.00,休闲食品,M2,
M7,2026-11-08 09:00,一号店,乙,1,10.00,5.00,5.00,休闲食品,M2,
M8,2026-11-09 09:00,一号店,乙,1,10.00,5.00,5.00,休闲食品,M2,
M9,2026-11-01 09:00,一号店,丙,1,10.00,9.00,1.00,休闲食品,M3,
MA,2026-11-06 09:00,一号店,丙,1,10.00,9.00,1.00,休闲食品,M3,
MB,2026-11-02 09:00,一号店,丁,1,10.00,9.00,1.00,休闲食品,M4,
MC,2026-11-03 09:00,一号店,丁,1,10.00,9.00,1.00,休闲食品,M4,
MD,2026-11-07 09:00,一号店,丁,1,10.00,9.00,1.00,休闲食品,M4,
ME,2026-11-08 09:00,一号店,丁,1,10.00,9.00,1.00,休闲食品,M4,
";

#[test]
fn migration_compares_each_halfs_margin_and_activity() {
    // M1: first half .8 at 50 % → 明星; second half no sales (no margin, 0) → 淘汰.
    // M2: first no sales → 淘汰; second .8 at 50 % → 明星. M3: .2 and .2 at 10 % → 淘汰 twice.
    // M4: .4 and .4 at 10 % → 引流 twice. Two changed.
    let p = tab(HALVES);
    assert!(close(p.quadrants.median_activity, 0.4));
    let m = p.migration.as_ref().expect("ten days have halves");
    assert_eq!(m.second_from.to_string(), "2026-11-06");
    let count = |f, t| {
        m.moves
            .iter()
            .find(|x| x.from == f && x.to == t)
            .map(|x| x.count)
    };
    use Quadrant::*;
    assert_eq!(count(Star, Weed), Some(1));
    assert_eq!(count(Weed, Star), Some(1));
    assert_eq!(count(Weed, Weed), Some(1));
    assert_eq!(count(Traffic, Traffic), Some(1));
    assert_eq!((m.moves.len(), m.changed), (16, 2));
    let total: usize = m.moves.iter().map(|x| x.count).sum();
    assert_eq!(total, 4);
}

#[test]
fn the_trend_counts_every_product_in_every_bucket() {
    // Day 1 (11-01): M1 sold at 50 % → 明星; M2 not sold at 50 % → 潜力; M3 sold at 10 % → 引流;
    // M4 not sold → 淘汰. Weeks from Monday: 11-01 (a Sunday, one day), 11-02..08, 11-09..10.
    // 11-09..10: only M2 sold (day 9): 1/2 ≥ .4 → 明星; M1 潜力; M3, M4 淘汰.
    let p = tab(HALVES);
    let t = &p.quadrant_trend;
    assert_eq!(t.day.len(), 10);
    let d1 = &t.day[0];
    assert_eq!((d1.star, d1.potential, d1.traffic, d1.weed), (1, 1, 1, 1));
    let weeks: Vec<usize> = t.week.iter().map(|w| w.days).collect();
    assert_eq!(weeks, [1, 7, 2]);
    let w3 = &t.week[2];
    assert_eq!((w3.star, w3.potential, w3.traffic, w3.weed), (1, 1, 0, 2));
    // One month: the period's own quadrants (M1, M2 明星; M3 淘汰; M4 引流).
    let m = &t.month[0];
    assert_eq!(
        (m.days, m.star, m.potential, m.traffic, m.weed),
        (10, 2, 0, 1, 1)
    );
}
