//! 今日必做 (`today`): the to-do cards for "yesterday", the last day with orders in the period.
//!
//! Every card is a rule evaluated as of a day; its `count` is yesterday's, its `trend` compares
//! that count with the mean of the same rule on the three days before. Windows (the last 7 days,
//! the 7 before…) may reach before `filters.from`: the history is loaded with the period's start
//! widened, store and channel kept.

pub mod churn;
mod history;
mod prices;
mod products;
mod recent;
mod window;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use crate::order::{pct, OrderFigures};
use history::{back, History};
pub use prices::PriceRow;
pub use products::ProductCardRow;

/// A product card's rule, evaluated as of a day.
type ProductRule = fn(&History<'_>, NaiveDate) -> Vec<ProductCardRow>;

/// Detail rows kept per card (the count and `total_rows` are never capped).
pub const ROW_CAP: usize = 200;
/// Rows of the 高利润商品 card.
pub const TOP_PROFIT_ROWS: usize = 10;
/// Days before yesterday whose mean count is the trend's base.
const TREND_DAYS: i64 = 3;

/// The whole tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Today {
    /// The filters it was computed for.
    pub filters: Filters,
    /// True when no order matched the period.
    pub empty: bool,
    /// The last day with orders in the period (`null` when empty).
    pub yesterday: Option<NaiveDate>,
    /// The ten cards, in the order of docs §9.
    pub cards: Vec<Card>,
}

/// One to-do card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    /// Stable id (`loss_orders`).
    pub key: &'static str,
    /// Title shown (亏损订单).
    pub title: &'static str,
    /// Matches on yesterday (for 高利润商品: products with a positive profit).
    pub count: usize,
    /// `count` against the mean of the three days before; `null` when that mean is 0.
    pub trend: Option<Trend>,
    /// Rows before the cap (equals `count`).
    pub total_rows: usize,
    /// The first rows, most urgent first.
    pub rows: Rows,
}

/// A count against the mean of the three days before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Mean count of the three days before yesterday.
    pub previous_mean: f64,
    /// (count − mean) / mean × 100.
    pub change_pct: f64,
}

/// The detail rows of a card; serialized as a plain array of objects.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Rows {
    /// 亏损订单, 高配送费.
    Orders(Vec<OrderRow>),
    /// 价格异常.
    Prices(Vec<PriceRow>),
    /// The product cards.
    Products(Vec<ProductCardRow>),
}

/// One order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRow {
    /// 门店名称.
    pub store: String,
    /// 订单ID.
    pub order_id: String,
    /// 渠道.
    pub channel: String,
    /// 下单时间.
    pub time: NaiveDateTime,
    /// 商品实收额.
    pub sales: f64,
    /// 订单实际利润.
    pub profit: f64,
    /// 配送净成本.
    pub delivery_net: f64,
}

/// Computes the 今日必做 tab.
///
/// Answered from the stores' aggregates ([`crate::facts`]) and the lines of four days: the cost
/// follows the stores, products and days shown, not the history kept.
pub fn today(snaps: &[Arc<StoreSnapshot>], filters: &Filters, business: &Business) -> Today {
    cards(&recent::load(snaps, filters, business), filters, business)
}

