//! Building a store's aggregates: one pass over its orders and lines.
//!
//! Cost: `O(lines)` once per snapshot (at upload or start-up, or the first request after), then
//! never again for that snapshot.

// foldhash (randomly seeded), not SipHash: these maps are filled once per line or order
// when a store's aggregates are built, where SipHash was a tenth of the build.
use foldhash::HashMap;

use storeboard_data::dataset::Sym;
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use super::customers::CustomersBuilder;
use super::depth::Building;
use super::series::SeriesBuilder;
use super::{CategorySums, Cell, DeliverySums, LineSums, StoreFacts};
use crate::config::Business;
use crate::order::{
    below_cost, cents, cents_to_yuan, exact, line_col, order_col, Exact, Rules, MARKETING,
};
use crate::overview::{AOV_BOUNDS, PROFIT_BOUNDS};
use crate::timeslots::delivery::bucket_of;
use crate::timeslots::{slot_of, Scenes};

/// One channel's running sums for the day being built.
#[derive(Default)]
struct ChannelDay {
    cell: Cell,
    /// The cell's bands, buckets, marketing columns, band costs and hours.
    depth: Building,
    categories: HashMap<Sym, CategorySums>,
    scenes: HashMap<(u8, u8), LineSums>,
    sold: Vec<Sym>,
    /// Orders per (slot, scene) with a line there.
    scene_orders: HashMap<(u8, u8), u32>,
    /// (lines placed by a keyword or category, all lines), consumables left out.
    scene_coverage: (u32, u32),
    /// Per (配送距离 bucket, slot).
    delivery: HashMap<(u8, u8), DeliverySums>,
}

/// How a line finds its scene: keyword scenes per product name, category scenes per category,
/// each looked up once per string id.
pub(super) struct SceneOf<'b> {
    scenes: Scenes<'b>,
    keyword: HashMap<Sym, Option<usize>>,
    category: HashMap<Sym, Option<usize>>,
}

impl SceneOf<'_> {
    /// Line `j`'s scene, and whether a keyword or its category gave it (not the slot).
    fn scene(&mut self, snap: &StoreSnapshot, j: usize, slot: usize) -> (usize, bool) {
        let (l, strings) = (&snap.data.lines, &snap.data.strings);
        let scenes = &self.scenes;
        let keyword = *self
            .keyword
            .entry(l.product[j])
            .or_insert_with(|| scenes.by_keyword(strings.get(l.product[j])));
        let category = || {
            *self
                .category
                .entry(l.category1[j])
                .or_insert_with(|| scenes.by_category(strings.get(l.category1[j])))
        };
        let found = keyword.or_else(category);
        (found.unwrap_or(scenes.defaults[slot]), found.is_some())
    }
}

fn band(bounds: &[f64], value: f64) -> usize {
    bounds.iter().rposition(|&b| value >= b).unwrap_or(0)
}

/// Adds one kept order to its cell.
fn add_order(c: &mut Cell, e: &Exact, alert: f64) {
    c.orders += 1;
    c.sales += e.sales;
    c.line_profit += e.line_profit;
    c.fee += e.fee;
    c.profit += e.profit;
    c.marketing += e.marketing;
    c.product_discount += e.product_discount;
    c.delivery_net += e.delivery_net;
    c.product_cost += e.product_cost;
    c.consumable_cost += e.consumable_cost;
    c.gmv += e.gmv;
    c.loss_orders += u32::from(e.profit < 0);
    c.high_delivery += u32::from(cents_to_yuan(e.delivery_net) > alert);
    c.profitable_orders += u32::from(e.profit > 0);
}

/// Adds one kept order's distributions: its AOV band, profit bucket and total cost there, its
/// hour, and its seven marketing columns.
fn add_depth(d: &mut Building, snap: &StoreSnapshot, i: usize, e: &Exact) {
    // Classified on the same yuan values the per-order path uses: exact conversions of exact
    // sums, so both paths put an order on a bound in the same band.
    let aov = band(&AOV_BOUNDS, e.sales_yuan());
    let bucket = band(&PROFIT_BOUNDS, e.profit_yuan());
    d.add_bins(aov, bucket, e.sales, e.profit, e.total_cost());
    let lines = e.lines.len() as i64;
    d.add_hour(e.hour.min(23) as usize, lines, e.sales, e.line_profit);
    let money = &snap.data.orders.money;
    for (c, col) in MARKETING.into_iter().enumerate() {
        d.add_marketing(c, cents(money[order_col(col)][i]));
    }
}

