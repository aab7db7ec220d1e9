//! The aggregates kept with each store's snapshot, so that an answer costs what is asked
//! (stores × days × channels shown), not the history stored.
//!
//! Built once per snapshot and business configuration ([`facts`]) from the kept orders (the
//! fee-channel filter applied), in exact integers: money in cents, sales in 1/100,000 yuan.
//! One [`Cell`] per (day, channel) holds the order-level sums and the loss and high-delivery
//! counts; beside each cell, its [`Depth`] (AOV bands, profit buckets, marketing columns, band
//! costs and hours, kept sparse and narrow: `depth.rs`), its per-category line sums, its
//! per-(slot, scene) line sums, its 配送 grid (kept narrow: `groups.rs`) and the product keys
//! it sold.
//!
//! A request for days `from..=to` and an optional channel reads `days × channels` cells per
//! store (a binary search finds the first day), and merges at most 28 small results: the
//! overview and time-slot tabs cost `O(stores × days × channels)`, whatever history is kept.

mod build;
pub mod customers;
mod depth;
mod groups;
mod points;
pub mod series;
mod sold;
mod spill;
mod splice;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use storeboard_data::dataset::Sym;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
pub use depth::Depth;
pub use groups::{CategorySums, DeliverySums, LineSums};
use groups::{NarrowCategory, NarrowDelivery, NarrowScene};
use spill::Packed;

/// Order count and money of one band or bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bin {
    /// Orders.
    pub orders: u32,
    /// Σ 商品实收额 (1/100,000 yuan).
    pub sales: i64,
    /// Σ 订单实际利润 (cents).
    pub profit: i64,
}

impl Bin {
    fn merge(&mut self, o: &Bin) {
        self.orders += o.orders;
        self.sales += o.sales;
        self.profit += o.profit;
    }
}

/// Orders placed in one hour of the day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HourSums {
    /// Orders.
    pub orders: u32,
    /// Their lines, consumables included.
    pub lines: u32,
    /// Σ 商品实收额 (1/100,000 yuan).
    pub sales: i64,
    /// Σ 利润额 (cents).
    pub line_profit: i64,
}

/// The order-level sums of the kept orders of one day on one channel (or merged cells); their
/// distributions (bands, buckets, hours) are read with [`Selection::depth`] and
/// [`Selection::hours`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// Orders.
    pub orders: u32,
    /// Σ 商品实收额 (1/100,000 yuan).
    pub sales: i64,
    /// Σ 利润额 (cents), and the other money in cents below.
    pub line_profit: i64,
    /// Σ 平台服务费.
    pub fee: i64,
    /// Σ 订单实际利润.
    pub profit: i64,
    /// Σ 营销成本.
    pub marketing: i64,
    /// Σ 商品减免金额.
    pub product_discount: i64,
    /// Σ 配送净成本.
    pub delivery_net: i64,
    /// Σ 商品采购成本 of products.
    pub product_cost: i64,
    /// Σ 商品采购成本 of consumables.
    pub consumable_cost: i64,
    /// Orders with 订单实际利润 < 0.
    pub loss_orders: u32,
    /// Orders with 配送净成本 above `[business] delivery_cost_alert`.
    pub high_delivery: u32,
    /// Lines (not consumables) sold below their unit purchase cost (价格异常).
    pub price_anomalies: u32,
    /// Orders with 订单实际利润 > 0.
    pub profitable_orders: u32,
    /// Σ GMV (1/100,000 yuan, see `order::Exact::gmv`).
    pub gmv: i64,
}

impl Cell {
    /// Adds `o`'s sums to this one.
    pub fn merge(&mut self, o: &Cell) {
        self.orders += o.orders;
        self.sales += o.sales;
        self.line_profit += o.line_profit;
        self.fee += o.fee;
        self.profit += o.profit;
        self.marketing += o.marketing;
        self.product_discount += o.product_discount;
        self.delivery_net += o.delivery_net;
        self.product_cost += o.product_cost;
        self.consumable_cost += o.consumable_cost;
        self.loss_orders += o.loss_orders;
        self.high_delivery += o.high_delivery;
        self.price_anomalies += o.price_anomalies;
        self.profitable_orders += o.profitable_orders;
        self.gmv += o.gmv;
    }
}

