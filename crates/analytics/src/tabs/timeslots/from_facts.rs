//! The time-slot sums from the stores' aggregates: hours grouped into slots, (slot, scene)
//! line groups into scenes and heatmap cells, (bucket, slot) groups into the 配送 grid, summed
//! exactly and converted to yuan once.

use std::sync::Arc;

use storeboard_data::StoreSnapshot;

use super::delivery::Grid;
use super::{slot_of, Acc, Cell, SLOTS};
use crate::config::Business;
use crate::facts::{HourSums, LineSums, Selection};
use crate::filters::Filters;
use crate::order::{cents_to_yuan, SALES_SCALE};
use crate::overview::parts;

/// Exact running sums over the selected cells.
struct Sums {
    slots: [HourSums; 8],
    scenes: Vec<LineSums>,
    cells: Vec<Vec<(LineSums, u32)>>,
    scene_orders: Vec<u32>,
    coverage: (u64, u64),
    delivery: Grid,
    orders: u32,
}

impl Sums {
    fn add(&mut self, sel: &Selection<'_>) {
        let n = self.scenes.len();
        for (_, _, cell) in sel.cells() {
            self.orders += cell.orders;
        }
        for (hour, h) in sel.hours().iter().enumerate() {
            let s = &mut self.slots[slot_of(hour as u32)];
            s.orders += h.orders;
            s.lines += h.lines;
            s.sales += h.sales;
            s.line_profit += h.line_profit;
        }
        for (slot, scene, sums, orders) in sel.scenes() {
            let (slot, scene) = (usize::from(slot), usize::from(scene));
            if scene < n {
                self.scenes[scene].merge(&sums);
                self.scene_orders[scene] += orders;
                let cell = &mut self.cells[slot][scene];
                cell.0.merge(&sums);
                cell.1 += orders;
            }
        }
        let (placed, lines) = sel.scene_coverage();
        self.coverage = (self.coverage.0 + placed, self.coverage.1 + lines);
        for (bucket, slot, sums) in sel.delivery() {
            self.delivery[usize::from(bucket)][usize::from(slot)].merge(&sums);
        }
    }
}

/// The sums of `filters`' cells for `n` scenes, and whether no order matched.
pub(super) fn accumulate(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    n: usize,
) -> (Acc, bool) {
    let mut sums = Sums {
        slots: [HourSums::default(); 8],
        scenes: vec![LineSums::default(); n],
        cells: vec![vec![(LineSums::default(), 0); n]; SLOTS.len()],
        scene_orders: vec![0; n],
        coverage: (0, 0),
        delivery: Grid::default(),
        orders: 0,
    };
    for p in parts(snaps, filters, business) {
        sums.add(&p.facts.select(filters.from, filters.to, p.channel));
    }
    let empty = sums.orders == 0;
    (to_yuan(sums), empty)
}

/// The exact sums converted to yuan (and quantities to units) once.
fn to_yuan(s: Sums) -> Acc {
    let sales = |s: i64| s as f64 / SALES_SCALE;
    Acc {
        slots: s.slots.map(|h| {
            (
                h.orders as usize,
                h.lines as usize,
                sales(h.sales),
                cents_to_yuan(h.line_profit),
            )
        }),
        scenes: s
            .scenes
            .iter()
            .map(|s| {
                (
                    s.lines as usize,
                    s.quantity as f64 / 1000.0,
                    sales(s.sales),
                    cents_to_yuan(s.profit),
                )
            })
            .collect(),
        cells: s
            .cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(s, orders)| Cell {
                        sales: sales(s.sales),
                        lines: s.lines as usize,
                        orders: *orders as usize,
                        profit: cents_to_yuan(s.profit),
                    })
                    .collect()
            })
            .collect(),
        scene_orders: s.scene_orders.iter().map(|&o| o as usize).collect(),
        coverage: s.coverage,
        delivery: s.delivery,
    }
}
