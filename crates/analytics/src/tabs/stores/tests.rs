//! 门店对比 on a generated chain (every store's row is that store's overview) and on a
//! hand-worked five-store day (ranks, 环比, medians, the fences on both sides).

use chrono::NaiveDate;
use storeboard_fixtures::ExportSpec;

use super::*;
use crate::overview::{overview, overview_from_lines};
use crate::testkit::{generated, snapshots};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("valid")
}

fn filters(store: Option<&str>, from: NaiveDate, to: NaiveDate, channel: Option<&str>) -> Filters {
    Filters {
        store: store.map(str::to_owned),
        from,
        to,
        channel: channel.map(str::to_owned),
        requested: None,
    }
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-9 * a.abs().max(1.0),
            "{what}: {a} vs {b}"
        ),
        _ => assert_eq!(a, b, "{what}"),
    }
}

#[test]
fn every_store_row_is_that_stores_overview_on_both_paths() {
    let spec = ExportSpec {
        stores: vec!["一号店".into(), "二号店".into(), "三号店".into()],
        days: 12,
        orders_per_store_day: 25,
        ..ExportSpec::default()
    };
    let snaps = generated(&spec);
    let business = Business::default();
    for (from, to) in [(day(10, 29), day(11, 9)), (day(11, 3), day(11, 5))] {
        for channel in [None, Some("美团闪购")] {
            // The store filter is ignored: asking for 二号店 still compares every store.
            let t = stores(
                &snaps,
                &filters(Some("二号店"), from, to, channel),
                &business,
            );
            assert_eq!(t.filters.store, None);
            assert_eq!(t.stores.len(), 3, "{channel:?}");
            for row in &t.stores {
                let f = filters(Some(&row.store), from, to, channel);
                let (fast, raw) = (
                    overview(&snaps, &f, &business),
                    overview_from_lines(&snaps, &f, &business),
                );
                for o in [&fast, &raw] {
                    let k = &o.kpis;
                    close(Some(row.figures.orders as f64), k.orders.value, "orders");
                    close(Some(row.figures.sales), k.sales.value, "sales");
                    close(Some(row.figures.profit), k.profit.value, "profit");
                    close(Some(row.figures.gmv), k.gmv.value, "gmv");
                    close(
                        row.figures.marketing_rate_pct,
                        k.marketing_rate_pct.value,
                        "rate",
                    );
                    close(
                        Some(row.figures.active_products as f64),
                        k.active_products.value,
                        "active",
                    );
                    close(Some(row.previous.sales), k.sales.previous, "previous sales");
                }
                // The aggregates path is the same sum in the same units: equal to the cent.
                assert_eq!(Some(row.figures.sales), fast.kpis.sales.value);
                assert_eq!(Some(row.figures.profit), fast.kpis.profit.value);
            }
        }
    }
}

/// Five stores, one order each on 11-02 on the cash register (no fee filter, no delivery):
/// 商品实收额 = 商品原价 = `a`, 40, 50, 60, `b` for S1..S5; 利润额 = 20% of it; S1 has 满减 2.
/// 二号店 also sold 20 on 11-01 (the previous day).
fn five_stores(a: &str, b: &str) -> String {
    let mut csv = String::from(
        "订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品原价,商品采购成本,利润额,平台服务费,满减金额,一级分类名,店内码\n",
    );
    let sales = [a, "40", "50", "60", b];
    for (i, s) in sales.iter().enumerate() {
        let v: f64 = s.parse().expect("number");
        let discount = if i == 0 { "2.00" } else { "0.00" };
        csv.push_str(&format!(
            "O{i},2026-11-02 10:00,S{},可乐,1,收银机订单,{s},{s},{:.2},{:.4},0,{discount},酒水饮料,K1\n",
            i + 1,
            v * 0.8,
            v * 0.2,
        ));
    }
    csv.push_str("P1,2026-11-01 10:00,S2,可乐,1,收银机订单,20,20,16,4,0,0,酒水饮料,K1\n");
    csv
}

fn flagged<'a>(t: &'a Stores, store: &str, figure: &str) -> Option<&'a Flag> {
    let row = t.stores.iter().find(|r| r.store == store)?;
    row.flags.iter().find(|f| f.figure == figure)
}

