//! 时段场景 (`timeslots`): orders and sales per time slot of the day, each line's consumption
//! scene, and the slot × scene heatmap (docs/metrics.md §时段场景).
//!
//! A slot holds the kept orders whose hour (of 下单时间) falls in it, with **all** their lines,
//! consumables included. A line's scene is, in this order of precedence:
//! 1. the first scene of `[business] scene_keywords` one of whose keywords the 商品名称 contains;
//! 2. else the scene of its 一级分类名 in `[business] category_scenes` (the first entry wins);
//! 3. else its slot's default scene: 清晨/上午 → 早餐, 正午 → 午餐, 下午 → 下午茶, 傍晚 → 晚餐,
//!    晚间/深夜/凌晨 → 夜宵 (see [`SLOTS`]).
//!
//! The category rule takes the exact name, else a configured name the category contains, else
//! one that contains the category (`Scenes::by_category`). The 配送 grid is in [`delivery`].

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use storeboard_data::StoreSnapshot;

pub use self::delivery::Delivery;
pub use self::products::SceneProducts;
use crate::config::Business;
use crate::filters::Filters;
use crate::order::{orders, pct, ratio};

/// The eight slots in display order: (name, first hour, end hour exclusive, default scene).
pub const SLOTS: [(&str, u32, u32, &str); 8] = [
    ("清晨", 6, 9, "早餐"),
    ("上午", 9, 12, "早餐"),
    ("正午", 12, 14, "午餐"),
    ("下午", 14, 18, "下午茶"),
    ("傍晚", 18, 21, "晚餐"),
    ("晚间", 21, 24, "夜宵"),
    ("深夜", 0, 3, "夜宵"),
    ("凌晨", 3, 6, "夜宵"),
];

/// Index in [`SLOTS`] of the slot holding `hour` (0–23).
pub fn slot_of(hour: u32) -> usize {
    SLOTS
        .iter()
        .position(|&(_, from, to, _)| (from..to).contains(&hour))
        .unwrap_or(0)
}

/// One time slot's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotRow {
    /// Slot name (清晨).
    pub slot: String,
    /// First hour, inclusive.
    pub start_hour: u32,
    /// Last hour, exclusive (24 for midnight).
    pub end_hour: u32,
    /// The scene of lines that neither a keyword nor a category places.
    pub default_scene: String,
    /// Orders.
    pub orders: usize,
    /// Lines of those orders, consumables included.
    pub lines: usize,
    /// 商品实收额 Σ 实收价格 × 销量.
    pub sales: f64,
    /// Sales / orders; `null` without orders.
    pub avg_order_value: Option<f64>,
    /// Gross profit Σ 利润额.
    pub profit: f64,
    /// Profit / sales × 100; `null` when sales is 0.
    pub margin_pct: Option<f64>,
}

/// One scene's totals over all slots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SceneRow {
    /// Scene name (早餐).
    pub scene: String,
    /// Lines placed in it.
    pub lines: usize,
    /// Orders with at least one line in it (an order may count in several scenes).
    pub orders: usize,
    /// Sales / orders: what an order spends on the scene; `null` without orders.
    pub avg_order_value: Option<f64>,
    /// Σ 销量.
    pub quantity: f64,
    /// Σ 实收价格 × 销量.
    pub sales: f64,
    /// Σ 利润额.
    pub profit: f64,
    /// Profit / sales × 100; `null` when sales is 0.
    pub margin_pct: Option<f64>,
}

/// One heatmap cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cell {
    /// Σ 实收价格 × 销量 of the slot's lines in the scene.
    pub sales: f64,
    /// Lines.
    pub lines: usize,
    /// Orders of the slot with at least one line in the scene.
    pub orders: usize,
    /// Σ 利润额 of those lines.
    pub profit: f64,
}

/// The slot × scene heatmap: `cells[slot][scene]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heatmap {
    /// Row labels: the eight slots in [`SLOTS`] order.
    pub slots: Vec<String>,
    /// Column labels: the scenes of `scene_keywords`, then new ones of `category_scenes`, then
    /// the slot defaults, each once in first-seen order (stable for a given configuration).
    pub scenes: Vec<String>,
    /// One row per slot, one cell per scene.
    pub cells: Vec<Vec<Cell>>,
}

