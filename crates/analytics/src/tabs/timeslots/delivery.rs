//! 配送: the kept orders by 配送距离 bucket × time slot, with their 配送净成本 per order and the
//! share above `[business] delivery_cost_alert` (docs/metrics.md §时段场景).
//!
//! A bucket holds the distances `from ≤ d < to` in metres (2000 m is in 2-3km); 配送距离 absent
//! (NaN) or negative goes to 距离未知, the last bucket. A cell is flagged when more than
//! [`FLAG_PCT`] % of its orders are above the alert (exactly 15% is not flagged).

use serde::Serialize;

use super::SLOTS;
use crate::config::Business;
use crate::facts::DeliverySums;
use crate::order::{cents_to_yuan, pct, ratio};

/// The buckets in display order: (name, first metre, end metre exclusive); the last one is for
/// orders without a distance.
pub const BUCKETS: [(&str, f32, f32); 8] = [
    ("0-2km", 0.0, 2000.0),
    ("2-3km", 2000.0, 3000.0),
    ("3-4km", 3000.0, 4000.0),
    ("4-5km", 4000.0, 5000.0),
    ("5-6km", 5000.0, 6000.0),
    ("6-8km", 6000.0, 8000.0),
    ("8km+", 8000.0, f32::INFINITY),
    ("距离未知", f32::NAN, f32::NAN),
];

/// Index of [`BUCKETS`]' 距离未知.
pub const UNKNOWN: usize = 7;

/// A cell is flagged when more than this share (%) of its orders are above the alert.
pub const FLAG_PCT: f64 = 15.0;

/// Index in [`BUCKETS`] of 配送距离 `metres` (NaN or negative → [`UNKNOWN`]).
pub fn bucket_of(metres: f32) -> usize {
    if metres.is_nan() || metres < 0.0 {
        return UNKNOWN;
    }
    BUCKETS[..UNKNOWN]
        .iter()
        .rposition(|&(_, from, _)| metres >= from)
        .unwrap_or(0)
}

/// Exact sums per `[bucket][slot]`.
pub(crate) type Grid = [[DeliverySums; 8]; 8];

/// One bucket × slot cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryCell {
    /// Bucket name (2-3km).
    pub bucket: String,
    /// Slot name (清晨).
    pub slot: String,
    /// Orders.
    pub orders: usize,
    /// Σ 配送净成本 (yuan).
    pub delivery_net: f64,
    /// Σ 配送净成本 / orders; `null` without orders.
    pub delivery_net_per_order: Option<f64>,
    /// Orders whose 配送净成本 is above the alert.
    pub over_alert: usize,
    /// over_alert / orders × 100; `null` without orders.
    pub over_alert_pct: Option<f64>,
    /// More than [`FLAG_PCT`] % of the orders are above the alert.
    pub flagged: bool,
}

/// The distance bucket × slot grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// Bucket names in [`BUCKETS`] order, 距离未知 last.
    pub buckets: Vec<String>,
    /// The eight slots in [`SLOTS`] order.
    pub slots: Vec<String>,
    /// `buckets × slots` cells, bucket-major (every cell, empty ones included).
    pub cells: Vec<DeliveryCell>,
    /// `[business] delivery_cost_alert` (yuan).
    pub alert: f64,
    /// [`FLAG_PCT`].
    pub flag_pct: f64,
}

/// Whether `over` of `orders` is more than [`FLAG_PCT`] %: compared in integers-as-floats
/// (`over × 100 > 15 × orders`), so exactly 15% is not flagged whatever the rounding.
pub fn flagged(over: u32, orders: u32) -> bool {
    f64::from(over) * 100.0 > FLAG_PCT * f64::from(orders)
}

/// The grid's rows from its exact sums.
pub(crate) fn assemble(grid: &Grid, business: &Business) -> Delivery {
    let mut cells = Vec::with_capacity(64);
    for (&(bucket, _, _), row) in BUCKETS.iter().zip(grid) {
        for (&(slot, ..), s) in SLOTS.iter().zip(row) {
            let net = cents_to_yuan(s.delivery_net);
            cells.push(DeliveryCell {
                bucket: bucket.to_owned(),
                slot: slot.to_owned(),
                orders: s.orders as usize,
                delivery_net: net,
                delivery_net_per_order: ratio(net, f64::from(s.orders)),
                over_alert: s.over_alert as usize,
                over_alert_pct: pct(f64::from(s.over_alert), f64::from(s.orders)),
                flagged: flagged(s.over_alert, s.orders),
            });
        }
    }
    Delivery {
        buckets: BUCKETS.iter().map(|b| b.0.to_owned()).collect(),
        slots: SLOTS.iter().map(|s| s.0.to_owned()).collect(),
        cells,
        alert: business.delivery_cost_alert,
        flag_pct: FLAG_PCT,
    }
}
