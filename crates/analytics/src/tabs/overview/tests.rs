//! Unit tests of [`super`] on small hand-computed datasets.
use super::*;
use crate::testkit::snapshots;

/// Two stores; order A1 has two lines (one a bag), B1 is on a fee channel with fee 0 and is
/// dropped, A2 is on the cash register (no fee needed), A3 is the day before (previous period).
const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,平台服务费,物流配送费,用户支付配送费,配送费减免金额,满减金额,商品减免金额,一级分类名,店内码
A1,2026-11-02 09:10,一号店,可乐,2,美团闪购,5.00,6.00,4.00,1.50,3.00,2.00,0.50,2.00,1.00,酒水饮料,K1
A1,2026-11-02 09:10,一号店,打包袋,1,美团闪购,0.50,0.20,0.30,0.00,3.00,2.00,0.50,2.00,1.00,耗材,BAG
A2,2026-11-02 18:30,一号店,薯片,1,收银机订单,8.00,5.00,3.00,0.00,0.00,0.00,0.00,0.00,0.00,休闲食品,K2
B1,2026-11-02 12:00,二号店,可乐,1,饿了么,5.00,3.00,2.00,0.00,0.00,0.00,0.00,0.00,0.00,酒水饮料,K1
A3,2026-11-01 10:00,一号店,可乐,1,美团闪购,5.00,3.00,2.00,0.50,0.00,0.00,0.00,0.00,0.00,酒水饮料,K1
";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
}

fn filters(store: Option<&str>) -> Filters {
    Filters {
        store: store.map(str::to_owned),
        from: day(2),
        to: day(2),
        channel: None,
        requested: None,
    }
}

#[test]
fn kpis_follow_the_formulas_on_a_hand_computed_example() {
    let snaps = snapshots(CSV);
    let o = overview(&snaps, &filters(None), &Business::default());
    // Kept: A1 (sales 2×5 + 1×0.5 = 10.5) and A2 (8); B1 dropped (fee channel, fee 0).
    assert_eq!(o.kpis.orders.value, Some(2.0));
    assert!((o.kpis.sales.value.unwrap_or_default() - 18.5).abs() < 1e-9);
    // A1 profit: Σ利润额 4.3 − fee 1.5 − delivery 3 + rebate 0 = −0.2; A2: 3.
    assert!((o.kpis.profit.value.unwrap_or_default() - 2.8).abs() < 1e-9);
    assert!((o.kpis.avg_order_value.value.unwrap_or_default() - 9.25).abs() < 1e-9);
    // Active products: K1, BAG, K2.
    assert_eq!(o.kpis.active_products.value, Some(3.0));
    // Previous day: A3 alone, sales 5, profit 2 − 0.5 = 1.5.
    assert_eq!(o.kpis.orders.previous, Some(1.0));
    assert_eq!(o.kpis.orders.change, Some(100.0));
    let margin = o.kpis.profit_margin_pct;
    let (cur, prev) = (2.8 / 18.5 * 100.0, 1.5 / 5.0 * 100.0);
    assert!(
        (margin.change.unwrap_or_default() - (cur - prev)).abs() < 1e-9,
        "percentage points"
    );
    assert_eq!(o.kpis.orders.last_week, Some(0.0));
}

#[test]
fn channel_cards_leave_out_the_cash_register_and_split_costs() {
    let snaps = snapshots(CSV);
    let o = overview(&snaps, &filters(Some("一号店")), &Business::default());
    assert_eq!(o.channels.len(), 1, "{:?}", o.channels);
    let card = &o.channels[0];
    assert_eq!(card.channel, "美团闪购");
    // Consumable cost 0.2 of sales 10.5; delivery net = 3 − (2 − 0.5) − 0 = 1.5.
    assert!((card.cost_rates.consumables.unwrap_or_default() - 0.2 / 10.5 * 100.0).abs() < 1e-9);
    assert!((card.delivery_per_order.unwrap_or_default() - 1.5).abs() < 1e-9);
    // Marketing 2 + 1 = 3, of which 商品减免 1: subsidy 2.
    assert!((card.cost_rates.subsidy.unwrap_or_default() - 2.0 / 10.5 * 100.0).abs() < 1e-9);
}

#[test]
fn bands_are_lower_inclusive() {
    let snaps = snapshots(CSV);
    let o = overview(&snaps, &filters(Some("一号店")), &Business::default());
    let counts: Vec<usize> = o.aov_bands.iter().map(|b| b.band.orders).collect();
    assert_eq!(counts, [1, 1, 0, 0, 0, 0, 0, 0], "8 → ¥0-10, 10.5 → ¥10-20");
    let buckets: Vec<usize> = o.profit_buckets.iter().map(|b| b.orders).collect();
    assert_eq!(buckets, [0, 0, 0, 1, 1, 0, 0, 0], "−0.2 → -20~0, 3 → 0~20");
}

