//! 智能调价 on a hand-written export ("yesterday" d = 2026-11-30, the 30-day window is
//! 11-01 … 11-30, 平台费率 0.08) and on a generated one for the invariants.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;
use crate::testkit::{generated, snapshots};

/// Every order is on 收银机订单 (never dropped by the fee filter); 满减金额 is the order's
/// 营销成本.
///
/// - a1 (11-30): A ×2 at ¥10 (cost ¥16) and B ×1 at ¥20 (cost ¥10), 满减 ¥6. Order sales ¥40:
///   A's share is 6 × 20/40 = ¥3, 营销费率 3/20 = 0.15, 真实保本价 8 / (1 − 0.08 − 0.15) =
///   10.3896 > ¥10: 亏损止血. B: ¥3 / ¥20 = 0.15, 10 / 0.77 = 12.987 < ¥20.
/// - C at ¥8.37 with unit cost 7.70 and no marketing: 7.7 / 0.92 = 8.3696 < 8.37 (kept out);
///   D at ¥8.36 with the same cost: below it (亏损止血).
/// - E ×1 at ¥10, cost ¥5, 满减 ¥8: 营销费率 0.8, capped at 0.5: 5 / 0.42 = 11.905.
/// - F: 11-10 one at ¥10 with profit ¥5 (50%, its 高光), 11-30 nine at ¥10 with profit ¥27:
///   window margin 32/100 = 32% < 50 − 10 = 40: 利润修复. G: 45% then 35%: 36% ≥ 35, kept out.
/// - H sold on 11-20 (10 idle days) with stock 12: 滞销清仓. I sold on 11-25 (5 days): no. J
///   sold on 11-20 with stock 0: no.
/// - K (粮油调味, elasticity −0.5): 10 sold on 11-05 and 10 on 11-20 at ¥15 (原价 ¥20, so below
///   0.9 × 20 = 18), cost ¥12 each: margin 20%, sales stable: 涨价机会. L: the same with 原价
///   ¥16 (15 ≥ 14.4): no. M: 10 then 5 (falling): no.
const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,利润额,商品采购成本,一级分类名,店内码,满减金额,剩余库存,商品原价
a1,2026-11-30 10:00,一号店,A,2,收银机订单,10.00,4.00,16.00,食品,A,6,,
a1,2026-11-30 10:00,一号店,B,1,收银机订单,20.00,10.00,10.00,食品,B,6,,
c1,2026-11-29 10:00,一号店,C,1,收银机订单,8.37,0.67,7.70,食品,C,,,
d1,2026-11-29 11:00,一号店,D,1,收银机订单,8.36,0.66,7.70,食品,D,,,
e1,2026-11-28 10:00,一号店,E,1,收银机订单,10.00,5.00,5.00,食品,E,8,,
f1,2026-11-10 10:00,一号店,F,1,收银机订单,10.00,5.00,5.00,食品,F,,,
f2,2026-11-30 11:00,一号店,F,9,收银机订单,10.00,27.00,63.00,食品,F,,,
g1,2026-11-10 11:00,一号店,G,1,收银机订单,10.00,4.50,5.50,食品,G,,,
g2,2026-11-30 12:00,一号店,G,9,收银机订单,10.00,31.50,58.50,食品,G,,,
h1,2026-11-20 10:00,一号店,H,1,收银机订单,5.00,1.00,4.00,食品,H,,12,
i1,2026-11-25 10:00,一号店,I,1,收银机订单,5.00,1.00,4.00,食品,I,,12,
j1,2026-11-20 11:00,一号店,J,1,收银机订单,5.00,1.00,4.00,食品,J,,0,
k1,2026-11-05 10:00,一号店,K,10,收银机订单,15.00,30.00,120.00,粮油调味,K,,,20
k2,2026-11-20 10:00,一号店,K,10,收银机订单,15.00,30.00,120.00,粮油调味,K,,,20
l1,2026-11-05 11:00,一号店,L,10,收银机订单,15.00,30.00,120.00,粮油调味,L,,,16
l2,2026-11-20 11:00,一号店,L,10,收银机订单,15.00,30.00,120.00,粮油调味,L,,,16
m1,2026-11-05 12:00,一号店,M,10,收银机订单,15.00,30.00,120.00,粮油调味,M,,,20
m2,2026-11-20 12:00,一号店,M,5,收银机订单,15.00,15.00,60.00,粮油调味,M,,,20
";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
}

