//! The order cards: 亏损订单 and 高配送费, over the window of 1, 3 or 7 days ending yesterday.
//!
//! Cost: the kept orders of the window's days (read from the lines), plus the per-day counts of
//! the three windows before from the aggregates' cells for the trend.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::Serialize;
use storeboard_data::schema::Column;

use super::card::{card_products, tiers, Card, Channels, Kind};
use super::history::{back, is_consumable, History, TrendCount};
use super::Rows;
use crate::order::{cents, line_col, OrderFigures};

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
    /// 配送距离 in km (`null` when the export has none).
    pub distance_km: Option<f64>,
}

/// Distance tiers of 高配送费 (配送距离 is in metres).
const DISTANCE_TIERS: [&str; 5] = ["0-3km", "3-5km", "5-8km", "8km+", "距离未知"];

/// Yuan that came from exact cents, back to cents.
pub(super) fn to_cents(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

/// 亏损订单: orders with 订单实际利润 < 0 in the window; money = the total loss; products = the
/// products whose lines lose money in those orders.
pub(super) fn loss_orders(h: &History<'_>, kind: Kind, y: NaiveDate, window: i64) -> Card {
    let orders = matching(h, y, window, |o| o.profit < 0.0);
    let loss = |o: &OrderFigures<'_>| -to_cents(o.profit);
    let mut rows: Vec<OrderRow> = orders.iter().map(|o| order_row(o)).collect();
    rows.sort_by(|a, b| a.profit.total_cmp(&b.profit).then(a.time.cmp(&b.time)));
    let mean = h.trend_mean(TrendCount::Loss, y, window);
    let total: i64 = orders.iter().map(|o| loss(o)).sum();
    Card {
        channels: split(&orders, loss),
        products: losing_products(&orders, h.consumable()),
        ..Card::new(kind, Rows::Orders(rows), orders.len(), total, mean)
    }
}

/// 高配送费: orders with 配送净成本 above the alert in the window; money = the premium
/// Σ(配送净成本 − alert); tiers by 配送距离.
pub(super) fn high_delivery(
    h: &History<'_>,
    kind: Kind,
    y: NaiveDate,
    window: i64,
    alert: f64,
) -> Card {
    let orders = matching(h, y, window, |o| o.delivery_net > alert);
    let premium = |o: &OrderFigures<'_>| to_cents(o.delivery_net) - to_cents(alert);
    let mut rows: Vec<OrderRow> = orders.iter().map(|o| order_row(o)).collect();
    rows.sort_by(|a, b| {
        b.delivery_net
            .total_cmp(&a.delivery_net)
            .then(a.time.cmp(&b.time))
    });
    let tier_of = |r: &OrderRow| match r.distance_km {
        None => 4,
        Some(km) if km < 3.0 => 0,
        Some(km) if km < 5.0 => 1,
        Some(km) if km < 8.0 => 2,
        Some(_) => 3,
    };
    let mean = h.trend_mean(TrendCount::HighDelivery, y, window);
    let total: i64 = orders.iter().map(|o| premium(o)).sum();
    Card {
        channels: split(&orders, premium),
        tiers: tiers(&DISTANCE_TIERS, rows.iter().map(tier_of)),
        ..Card::new(kind, Rows::Orders(rows), orders.len(), total, mean)
    }
}

/// The kept orders of the `window` days ending `y` that `keep` selects.
fn matching<'h, 'a>(
    h: &'h History<'a>,
    y: NaiveDate,
    window: i64,
    keep: impl Fn(&OrderFigures<'a>) -> bool,
) -> Vec<&'h OrderFigures<'a>> {
    h.orders_between(back(y, window - 1), y)
        .filter(|o| keep(o))
        .collect()
}

fn split(
    orders: &[&OrderFigures<'_>],
    money: impl Fn(&OrderFigures<'_>) -> i64,
) -> Vec<super::ChannelSplit> {
    let mut channels = Channels::default();
    for o in orders {
        channels.add(o.channel, money(o));
    }
    channels.into_splits(true)
}

/// Per product, the loss orders where its lines lose money and that money (Σ −利润额 of those
/// lines); consumables left out.
fn losing_products(orders: &[&OrderFigures<'_>], consumable: &str) -> Vec<super::CardProduct> {
    let mut by_key: BTreeMap<String, (String, usize, i64)> = BTreeMap::new();
    for o in orders {
        let data = &o.snap.data;
        let profit = &data.lines.money[line_col(Column::Profit)];
        let mut seen: Vec<&str> = Vec::new();
        for j in o.lines.clone() {
            let lost = -cents(profit[j]);
            if lost <= 0 || is_consumable(o, j, consumable) {
                continue;
            }
            let key = data.strings.get(data.lines.key[j]);
            let e = by_key
                .entry(key.to_owned())
                .or_insert_with(|| (data.strings.get(data.lines.product[j]).to_owned(), 0, 0));
            if !seen.contains(&key) {
                seen.push(key);
                e.1 += 1;
            }
            e.2 += lost;
        }
    }
    card_products(by_key)
}

fn order_row(o: &OrderFigures<'_>) -> OrderRow {
    let data = &o.snap.data;
    let metres = data.orders.distance[o.index];
    OrderRow {
        store: o.snap.name.clone(),
        order_id: data.strings.get(data.orders.id[o.index]).to_owned(),
        channel: o.channel.to_owned(),
        time: order_time(data.orders.time[o.index]),
        sales: o.sales,
        profit: o.profit,
        delivery_net: o.delivery_net,
        distance_km: (!metres.is_nan()).then(|| f64::from(metres) / 1000.0),
    }
}

fn order_time(t: i64) -> NaiveDateTime {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}