/// One store's aggregates under one business configuration.
#[derive(Debug, Default)]
pub struct StoreFacts {
    /// Days with kept orders, as days since 1970-01-01, ascending.
    days: Vec<i64>,
    /// The store's channels (string ids of its snapshot); a cell's channel is an index here.
    channels: Vec<Sym>,
    /// `days.len() × channels.len()` cells, day-major.
    cells: Vec<Cell>,
    /// Per cell, its bands, buckets, marketing columns, band costs and hours.
    depths: depth::Depths,
    /// Per cell, its slice of `categories` (offsets, one more than cells).
    category_at: Vec<u32>,
    /// (一级分类名 string id, sums).
    categories: Packed<NarrowCategory>,
    /// Per cell, its slice of `scenes`.
    scene_at: Vec<u32>,
    /// (slot, scene index, sums, orders with a line there): scene indices follow the time-slot
    /// tab's scene list.
    scenes: Packed<NarrowScene>,
    /// Per cell, its slice of `sold_list` while the aggregates are built.
    sold_at: Vec<u32>,
    /// Product keys (string ids) with 销量 > 0, consumables included, sorted per cell, while
    /// the aggregates are built.
    sold_list: Vec<Sym>,
    /// The same, kept compact once built.
    sold: sold::Sold,
    /// Daily points per (product key, channel), consumables left out.
    series: series::ProductSeries,
    /// The customer (normalized 收货地址) of every kept order.
    customers: customers::Customers,
    /// Per cell, (lines a keyword or category placed in a scene, all lines), consumables left
    /// out.
    scene_coverage: Vec<(u32, u32)>,
    /// Per cell, its slice of `delivery`.
    delivery_at: Vec<u32>,
    /// (配送距离 bucket, slot, sums), the time-slot tab's 配送 grid.
    delivery: Packed<NarrowDelivery>,
}

/// The cells a request reads in one store.
pub struct Selection<'f> {
    facts: &'f StoreFacts,
    /// Cell indices.
    cells: Vec<usize>,
}

impl StoreFacts {
    /// The cells of days `from..=to` on `channel` (a string id of the snapshot; `None` = all
    /// channels).
    pub fn select(&self, from: NaiveDate, to: NaiveDate, channel: Option<Sym>) -> Selection<'_> {
        let (from, to) = (day_number(from), day_number(to));
        let start = self.days.partition_point(|&d| d < from);
        let end = self.days.partition_point(|&d| d <= to);
        let n = self.channels.len();
        let wanted: Vec<usize> = (0..n)
            .filter(|&c| channel.is_none_or(|s| self.channels[c] == s))
            .collect();
        let cells = (start..end)
            .flat_map(|d| wanted.iter().map(move |&c| d * n + c))
            .filter(|&k| self.cells[k].orders > 0)
            .collect();
        Selection { facts: self, cells }
    }

    /// The channel string id of each channel index.
    pub fn channels(&self) -> &[Sym] {
        &self.channels
    }

    /// The channel index of string id `sym`.
    pub fn channel_index(&self, sym: Sym) -> Option<u16> {
        self.channels
            .iter()
            .position(|&c| c == sym)
            .map(|i| i as u16)
    }

    /// The daily points per (product key, channel).
    pub fn series(&self) -> &series::ProductSeries {
        &self.series
    }

    /// The customer of every order (kept orders with an address; the rest have none).
    pub fn customers(&self) -> &customers::Customers {
        &self.customers
    }

    /// Heap bytes held by each part of the aggregates, for memory reports: (part, bytes).
    pub fn heap_parts(&self) -> Vec<(&'static str, usize)> {
        fn cap<T>(col: &Vec<T>) -> usize {
            col.capacity() * std::mem::size_of::<T>()
        }
        let (series, points) = self.series.heap_parts();
        vec![
            (
                "facts: days, channels",
                cap(&self.days) + cap(&self.channels),
            ),
            ("facts: cells", cap(&self.cells) + self.depths.heap_bytes()),
            (
                "facts: categories",
                cap(&self.category_at) + self.categories.heap_bytes(),
            ),
            (
                "facts: scenes (with their orders)",
                cap(&self.scene_at) + self.scenes.heap_bytes(),
            ),
            ("facts: sold keys", self.sold.heap_bytes()),
            ("facts: product series", series),
            ("facts: product points", points),
            ("facts: customers", self.customers.heap_bytes()),
            (
                "facts: scene coverage, delivery",
                cap(&self.scene_coverage) + cap(&self.delivery_at) + self.delivery.heap_bytes(),
            ),
        ]
    }

    /// Number of (day, channel) cells and of product points, for memory reports.
    pub fn counts(&self) -> (usize, usize) {
        (self.cells.len(), self.series.point_count())
    }

    /// Days with kept orders within `from..=to` (days since 1970-01-01), in order.
    pub fn days_between(&self, from: i64, to: i64) -> &[i64] {
        let a = self.days.partition_point(|&d| d < from);
        let b = self.days.partition_point(|&d| d <= to);
        &self.days[a..b.max(a)]
    }
}

