//! The product page on a hand-written export, against hand-computed sums and the products tab.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;
use crate::testkit::snapshots;

/// P over 11-01 … 11-04 on two channels and two stores:
/// - 11-01 一号店 收银机订单 o1 (09:30, 上午): 2 × ¥10.00, profit ¥6, cost ¥14, stock 50, with
///   Q ×1 ¥5 in the same order (order sales ¥25).
/// - 11-02 no sale.
/// - 11-03 一号店 闪购小程序 o2 (13:00, 正午): 1 × ¥10.50 (+5.0%: marked), profit ¥3.50, cost ¥7,
///   stock 40; 二号店 收银机订单 o3 (19:00, 傍晚): 1 × ¥10.50, profit ¥3.50, cost ¥7.
/// - 11-04 一号店 收银机订单 o4 (20:00, 傍晚): 3 × ¥9.99 (−4.857%: not marked), profit ¥9,
///   cost ¥20.97, stock 37; its line names the product 可乐大瓶 (the latest name wins).
///
/// Totals: 销量 7, sales 20 + 21 + 29.97 = ¥70.97, profit ¥22, cost ¥48.97, 4 orders.
const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,利润额,商品采购成本,一级分类名,店内码,剩余库存
o1,2026-11-01 09:30,一号店,可乐,2,收银机订单,10.00,6.00,14.00,饮料,P,50
o1,2026-11-01 09:30,一号店,薯片,1,收银机订单,5.00,2.00,3.00,零食,Q,
o2,2026-11-03 13:00,一号店,可乐,1,闪购小程序,10.50,3.50,7.00,饮料,P,40
o3,2026-11-03 19:00,二号店,可乐,1,收银机订单,10.50,3.50,7.00,饮料,P,
o4,2026-11-04 20:00,一号店,可乐大瓶,3,收银机订单,9.99,9.00,20.97,饮料,P,37
";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
}

fn filters(store: Option<&str>) -> Filters {
    Filters {
        store: store.map(str::to_owned),
        from: day(1),
        to: day(4),
        channel: None,
        requested: None,
    }
}

fn page(store: Option<&str>) -> ProductPage {
    let snaps = snapshots(CSV);
    product(
        &snaps,
        &filters(store),
        &Business::default(),
        "P",
        &HashMap::new(),
    )
    .expect("P sold")
}

#[test]
fn the_page_sums_the_days_by_hand_and_covers_every_day() {
    let p = page(None);
    assert_eq!(p.name, "可乐大瓶", "the latest line's name");
    assert_eq!(p.category, "饮料");
    assert_eq!(p.daily.len(), 4);
    let quantities: Vec<f64> = p.daily.iter().map(|r| r.quantity).collect();
    assert_eq!(quantities, [2.0, 0.0, 2.0, 3.0]);
    assert_eq!(p.daily[1].unit_price, None);
    assert_eq!(p.daily[1].sales, 0.0);
    // 20 + 21 + 29.97 = 70.97; profit 6 + 7 + 9 = 22; cost 14 + 14 + 20.97 = 48.97.
    assert!((p.totals.sales - 70.97).abs() < 1e-9);
    assert!((p.totals.profit - 22.0).abs() < 1e-9);
    assert!((p.totals.cost - 48.97).abs() < 1e-9);
    assert_eq!(p.totals.quantity, 7.0);
    assert_eq!(p.totals.orders, 4);
    // Stock: 50 on 11-01, 40 on 11-03 (二号店's line has none), 37 on 11-04.
    let stock: Vec<Option<f64>> = p.daily.iter().map(|r| r.stock).collect();
    assert_eq!(stock, [Some(50.0), None, Some(40.0), Some(37.0)]);
    let sums: f64 = p.daily.iter().map(|r| r.sales).sum();
    assert!((sums - p.totals.sales).abs() < 1e-9);
}