fn filters() -> Filters {
    Filters {
        store: None,
        from: day(1),
        to: day(30),
        channel: None,
        requested: None,
    }
}

fn run(request: &Request) -> Pricing {
    let snaps = snapshots(CSV);
    pricing(
        &snaps,
        &filters(),
        &Business::default(),
        request,
        &HashMap::new(),
    )
}

fn keys(p: &Pricing) -> Vec<&str> {
    let mut k: Vec<&str> = p.items.iter().map(|i| i.key.as_str()).collect();
    k.sort_unstable();
    k
}

fn scenario(s: Scenario) -> Pricing {
    run(&Request {
        scenario: s,
        ..Request::default()
    })
}

#[test]
fn loss_stop_lists_exactly_the_products_priced_below_their_true_break_even() {
    let p = scenario(Scenario::LossStop);
    assert_eq!(p.as_of, Some(day(30)));
    assert_eq!(keys(&p), ["A", "D", "E"]);
    let a = p.items.iter().find(|i| i.key == "A").expect("A");
    assert!(
        (a.marketing_rate - 0.15).abs() < 1e-9,
        "{}",
        a.marketing_rate
    );
    assert!((a.break_even_price - 8.0 / 0.77).abs() < 1e-9);
    assert!((a.unit_cost - 8.0).abs() < 1e-9);
    // +6% would be ¥10.60, above 10.39: kept, and rounded to the tenth.
    assert!((a.new_price - 10.6).abs() < 1e-9, "{}", a.new_price);
    let e = p.items.iter().find(|i| i.key == "E").expect("E");
    assert!((e.marketing_rate - 0.8).abs() < 1e-9);
    assert!((e.break_even_price - 5.0 / 0.42).abs() < 1e-9);
    // +6% is ¥10.60, under the floor 11.905: raised to it, then rounded up to ¥12.0.
    assert_eq!(e.clamp, Some(Clamp::BreakEven));
    assert!((e.new_price - 12.0).abs() < 1e-9, "{}", e.new_price);
    for i in &p.items {
        assert!(i.current_price < i.break_even_price, "{}", i.key);
        assert!(i.new_price >= i.break_even_price, "{}", i.key);
    }
}

#[test]
fn margin_repair_takes_margins_more_than_ten_points_under_the_best_day() {
    let p = scenario(Scenario::MarginRepair);
    assert!(keys(&p).contains(&"F"), "{:?}", keys(&p));
    assert!(!keys(&p).contains(&"G"), "{:?}", keys(&p));
    let f = p.items.iter().find(|i| i.key == "F").expect("F");
    assert_eq!(f.highlight_margin_pct, Some(50.0));
    assert!((f.margin_pct.unwrap_or(0.0) - 32.0).abs() < 1e-9);
}

#[test]
fn clearance_takes_stock_idle_for_seven_days_and_cuts_no_lower_than_unit_cost() {
    let p = scenario(Scenario::Clearance);
    assert_eq!(keys(&p), ["H"]);
    let h = &p.items[0];
    assert_eq!(p.direction, Direction::Down);
    assert_eq!(h.idle_days, 10);
    // −6% of ¥5 is ¥4.70 (above the break-even 4 / 0.92 = 4.35 and the unit cost ¥4).
    assert!((h.new_price - 4.7).abs() < 1e-9, "{}", h.new_price);
    let deep = run(&Request {
        scenario: Scenario::Clearance,
        target_margin_pct: Some(-50.0),
        max_change_pct: Some(50.0),
        ..Request::default()
    });
    // A target margin of −50% asks ¥4 / 1.5 = ¥2.67: floored at the unit cost ¥4.
    assert!((deep.items[0].new_price - 4.0).abs() < 1e-9);
    assert_eq!(deep.items[0].clamp, Some(Clamp::UnitCost));
}