/// The whole time-slot tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeslots {
    /// The filters it was computed for.
    pub filters: Filters,
    /// True when no order matched.
    pub empty: bool,
    /// Always the eight slots, in [`SLOTS`] order.
    pub slots: Vec<SlotRow>,
    /// Every scene, in the heatmap's column order.
    pub scenes: Vec<SceneRow>,
    /// The slot × scene heatmap.
    pub heatmap: Heatmap,
    /// Share (%) of the lines, consumables left out, that a keyword or their category placed
    /// in a scene (the rest took their slot's default); `null` without such lines.
    pub scene_coverage_pct: Option<f64>,
    /// 配送: distance bucket × slot orders and 配送净成本 ([`delivery`]).
    pub delivery: Delivery,
    /// 商品 × 场景: each scene's best sellers ([`products`]; from the product points in both
    /// paths).
    pub product_scenes: Vec<SceneProducts>,
}

/// The configured scenes and how a line finds its own.
pub(crate) struct Scenes<'b> {
    pub(crate) names: Vec<&'b str>,
    /// (keyword, scene) in configuration order; empty keywords are skipped.
    keywords: Vec<(&'b str, usize)>,
    /// Exact 一级分类名 → scene (the first entry wins).
    categories: HashMap<&'b str, usize>,
    /// (category, scene) in configuration order, for the substring rules.
    category_list: Vec<(&'b str, usize)>,
    pub(crate) defaults: [usize; 8],
}

impl<'b> Scenes<'b> {
    pub(crate) fn new(business: &'b Business) -> Self {
        let mut names: Vec<&'b str> = Vec::new();
        let mut index = |name: &'b str| match names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                names.push(name);
                names.len() - 1
            }
        };
        let mut keywords = Vec::new();
        for s in &business.scene_keywords {
            let i = index(&s.scene);
            keywords.extend(
                s.keywords
                    .iter()
                    .filter(|k| !k.is_empty())
                    .map(|k| (k.as_str(), i)),
            );
        }
        let (mut categories, mut category_list) = (HashMap::new(), Vec::new());
        for c in &business.category_scenes {
            let i = index(&c.scene);
            categories.entry(c.category.as_str()).or_insert(i);
            if !c.category.is_empty() {
                category_list.push((c.category.as_str(), i));
            }
        }
        let defaults = SLOTS.map(|(_, _, _, scene)| index(scene));
        Self {
            names,
            keywords,
            categories,
            category_list,
            defaults,
        }
    }

    /// The scene a keyword gives a product name, if any.
    pub(crate) fn by_keyword(&self, name: &str) -> Option<usize> {
        self.keywords
            .iter()
            .find(|(k, _)| name.contains(k))
            .map(|&(_, i)| i)
    }

    /// The scene of 一级分类名 `category`, if any: the exact name, else the first configured
    /// name the category contains (饮料 in 碳酸饮料), else the first configured name that
    /// contains a category of two characters or more (饮料 in 酒水饮料).
    pub(crate) fn by_category(&self, category: &str) -> Option<usize> {
        if category.is_empty() {
            return None;
        }
        let found = |hit: &dyn Fn(&str) -> bool| {
            self.category_list
                .iter()
                .find(|(c, _)| hit(c))
                .map(|&(_, i)| i)
        };
        self.categories
            .get(category)
            .copied()
            .or_else(|| found(&|c| category.contains(c)))
            .or_else(|| {
                (category.chars().count() >= 2)
                    .then(|| found(&|c| c.contains(category)))
                    .flatten()
            })
    }
}

/// Running totals: per slot (orders, lines, sales, profit), per scene (lines, quantity, sales,
/// profit), per cell, orders per scene, the lines placed by a keyword or category and all
/// lines (consumables left out), and the delivery grid.
struct Acc {
    slots: [(usize, usize, f64, f64); 8],
    scenes: Vec<(usize, f64, f64, f64)>,
    cells: Vec<Vec<Cell>>,
    scene_orders: Vec<usize>,
    coverage: (u64, u64),
    delivery: delivery::Grid,
}

