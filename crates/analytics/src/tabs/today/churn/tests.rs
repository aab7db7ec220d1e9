//! Hand-checked files for 客户流失预警. Yesterday `d` is 2026-11-30 throughout: the window is
//! 11-01 ..= 11-30 (`d − 29 ..= d`), a churned customer's last order is on or before 11-23
//! (`d − 7`), the recent days are 11-24 ..= 11-30 (`d − 6 ..= d`).

use super::*;
use crate::testkit::snapshots;

const HEADER: &str =
    "订单ID,下单时间,门店名称,渠道,收货地址,商品名称,店内码,一级分类名,销量,实收价格,剩余库存,平台服务费\n";

fn csv(rows: &str) -> String {
    format!("{HEADER}{rows}")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
}

fn filters(store: Option<&str>, channel: Option<&str>) -> Filters {
    Filters {
        store: store.map(str::to_owned),
        from: day(1),
        to: day(30),
        channel: channel.map(str::to_owned),
        requested: None,
    }
}

fn run(rows: &str, store: Option<&str>, channel: Option<&str>) -> Churn {
    churn(
        &snapshots(&csv(rows)),
        &filters(store, channel),
        &Business::default(),
        &ChurnRules::default(),
        day(30),
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// The window's edges. 可乐 at ¥3.00 everywhere, stock 10.
/// - 幸福路 (three spellings, one customer): 10-31 (d − 30, outside), 11-01 (d − 29) ×2 and
///   11-23 (d − 7) ×1 → exactly 2 orders in the window, last on d − 7: churned, sales
///   2 × 3 + 1 × 3 = ¥9, 7 days since.
/// - 和平路: 11-10 and 11-24 (d − 6): not churned.
/// - 长江路: 10-31 (outside) and 11-05: one order in the window, not churned as of d. As of
///   d − 1 (window 10-31 ..= 11-29, quiet from 11-22) it has two orders and the last on 11-05:
///   churned, and so on d − 2 and d − 3 (windows from 10-30 and 10-29). 幸福路's last order
///   11-23 is after d − 1 − 7 = 11-22: not churned on those days.
/// - Two in-store orders (no address) on 11-10 and 11-12 would churn if they were a customer.
const EDGES: &str = "\
A0,2026-10-31 10:00,一号店,闪购小程序,幸福路1号3栋2单元501,可乐,COLA,饮料,1,3.00,10,
A1,2026-11-01 10:00,一号店,闪购小程序,幸福路1号 3栋 2单元 501,可乐,COLA,饮料,2,3.00,10,
A2,2026-11-23 10:00,一号店,闪购小程序,幸福路1号\u{3000}3栋2单元501,可乐,COLA,饮料,1,3.00,10,
B1,2026-11-10 10:00,一号店,闪购小程序,和平路2号,可乐,COLA,饮料,1,3.00,10,
B2,2026-11-24 10:00,一号店,闪购小程序,和平路2号,可乐,COLA,饮料,1,3.00,10,
C0,2026-10-31 11:00,一号店,闪购小程序,长江路3号,可乐,COLA,饮料,1,3.00,10,
C1,2026-11-05 11:00,一号店,闪购小程序,长江路3号,可乐,COLA,饮料,1,3.00,10,
X1,2026-11-10 12:00,一号店,收银机订单,,可乐,COLA,饮料,1,3.00,10,
X2,2026-11-12 12:00,一号店,收银机订单,,可乐,COLA,饮料,1,3.00,10,
";

#[test]
fn a_customer_with_exactly_two_orders_from_d_minus_29_to_d_minus_7_churns() {
    let c = run(EDGES, None, None);
    assert_eq!(c.as_of, day(30));
    assert_eq!(c.count, 1, "{:#?}", c.rows);
    let r = &c.rows[0];
    assert_eq!(r.store, "一号店");
    assert_eq!(r.customer, "幸福路1号3-2-501");
    assert_eq!(r.orders, 2, "the order of d − 30 does not count");
    assert!(close(r.sales, 9.0));
    assert!(close(c.amount, 9.0));
    assert_eq!(r.last_order, day(23));
    assert_eq!(r.days_since, 7);
    // 可乐 still sells (11-24) at the price paid, stock 10: no reason found.
    assert_eq!(r.reason, Reason::Unknown);
    assert_eq!(r.reason_product, None);
    assert_eq!(r.products, ["可乐"]);
}

#[test]
fn a_last_order_on_d_minus_6_or_a_single_order_in_the_window_is_no_churn() {
    let c = run(EDGES, None, None);
    let customers: Vec<&str> = c.rows.iter().map(|r| r.customer.as_str()).collect();
    assert!(!customers.contains(&"和平路2号"), "last order on d − 6");
    assert!(
        !customers.contains(&"长江路3号"),
        "its 10-31 order is d − 30"
    );
}

#[test]
fn in_store_orders_without_an_address_are_no_customer() {
    let c = run(EDGES, None, None);
    assert!(c.rows.iter().all(|r| !r.customer.is_empty()));
    assert_eq!(c.count, 1);
    assert!(c.channels.iter().all(|ch| ch.channel != "收银机订单"));
}

#[test]
fn the_trend_days_use_the_same_rule_with_their_own_window() {
    // 长江路 churns as of d − 1, d − 2 and d − 3 (its 10-31 order is inside those windows);
    // 幸福路 does not (its 11-23 order is within their last 7 days).
    let c = run(EDGES, None, None);
    assert_eq!(c.previous_counts, [1, 1, 1]);
}

/// Reasons. Product states at d come from in-store orders (no customer) in the recent days:
/// 薯片 latest stock 0 (11-28); 牛奶 sold at ¥5.60 (11-27), 12% above the ¥5.00 paid; 面包 at
/// ¥11.00 (11-26), exactly 10% above the ¥10.00 paid (not more); 可乐 and 水 sell at the price
/// paid; 酸奶 has no sale since 11-20 (stock 8). Each customer orders on 11-10 and 11-20:
/// - 甲: 薯片 ×1 ¥4, 牛奶 ×1 ¥5, 酸奶 ×1 ¥6. All 1 unit: by name 牛奶 < 薯片 < 酸奶 (code
///   points). 缺货 (薯片) beats 涨价 (牛奶) and 下架 (酸奶). Sales ¥15.
/// - 乙: 牛奶 ×2 ¥5, 酸奶 ×1 ¥6 → 涨价 beats 下架. Sales ¥16.
/// - 丙: 酸奶 ×1 twice → 下架. Sales ¥12.
/// - 丁: 面包 ×1 twice → 未知 (exactly 10% is no rise). Sales ¥20.
/// - 戊: 面包 ×3, 可乐 ×2, 水 ×2, 薯片 ×1: the top 3 are 面包, 可乐, 水 (可 < 水); 薯片 is 4th,
///   so its stock does not count → 未知. The 打包袋 (耗材) is in the sales, never a product.
///   Sales 30 + 6 + 4 + 4 + 0.50 = ¥44.50.
///
/// Count 5, amount 15 + 16 + 12 + 20 + 44.5 = ¥107.50, mean ¥21.50: only 戊 is above.
const REASONS: &str = "\
S1,2026-11-28 09:00,一号店,收银机订单,,薯片,CHIPS,零食,1,4.00,0,
M1,2026-11-27 09:00,一号店,收银机订单,,牛奶,MILK,乳品,1,5.60,20,
B1,2026-11-26 09:00,一号店,收银机订单,,面包,BREAD,烘焙,1,11.00,5,
K1,2026-11-26 09:30,一号店,收银机订单,,可乐,COLA,饮料,1,3.00,10,
W1,2026-11-26 09:40,一号店,收银机订单,,水,WATER,饮料,1,2.00,10,
J1,2026-11-10 10:00,一号店,闪购小程序,甲路1号,薯片,CHIPS,零食,1,4.00,,
J1,2026-11-10 10:00,一号店,闪购小程序,甲路1号,牛奶,MILK,乳品,1,5.00,,
J2,2026-11-20 10:00,一号店,闪购小程序,甲路1号,酸奶,YOGURT,乳品,1,6.00,8,
Y1,2026-11-10 11:00,一号店,闪购小程序,乙路2号,牛奶,MILK,乳品,2,5.00,,
Y2,2026-11-20 11:00,一号店,闪购小程序,乙路2号,酸奶,YOGURT,乳品,1,6.00,8,
N1,2026-11-10 12:00,一号店,闪购小程序,丙路3号,酸奶,YOGURT,乳品,1,6.00,8,
N2,2026-11-20 12:00,一号店,闪购小程序,丙路3号,酸奶,YOGURT,乳品,1,6.00,8,
D1,2026-11-10 13:00,一号店,闪购小程序,丁路4号,面包,BREAD,烘焙,1,10.00,,
D2,2026-11-20 13:00,一号店,闪购小程序,丁路4号,面包,BREAD,烘焙,1,10.00,,
E1,2026-11-10 14:00,一号店,闪购小程序,戊路5号,面包,BREAD,烘焙,3,10.00,,
E1,2026-11-10 14:00,一号店,闪购小程序,戊路5号,打包袋,BAG,耗材,5,0.10,,
E2,2026-11-20 14:00,一号店,闪购小程序,戊路5号,可乐,COLA,饮料,2,3.00,,
E2,2026-11-20 14:00,一号店,闪购小程序,戊路5号,水,WATER,饮料,2,2.00,,
E2,2026-11-20 14:00,一号店,闪购小程序,戊路5号,薯片,CHIPS,零食,1,4.00,,
";

fn row<'c>(c: &'c Churn, customer: &str) -> &'c ChurnRow {
    c.rows
        .iter()
        .find(|r| r.customer == customer)
        .unwrap_or_else(|| panic!("{customer} churned: {:#?}", c.rows))
}

