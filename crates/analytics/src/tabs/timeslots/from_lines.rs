//! The time-slot sums read from the raw lines, order by order: the reference the aggregates
//! ([`super::from_facts`]) are checked against.

use std::collections::HashMap;

use storeboard_data::dataset::Sym;
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use super::delivery::{bucket_of, Grid};
use super::{slot_of, Acc, Cell, Scenes, SLOTS};
use crate::config::Business;
use crate::order::{line_col, units, yuan, OrderFigures};

/// The scene of each product name and category of one snapshot: `(scene, placed)`, placed
/// when a keyword or the category gave it (not the slot's default).
struct Lookup<'s, 'b> {
    scenes: &'s Scenes<'b>,
    snap: *const StoreSnapshot,
    keyword: HashMap<Sym, Option<usize>>,
    category: HashMap<Sym, Option<usize>>,
}

impl Lookup<'_, '_> {
    fn scene(&mut self, snap: &StoreSnapshot, j: usize, slot: usize) -> (usize, bool) {
        if !std::ptr::eq(self.snap, snap) {
            (self.snap, self.keyword, self.category) = (snap, HashMap::new(), HashMap::new());
        }
        let (l, strings, scenes) = (&snap.data.lines, &snap.data.strings, self.scenes);
        let keyword = *self
            .keyword
            .entry(l.product[j])
            .or_insert_with(|| scenes.by_keyword(strings.get(l.product[j])));
        let found = keyword.or_else(|| {
            *self
                .category
                .entry(l.category1[j])
                .or_insert_with(|| scenes.by_category(strings.get(l.category1[j])))
        });
        (found.unwrap_or(scenes.defaults[slot]), found.is_some())
    }
}

/// Adds one order's lines to its slot's scenes; returns the scenes it touched.
fn add_lines(
    acc: &mut Acc,
    o: &OrderFigures<'_>,
    slot: usize,
    look: &mut Lookup<'_, '_>,
    consumable: &str,
) -> Vec<usize> {
    let (actual, profit) = (line_col(Column::ActualPrice), line_col(Column::Profit));
    let (data, mut touched) = (&o.snap.data, Vec::new());
    let l = &data.lines;
    for j in o.lines.clone() {
        let (scene, placed) = look.scene(o.snap, j, slot);
        if data.strings.get(l.category1[j]) != consumable {
            acc.coverage.0 += u64::from(placed);
            acc.coverage.1 += 1;
        }
        let (quantity, line_profit) = (units(l.quantity[j]), yuan(l.money[profit][j]));
        let sales = yuan(l.money[actual][j]) * quantity;
        let t = &mut acc.scenes[scene];
        (t.0, t.1, t.2, t.3) = (t.0 + 1, t.1 + quantity, t.2 + sales, t.3 + line_profit);
        let cell = &mut acc.cells[slot][scene];
        (cell.sales, cell.lines) = (cell.sales + sales, cell.lines + 1);
        cell.profit += line_profit;
        if !touched.contains(&scene) {
            touched.push(scene);
        }
    }
    touched
}

/// The sums of the kept orders, read line by line.
pub(super) fn accumulate(
    kept: &[OrderFigures<'_>],
    scenes: &Scenes<'_>,
    business: &Business,
) -> Acc {
    let n = scenes.names.len();
    let mut acc = Acc {
        slots: [(0, 0, 0.0, 0.0); 8],
        scenes: vec![(0, 0.0, 0.0, 0.0); n],
        cells: vec![vec![Cell::default(); n]; SLOTS.len()],
        scene_orders: vec![0; n],
        coverage: (0, 0),
        delivery: Grid::default(),
    };
    let mut look = Lookup {
        scenes,
        snap: std::ptr::null(),
        keyword: HashMap::new(),
        category: HashMap::new(),
    };
    for o in kept {
        let slot = slot_of(o.hour);
        let s = &mut acc.slots[slot];
        (s.0, s.1, s.2, s.3) = (
            s.0 + 1,
            s.1 + o.lines.len(),
            s.2 + o.sales,
            s.3 + o.line_profit,
        );
        for scene in add_lines(&mut acc, o, slot, &mut look, &business.consumable_category) {
            acc.scene_orders[scene] += 1;
            acc.cells[slot][scene].orders += 1;
        }
        let d = &mut acc.delivery[bucket_of(o.snap.data.orders.distance[o.index])][slot];
        d.orders += 1;
        d.delivery_net += (o.delivery_net * 100.0).round() as i64;
        d.over_alert += u32::from(o.delivery_net > business.delivery_cost_alert);
    }
    acc
}
