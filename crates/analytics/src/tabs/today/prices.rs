//! The 价格异常 card: lines sold below their unit purchase cost, over the window of 1, 3 or 7
//! days ending yesterday, per line and per product.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::schema::Column;

use super::card::{card_products, tiers, Card, Channels, Kind};
use super::history::{back, is_consumable, History, TrendCount};
use super::Rows;
use crate::order::{below_cost, line_col, pct, units, yuan, OrderFigures, SALES_SCALE};

/// One line sold below its unit cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    /// 门店名称.
    pub store: String,
    /// 订单ID.
    pub order_id: String,
    /// Day of 下单时间.
    pub day: NaiveDate,
    /// 渠道.
    pub channel: String,
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
    /// (unit cost − 实收价格) × 销量: what the line lost against its cost (yuan).
    pub loss: f64,
    /// 严重 (below 0.8 × unit cost) or 轻微.
    pub severity: &'static str,
}

/// Tier names, in the order of [`PriceRow::severity`]'s values.
const SEVERITY: [&str; 2] = ["严重", "轻微"];

/// 价格异常 over the `window` days ending `y`: lines (not consumables) with 实收价格 < 商品采购成本
/// / 销量, compared exactly (see [`below_cost`]); 严重 when `price × qty < 0.8 × cost`. Money =
/// Σ(单品成本 − 实收价格) × 销量; products = the same per product key.
pub(super) fn price_anomalies(h: &History<'_>, kind: Kind, y: NaiveDate, window: i64) -> Card {
    let mut rows = Vec::new();
    let mut total: i64 = 0; // cents, each line's gap rounded to the cent
    let mut channels = Channels::default();
    let mut by_key: BTreeMap<String, (String, usize, i64)> = BTreeMap::new();
    for o in h.orders_between(back(y, window - 1), y) {
        each_anomaly(o, h.consumable(), |j, gap| {
            let row = price_row(o, j, gap);
            let cents = (gap + 500) / 1000;
            total += cents;
            channels.add(o.channel, cents);
            let e = by_key
                .entry(row.key.clone())
                .or_insert_with(|| (row.name.clone(), 0, 0));
            e.1 += 1;
            e.2 += cents;
            rows.push(row);
        });
    }
    rows.sort_by(|a, b| {
        let rank = |r: &PriceRow| r.gap_pct.unwrap_or_default();
        rank(a)
            .total_cmp(&rank(b))
            .then_with(|| a.order_id.cmp(&b.order_id))
    });
    let mean = h.trend_mean(TrendCount::Price, y, window);
    let severity = |r: &PriceRow| usize::from(r.severity != SEVERITY[0]);
    let tiers = tiers(&SEVERITY, rows.iter().map(severity));
    let count = rows.len();
    Card {
        channels: channels.into_splits(true),
        tiers,
        products: card_products(by_key),
        ..Card::new(kind, Rows::Prices(rows), count, total, mean)
    }
}

fn price_row(o: &OrderFigures<'_>, j: usize, gap: i64) -> PriceRow {
    let data = &o.snap.data;
    let l = &data.lines;
    let (q, p, c) = (
        l.quantity[j],
        l.money[line_col(Column::ActualPrice)][j],
        l.money[line_col(Column::Cost)][j],
    );
    let (paid, owed) = (i64::from(p) * i64::from(q), i64::from(c) * 1000);
    let unit_cost = yuan(c) / units(q);
    PriceRow {
        store: o.snap.name.clone(),
        order_id: data.strings.get(data.orders.id[o.index]).to_owned(),
        day: o.day,
        channel: o.channel.to_owned(),
        key: data.strings.get(l.key[j]).to_owned(),
        name: data.strings.get(l.product[j]).to_owned(),
        quantity: units(q),
        actual_price: yuan(p),
        unit_cost,
        gap_pct: pct(yuan(p) - unit_cost, unit_cost),
        loss: gap as f64 / SALES_SCALE,
        severity: if paid * 10 < owed * 8 {
            SEVERITY[0]
        } else {
            SEVERITY[1]
        },
    }
}

/// Calls `found` with each anomalous line of `o` and its gap (1/100,000 yuan).
fn each_anomaly(o: &OrderFigures<'_>, consumable: &str, mut found: impl FnMut(usize, i64)) {
    let l = &o.snap.data.lines;
    let (actual, cost) = (
        &l.money[line_col(Column::ActualPrice)],
        &l.money[line_col(Column::Cost)],
    );
    for j in o.lines.clone() {
        if let Some(gap) = below_cost(l.quantity[j], actual[j], cost[j]) {
            if !is_consumable(o, j, consumable) {
                found(j, gap);
            }
        }
    }
}