#[test]
fn out_of_stock_beats_price_rise_beats_delisted_among_the_top_products() {
    let c = run(REASONS, None, None);
    let 甲 = row(&c, "甲路1号");
    assert_eq!(甲.products, ["牛奶", "薯片", "酸奶"]);
    assert_eq!(甲.reason, Reason::OutOfStock);
    assert_eq!(甲.reason_product.as_deref(), Some("薯片"));
    // The keys, for the dashboard's links, in the names' order.
    assert_eq!(甲.product_keys, ["MILK", "CHIPS", "YOGURT"]);
    assert_eq!(甲.reason_product_key.as_deref(), Some("CHIPS"));
    let 乙 = row(&c, "乙路2号");
    assert_eq!(乙.products, ["牛奶", "酸奶"]);
    assert_eq!(乙.reason, Reason::PriceRise);
    assert_eq!(乙.reason_product.as_deref(), Some("牛奶"));
    let 丙 = row(&c, "丙路3号");
    assert_eq!((丙.reason, 丙.orders), (Reason::Delisted, 2));
    assert_eq!(丙.reason_product.as_deref(), Some("酸奶"));
}

#[test]
fn a_price_exactly_ten_percent_above_what_was_paid_is_no_price_rise() {
    let c = run(REASONS, None, None);
    assert_eq!(row(&c, "丁路4号").reason, Reason::Unknown);
    // With a 9.99% threshold it is one.
    let rules = ChurnRules {
        price_rise_pct: 9.99,
        ..ChurnRules::default()
    };
    let c = churn(
        &snapshots(&csv(REASONS)),
        &filters(None, None),
        &Business::default(),
        &rules,
        day(30),
    );
    assert_eq!(row(&c, "丁路4号").reason, Reason::PriceRise);
}

