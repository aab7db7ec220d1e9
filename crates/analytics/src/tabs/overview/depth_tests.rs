//! Unit tests of the overview's deeper sections ([`super::depth`]) on hand-worked numbers.
use super::*;
use crate::testkit::{assert_same, snapshots};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("valid")
}

fn filters(store: Option<&str>, from: NaiveDate, to: NaiveDate) -> Filters {
    Filters {
        store: store.map(str::to_owned),
        from,
        to,
        channel: None,
        requested: None,
    }
}

/// Both paths, checked equal.
fn both(csv: &str, f: &Filters) -> Overview {
    let snaps = snapshots(csv);
    let (fast, slow) = (
        overview(&snaps, f, &Business::default()),
        overview_from_lines(&snaps, f, &Business::default()),
    );
    assert_same(&fast, &slow, "aggregates against lines");
    fast
}

/// One store on 2026-11-02: A1 on 美团闪购 (a 可乐 line and a bag, 满减 2, 商品减免 1, fee 1.5,
/// delivery 3 with 2 paid by the user and 0.5 of that waived) and A2 on the cash register; A3
/// on 美团闪购 the day before (the previous period); W1 a week before (上周同期).
const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,平台服务费,物流配送费,用户支付配送费,配送费减免金额,满减金额,商品减免金额,一级分类名,店内码
A1,2026-11-02 09:10,一号店,可乐,2,美团闪购,5.00,6.00,4.00,1.50,3.00,2.00,0.50,2.00,1.00,酒水饮料,K1
A1,2026-11-02 09:10,一号店,打包袋,1,美团闪购,0.50,0.20,0.30,0.00,3.00,2.00,0.50,2.00,1.00,耗材,BAG
A2,2026-11-02 18:30,一号店,薯片,1,收银机订单,8.00,5.00,3.00,0.00,0.00,0.00,0.00,0.00,0.00,休闲食品,K2
A3,2026-11-01 10:00,一号店,可乐,1,美团闪购,5.00,3.00,2.00,0.50,0.00,0.00,0.00,0.00,0.00,酒水饮料,K1
W1,2026-10-26 10:00,一号店,薯片,1,收银机订单,8.00,5.00,3.00,0.00,0.00,0.00,0.00,0.00,0.00,休闲食品,K2
";

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn last_week_change_is_against_the_same_days_and_null_on_a_zero_base() {
    let o = both(CSV, &filters(Some("一号店"), day(11, 2), day(11, 2)));
    // Last week (10-26): W1 alone, 1 order, sales 8, profit 3 (margin 37.5%).
    // This period: 2 orders (+100%), sales 18.5 (+131.25%), profit 2.8 (−6.67%).
    assert_eq!(o.kpis.orders.last_week_change, Some(100.0));
    assert!(close(o.kpis.sales.last_week_change, 131.25));
    assert!(close(
        o.kpis.profit.last_week_change,
        (2.8 - 3.0) / 3.0 * 100.0
    ));
    // The margin in percentage points: 2.8 / 18.5 = 15.135…% against 37.5%.
    let margin = o.kpis.profit_margin_pct.last_week_change;
    assert!(close(margin, 2.8 / 18.5 * 100.0 - 37.5));
    // Two days back (10-27) had nothing: last week's value is 0, the change null.
    let o = both(CSV, &filters(Some("一号店"), day(11, 3), day(11, 3)));
    assert_eq!(o.kpis.orders.last_week, Some(0.0));
    assert_eq!(o.kpis.orders.last_week_change, None);
    assert_eq!(o.kpis.profit_margin_pct.last_week_change, None);
}

