//! Unit tests of [`super`] on small hand-computed datasets.
use super::*;
use crate::testkit::snapshots;

const HEADER: &str =
    "订单ID,下单时间,门店名称,商品名称,销量,实收价格,商品采购成本,利润额,一级分类名,店内码,剩余库存\n";

/// The products tab of `rows` (after [`HEADER`]) for 2026-11-01..=10 (last 7 days: 4..=10).
fn tab_for(rows: &str, store: Option<&str>) -> Products {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
    let filters = Filters {
        store: store.map(str::to_owned),
        from: day(1),
        to: day(10),
        channel: None,
        requested: None,
    };
    products(
        &snapshots(&format!("{HEADER}{rows}")),
        &filters,
        &Business::default(),
    )
}

fn tab(rows: &str) -> Products {
    tab_for(rows, None)
}

fn keys(rows: &[ProductRow]) -> Vec<&str> {
    rows.iter().map(|r| r.key.as_str()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn a_sku_repeated_in_one_order_counts_one_order_and_consumables_are_left_out() {
    const ROWS: &str = "A1,2026-11-02 09:00,一号店,可乐,2,5.00,6.00,4.00,酒水饮料,K1,20
A1,2026-11-02 09:00,一号店,可乐,1,5.00,3.00,2.00,酒水饮料,K1,19
A1,2026-11-02 09:00,一号店,打包袋,1,0.50,0.20,0.30,耗材,BAG,100
A2,2026-11-03 10:00,一号店,可乐新装,1,5.00,3.00,2.00,酒水饮料,K1,
";
    let p = tab(ROWS);
    assert_eq!(p.products.len(), 1, "the bag is not a product");
    let k1 = &p.products[0];
    assert_eq!((k1.key.as_str(), k1.name.as_str()), ("K1", "可乐新装"));
    assert_eq!((k1.orders, k1.quantity), (2, 4.0));
    assert!(close(k1.sales, 20.0) && close(k1.cost, 12.0) && close(k1.profit, 8.0));
    assert_eq!(k1.stock, Some(19.0), "the latest line with a stock");
    assert!(close(k1.avg_price.unwrap_or_default(), 5.0));
    assert!(close(k1.margin_pct.unwrap_or_default(), 40.0));
}

#[test]
fn gift_lines_add_quantity_and_profit_but_no_sales() {
    const ROWS: &str = "G1,2026-11-02 09:00,一号店,可乐,2,5.00,6.00,4.00,酒水饮料,K1,
G1,2026-11-02 09:00,一号店,可乐,1,0.00,3.00,-3.00,酒水饮料,K1,
G1,2026-11-02 09:00,一号店,纸巾,1,0.00,2.00,-2.00,日用百货,K2,
";
    let p = tab(ROWS);
    let (k1, k2) = (&p.products[0], &p.products[1]);
    assert_eq!((k1.quantity, k1.orders), (3.0, 1));
    assert!(close(k1.sales, 10.0) && close(k1.profit, 1.0));
    assert!(close(k1.avg_price.unwrap_or_default(), 10.0 / 3.0));
    assert_eq!(
        (k2.key.as_str(), k2.margin_pct, k2.avg_price),
        ("K2", None, Some(0.0))
    );
    assert_eq!(
        p.rankings.by_margin.len(),
        1,
        "no margin, no margin ranking"
    );
    // No margin is low; sold on 1 of 10 days like K1, at the median 动销指数: 引流.
    assert_eq!(p.products[1].quadrant, Quadrant::Traffic);
}

#[test]
fn quadrants_count_the_exact_thresholds_as_high() {
    // 10 days. 动销指数 = days sold / 10: KA .3, KB .1, KC .3, KD .1, KE .2; sorted
    // .1 .1 .2 .3 .3 → median .2, so KE (at the median) is high. Margins: KA 3/10 = 30 %
    // (at the line: high), KB 50 %, KC 10 %, KD 29 %, KE 40 %.
    let p = tab(
        "Q1,2026-11-02 09:00,一号店,甲,1,10.00,7.00,3.00,休闲食品,KA,
Q2,2026-11-03 09:00,一号店,甲,1,10.00,7.00,3.00,休闲食品,KA,
Q3,2026-11-04 09:00,一号店,甲,1,10.00,7.00,3.00,休闲食品,KA,
Q4,2026-11-02 09:00,一号店,乙,1,10.00,5.00,5.00,休闲食品,KB,
Q5,2026-11-02 09:00,一号店,丙,1,10.00,9.00,1.00,休闲食品,KC,
Q6,2026-11-03 09:00,一号店,丙,1,10.00,9.00,1.00,休闲食品,KC,
Q7,2026-11-04 09:00,一号店,丙,1,10.00,9.00,1.00,休闲食品,KC,
Q8,2026-11-02 09:00,一号店,丁,1,10.00,7.10,2.90,休闲食品,KD,
Q9,2026-11-02 09:00,一号店,戊,1,10.00,6.00,4.00,休闲食品,KE,
QA,2026-11-03 09:00,一号店,戊,1,10.00,6.00,4.00,休闲食品,KE,
",
    );
    let q = &p.quadrants;
    assert!(close(q.median_activity, 0.2));
    let of = |key: &str| p.products.iter().find(|r| r.key == key).map(|r| r.quadrant);
    assert_eq!(of("KA"), Some(Quadrant::Star), "30% is high");
    assert_eq!(of("KE"), Some(Quadrant::Star), "the median is high");
    assert_eq!(of("KB"), Some(Quadrant::Potential));
    assert_eq!(of("KC"), Some(Quadrant::Traffic));
    assert_eq!(of("KD"), Some(Quadrant::Weed), "29% is low");
    let counts: Vec<usize> = q.counts.iter().map(|c| c.count).collect();
    assert_eq!(counts, [2, 1, 1, 1]);
    assert_eq!(p.rankings.by_sales[0].key, "KA", "30 ties 30: by key");
    let ka = &p.products[0];
    assert_eq!((ka.days_sold, ka.activity), (3, 0.3));
}

#[test]
fn out_of_stock_needs_no_stock_on_the_latest_line_and_a_sale_in_the_last_seven_days() {
    const ROWS: &str = "W1,2026-11-09 09:00,一号店,甲,1,1.00,0.50,0.50,休闲食品,S1,0
W2,2026-11-02 09:00,一号店,乙,1,1.00,0.50,0.50,休闲食品,S2,0
W3,2026-11-05 09:00,一号店,丙,1,1.00,0.50,0.50,休闲食品,S3,0
W4,2026-11-08 09:00,一号店,丙,1,1.00,0.50,0.50,休闲食品,S3,5
";
    let p = tab(ROWS);
    let w = &p.inventory_warnings;
    assert_eq!(keys(&w.out_of_stock), ["S1"]);
    assert!(w.slow_moving.is_empty() && w.hot_low_stock.is_empty());
}

#[test]
fn slow_movers_hold_more_than_ten_and_five_times_their_quantity_plus_one() {
    const ROWS: &str = "V1,2026-11-02 09:00,一号店,甲,1,1.00,0.50,0.50,休闲食品,P1,60
V2,2026-11-02 09:00,一号店,乙,1,1.00,0.50,0.50,休闲食品,P2,11
V3,2026-11-02 09:00,一号店,丙,0,1.00,0.50,0.50,休闲食品,P3,10
V4,2026-11-02 09:00,一号店,丁,2,1.00,0.50,0.50,休闲食品,P4,12
";
    let p = tab(ROWS);
    let w = &p.inventory_warnings;
    assert_eq!(
        keys(&w.slow_moving),
        ["P1", "P2"],
        "11 / 2 = 5.5 > 5; 12 / 3 = 4"
    );
    assert!(w.out_of_stock.is_empty() && w.hot_low_stock.is_empty());
}

#[test]
fn hot_low_stock_is_above_the_75th_quantity_and_below_the_25th_stock_percentile() {
    const ROWS: &str = "H1,2026-11-02 09:00,一号店,甲,1,1.00,0.50,0.50,休闲食品,HA,3
H2,2026-11-02 09:00,一号店,乙,2,1.00,0.50,0.50,休闲食品,HB,8
H3,2026-11-02 09:00,一号店,丙,3,1.00,0.50,0.50,休闲食品,HC,9
H4,2026-11-02 09:00,一号店,丁,10,1.00,0.50,0.50,休闲食品,HE,1
";
    let p = tab(ROWS);
    let w = &p.inventory_warnings;
    assert_eq!((w.quantity_p75, w.stock_p25), (4.75, Some(2.5)));
    assert_eq!(keys(&w.hot_low_stock), ["HE"]);
}

#[test]
fn a_key_sold_in_two_stores_is_one_row_without_a_store_filter() {
    let rows = "X1,2026-11-02 09:00,一号店,可乐,2,5.00,6.00,4.00,酒水饮料,K1,7
X1,2026-11-02 10:00,二号店,可乐,1,5.00,3.00,2.00,酒水饮料,K1,3
";
    let all = tab(rows);
    assert_eq!(all.products.len(), 1);
    let k1 = &all.products[0];
    assert_eq!((k1.orders, k1.quantity, k1.stock), (2, 3.0, Some(3.0)));
    let two = tab_for(rows, Some("二号店"));
    assert_eq!((two.products[0].orders, two.products[0].quantity), (1, 1.0));
}

#[test]
fn activity_across_stores_counts_store_days_out_of_stores_times_days() {
    // Ten days, two stores. K1 sells on days 1–5 in 一号店 only: 5 store-days of 2 × 10 = 0.25
    // (not 5 / 10). K2 sells on day 1 in both stores, twice in 一号店 (two orders, one
    // store-day): 2 / 20 = 0.1. For 一号店 alone: K1 5 / 10, K2 1 / 10.
    let mut rows = String::new();
    for d in 1..=5 {
        rows.push_str(&format!(
            "A{d},2026-11-0{d} 09:00,一号店,甲,1,5.00,3.00,2.00,休闲食品,K1,\n"
        ));
    }
    rows.push_str("B1,2026-11-01 09:00,一号店,乙,1,5.00,3.00,2.00,休闲食品,K2,\n");
    rows.push_str("B2,2026-11-01 19:00,一号店,乙,1,5.00,3.00,2.00,休闲食品,K2,\n");
    rows.push_str("C1,2026-11-01 09:00,二号店,乙,1,5.00,3.00,2.00,休闲食品,K2,\n");
    let activity = |p: &Products, key: &str| {
        let r = p.products.iter().find(|r| r.key == key).expect("listed");
        (r.days_sold, r.activity)
    };
    let all = tab(&rows);
    assert_eq!(activity(&all, "K1"), (5, 0.25));
    assert_eq!(activity(&all, "K2"), (2, 0.1));
    let one = tab_for(&rows, Some("一号店"));
    assert_eq!(activity(&one, "K1"), (5, 0.5));
    assert_eq!(activity(&one, "K2"), (1, 0.1));
    // The raw-line path counts the same store-days.
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
    let filters = Filters {
        store: None,
        from: day(1),
        to: day(10),
        channel: None,
        requested: None,
    };
    let snaps = snapshots(&format!("{HEADER}{rows}"));
    let raw = products_from_lines(&snaps, &filters, &Business::default());
    assert_eq!(activity(&raw, "K1"), (5, 0.25));
    assert_eq!(activity(&raw, "K2"), (2, 0.1));
}

#[test]
fn percentile_interpolates_linearly_between_ranks() {
    let v = [1.0, 2.0, 3.0, 10.0];
    assert_eq!(percentile(&v, 50), Some(2.5));
    assert_eq!(percentile(&v, 75), Some(4.75));
    assert_eq!(percentile(&[7.0], 25), Some(7.0));
    assert_eq!(percentile(&[], 50), None);
}

#[test]
fn an_unknown_store_gives_an_empty_tab() {
    let p = tab_for(
        "E1,2026-11-02 09:00,一号店,甲,1,1.00,0.50,0.50,休闲食品,K,1\n",
        Some("无"),
    );
    assert!(p.empty && p.products.is_empty() && p.rankings.by_sales.is_empty());
    assert_eq!(p.quadrants.median_quantity, 0.0);
    assert!(p.low_turnover.rows.is_empty() && p.abc.a.count == 0);
    assert!(p.quadrants.counts.iter().all(|c| c.count == 0));
    assert_eq!(p.inventory_warnings.stock_p25, None);
}

mod depth;