#[test]
fn an_unknown_store_gives_empty_figures() {
    let snaps = snapshots(CSV);
    let o = overview(&snaps, &filters(Some("不存在")), &Business::default());
    assert!(o.empty);
    assert_eq!(o.kpis.avg_order_value.value, None);
    assert_eq!(o.daily.len(), 1);
}

/// Orders exactly on the edges, where float sums of yuan go wrong:
/// - E1: lines 0.02 + 26.08 + 3.90 = ¥30.00 exactly (as floats 29.999999999999996), so it is in
///   the ¥30-40 band; its 利润额 0.30 minus fees 0.10 + 0.20 is exactly ¥0 profit (as floats
///   −5.6e-17), so it is in the 0~20 bucket, not a loss.
/// - E2: on a fee channel, fees 0.10 + 0.20 − 0.30 sum to exactly 0 (as floats +5.6e-17), so
///   the fee filter drops it.
const EDGES: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,平台服务费,一级分类名,店内码
E1,2026-11-02 09:00,一号店,甲,1,美团闪购,0.02,0.00,0.30,0.10,饮料,A
E1,2026-11-02 09:00,一号店,乙,1,美团闪购,26.08,0.00,0.00,0.20,饮料,B
E1,2026-11-02 09:00,一号店,丙,1,美团闪购,3.90,0.00,0.00,0.00,饮料,C
E2,2026-11-02 10:00,一号店,甲,1,美团闪购,5.00,1.00,1.00,0.10,饮料,A
E2,2026-11-02 10:00,一号店,乙,1,美团闪购,5.00,1.00,1.00,0.20,饮料,B
E2,2026-11-02 10:00,一号店,丙,1,美团闪购,5.00,1.00,1.00,-0.30,饮料,C
";

#[test]
fn orders_exactly_on_band_bucket_and_fee_edges_are_classified_on_exact_cents() {
    let snaps = snapshots(EDGES);
    let o = overview(&snaps, &filters(None), &Business::default());
    assert_eq!(o.kpis.orders.value, Some(1.0), "E2's fees sum to exactly 0");
    let counts: Vec<usize> = o.aov_bands.iter().map(|b| b.band.orders).collect();
    assert_eq!(counts, [0, 0, 0, 1, 0, 0, 0, 0], "¥30.00 is in ¥30-40");
    let buckets: Vec<usize> = o.profit_buckets.iter().map(|b| b.orders).collect();
    assert_eq!(buckets, [0, 0, 0, 0, 1, 0, 0, 0], "¥0 profit is in 0~20");
    assert_eq!(o.kpis.sales.value, Some(30.0));
    assert_eq!(o.kpis.profit.value, Some(0.0));
}

#[test]
fn gmv_leaves_out_lines_without_an_original_price_and_counts_order_fields_once() {
    // One order, three lines: 原价 12 × 2 = 24, 原价 0 (a gift, left out), 原价 3 × 1 = 3;
    // 打包袋金额 1 and 用户支付配送费 2.5 repeated on every line count once:
    // GMV = 24 + 3 + 1 + 2.5 = 30.5. 营销成本 = 满减 2 + 商品减免 1 (order level, once) = 3,
    // so 营销成本率 = 3 / 30.5 = 9.836…%.
    let csv = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品原价,商品采购成本,利润额,平台服务费,用户支付配送费,打包袋金额,满减金额,商品减免金额,一级分类名,店内码
G1,2026-11-02 09:10,一号店,可乐,2,收银机订单,10.00,12.00,6.00,4.00,0.00,2.50,1.00,2.00,1.00,酒水饮料,K1
G1,2026-11-02 09:10,一号店,赠品,1,收银机订单,0.00,0.00,0.50,-0.50,0.00,2.50,1.00,2.00,1.00,酒水饮料,K9
G1,2026-11-02 09:10,一号店,薯片,1,收银机订单,2.50,3.00,1.00,1.50,0.00,2.50,1.00,2.00,1.00,休闲食品,K2
";
    let snaps = snapshots(csv);
    let f = filters(None);
    let o = overview(&snaps, &f, &Business::default());
    assert_eq!(o.kpis.gmv.value, Some(30.5));
    let rate = o.kpis.marketing_rate_pct.value.unwrap_or_default();
    assert!((rate - 3.0 / 30.5 * 100.0).abs() < 1e-9, "{rate}");
    // The previous day has no order: GMV 0, no rate, no change in points.
    assert_eq!(o.kpis.gmv.previous, Some(0.0));
    assert_eq!(o.kpis.marketing_rate_pct.previous, None);
    assert_eq!(o.kpis.marketing_rate_pct.change, None);
    let raw = overview_from_lines(&snaps, &f, &Business::default());
    assert_eq!(raw.kpis.gmv.value, Some(30.5));
    assert_eq!(raw.kpis.marketing_rate_pct, o.kpis.marketing_rate_pct);
}
