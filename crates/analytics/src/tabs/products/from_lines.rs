//! The product totals from the raw lines, order by order: the reference the daily product points
//! ([`super::from_facts`]) are checked against.

use std::collections::HashMap;

use chrono::NaiveDate;
use storeboard_data::schema::Column;

use super::Acc;
use crate::config::Business;
use crate::order::{line_col, units, yuan, OrderFigures};

/// Totals per key over the kept orders' non-consumable lines.
pub(super) fn accumulate<'a>(
    orders: &[OrderFigures<'a>],
    business: &Business,
    (from, recent_from): (NaiveDate, NaiveDate),
    half: usize,
) -> HashMap<&'a str, Acc<'a>> {
    let mut acc: HashMap<&'a str, Acc<'a>> = HashMap::new();
    // Per (key, store, day): a store-day counts once for 动销指数.
    let mut daily: HashMap<(&'a str, &'a str, usize), f64> = HashMap::new();
    let col = |c: Column| line_col(c);
    let (actual, cost, profit) = (
        col(Column::ActualPrice),
        col(Column::Cost),
        col(Column::Profit),
    );
    for (seq, o) in orders.iter().enumerate() {
        let data = &o.snap.data;
        let (l, time) = (&data.lines, data.orders.time[o.index]);
        for j in o.lines.clone() {
            let category = data.strings.get(l.category1[j]);
            if category == business.consumable_category {
                continue;
            }
            let key = data.strings.get(l.key[j]);
            let a = acc.entry(key).or_default();
            let quantity = units(l.quantity[j]);
            let day = (o.day - from).num_days() as usize;
            *daily.entry((key, o.snap.name.as_str(), day)).or_default() += quantity;
            a.sales += yuan(l.money[actual][j]) * quantity;
            a.cost += yuan(l.money[cost][j]);
            a.profit += yuan(l.money[profit][j]);
            if day < half {
                a.extra.first_sales += yuan(l.money[actual][j]) * quantity;
                a.extra.first_profit += yuan(l.money[profit][j]);
            }
            a.quantity += quantity;
            if o.day >= recent_from {
                a.recent_quantity += quantity;
            }
            if a.last_order != seq + 1 {
                a.last_order = seq + 1;
                a.orders += 1;
            }
            if a.name_time.is_none_or(|t| time >= t) {
                a.name_time = Some(time);
                (a.name, a.category) = (data.strings.get(l.product[j]), category);
            }
            let stock = l.stock[j];
            if !stock.is_nan() && a.stock.is_none_or(|(t, _)| time >= t) {
                a.stock = Some((time, stock));
            }
        }
    }
    for ((key, _, day), quantity) in daily {
        if let (true, Some(a)) = (quantity > 0.0005, acc.get_mut(key)) {
            a.extra.sold.add(day);
        }
    }
    acc
}