#[test]
fn stores_rank_by_sales_with_changes_against_the_day_before() {
    let snaps = snapshots(&five_stores("20", "80"));
    let t = stores(
        &snaps,
        &filters(None, day(11, 2), day(11, 2), None),
        &Business::default(),
    );
    let order: Vec<(&str, usize)> = t
        .stores
        .iter()
        .map(|r| (r.store.as_str(), r.rank))
        .collect();
    assert_eq!(
        order,
        [("S5", 1), ("S4", 2), ("S3", 3), ("S2", 4), ("S1", 5)]
    );
    let s2 = &t.stores[3];
    // 40 against 20 the day before: +100%; one order both days: 0%; margin 20% both: 0 points.
    assert_eq!(s2.changes["sales"], Some(100.0));
    assert_eq!(s2.changes["orders"], Some(0.0));
    close(s2.changes["margin_pct"], Some(0.0), "margin points");
    // S1: 营销成本 2 over GMV 20 = 10%; the other stores 0%.
    let s1 = &t.stores[4];
    close(s1.figures.marketing_rate_pct, Some(10.0), "S1 rate");
    assert_eq!(s1.changes["sales"], None, "no sale the day before");
    // Medians: sales 50; margin 20%; 营销成本率 0.
    assert_eq!(t.medians["sales"], Some(50.0));
    close(t.medians["margin_pct"], Some(20.0), "median margin");
    assert_eq!(t.medians["marketing_rate_pct"], Some(0.0));
}

#[test]
fn a_store_is_flagged_only_beyond_median_plus_or_minus_one_and_a_half_iqr() {
    // Sales 20, 40, 50, 60, 80: median 50, Q1 40, Q3 60, IQR 20, fences 50 ± 30 = [20, 80].
    // 20 and 80 are on the fences: not flagged.
    let on = snapshots(&five_stores("20", "80"));
    let t = stores(
        &on,
        &filters(None, day(11, 2), day(11, 2), None),
        &Business::default(),
    );
    assert_eq!(t.fences["sales"], Some([20.0, 80.0]));
    assert!(flagged(&t, "S1", "sales").is_none());
    assert!(flagged(&t, "S5", "sales").is_none());
    // 19.99 and 80.01: the quartiles stay 40 and 60, so both are beyond.
    let beyond = snapshots(&five_stores("19.99", "80.01"));
    let t = stores(
        &beyond,
        &filters(None, day(11, 2), day(11, 2), None),
        &Business::default(),
    );
    let low = flagged(&t, "S1", "sales").expect("S1 below the fence");
    assert_eq!(
        (low.side, low.bad, low.median, low.fence),
        ("low", true, 50.0, 20.0)
    );
    let high = flagged(&t, "S5", "sales").expect("S5 above the fence");
    assert_eq!((high.side, high.bad), ("high", false));
    // 营销成本率 10%, 0, 0, 0, 0: median 0, IQR 0, so S1 is beyond and a high rate is bad.
    let rate = flagged(&t, "S1", "marketing_rate_pct").expect("S1's marketing");
    assert_eq!(
        (rate.side, rate.bad, rate.label),
        ("high", true, "营销成本率")
    );
    // Equal values are never beyond a fence of width 0.
    assert!(t
        .stores
        .iter()
        .all(|r| flagged(&t, &r.store, "orders").is_none()));
}

#[test]
fn fewer_stores_than_the_minimum_get_medians_but_no_flags() {
    let snaps = snapshots(&five_stores("1", "1000"));
    let rules = Business {
        stores: StoreRules {
            min_stores: 6,
            ..StoreRules::default()
        },
        ..Business::default()
    };
    let t = stores(&snaps, &filters(None, day(11, 2), day(11, 2), None), &rules);
    assert!(t.stores.iter().all(|r| r.flags.is_empty()));
    assert_eq!(t.medians["sales"], Some(50.0));
    assert_eq!(t.fences["sales"], None);
}

#[test]
fn a_period_without_orders_is_empty_and_flags_nobody() {
    let snaps = snapshots(&five_stores("20", "80"));
    let t = stores(
        &snaps,
        &filters(None, day(10, 1), day(10, 3), None),
        &Business::default(),
    );
    assert!(t.empty);
    assert_eq!(t.stores.len(), 5);
    assert!(t
        .stores
        .iter()
        .all(|r| r.flags.is_empty() && r.figures.orders == 0));
    assert_eq!(t.medians["sales"], None);
}
