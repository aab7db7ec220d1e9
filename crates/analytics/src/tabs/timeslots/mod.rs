//! 时段场景 (`timeslots`): orders and sales per time slot of the day, each line's consumption
//! scene, and the slot × scene heatmap (docs/metrics.md §时段场景).
//!
//! A slot holds the kept orders whose hour (of 下单时间) falls in it, with **all** their lines,
//! consumables included. A line's scene is, in this order of precedence:
//! 1. the first scene of `[business] scene_keywords` one of whose keywords the 商品名称 contains;
//! 2. else the scene of its 一级分类名 in `[business] category_scenes` (the first entry wins);
//! 3. else its slot's default scene: 清晨/上午 → 早餐, 正午 → 午餐, 下午 → 下午茶, 傍晚 → 晚餐,
//!    晚间/深夜/凌晨 → 夜宵 (see [`SLOTS`]).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use storeboard_data::dataset::Sym;
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use crate::order::{line_col, orders, pct, ratio, units, yuan, OrderFigures};

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
}

/// The configured scenes and how a line finds its own.
pub(crate) struct Scenes<'b> {
    pub(crate) names: Vec<&'b str>,
    /// (keyword, scene) in configuration order; empty keywords are skipped.
    keywords: Vec<(&'b str, usize)>,
    pub(crate) categories: HashMap<&'b str, usize>,
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
        let mut categories = HashMap::new();
        for c in &business.category_scenes {
            let i = index(&c.scene);
            categories.entry(c.category.as_str()).or_insert(i);
        }
        let defaults = SLOTS.map(|(_, _, _, scene)| index(scene));
        Self {
            names,
            keywords,
            categories,
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
}

/// Running totals: per slot (orders, lines, sales, profit), per scene (lines, quantity, sales,
/// profit), per cell.
struct Acc {
    slots: [(usize, usize, f64, f64); 8],
    scenes: Vec<(usize, f64, f64, f64)>,
    cells: Vec<Vec<Cell>>,
}

mod from_facts;

fn accumulate(kept: &[OrderFigures<'_>], scenes: &Scenes<'_>) -> Acc {
    let n = scenes.names.len();
    let mut acc = Acc {
        slots: [(0, 0, 0.0, 0.0); 8],
        scenes: vec![(0, 0.0, 0.0, 0.0); n],
        cells: vec![vec![Cell::default(); n]; SLOTS.len()],
    };
    let (actual, profit) = (line_col(Column::ActualPrice), line_col(Column::Profit));
    // Keyword scene per product name, per snapshot (orders come grouped by snapshot).
    let mut cache: (*const StoreSnapshot, HashMap<Sym, Option<usize>>) =
        (std::ptr::null(), HashMap::new());
    for o in kept {
        if !std::ptr::eq(cache.0, o.snap) {
            cache = (o.snap, HashMap::new());
        }
        let (data, slot) = (&o.snap.data, slot_of(o.hour));
        let s = &mut acc.slots[slot];
        (s.0, s.1, s.2, s.3) = (
            s.0 + 1,
            s.1 + o.lines.len(),
            s.2 + o.sales,
            s.3 + o.line_profit,
        );
        let l = &data.lines;
        for j in o.lines.clone() {
            let keyword = *cache
                .1
                .entry(l.product[j])
                .or_insert_with(|| scenes.by_keyword(data.strings.get(l.product[j])));
            let category = data.strings.get(l.category1[j]);
            let scene = keyword
                .or_else(|| scenes.categories.get(category).copied())
                .unwrap_or(scenes.defaults[slot]);
            let (quantity, line_profit) = (units(l.quantity[j]), yuan(l.money[profit][j]));
            let sales = yuan(l.money[actual][j]) * quantity;
            let t = &mut acc.scenes[scene];
            (t.0, t.1, t.2, t.3) = (t.0 + 1, t.1 + quantity, t.2 + sales, t.3 + line_profit);
            let cell = &mut acc.cells[slot][scene];
            (cell.sales, cell.lines) = (cell.sales + sales, cell.lines + 1);
        }
    }
    acc
}

/// Computes the time-slot tab over the kept orders of `filters` (fee-channel filter applied),
/// from the stores' aggregates ([`crate::facts`]): `O(stores × days × channels)` cells and
/// their (slot, scene) groups, nothing read from the lines.
pub fn timeslots(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Timeslots {
    let scenes = Scenes::new(business);
    let (acc, empty) = from_facts::accumulate(snaps, filters, business, scenes.names.len());
    assemble(filters, empty, &scenes, acc)
}

/// The time-slot tab computed from the raw lines, order by order: the reference the
/// aggregates are checked against in tests, and the baseline the benches time them against.
pub fn timeslots_from_lines(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Timeslots {
    let kept = orders(snaps, filters, business);
    let scenes = Scenes::new(business);
    let acc = accumulate(&kept, &scenes);
    assemble(filters, kept.is_empty(), &scenes, acc)
}

fn assemble(filters: &Filters, empty: bool, scenes: &Scenes<'_>, acc: Acc) -> Timeslots {
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
        .map(|(name, (lines, quantity, sales, profit))| SceneRow {
            scene: (*name).to_owned(),
            lines,
            quantity,
            sales,
            profit,
            margin_pct: pct(profit, sales),
        })
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::snapshots;
    use chrono::NaiveDate;

    const HEADER: &str = "订单ID,下单时间,门店名称,商品名称,销量,实收价格,利润额,一级分类名\n";

    /// The tab of `rows` (after [`HEADER`]) on 2026-11-02 for `store` (all when `None`).
    fn tab(rows: &str, store: Option<&str>) -> Timeslots {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("valid");
        let filters = Filters {
            store: store.map(str::to_owned),
            from: day,
            to: day,
            channel: None,
            requested: None,
        };
        timeslots(
            &snapshots(&format!("{HEADER}{rows}")),
            &filters,
            &Business::default(),
        )
    }

    fn scene(t: &Timeslots, name: &str) -> usize {
        let i = t.heatmap.scenes.iter().position(|s| s == name);
        i.unwrap_or_else(|| panic!("no scene {name} in {:?}", t.heatmap.scenes))
    }

    #[test]
    fn slot_boundaries_are_lower_inclusive_hours_and_all_eight_slots_are_listed() {
        const ROWS: &str = "T1,2026-11-02 08:59,一号店,扳手,1,1.00,0.10,五金
T2,2026-11-02 09:00,一号店,扳手,1,1.00,0.10,五金
T3,2026-11-02 00:00,一号店,扳手,1,1.00,0.10,五金
T4,2026-11-02 23:59,一号店,扳手,1,1.00,0.10,五金
T5,2026-11-02 05:59,一号店,扳手,1,1.00,0.10,五金
T6,2026-11-02 06:00,一号店,扳手,1,1.00,0.10,五金
";
        let t = tab(ROWS, None);
        let names: Vec<&str> = t.slots.iter().map(|s| s.slot.as_str()).collect();
        assert_eq!(
            names,
            ["清晨", "上午", "正午", "下午", "傍晚", "晚间", "深夜", "凌晨"]
        );
        let orders: Vec<usize> = t.slots.iter().map(|s| s.orders).collect();
        assert_eq!(
            orders,
            [2, 1, 0, 0, 0, 1, 1, 1],
            "08:59 清晨, 09:00 上午, 00:00 深夜"
        );
        assert_eq!(t.slots[2].avg_order_value, None);
    }

    #[test]
    fn a_slot_counts_every_line_of_its_orders_consumables_included() {
        const ROWS: &str = "N1,2026-11-02 12:30,一号店,可乐,2,5.00,4.00,酒水饮料
N1,2026-11-02 12:30,一号店,打包袋,1,0.50,0.30,耗材
N2,2026-11-02 13:59,一号店,薯片,1,9.50,3.00,休闲食品
";
        let noon = &tab(ROWS, None).slots[2];
        assert_eq!(
            (noon.slot.as_str(), noon.orders, noon.lines),
            ("正午", 2, 3)
        );
        assert!((noon.sales - 20.0).abs() < 1e-9 && (noon.profit - 7.3).abs() < 1e-9);
        assert!((noon.avg_order_value.unwrap_or_default() - 10.0).abs() < 1e-9);
        assert!((noon.margin_pct.unwrap_or_default() - 36.5).abs() < 1e-9);
    }

    #[test]
    fn a_keyword_beats_the_category_which_beats_the_slot_default() {
        const ROWS: &str = "S1,2026-11-02 18:30,一号店,牛奶巧克力,1,6.00,2.00,酒水饮料
S1,2026-11-02 18:30,一号店,雪饼,2,3.00,1.00,休闲食品
S1,2026-11-02 18:30,一号店,扳手,1,20.00,5.00,五金
";
        let t = tab(ROWS, None);
        let dusk = &t.heatmap.cells[4];
        let at = |name| dusk[scene(&t, name)];
        assert_eq!(
            at("早餐"),
            Cell {
                sales: 6.0,
                lines: 1
            },
            "牛奶 before 巧克力 and 酒水"
        );
        assert_eq!(
            at("休闲零食"),
            Cell {
                sales: 6.0,
                lines: 1
            },
            "雪饼 by its category"
        );
        assert_eq!(
            at("晚餐"),
            Cell {
                sales: 20.0,
                lines: 1
            },
            "傍晚's default"
        );
        assert_eq!(at("饮品解渴"), Cell::default());
        let snack = &t.scenes[scene(&t, "休闲零食")];
        assert_eq!((snack.lines, snack.quantity, snack.profit), (1, 2.0, 1.0));
    }

    #[test]
    fn nothing_matched_gives_eight_zero_slots_and_a_zero_heatmap_with_stable_columns() {
        let t = tab(
            "Z1,2026-11-02 08:00,一号店,豆浆,1,3.00,1.00,乳品烘焙\n",
            Some("无"),
        );
        assert!(t.empty);
        assert_eq!(t.slots.len(), 8);
        assert!(t.slots.iter().all(|s| s.orders == 0 && s.sales == 0.0));
        let columns = [
            "早餐",
            "夜宵",
            "日用补充",
            "休闲零食",
            "饮品解渴",
            "午餐",
            "下午茶",
            "晚餐",
        ];
        assert_eq!(t.heatmap.scenes, columns);
        assert_eq!(t.scenes.len(), columns.len());
        assert!(t
            .heatmap
            .cells
            .iter()
            .flatten()
            .all(|c| *c == Cell::default()));
        assert_eq!(t.heatmap.cells.len(), 8);
    }
}
