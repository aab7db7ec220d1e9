//! The product's lines in the period, read from the stores' lines: its time slots and the
//! orders it appeared in (with their 订单实际利润).
//!
//! Cost: one pass over the key column of the period's lines per store (a compare of its 1–4
//! byte codes each, [`storeboard_data::column::Column::rows_equal`]), then the figures of the
//! orders holding the product only.

use chrono::{DateTime, NaiveDateTime};
use serde::Serialize;
use storeboard_data::dataset::Sym;
use storeboard_data::schema::Column;

use crate::order::{cents, cents_to_yuan, exact, line_col, Rules, SALES_SCALE};
use crate::overview::Part;
use crate::timeslots::{slot_of, SLOTS};

/// One order holding the product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRow {
    /// 门店名称.
    pub store: String,
    /// 订单ID.
    pub order_id: String,
    /// 下单时间.
    pub time: NaiveDateTime,
    /// 渠道.
    pub channel: String,
    /// The product's 销量 in it.
    pub quantity: f64,
    /// Its 实收单价 there.
    pub unit_price: Option<f64>,
    /// Its 实收价格 × 销量 there.
    pub sales: f64,
    /// Its 利润额 there.
    pub profit: f64,
    /// The order's 商品实收额.
    pub order_sales: f64,
    /// The order's 订单实际利润.
    pub order_profit: f64,
}

/// One time slot's sales of the product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotRow {
    /// 清晨, 上午, …
    pub slot: &'static str,
    /// First hour.
    pub start_hour: u32,
    /// Last hour, exclusive.
    pub end_hour: u32,
    /// Orders.
    pub orders: usize,
    /// 销量.
    pub quantity: f64,
    /// Σ 实收价格 × 销量.
    pub sales: f64,
    /// Σ 利润额.
    pub profit: f64,
}

#[derive(Default, Clone, Copy)]
struct Exact {
    orders: usize,
    quantity: i64,
    sales: i64,
    profit: i64,
}

/// The slots (all eight, in display order) and the orders (newest first) of `key` in the parts'
/// period and channel.
pub(super) fn read(
    parts: &[Part<'_>],
    key: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    business: &crate::Business,
) -> (Vec<SlotRow>, Vec<OrderRow>) {
    let mut slots = [Exact::default(); SLOTS.len()];
    let mut rows = Vec::new();
    for p in parts {
        let Some(sym) = key_sym(p, key) else {
            continue;
        };
        let snap = p.snap;
        let data = &snap.data;
        let rules = Rules::new(snap, business);
        let range = snap.orders_between(from, to);
        let first = |i: usize| {
            data.orders
                .first_line
                .get(i)
                .map_or(data.line_count(), |l| l as usize)
        };
        let (l, o) = (&data.lines, &data.orders);
        let mut last_order = usize::MAX;
        for j in l.key.rows_equal(first(range.start)..first(range.end), sym) {
            let i = l.order[j] as usize;
            if i == last_order || p.channel.is_some_and(|c| o.channel[i] != c) {
                continue;
            }
            last_order = i;
            let Some(e) = exact(snap, i, &rules) else {
                continue;
            };
            let mine = Exact::of_order(snap, e.lines.clone(), sym);
            let slot = &mut slots[slot_of(e.hour)];
            slot.orders += 1;
            slot.quantity += mine.quantity;
            slot.sales += mine.sales;
            slot.profit += mine.profit;
            rows.push(OrderRow {
                store: snap.name.clone(),
                order_id: data.strings.get(o.id[i]).to_owned(),
                time: DateTime::from_timestamp(o.time[i], 0)
                    .map(|t| t.naive_utc())
                    .unwrap_or_default(),
                channel: data.strings.get(o.channel[i]).to_owned(),
                quantity: mine.quantity as f64 / 1000.0,
                unit_price: (mine.quantity > 0)
                    .then(|| mine.sales as f64 / mine.quantity as f64 / 100.0),
                sales: mine.sales as f64 / SALES_SCALE,
                profit: cents_to_yuan(mine.profit),
                order_sales: e.sales_yuan(),
                order_profit: e.profit_yuan(),
            });
        }
    }
    rows.sort_by(|a, b| {
        b.time
            .cmp(&a.time)
            .then_with(|| a.order_id.cmp(&b.order_id))
    });
    let slots = SLOTS
        .iter()
        .zip(slots)
        .map(|(&(slot, start_hour, end_hour, _), s)| SlotRow {
            slot,
            start_hour,
            end_hour,
            orders: s.orders,
            quantity: s.quantity as f64 / 1000.0,
            sales: s.sales as f64 / SALES_SCALE,
            profit: cents_to_yuan(s.profit),
        })
        .collect();
    (slots, rows)
}

impl Exact {
    /// The product's lines of one order.
    fn of_order(
        snap: &storeboard_data::StoreSnapshot,
        lines: std::ops::Range<usize>,
        sym: Sym,
    ) -> Self {
        let l = &snap.data.lines;
        let actual = &l.money[line_col(Column::ActualPrice)];
        let profit = &l.money[line_col(Column::Profit)];
        let mut out = Exact {
            orders: 1,
            ..Exact::default()
        };
        for j in lines.filter(|&j| l.key[j] == sym) {
            out.quantity += i64::from(l.quantity[j]);
            out.sales += cents(actual[j]) * i64::from(l.quantity[j]);
            out.profit += cents(profit[j]);
        }
        out
    }
}

/// The string id of `key` in a store (from its product series: a key that never sold there
/// has none).
fn key_sym(p: &Part<'_>, key: &str) -> Option<Sym> {
    let strings = &p.snap.data.strings;
    p.facts
        .series()
        .all()
        .iter()
        .map(|s| s.key)
        .find(|&s| strings.get(s) == key)
}