#[test]
fn only_the_top_three_products_by_quantity_explain_a_churn_and_consumables_are_no_product() {
    let c = run(REASONS, None, None);
    let 戊 = row(&c, "戊路5号");
    assert_eq!(
        戊.products,
        ["面包", "可乐", "水"],
        "薯片 (4th) and the bag left out"
    );
    assert_eq!(戊.reason, Reason::Unknown);
    assert!(close(戊.sales, 44.5), "the bag's ¥0.50 is in the sales");
}

#[test]
fn rows_come_by_sales_and_high_value_is_above_the_churned_mean() {
    let c = run(REASONS, None, None);
    let order: Vec<&str> = c.rows.iter().map(|r| r.customer.as_str()).collect();
    assert_eq!(
        order,
        ["戊路5号", "丁路4号", "乙路2号", "甲路1号", "丙路3号"]
    );
    assert_eq!(c.count, 5);
    assert!(close(c.amount, 107.5));
    assert!(close(c.mean_sales.unwrap_or_default(), 21.5));
    assert_eq!(c.high_value, 1);
    assert!(c.rows[0].high_value && !c.rows[1].high_value);
}

/// The lose-most list of [`REASONS`]: top products per customer 甲 {牛奶, 薯片, 酸奶}, 乙 {牛奶,
/// 酸奶}, 丙 {酸奶}, 丁 {面包}, 戊 {面包, 可乐, 水}:
/// - 酸奶: 3 customers, 15 + 16 + 12 = ¥43, 下架;
/// - 面包: 2, 20 + 44.5 = ¥64.50, 未知; 牛奶: 2, 15 + 16 = ¥31, 涨价 (for both);
/// - 可乐 and 水: 1 each, ¥44.50 (tie broken by key COLA < WATER), 未知;
/// - 薯片: 1 (甲's top 3 only; 戊 has it 4th), ¥15, 缺货.
#[test]
fn the_products_losing_most_customers_come_with_their_action() {
    let c = run(REASONS, None, None);
    let got: Vec<(&str, usize, f64, Reason, &str)> = c
        .products
        .iter()
        .map(|p| {
            (
                p.key.as_str(),
                p.customers,
                p.amount,
                p.reason,
                p.action.as_str(),
            )
        })
        .collect();
    let want = [
        (
            "YOGURT",
            3,
            43.0,
            Reason::Delisted,
            "恢复上架 酸奶，召回 3 位顾客",
        ),
        (
            "BREAD",
            2,
            64.5,
            Reason::Unknown,
            "回访购买 面包 的 2 位顾客",
        ),
        (
            "MILK",
            2,
            31.0,
            Reason::PriceRise,
            "检查 牛奶 的价格，召回 2 位顾客",
        ),
        (
            "COLA",
            1,
            44.5,
            Reason::Unknown,
            "回访购买 可乐 的 1 位顾客",
        ),
        ("WATER", 1, 44.5, Reason::Unknown, "回访购买 水 的 1 位顾客"),
        (
            "CHIPS",
            1,
            15.0,
            Reason::OutOfStock,
            "补货 薯片，召回 1 位顾客",
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.0, g.1, g.3, g.4), (w.0, w.1, w.3, w.4));
        assert!(close(g.2, w.2), "{} amount {} != {}", g.0, g.2, w.2);
    }
}