impl StoreFacts {
    /// Appends `old`'s days `days` (indices into its days), every cell and line group as it
    /// is: `old` has this store's channels, in the same order.
    fn copy_days(&mut self, old: &StoreFacts, days: std::ops::Range<usize>) {
        let n = old.channels.len();
        for d in days {
            self.days.push(old.days[d]);
            for k in d * n..(d + 1) * n {
                self.cells.push(old.cells[k].clone());
                self.depths.push(&old.depths.figures(k));
                let slice = |at: &[u32]| (at[k] as usize, at[k + 1] as usize);
                let (a, b) = slice(&old.category_at);
                old.categories
                    .range(a, b)
                    .for_each(|e| self.categories.push(e));
                self.category_at.push(self.categories.len() as u32);
                let (a, b) = slice(&old.scene_at);
                old.scenes.range(a, b).for_each(|e| self.scenes.push(e));
                self.scene_at.push(self.scenes.len() as u32);
                self.sold_list.extend(old.sold.cell(k));
                self.sold_at.push(self.sold_list.len() as u32);
                self.scene_coverage.push(old.scene_coverage[k]);
                let (a, b) = slice(&old.delivery_at);
                old.delivery.range(a, b).for_each(|e| self.delivery.push(e));
                self.delivery_at.push(self.delivery.len() as u32);
            }
        }
    }
}

impl Selection<'_> {
    /// The selected cells with their day and channel string id.
    pub fn cells(&self) -> impl Iterator<Item = (NaiveDate, Sym, &Cell)> + '_ {
        let n = self.facts.channels.len();
        self.cells.iter().map(move |&k| {
            (
                crate::order::day_from_days(self.facts.days[k / n]),
                self.facts.channels[k % n],
                &self.facts.cells[k],
            )
        })
    }

    /// The selected cells merged.
    pub fn total(&self) -> Cell {
        let mut total = Cell::default();
        for &k in &self.cells {
            total.merge(&self.facts.cells[k]);
        }
        total
    }

    fn slices<'s, N: spill::Narrow>(
        &'s self,
        at: &'s [u32],
        items: &'s Packed<N>,
    ) -> impl Iterator<Item = N::Wide> + 's {
        self.cells
            .iter()
            .flat_map(move |&k| items.range(at[k] as usize, at[k + 1] as usize))
    }

    /// (一级分类名 string id, sums) of every selected cell, unmerged.
    pub fn categories(&self) -> impl Iterator<Item = (Sym, CategorySums)> + '_ {
        self.slices(&self.facts.category_at, &self.facts.categories)
    }

    /// (slot, scene index, sums, orders with a line in that slot × scene) of every selected
    /// cell, unmerged.
    pub fn scenes(&self) -> impl Iterator<Item = (u8, u8, LineSums, u32)> + '_ {
        self.slices(&self.facts.scene_at, &self.facts.scenes)
    }

    /// (lines a keyword or category placed, all lines) of the selected cells, consumables
    /// left out.
    pub fn scene_coverage(&self) -> (u64, u64) {
        self.cells.iter().fold((0, 0), |(p, n), &k| {
            let (a, b) = self.facts.scene_coverage[k];
            (p + u64::from(a), n + u64::from(b))
        })
    }

    /// (配送距离 bucket, slot, sums) of every selected cell, unmerged.
    pub fn delivery(&self) -> impl Iterator<Item = (u8, u8, DeliverySums)> + '_ {
        self.slices(&self.facts.delivery_at, &self.facts.delivery)
    }

    /// Product keys with 销量 > 0 in some selected cell (may repeat).
    pub fn sold(&self) -> impl Iterator<Item = Sym> + '_ {
        self.cells.iter().flat_map(|&k| self.facts.sold.cell(k))
    }
}

/// Days since 1970-01-01.
pub fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

/// A fingerprint of the business rules: aggregates built under other rules are not reused.
/// Every field is named (a new one is a compile error here until it is hashed too); no text is
/// formatted, since every request computes it for every store it reads.
pub fn rules_key(business: &Business) -> u64 {
    let Business {
        fee_channels,
        channel_cards_exclude,
        consumable_category,
        high_margin_pct,
        delivery_cost_alert,
        scene_keywords,
        category_scenes,
        // 今日必做 reads these per request; no aggregate depends on them.
        health: _,
        churn: _,
        today: _,
        pricing: _,
        stores: _,
    } = business;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    fee_channels.hash(&mut h);
    channel_cards_exclude.hash(&mut h);
    consumable_category.hash(&mut h);
    high_margin_pct.to_bits().hash(&mut h);
    delivery_cost_alert.to_bits().hash(&mut h);
    for s in scene_keywords {
        (&s.scene, &s.keywords).hash(&mut h);
    }
    for c in category_scenes {
        (&c.category, &c.scene).hash(&mut h);
    }
    h.finish()
}

/// The aggregates of `snap` under `business`, built on first use and kept with the snapshot:
/// from the replaced snapshot's for the days an upload left alone when they were built
/// (`splice.rs`), else from every line.
pub fn facts(snap: &StoreSnapshot, business: &Business) -> Arc<StoreFacts> {
    let key = rules_key(business);
    snap.derived(key, |snap| {
        snap.take_previous(key)
            .and_then(|(old, lineage)| {
                let old = old.downcast::<StoreFacts>().ok()?;
                splice::splice(&old, &lineage, snap, business)
            })
            .unwrap_or_else(|| build::build(snap, business))
    })
}

#[cfg(test)]
mod tests;