#[test]
fn the_days_add_up_to_the_products_tab_row_for_the_same_filters() {
    let snaps = snapshots(CSV);
    for store in [None, Some("一号店")] {
        let f = filters(store);
        let p = product(&snaps, &f, &Business::default(), "P", &HashMap::new()).expect("P");
        let tab = crate::products(&snaps, &f, &Business::default());
        let row = tab.products.iter().find(|r| r.key == "P").expect("row");
        let sum = |g: fn(&DayRow) -> f64| p.daily.iter().map(g).sum::<f64>();
        assert!((sum(|r| r.sales) - row.sales).abs() < 1e-9);
        assert!((sum(|r| r.profit) - row.profit).abs() < 1e-9);
        assert!((sum(|r| r.cost) - row.cost).abs() < 1e-9);
        assert!((sum(|r| r.quantity) - row.quantity).abs() < 1e-9);
        assert_eq!(p.totals.orders as usize, row.orders);
        assert_eq!(p.name, row.name);
    }
}

#[test]
fn a_price_move_of_five_percent_is_marked_and_one_of_four_point_nine_is_not() {
    let p = page(None);
    // ¥10.00 → ¥10.50 is +5%; ¥10.50 → ¥9.99 is −4.857%.
    assert_eq!(p.price_changes.len(), 1, "{:?}", p.price_changes);
    let c = &p.price_changes[0];
    assert_eq!(c.day, day(3));
    assert!((c.from_price - 10.0).abs() < 1e-9 && (c.to_price - 10.5).abs() < 1e-9);
    assert!((c.change_pct - 5.0).abs() < 1e-9);
}

#[test]
fn channels_slots_and_orders_split_the_same_sales() {
    let p = page(None);
    let channels: Vec<(&str, f64)> = p
        .channels
        .iter()
        .map(|c| (c.channel.as_str(), c.sales))
        .collect();
    assert_eq!(channels.len(), 2);
    assert_eq!(channels[0].0, "收银机订单");
    assert!((channels[0].1 - 60.47).abs() < 1e-9 && (channels[1].1 - 10.5).abs() < 1e-9);
    let slot = |name: &str| p.slots.iter().find(|s| s.slot == name).expect("slot");
    assert_eq!(slot("上午").orders, 1);
    assert_eq!(slot("傍晚").orders, 2);
    assert!((slot("傍晚").sales - 40.47).abs() < 1e-9);
    let ids: Vec<&str> = p.orders.iter().map(|o| o.order_id.as_str()).collect();
    assert_eq!(ids, ["o4", "o3", "o2", "o1"], "newest first");
    let o1 = &p.orders[3];
    assert!((o1.sales - 20.0).abs() < 1e-9 && (o1.order_sales - 25.0).abs() < 1e-9);
    // 订单实际利润 of o1: Σ利润额 6 + 2, no fee or delivery.
    assert!((o1.order_profit - 8.0).abs() < 1e-9);
    let one_store = page(Some("二号店"));
    assert_eq!(one_store.orders.len(), 1);
}

#[test]
fn a_product_absent_from_the_selection_has_no_page() {
    let snaps = snapshots(CSV);
    let b = Business::default();
    assert!(product(&snaps, &filters(None), &b, "NOPE", &HashMap::new()).is_none());
    let f = Filters {
        from: day(2),
        to: day(2),
        ..filters(None)
    };
    assert!(product(&snaps, &f, &b, "P", &HashMap::new()).is_none());
}

#[test]
fn the_page_carries_the_break_even_and_elasticity_of_the_pricing_basis() {
    let p = page(None);
    let e = p.elasticity.expect("basis");
    assert_eq!(e.source, crate::pricing::Source::Category);
    assert_eq!(e.value, -1.2, "饮料");
    // No marketing: 单品成本 over the 30 days to 11-04: 48.97 / 7; / 0.92.
    let be = p.break_even_price.expect("break-even");
    assert!((be - 48.97 / 7.0 / 0.92).abs() < 1e-9, "{be}");
    // The best day: 11-03 at 7 / 21 = 33.3%.
    let h = p.highlight_margin_pct.expect("highlight");
    assert!((h - 100.0 / 3.0).abs() < 1e-9, "{h}");
}