/// Channels: 美团闪购 is a fee channel (an order with 平台服务费 0 is dropped), 闪购小程序 not.
/// - 甲: 11-05 美团闪购 可乐 ×2 (¥6), 11-15 闪购小程序 ×1 (¥3) → churned, ¥9.
/// - 乙: 11-06 and 11-16 美团闪购 ×1 and ×3 → churned, ¥12.
/// - 丙: 11-07 美团闪购 with fee 0 (dropped, its ¥15 never counts), 11-17 and 11-18 闪购小程序
///   ×1 each → churned on its two kept orders, ¥6.
/// - 丁: 11-08 dropped, 11-18 闪购小程序 → one kept order, not churned.
///
/// Count 3, ¥27. 美团闪购: 甲 and 乙, 6 + 12 = ¥18; 闪购小程序: 甲 and 丙, 3 + 6 = ¥9; the
/// amounts add up to the card's ¥27, the counts to 4 (甲 is on both).
const CHANNELS: &str = "\
J1,2026-11-05 10:00,一号店,美团闪购,甲路1号,可乐,COLA,饮料,2,3.00,10,0.50
J2,2026-11-15 10:00,一号店,闪购小程序,甲路1号,可乐,COLA,饮料,1,3.00,10,
Y1,2026-11-06 10:00,一号店,美团闪购,乙路2号,可乐,COLA,饮料,1,3.00,10,0.50
Y2,2026-11-16 10:00,一号店,美团闪购,乙路2号,可乐,COLA,饮料,3,3.00,10,0.50
N0,2026-11-07 10:00,一号店,美团闪购,丙路3号,可乐,COLA,饮料,5,3.00,10,0
N1,2026-11-17 10:00,一号店,闪购小程序,丙路3号,可乐,COLA,饮料,1,3.00,10,
N2,2026-11-18 10:00,一号店,闪购小程序,丙路3号,可乐,COLA,饮料,1,3.00,10,
D0,2026-11-08 10:00,一号店,美团闪购,丁路4号,可乐,COLA,饮料,1,3.00,10,0
D1,2026-11-18 10:00,一号店,闪购小程序,丁路4号,可乐,COLA,饮料,1,3.00,10,
";