pub mod delivery;
mod from_facts;
mod from_lines;
pub mod products;

/// Computes the time-slot tab over the kept orders of `filters` (fee-channel filter applied),
/// from the stores' aggregates ([`crate::facts`]): `O(stores × days × channels)` cells and
/// their (slot, scene) groups, nothing read from the lines.
pub fn timeslots(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Timeslots {
    let store_days = snaps.len() as i64 * filters.days();
    on_threads(snaps, filters, business, store_days >= PARALLEL_STORE_DAYS)
}

/// [`timeslots`] on one thread, or on two when `parallel`.
fn on_threads(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    parallel: bool,
) -> Timeslots {
    let scenes = Scenes::new(business);
    let n = scenes.names.len();
    if !parallel {
        let (acc, empty) = from_facts::accumulate(snaps, filters, business, n);
        let products = products::product_scenes(snaps, filters, business, &scenes);
        return assemble(filters, business, empty, &scenes, (acc, products));
    }
    // 商品 × 场景 reads every product series of the period, the rest every cell: about half the
    // work each, so a chain's year is answered on two threads (the machines have two cores).
    let ((acc, empty), products) = std::thread::scope(|scope| {
        let products = scope.spawn(|| products::product_scenes(snaps, filters, business, &scenes));
        let acc = from_facts::accumulate(snaps, filters, business, n);
        let products = products
            .join()
            .unwrap_or_else(|_| products::product_scenes(snaps, filters, business, &scenes));
        (acc, products)
    });
    assemble(filters, business, empty, &scenes, (acc, products))
}

/// From this many store-days (stores × days asked) the tab is computed on two threads: below
/// it a thread costs more than it saves (one store's year, a chain's month: 1–14 ms).
const PARALLEL_STORE_DAYS: i64 = 2_000;

/// The time-slot tab computed from the raw lines, order by order: the reference the
/// aggregates are checked against in tests, and the baseline the benches time them against.
pub fn timeslots_from_lines(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Timeslots {
    let kept = orders(snaps, filters, business);
    let scenes = Scenes::new(business);
    let acc = from_lines::accumulate(&kept, &scenes, business);
    let products = products::product_scenes(snaps, filters, business, &scenes);
    assemble(filters, business, kept.is_empty(), &scenes, (acc, products))
}

fn assemble(
    filters: &Filters,
    business: &Business,
    empty: bool,
    scenes: &Scenes<'_>,
    (acc, product_scenes): (Acc, Vec<SceneProducts>),
) -> Timeslots {
    let slots = SLOTS
        .iter()
        .zip(acc.slots)
        .map(
            |(&(slot, start_hour, end_hour, default), (n, lines, sales, profit))| SlotRow {
                slot: slot.to_owned(),
                start_hour,
                end_hour,
                default_scene: default.to_owned(),
                orders: n,
                lines,
                sales,
                avg_order_value: ratio(sales, n as f64),
                profit,
                margin_pct: pct(profit, sales),
            },
        )
        .collect();
    let scene_rows = scenes
        .names
        .iter()
        .zip(acc.scenes)
        .zip(acc.scene_orders)
        .map(
            |((name, (lines, quantity, sales, profit)), orders)| SceneRow {
                scene: (*name).to_owned(),
                lines,
                orders,
                avg_order_value: ratio(sales, orders as f64),
                quantity,
                sales,
                profit,
                margin_pct: pct(profit, sales),
            },
        )
        .collect();
    Timeslots {
        filters: filters.clone(),
        empty,
        slots,
        scenes: scene_rows,
        heatmap: Heatmap {
            slots: SLOTS.iter().map(|s| s.0.to_owned()).collect(),
            scenes: scenes.names.iter().map(|s| (*s).to_owned()).collect(),
            cells: acc.cells,
        },
        scene_coverage_pct: pct(acc.coverage.0 as f64, acc.coverage.1 as f64),
        delivery: delivery::assemble(&acc.delivery, business),
        product_scenes,
    }
}

#[cfg(test)]
mod tests;