#[test]
fn cost_structure_sums_the_kept_orders_costs() {
    let o = both(CSV, &filters(Some("一号店"), day(11, 2), day(11, 2)));
    let c = &o.cost_structure;
    // 商品成本 6 (可乐) + 5 (薯片) = 11; 耗材 0.2 (the bag); 配送净成本 A1 3 − (2 − 0.5) = 1.5;
    // 平台服务费 1.5; 营销 满减 2 + 商品减免 1 = 3: total 17.2 of sales 18.5.
    assert_eq!(
        (
            c.product_cost,
            c.consumables,
            c.delivery_net,
            c.platform_fee
        ),
        (11.0, 0.2, 1.5, 1.5)
    );
    assert_eq!(c.marketing_total, 3.0);
    assert_eq!(
        (c.marketing.full_reduction, c.marketing.product_discount),
        (2.0, 1.0)
    );
    assert_eq!(c.marketing.merchant_voucher, 0.0);
    assert!((c.total_cost - 17.2).abs() < 1e-9);
    assert!(close(c.rates.total, 17.2 / 18.5 * 100.0));
    assert!(close(c.marketing_rates.full_reduction, 2.0 / 18.5 * 100.0));
    // By category: 酒水饮料 6 of sales 10, 休闲食品 5 of 8, 耗材 0.2 of 0.5.
    let cats: Vec<(&str, f64)> = c
        .by_category
        .iter()
        .map(|r| (r.category.as_str(), r.cost))
        .collect();
    assert_eq!(cats, [("酒水饮料", 6.0), ("休闲食品", 5.0), ("耗材", 0.2)]);
    assert!(close(c.by_category[1].cost_rate, 62.5));
    // Profit: A1 −0.2 (a loss), A2 +3: 1 profitable, average 2.8 / 2 = 1.4.
    let p = &o.profit_summary;
    assert_eq!((p.profitable_orders, p.loss_orders), (1, 1));
    assert!(close(p.avg_order_profit, 1.4));
}

#[test]
fn channels_and_aov_bands_carry_the_previous_period() {
    let o = both(CSV, &filters(Some("一号店"), day(11, 2), day(11, 2)));
    let card = &o.channels[0];
    // 美团闪购: A1 now (sales 10.5, profit −0.2), A3 before (sales 5, profit 2 − 0.5 = 1.5).
    let prev = card.previous.as_ref().expect("A3 the day before");
    assert_eq!((prev.orders, prev.sales, prev.profit), (1, 5.0, 1.5));
    assert_eq!(card.change.orders, Some(0.0));
    assert!(close(card.change.sales, 110.0));
    assert!(close(card.change.profit, (-0.2 - 1.5) / 1.5 * 100.0));
    // Costs of A1: 6 + 0.2 + 3 + 1.5 + 1.5 = 12.2 of 10.5.
    assert!(close(card.total_cost_rate, 12.2 / 10.5 * 100.0));
    // One channel: it is the best, its margin −1.9% is low; its marketing rate is the mean.
    let kinds: Vec<&str> = o.insights.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, ["best_channel", "low_margin"]);
    // A2 (¥8, cost 5) in ¥0-10, A1 (¥10.5, cost 12.2) in ¥10-20; before, A3 (¥5) in ¥0-10.
    let b = &o.aov_bands;
    assert!(close(b[0].cost_rate, 62.5));
    assert!(close(b[1].cost_rate, 12.2 / 10.5 * 100.0));
    assert_eq!((b[0].previous_orders, b[1].previous_orders), (1, 0));
    assert_eq!((b[0].orders_change, b[1].orders_change), (Some(0.0), None));
}

fn point(d: u32, margin: Option<f64>) -> DayPoint {
    DayPoint {
        date: day(11, d),
        orders: 1,
        sales: 100.0,
        profit: margin.unwrap_or(0.0),
        margin_pct: margin,
    }
}