#[test]
fn the_channel_split_counts_customers_per_channel_and_splits_their_sales() {
    let c = run(CHANNELS, None, None);
    assert_eq!(c.count, 3);
    assert!(close(c.amount, 27.0));
    assert!(
        close(row(&c, "丙路3号").sales, 6.0),
        "the dropped order is not sales"
    );
    let got: Vec<(&str, usize, f64)> = c
        .channels
        .iter()
        .map(|s| (s.channel.as_str(), s.count, s.amount.unwrap_or_default()))
        .collect();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].0, got[0].1), ("美团闪购", 2));
    assert!(close(got[0].2, 18.0));
    assert_eq!((got[1].0, got[1].1), ("闪购小程序", 2));
    assert!(close(got[1].2, 9.0));
    let split: f64 = c.channels.iter().filter_map(|s| s.amount).sum();
    assert!(close(split, c.amount), "the amounts add up to the card's");
}

#[test]
fn a_channel_filter_keeps_only_that_channels_orders() {
    // On 闪购小程序 alone 甲 has one order (not churned), 丁 one; 丙 two (¥6).
    let c = run(CHANNELS, None, Some("闪购小程序"));
    assert_eq!(c.count, 1);
    assert_eq!(c.rows[0].customer, "丙路3号");
    assert!(close(c.amount, 6.0));
    assert_eq!(c.channels.len(), 1);
    assert_eq!(c.channels[0].channel, "闪购小程序");
    // A channel no store has: nothing.
    let none = run(CHANNELS, None, Some("抖音"));
    assert_eq!((none.count, none.rows.len()), (0, 0));
    assert_eq!(none.amount, 0.0);
    assert_eq!(none.mean_sales, None);
}

/// One address in two stores is two customers: 幸福路1号 orders twice in each store (churned
/// in both), 和平路2号 once in each (churned in neither: customers are per store).
const STORES: &str = "\
A1,2026-11-02 10:00,一号店,闪购小程序,幸福路1号,可乐,COLA,饮料,1,3.00,10,
A2,2026-11-12 10:00,一号店,闪购小程序,幸福路1号,可乐,COLA,饮料,1,3.00,10,
B1,2026-11-03 10:00,一号店,闪购小程序,和平路2号,可乐,COLA,饮料,1,3.00,10,
C1,2026-11-04 10:00,二号店,闪购小程序,幸福路1号,可乐,COLA,饮料,2,3.00,10,
C2,2026-11-14 10:00,二号店,闪购小程序,幸福路1号,可乐,COLA,饮料,2,3.00,10,
D1,2026-11-05 10:00,二号店,闪购小程序,和平路2号,可乐,COLA,饮料,1,3.00,10,
";

#[test]
fn customers_are_per_store_and_the_store_filter_keeps_one() {
    let all = run(STORES, None, None);
    let got: Vec<(&str, &str, usize)> = all
        .rows
        .iter()
        .map(|r| (r.store.as_str(), r.customer.as_str(), r.orders))
        .collect();
    // 二号店's ¥12 before 一号店's ¥6.
    assert_eq!(
        got,
        [("二号店", "幸福路1号", 2), ("一号店", "幸福路1号", 2)]
    );
    assert!(close(all.amount, 18.0));
    let one = run(STORES, Some("二号店"), None);
    assert_eq!(one.count, 1);
    assert_eq!(one.rows[0].store, "二号店");
    assert!(close(one.amount, 12.0));
    assert_eq!(one.products.len(), 1);
    assert_eq!(one.products[0].customers, 1);
}

#[test]
fn rules_deserialize_with_defaults_and_refuse_unknown_fields() {
    let r: ChurnRules = serde_json::from_str(r#"{"quiet_days": 14}"#).expect("parses");
    assert_eq!(
        r,
        ChurnRules {
            quiet_days: 14,
            ..ChurnRules::default()
        }
    );
    assert!(serde_json::from_str::<ChurnRules>(r#"{"quiet": 14}"#).is_err());
}

#[test]
fn the_answer_serializes_with_the_contract_names() {
    let c = run(EDGES, None, None);
    let json = serde_json::to_value(&c).expect("serializes");
    let r = &json["rows"][0];
    assert_eq!(r["last_order"], "2026-11-23");
    assert_eq!(r["reason"], "未知");
    assert_eq!(r["days_since"], 7);
    assert_eq!(json["previous_counts"], serde_json::json!([1, 1, 1]));
    for field in ["customer", "store", "orders", "sales", "products"] {
        assert!(r.get(field).is_some(), "{field}");
    }
}
