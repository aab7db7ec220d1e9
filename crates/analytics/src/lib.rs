//! # storeboard-analytics
//!
//! Pure functions from store snapshots and per-request [`Filters`] to the figures of the
//! dashboard's tabs; no actix, no IO. Every formula is documented in `docs/metrics.md`.
//!
//! - [`order::orders`] — the kept orders of a request with their figures (sales, 订单实际利润,
//!   marketing, delivery, costs), after the fee-channel filter: every tab starts here.
//! - [`overview::overview`] — 订单数据概览.
//! - [`products::products`] — 商品分析: per-product figures, rankings, quadrants, stock warnings.
//! - [`timeslots::timeslots`] — 时段场景: eight time slots, line scenes, slot × scene heatmap.
//! - [`stores::stores`] — 门店对比: every store side by side, with the chain's medians and flags.
//! - [`Business`] — the configurable business rules (`[business]` in the TOML file).

pub mod config;
pub mod facts;
pub mod filters;
pub mod order;
pub mod tabs;
#[cfg(test)]
pub(crate) mod testkit;

pub use config::Business;
pub use filters::{Filters, Period};
pub use overview::{overview, Overview};
pub use products::{products, Products};
pub use stores::{stores, Stores};
pub use tabs::{overview, pricing, product, products, stores, timeslots, today};
pub use timeslots::{timeslots, Timeslots};
pub use today::{today, Today};