#[test]
fn a_day_exactly_at_mean_minus_one_sigma_is_not_an_anomaly() {
    // Margins 0, 20, 0, 20 (and a day without sales): mean 10, population σ = √(4×100/4) = 10,
    // threshold 0: the two days at exactly 0 are on it, not below.
    let d = depth::days(&[
        point(1, Some(0.0)),
        point(2, Some(20.0)),
        point(3, None),
        point(4, Some(0.0)),
        point(5, Some(20.0)),
    ]);
    assert_eq!(
        (d.mean_margin_pct, d.std_margin_pct),
        (Some(10.0), Some(10.0))
    );
    assert_eq!(d.threshold_pct, Some(0.0));
    assert!(d.anomalies.is_empty());
    // Ties: the earlier day is the best and the worst.
    assert_eq!(d.best.map(|p| p.date), Some(day(11, 2)));
    assert_eq!(d.worst.map(|p| p.date), Some(day(11, 1)));
    // Margins 10, 10, 10, −10: mean 5, σ = √((3×25 + 225)/4) = √75 ≈ 8.66, threshold ≈ −3.66.
    let d = depth::days(&[
        point(1, Some(10.0)),
        point(2, Some(10.0)),
        point(3, Some(10.0)),
        point(4, Some(-10.0)),
    ]);
    let dates: Vec<NaiveDate> = d.anomalies.iter().map(|p| p.date).collect();
    assert_eq!(dates, [day(11, 4)]);
    assert!(close(d.threshold_pct, 5.0 - 75f64.sqrt()));
}

/// Four days of one ¥4 order on the cash register: profit 0, 1, −0.01, 1 (margins 0, 25,
/// −0.25, 25).
const DAYS: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,一级分类名,店内码
D1,2026-11-01 10:00,一号店,薯片,1,收银机订单,4.00,4.00,0.00,休闲食品,K2
D2,2026-11-02 10:00,一号店,薯片,1,收银机订单,4.00,3.00,1.00,休闲食品,K2
D3,2026-11-03 10:00,一号店,薯片,1,收银机订单,4.00,4.01,-0.01,休闲食品,K2
D4,2026-11-04 10:00,一号店,薯片,1,收银机订单,4.00,3.00,1.00,休闲食品,K2
";

#[test]
fn anomaly_days_come_from_the_aggregates_daily_margins() {
    let o = both(DAYS, &filters(None, day(11, 1), day(11, 4)));
    // Mean (0 + 25 − 0.25 + 25) / 4 = 12.4375; σ = √(Σ(m − mean)² / 4) ≈ 12.563; threshold
    // ≈ −0.126: 11-03 (−0.25) is below it, 11-01 (0) is not.
    let dates: Vec<NaiveDate> = o.days.anomalies.iter().map(|p| p.date).collect();
    assert_eq!(dates, [day(11, 3)]);
    assert_eq!(o.days.best.as_ref().map(|p| p.date), Some(day(11, 2)));
    assert_eq!(o.days.worst.as_ref().map(|p| p.date), Some(day(11, 3)));
    assert!(close(o.days.mean_margin_pct, 12.4375));
}

fn card(channel: &str, margin: f64, discount: f64, subsidy: f64) -> ChannelCard {
    ChannelCard {
        channel: channel.to_owned(),
        orders: 10,
        sales: 100.0,
        share_pct: None,
        profit: margin,
        avg_order_value: None,
        margin_pct: Some(margin),
        profit_per_order: None,
        marketing_per_order: None,
        delivery_per_order: None,
        cost_rates: CostRates {
            product_cost: None,
            consumables: None,
            product_discount: Some(discount),
            subsidy: Some(subsidy),
            delivery: None,
            commission: None,
        },
        total_cost_rate: None,
        previous: None,
        change: ChannelChange::default(),
    }
}

#[test]
fn insights_name_the_best_the_low_margin_and_the_heavy_marketing_channels() {
    // Marketing rates 2 + 3 = 5, 5 and 4 + 6 = 10: mean 20 / 3, × 1.2 = 8, so only 丙 (10) is
    // above it. Margins 12, 7.9 and exactly 8: 乙 is below 8%, 丙 is not.
    let cards = [
        card("甲", 12.0, 2.0, 3.0),
        card("乙", 7.9, 1.0, 4.0),
        card("丙", 8.0, 4.0, 6.0),
    ];
    let insights = depth::insights(&cards);
    let got: Vec<(&str, &str)> = insights
        .iter()
        .map(|i| (i.kind, i.channel.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("best_channel", "甲"),
            ("low_margin", "乙"),
            ("high_marketing", "丙")
        ]
    );
    assert!(depth::insights(&[]).is_empty());
}