/// The 今日必做 tab computed from every line of the history: the reference the aggregates are
/// checked against in tests, and the baseline the benches time them against.
pub fn today_from_lines(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Today {
    cards(
        &History::load_from_lines(snaps, filters, business),
        filters,
        business,
    )
}

fn cards(h: &History<'_>, filters: &Filters, business: &Business) -> Today {
    let y = h.last_day(filters.from, filters.to);
    let consumable = business.consumable_category.as_str();
    let alert = business.delivery_cost_alert;
    let product = |name, cap, rule: ProductRule| {
        card(
            name,
            y,
            cap,
            Rows::Products,
            |d| rule(h, d),
            |d| rule(h, d).len(),
        )
    };
    let loss = |o: &OrderFigures<'_>| o.profit < 0.0;
    let high = |o: &OrderFigures<'_>| o.delivery_net > alert;
    let count =
        |d, keep: &dyn Fn(&OrderFigures<'_>) -> bool| h.orders_on(d).filter(|o| keep(o)).count();
    let cards = vec![
        card(
            ("loss_orders", "亏损订单"),
            y,
            ROW_CAP,
            Rows::Orders,
            |d| order_rows(h, d, loss, |r| r.profit),
            |d| count(d, &loss),
        ),
        card(
            ("high_delivery", "高配送费"),
            y,
            ROW_CAP,
            Rows::Orders,
            |d| order_rows(h, d, high, |r| -r.delivery_net),
            |d| count(d, &high),
        ),
        product(
            ("hot_out_of_stock", "热销缺货"),
            ROW_CAP,
            products::hot_out_of_stock,
        ),
        card(
            ("price_anomaly", "价格异常"),
            y,
            ROW_CAP,
            Rows::Prices,
            |d| prices::price_anomalies(h, d, consumable),
            |d| prices::count_price_anomalies(h, d, consumable),
        ),
        product(("sales_drop", "销量下滑"), ROW_CAP, products::sales_drop),
        product(
            ("margin_drop", "利润率下滑"),
            ROW_CAP,
            products::margin_drop,
        ),
        product(("slow_movers", "滞销"), ROW_CAP, products::slow_movers),
        product(("new_products", "新品"), ROW_CAP, products::new_products),
        product(("hot_products", "爆款"), ROW_CAP, products::hot_products),
        product(
            ("top_profit", "高利润商品"),
            TOP_PROFIT_ROWS,
            products::top_profit,
        ),
    ];
    Today {
        filters: filters.clone(),
        empty: y.is_none(),
        yesterday: y,
        cards,
    }
}

/// A card from its rule: yesterday's rows (capped) and the trend over the three days before,
/// from `count_on` (the same rule, counted without building its rows).
fn card<R>(
    (key, title): (&'static str, &'static str),
    yesterday: Option<NaiveDate>,
    cap: usize,
    wrap: fn(Vec<R>) -> Rows,
    rows_on: impl Fn(NaiveDate) -> Vec<R>,
    count_on: impl Fn(NaiveDate) -> usize,
) -> Card {
    let Some(y) = yesterday else {
        return Card {
            key,
            title,
            count: 0,
            trend: None,
            total_rows: 0,
            rows: wrap(Vec::new()),
        };
    };
    let mut rows = rows_on(y);
    let count = rows.len();
    let before: usize = (1..=TREND_DAYS).map(|k| count_on(back(y, k))).sum();
    rows.truncate(cap);
    Card {
        key,
        title,
        count,
        trend: trend(count, before as f64 / TREND_DAYS as f64),
        total_rows: count,
        rows: wrap(rows),
    }
}

/// `count` against `mean`, `None` when the mean is 0.
fn trend(count: usize, mean: f64) -> Option<Trend> {
    pct(count as f64 - mean, mean).map(|change_pct| Trend {
        previous_mean: mean,
        change_pct,
    })
}

/// The orders of day `d` that `keep` selects, sorted by `rank` (smallest first).
fn order_rows(
    h: &History<'_>,
    d: NaiveDate,
    keep: impl Fn(&OrderFigures<'_>) -> bool,
    rank: fn(&OrderRow) -> f64,
) -> Vec<OrderRow> {
    let mut rows: Vec<OrderRow> = h.orders_on(d).filter(|o| keep(o)).map(order_row).collect();
    rows.sort_by(|a, b| rank(a).total_cmp(&rank(b)).then(a.time.cmp(&b.time)));
    rows
}

fn order_row(o: &OrderFigures<'_>) -> OrderRow {
    let data = &o.snap.data;
    OrderRow {
        store: o.snap.name.clone(),
        order_id: data.strings.get(data.orders.id[o.index]).to_owned(),
        channel: o.channel.to_owned(),
        time: order_time(data.orders.time[o.index]),
        sales: o.sales,
        profit: o.profit,
        delivery_net: o.delivery_net,
    }
}

fn order_time(t: i64) -> NaiveDateTime {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::snapshots;

    /// One store on the cash register (no fee filter). Day 5 is the last day of the period
    /// (day 7 lies after it): L1 and L2 lose ¥1, L3 pays ¥6.50 net delivery, L2 exactly ¥6,
    /// L4 makes exactly 0. Loss orders: day 4 one, day 3 two, day 2 none.
    const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,物流配送费,用户支付配送费,配送费减免金额,一级分类名,店内码
M1,2026-11-07 09:00,一号店,P1,1,收银机订单,5.00,5.00,-9.00,0,0,0,饮料,P1
L1,2026-11-05 10:00,一号店,P1,2,收银机订单,4.00,10.00,2.00,3.00,0,0,饮料,P1
L2,2026-11-05 11:00,一号店,P2,1,收银机订单,3.00,5.00,5.00,6.00,0,0,饮料,P2
L3,2026-11-05 12:00,一号店,P3,1,收银机订单,5.00,5.00,10.00,7.00,0.50,0,饮料,P3
L3,2026-11-05 12:00,一号店,打包袋,1,收银机订单,0.00,0.20,0.00,7.00,0.50,0,耗材,BAG
L4,2026-11-05 13:00,一号店,P4,0,收银机订单,1.00,5.00,0.00,0,0,0,饮料,P4
K1,2026-11-04 10:00,一号店,P1,1,收银机订单,5.00,5.00,-2.00,0,0,0,饮料,P1
J1,2026-11-03 10:00,一号店,P1,1,收银机订单,5.00,5.00,-1.00,0,0,0,饮料,P1
J2,2026-11-03 11:00,一号店,P1,1,收银机订单,5.00,5.00,-1.00,0,0,0,饮料,P1
I1,2026-11-02 10:00,一号店,P1,1,收银机订单,5.00,5.00,1.00,0,0,0,饮料,P1
";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
    }

    fn filters(from: u32, to: u32) -> Filters {
        Filters {
            store: None,
            from: day(from),
            to: day(to),
            channel: None,
            requested: None,
        }
    }

    fn card<'t>(t: &'t Today, key: &str) -> &'t Card {
        t.cards.iter().find(|c| c.key == key).expect("card exists")
    }

    fn order_ids(c: &Card) -> Vec<&str> {
        match &c.rows {
            Rows::Orders(rows) => rows.iter().map(|r| r.order_id.as_str()).collect(),
            other => panic!("not order rows: {other:?}"),
        }
    }

    #[test]
    fn yesterday_is_the_last_day_with_orders_up_to_the_period_end() {
        let t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        assert!(!t.empty);
        assert_eq!(
            t.yesterday,
            Some(day(5)),
            "day 6 is empty, day 7 is after `to`"
        );
        let keys: Vec<&str> = t.cards.iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                "loss_orders",
                "high_delivery",
                "hot_out_of_stock",
                "price_anomaly",
                "sales_drop",
                "margin_drop",
                "slow_movers",
                "new_products",
                "hot_products",
                "top_profit"
            ]
        );
    }

    #[test]
    fn loss_orders_are_below_zero_and_trend_against_the_three_days_before() {
        let t = today(&snapshots(CSV), &filters(5, 5), &Business::default());
        let c = card(&t, "loss_orders");
        assert_eq!(order_ids(c), ["L1", "L2"], "L4 at exactly 0 is no loss");
        assert_eq!((c.count, c.total_rows), (2, 2));
        // Days 4, 3, 2 had 1, 2 and 0 loss orders (before the period: history is widened).
        let trend = c.trend.as_ref().expect("mean is 1");
        assert!((trend.previous_mean - 1.0).abs() < 1e-9);
        assert!((trend.change_pct - 100.0).abs() < 1e-9);
    }

    #[test]
    fn high_delivery_is_strictly_above_the_alert_and_has_no_trend_over_zero() {
        let t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        let c = card(&t, "high_delivery");
        // L3: 7 − (0.5 − 0) = 6.5; L2's 6 − 0 = 6 is not above ¥6.
        assert_eq!(order_ids(c), ["L3"]);
        assert!(c.trend.is_none(), "no high delivery on days 2–4");
    }

    #[test]
    fn price_anomaly_flags_lines_below_unit_cost_and_severe_below_eighty_percent() {
        let t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        let c = card(&t, "price_anomaly");
        let Rows::Prices(rows) = &c.rows else {
            panic!("not price rows: {:?}", c.rows)
        };
        // P2: 3 < 0.8 × 5 → 严重; P1: 4 against 10 / 2 = 5 is exactly 0.8 × → 轻微.
        // P3 at cost, P4 with 销量 0 and the consumable bag are skipped.
        let got: Vec<(&str, &str)> = rows.iter().map(|r| (r.key.as_str(), r.severity)).collect();
        assert_eq!(got, [("P2", "严重"), ("P1", "轻微")]);
        assert!((rows[1].unit_cost - 5.0).abs() < 1e-9);
        assert!((rows[1].gap_pct.unwrap_or_default() + 20.0).abs() < 1e-9);
    }

    #[test]
    fn an_empty_period_gives_every_card_with_nothing_in_it() {
        let t = today(&snapshots(CSV), &filters(20, 25), &Business::default());
        assert!(t.empty);
        assert_eq!(t.yesterday, None);
        assert_eq!(t.cards.len(), 10);
        assert!(t
            .cards
            .iter()
            .all(|c| c.count == 0 && c.trend.is_none() && c.total_rows == 0));
        let json = serde_json::to_value(&t).expect("serializes");
        assert_eq!(json["cards"][0]["rows"], serde_json::json!([]));
    }
}