/// Adds one kept order's lines to its channel's line groups.
fn add_lines(
    acc: &mut ChannelDay,
    snap: &StoreSnapshot,
    e: &Exact,
    scene_of: &mut SceneOf<'_>,
    consumable: Option<Sym>,
) {
    let l = &snap.data.lines;
    let (actual, profit, cost) = (
        &l.money[line_col(Column::ActualPrice)],
        &l.money[line_col(Column::Profit)],
        &l.money[line_col(Column::Cost)],
    );
    let slot = slot_of(e.hour);
    let mut touched: Vec<u8> = Vec::new();
    for j in e.lines.clone() {
        let quantity = i64::from(l.quantity[j]);
        let sums = LineSums {
            lines: 1,
            quantity,
            sales: cents(actual[j]) * quantity,
            profit: cents(profit[j]),
        };
        let category = acc.categories.entry(l.category1[j]).or_default();
        category.sums.merge(&sums);
        category.cost += cents(cost[j]);
        let (scene, placed) = scene_of.scene(snap, j, slot);
        let scene = scene.min(255) as u8;
        acc.scenes
            .entry((slot as u8, scene))
            .or_default()
            .merge(&sums);
        if !touched.contains(&scene) {
            touched.push(scene);
        }
        if quantity > 0 {
            acc.sold.push(l.key[j]);
        }
        let bought = consumable.is_none_or(|c| l.category1[j] != c);
        if bought && below_cost(l.quantity[j], actual[j], cost[j]).is_some() {
            acc.cell.price_anomalies += 1;
        }
        if bought {
            acc.scene_coverage.0 += u32::from(placed);
            acc.scene_coverage.1 += 1;
        }
    }
    for scene in touched {
        *acc.scene_orders.entry((slot as u8, scene)).or_default() += 1;
    }
}

/// Adds kept order `i` to its channel's 配送距离 bucket × slot.
fn add_delivery(acc: &mut ChannelDay, snap: &StoreSnapshot, i: usize, e: &Exact, alert: f64) {
    let bucket = bucket_of(snap.data.orders.distance[i]);
    let d = acc
        .delivery
        .entry((bucket as u8, slot_of(e.hour) as u8))
        .or_default();
    d.orders += 1;
    d.delivery_net += e.delivery_net;
    d.over_alert += u32::from(cents_to_yuan(e.delivery_net) > alert);
}

impl StoreFacts {
    /// Appends one day's cells (every channel, in channel order) and their line groups.
    fn push_day(&mut self, day: i64, acc: &mut [ChannelDay]) {
        self.days.push(day);
        for c in acc.iter_mut() {
            let c = std::mem::take(c);
            self.cells.push(c.cell);
            self.depths.push(&c.depth);
            let mut categories: Vec<(Sym, CategorySums)> = c.categories.into_iter().collect();
            categories.sort_unstable_by_key(|(s, _)| *s);
            categories.into_iter().for_each(|e| self.categories.push(e));
            self.category_at.push(self.categories.len() as u32);
            let mut scenes: Vec<(u8, u8, LineSums)> =
                c.scenes.into_iter().map(|((s, k), v)| (s, k, v)).collect();
            scenes.sort_unstable_by_key(|(s, k, _)| (*s, *k));
            for (s, k, sums) in scenes {
                let orders = c.scene_orders.get(&(s, k)).copied().unwrap_or_default();
                self.scenes.push((s, k, sums, orders));
            }
            self.scene_at.push(self.scenes.len() as u32);
            let mut sold = c.sold;
            sold.sort_unstable();
            sold.dedup();
            self.sold_list.extend(sold);
            self.sold_at.push(self.sold_list.len() as u32);
            self.scene_coverage.push(c.scene_coverage);
            let mut delivery: Vec<(u8, u8, DeliverySums)> = c
                .delivery
                .into_iter()
                .map(|((b, s), v)| (b, s, v))
                .collect();
            delivery.sort_unstable_by_key(|(b, s, _)| (*b, *s));
            delivery.into_iter().for_each(|e| self.delivery.push(e));
            self.delivery_at.push(self.delivery.len() as u32);
        }
    }
}