#[test]
fn raise_opportunity_needs_steady_sales_a_low_margin_a_discount_and_low_elasticity() {
    let p = scenario(Scenario::RaiseOpportunity);
    assert_eq!(keys(&p), ["K"]);
    let k = &p.items[0];
    assert_eq!(k.elasticity, -0.5);
    assert_eq!(k.elasticity_source, Source::Category);
    // +6%: ¥15.90; quantity −6 × 0.5 = −3%: 20/30 × 0.97 per day.
    assert!((k.new_price - 15.9).abs() < 1e-9);
    assert!((k.predicted.qty_change_pct + 3.0).abs() < 1e-9);
    assert!((k.predicted.daily_qty - 20.0 / 30.0 * 0.97).abs() < 1e-9);
    // Profit per unit at ¥15.90: 15.9 × 0.92 − 12 = 2.628.
    assert!((k.predicted.daily_profit - 20.0 / 30.0 * 0.97 * 2.628).abs() < 1e-9);
    let now = 20.0 / 30.0 * (15.0 * 0.92 - 12.0);
    assert!((k.predicted.daily_profit_change - (k.predicted.daily_profit - now)).abs() < 1e-9);
}

#[test]
fn free_pricing_takes_the_picked_products_and_keeps_every_floor() {
    let p = run(&Request {
        scenario: Scenario::Free,
        direction: Some(Direction::Down),
        level: Level::Heavy,
        keys: vec!["B".into(), "C".into()],
        ..Request::default()
    });
    assert_eq!(keys(&p), ["B", "C"]);
    let b = p.items.iter().find(|i| i.key == "B").expect("B");
    assert!((b.new_price - 18.0).abs() < 1e-9, "−10% of ¥20");
    let c = p.items.iter().find(|i| i.key == "C").expect("C");
    // −10% of ¥8.37 is ¥7.53, under the break-even 8.3696: raised to it and rounded up.
    assert!((c.new_price - 8.4).abs() < 1e-9, "{}", c.new_price);
    assert_eq!(p.total.items, 2);
    let counts: HashMap<Scenario, usize> =
        p.scenarios.iter().map(|s| (s.scenario, s.count)).collect();
    assert_eq!(counts[&Scenario::LossStop], 3);
    assert_eq!(counts[&Scenario::Clearance], 1);
}

#[test]
fn a_strategic_lead_product_keeps_its_price_unless_unlocked() {
    let snaps = snapshots(CSV);
    let business = Business::default();
    let quadrants: HashMap<String, Quadrant> = [("B".to_owned(), Quadrant::Lead)].into();
    let plans = HashMap::new();
    let inputs = Inputs {
        rules: &business.pricing,
        plans: &plans,
        quadrants: &quadrants,
    };
    let b = bases(&snaps, &filters(), &business, day(30), Some("B"), &inputs);
    assert_eq!(b.len(), 1);
    let request = Request {
        direction: Some(Direction::Up),
        ..Request::default()
    };
    let locked = item(&b[0], &request, 6.0, 1.0, &business.pricing);
    assert!(locked.locked);
    assert_eq!(locked.new_price, locked.current_price);
    assert_eq!(locked.predicted.qty_change_pct, 0.0);
    let unlocked = Request {
        unlock: vec!["B".into()],
        ..request
    };
    let free = item(&b[0], &unlocked, 6.0, 1.0, &business.pricing);
    assert!(!free.locked);
    assert!((free.new_price - 21.2).abs() < 1e-9);
}

#[test]
fn no_scenario_prices_below_break_even_except_clearance_and_none_below_unit_cost() {
    let spec = storeboard_fixtures::ExportSpec {
        days: 40,
        orders_per_store_day: 30,
        ..Default::default()
    };
    let snaps = generated(&spec);
    let business = Business::default();
    let (from, to) = crate::order::default_period(&snaps).expect("data");
    let f = Filters {
        store: None,
        from,
        to,
        channel: None,
        requested: None,
    };
    for s in Scenario::ALL {
        for level in [Level::Light, Level::Heavy] {
            for direction in [Direction::Up, Direction::Down] {
                let request = Request {
                    scenario: s,
                    level,
                    direction: Some(direction),
                    ..Request::default()
                };
                let p = pricing(&snaps, &f, &business, &request, &HashMap::new());
                if s == Scenario::Free {
                    assert!(p.items.len() > 20, "every product is priced");
                }
                for i in &p.items {
                    assert!(i.new_price + 1e-9 >= i.unit_cost, "{s} {}", i.key);
                    if s != Scenario::Clearance && !i.locked {
                        assert!(i.new_price + 1e-9 >= i.break_even_price, "{s} {}", i.key);
                    }
                    if i.locked {
                        assert_eq!(i.new_price, i.current_price);
                    }
                }
            }
        }
    }
}
