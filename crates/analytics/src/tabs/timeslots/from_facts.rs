//! The time-slot sums from the stores' aggregates: hours grouped into slots, (slot, scene)
//! line groups into scenes and heatmap cells, summed exactly and converted to yuan once.

use std::sync::Arc;

use storeboard_data::StoreSnapshot;

use super::{slot_of, Acc, Cell, SLOTS};
use crate::config::Business;
use crate::facts::{HourSums, LineSums};
use crate::filters::Filters;
use crate::order::{cents_to_yuan, SALES_SCALE};
use crate::overview::parts;

/// The sums of `filters`' cells for `n` scenes, and whether no order matched.
pub(super) fn accumulate(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    n: usize,
) -> (Acc, bool) {
    let mut slots = [HourSums::default(); 8];
    let mut scenes = vec![LineSums::default(); n];
    let mut cells = vec![vec![LineSums::default(); n]; SLOTS.len()];
    let mut orders = 0u32;
    for p in parts(snaps, filters, business) {
        let sel = p.facts.select(filters.from, filters.to, p.channel);
        for (_, _, cell) in sel.cells() {
            orders += cell.orders;
            for (hour, h) in cell.hours.iter().enumerate() {
                let s = &mut slots[slot_of(hour as u32)];
                s.orders += h.orders;
                s.lines += h.lines;
                s.sales += h.sales;
                s.line_profit += h.line_profit;
            }
        }
        for &(slot, scene, ref sums) in sel.scenes() {
            let (slot, scene) = (usize::from(slot), usize::from(scene));
            if scene < n {
                scenes[scene].merge(sums);
                cells[slot][scene].merge(sums);
            }
        }
    }
    let sales = |s: i64| s as f64 / SALES_SCALE;
    let acc = Acc {
        slots: slots.map(|h| {
            (
                h.orders as usize,
                h.lines as usize,
                sales(h.sales),
                cents_to_yuan(h.line_profit),
            )
        }),
        scenes: scenes
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
        cells: cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|s| Cell {
                        sales: sales(s.sales),
                        lines: s.lines as usize,
                    })
                    .collect()
            })
            .collect(),
    };
    (acc, orders == 0)
}