/// A store's aggregates while they are built: the cells of the days pushed so far, the running
/// sums of the day being read, and the series and customers of the orders read.
pub(super) struct Builder<'b> {
    rules: Rules,
    scene_of: SceneOf<'b>,
    /// Channel index of each channel string id.
    index: HashMap<Sym, usize>,
    pub(super) facts: StoreFacts,
    acc: Vec<ChannelDay>,
    pub(super) series: SeriesBuilder,
    pub(super) customers: CustomersBuilder,
    /// The day being read.
    current: Option<i64>,
    alert: f64,
}

impl<'b> Builder<'b> {
    /// An empty build of `snap`'s aggregates under `business`.
    pub(super) fn new(snap: &StoreSnapshot, business: &'b Business) -> Self {
        let channels = snap.channel_syms().to_vec();
        let index = channels.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        Self {
            rules: Rules::new(snap, business),
            scene_of: SceneOf {
                scenes: Scenes::new(business),
                keyword: HashMap::default(),
                category: HashMap::default(),
            },
            index,
            acc: (0..channels.len()).map(|_| ChannelDay::default()).collect(),
            facts: StoreFacts {
                channels,
                category_at: vec![0],
                scene_at: vec![0],
                sold_at: vec![0],
                delivery_at: vec![0],
                ..StoreFacts::default()
            },
            series: SeriesBuilder::default(),
            customers: CustomersBuilder::new(snap),
            current: None,
            alert: business.delivery_cost_alert,
        }
    }

    /// Reads `snap`'s orders `range` (whole days, after every day pushed so far).
    pub(super) fn orders(&mut self, snap: &StoreSnapshot, range: std::ops::Range<usize>) {
        let alert = self.alert;
        for i in range {
            let Some(e) = exact(snap, i, &self.rules) else {
                continue;
            };
            if self.current.is_some_and(|d| d != e.day) {
                self.flush();
            }
            self.current = Some(e.day);
            self.customers.add(snap, i);
            let Some(&c) = self.index.get(&snap.data.orders.channel[i]) else {
                continue;
            };
            let acc = &mut self.acc[c];
            add_order(&mut acc.cell, &e, alert);
            add_depth(&mut acc.depth, snap, i, &e);
            add_lines(acc, snap, &e, &mut self.scene_of, self.rules.consumable);
            add_delivery(acc, snap, i, &e, alert);
            self.series
                .add(snap, i, &e, c as u16, self.rules.consumable);
        }
        self.flush();
    }

    /// Pushes the day being read, if any.
    fn flush(&mut self) {
        if let Some(day) = self.current.take() {
            self.facts.push_day(day, &mut self.acc);
        }
    }
}

/// The aggregates of `snap` under `business`.
pub(super) fn build(snap: &StoreSnapshot, business: &Business) -> StoreFacts {
    let mut b = Builder::new(snap, business);
    b.orders(snap, 0..snap.data.order_count());
    let mut facts = b.facts;
    facts.series = b.series.finish();
    facts.customers = b.customers.finish();
    facts.shrink();
    facts
}

impl StoreFacts {
    pub(super) fn shrink(&mut self) {
        self.days.shrink_to_fit();
        self.cells.shrink_to_fit();
        self.depths.shrink_to_fit();
        self.category_at.shrink_to_fit();
        self.categories.shrink_to_fit();
        self.scene_at.shrink_to_fit();
        self.scenes.shrink_to_fit();
        self.scene_coverage.shrink_to_fit();
        self.delivery_at.shrink_to_fit();
        self.delivery.shrink_to_fit();
        let (at, list) = (
            std::mem::take(&mut self.sold_at),
            std::mem::take(&mut self.sold_list),
        );
        self.sold = super::sold::Sold::new(at, list);
    }
}
