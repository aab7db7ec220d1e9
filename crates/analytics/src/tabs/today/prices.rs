//! The 价格异常 card: lines sold below their unit purchase cost.

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::dataset::NA;
use storeboard_data::schema::Column;

use super::history::{is_consumable, History};
use crate::order::{line_col, pct, units, yuan, OrderFigures};

/// One line sold below its unit cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    /// 门店名称.
    pub store: String,
    /// 订单ID.
    pub order_id: String,
    /// Product key.
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// 销量.
    pub quantity: f64,
    /// 实收价格 (unit).
    pub actual_price: f64,
    /// 商品采购成本 / 销量.
    pub unit_cost: f64,
    /// (实收价格 − unit cost) / unit cost × 100 (negative).
    pub gap_pct: Option<f64>,
    /// 严重 (below 0.8 × unit cost) or 轻微.
    pub severity: &'static str,
}

/// 价格异常 on day `d`: lines (not consumables) with 实收价格 < 商品采购成本 / 销量, skipping lines
/// with 销量 0, no 实收价格 or a cost ≤ 0 (an empty cost cell reads as 0). Compared exactly in
/// cents × thousandths: `price × qty < cost`, 严重 when `price × qty < 0.8 × cost`.
pub(super) fn price_anomalies(h: &History<'_>, d: NaiveDate, consumable: &str) -> Vec<PriceRow> {
    let mut rows = Vec::new();
    each_anomaly(h, d, consumable, |o, j| {
        let data = &o.snap.data;
        let l = &data.lines;
        let (q, p, c) = (
            l.quantity[j],
            l.money[line_col(Column::ActualPrice)][j],
            l.money[line_col(Column::Cost)][j],
        );
        let (paid, owed) = (i64::from(p) * i64::from(q), i64::from(c) * 1000);
        let unit_cost = yuan(c) / units(q);
        rows.push(PriceRow {
            store: o.snap.name.clone(),
            order_id: data.strings.get(data.orders.id[o.index]).to_owned(),
            key: data.strings.get(l.key[j]).to_owned(),
            name: data.strings.get(l.product[j]).to_owned(),
            quantity: units(q),
            actual_price: yuan(p),
            unit_cost,
            gap_pct: pct(yuan(p) - unit_cost, unit_cost),
            severity: if paid * 10 < owed * 8 {
                "严重"
            } else {
                "轻微"
            },
        });
    });
    rows.sort_by(|a, b| {
        let rank = |r: &PriceRow| r.gap_pct.unwrap_or_default();
        rank(a)
            .total_cmp(&rank(b))
            .then_with(|| a.order_id.cmp(&b.order_id))
    });
    rows
}

/// How many lines of day `d` [`price_anomalies`] lists, without building them (the trend's
/// days need only the count).
pub(super) fn count_price_anomalies(h: &History<'_>, d: NaiveDate, consumable: &str) -> usize {
    let mut n = 0;
    each_anomaly(h, d, consumable, |_, _| n += 1);
    n
}

/// Calls `found` with each anomalous line of day `d` (see [`price_anomalies`]).
fn each_anomaly<'a>(
    h: &History<'a>,
    d: NaiveDate,
    consumable: &str,
    mut found: impl FnMut(&OrderFigures<'a>, usize),
) {
    for o in h.orders_on(d) {
        let l = &o.snap.data.lines;
        let (actual, cost) = (
            &l.money[line_col(Column::ActualPrice)],
            &l.money[line_col(Column::Cost)],
        );
        for j in o.lines.clone() {
            let (q, p, c) = (l.quantity[j], actual[j], cost[j]);
            if q <= 0 || p == NA || c == NA || c <= 0 {
                continue;
            }
            // cents × thousandths
            if i64::from(p) * i64::from(q) >= i64::from(c) * 1000 {
                continue;
            }
            if !is_consumable(o, j, consumable) {
                found(o, j);
            }
        }
    }
}
