//! The distributions of a cell's orders: the eight AOV bands and profit buckets (orders, sales,
//! profit), the seven marketing columns, the total cost per AOV band and the 24 hours (orders,
//! lines, sales, 利润额). 159 figures a cell, 1.2 kB at full width, most of a cell's bytes.
//!
//! Kept sparse and narrow: per cell a mask of its non-zero figures (five words) and those
//! figures as 32-bit values, one after the other in a store-wide list (~440 bytes a cell at a
//! year, where 40% of the hours and 45% of the buckets are empty). A cell with a figure that
//! does not fit in 32 bits is kept whole beside the list, and the mask's spare bit says so.
//! Reading adds the set figures of the wanted part into a wide accumulator (one step per
//! non-zero figure), so merging stays a loop of additions; a part (the hours, the AOV orders)
//! skips the rest by counting the mask's bits before it.

use std::ops::Range;

use super::{Bin, HourSums, Selection};

/// The figures of one cell, flat: see the offsets below.
pub(super) const LEN: usize = 159;

/// AOV bands: orders, sales, profit (8 each).
const AOV: usize = 0;
/// Profit buckets: orders, sales, profit (8 each).
const BUCKETS: usize = 24;
/// The seven marketing columns.
const MARKETING: usize = 48;
/// Total cost by AOV band.
const AOV_COST: usize = 55;
/// The hours: orders, lines, sales, 利润额 (24 each).
const HOURS: usize = 63;

/// Mask words before a cell's values: one bit per figure, and [`SPILLED`].
const MASK_WORDS: usize = LEN.div_ceil(32);
/// The last mask word's bit for "kept whole in the side table".
const SPILLED: u32 = 1 << 31;
const _: () = assert!(LEN < MASK_WORDS * 32, "the spilled bit is not a figure");

/// The AOV bands, profit buckets, marketing columns and band costs of cells, merged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    /// Orders by 商品实收额 band (the overview's AOV bands).
    pub aov: [Bin; 8],
    /// Orders by 订单实际利润 bucket.
    pub buckets: [Bin; 8],
    /// Σ of each of the seven marketing columns (cents), in `order::MARKETING`'s order.
    pub marketing_split: [i64; 7],
    /// Σ total cost (商品成本 + 耗材 + 营销成本 + 配送净成本 + 平台服务费, cents) by AOV band.
    pub aov_cost: [i64; 8],
}

impl Depth {
    /// Adds `o` to this one.
    pub fn merge(&mut self, o: &Depth) {
        for (a, b) in self.aov.iter_mut().zip(&o.aov) {
            a.merge(b);
        }
        for (a, b) in self.buckets.iter_mut().zip(&o.buckets) {
            a.merge(b);
        }
        for (a, b) in self.marketing_split.iter_mut().zip(&o.marketing_split) {
            *a += b;
        }
        for (a, b) in self.aov_cost.iter_mut().zip(&o.aov_cost) {
            *a += b;
        }
    }

    /// From the figures `AOV..HOURS`.
    fn from_flat(f: &[i64]) -> Self {
        let bins = |at: usize| {
            std::array::from_fn(|b| Bin {
                orders: f[at + b] as u32,
                sales: f[at + 8 + b],
                profit: f[at + 16 + b],
            })
        };
        Depth {
            aov: bins(AOV),
            buckets: bins(BUCKETS),
            marketing_split: std::array::from_fn(|c| f[MARKETING + c]),
            aov_cost: std::array::from_fn(|b| f[AOV_COST + b]),
        }
    }
}

/// One cell's figures while it is built, at full width.
#[derive(Debug, Clone)]
pub(super) struct Building(pub(super) [i64; LEN]);

impl Default for Building {
    fn default() -> Self {
        Building([0; LEN])
    }
}

impl Building {
    /// An order of `sales` and `profit` in AOV band `aov` and profit bucket `bucket`, with
    /// `cost` in all.
    pub(super) fn add_bins(
        &mut self,
        aov: usize,
        bucket: usize,
        sales: i64,
        profit: i64,
        cost: i64,
    ) {
        for (at, band) in [(AOV, aov), (BUCKETS, bucket)] {
            self.0[at + band] += 1;
            self.0[at + 8 + band] += sales;
            self.0[at + 16 + band] += profit;
        }
        self.0[AOV_COST + aov] += cost;
    }

    /// An order of `lines`, `sales` and `line_profit` placed in `hour`.
    pub(super) fn add_hour(&mut self, hour: usize, lines: i64, sales: i64, line_profit: i64) {
        for (k, v) in [1, lines, sales, line_profit].into_iter().enumerate() {
            self.0[HOURS + k * 24 + hour] += v;
        }
    }

    /// `cents` of marketing column `c`.
    pub(super) fn add_marketing(&mut self, c: usize, cents: i64) {
        self.0[MARKETING + c] += cents;
    }
}

/// The figures of every cell of a store (see the module's documentation).
#[derive(Debug, Default)]
pub(super) struct Depths {
    /// Per cell, where its mask starts in `words`.
    at: Vec<u32>,
    /// Per cell, [`MASK_WORDS`] words of mask, then its non-zero figures as `i32`.
    words: Vec<u32>,
    /// (cell, figures) of the cells kept whole, by cell.
    wide: Vec<(u32, Box<[i64; LEN]>)>,
}

impl Depths {
    /// Appends the next cell's figures.
    pub(super) fn push(&mut self, cell: &Building) {
        let start = self.words.len();
        self.at.push(start as u32);
        self.words.extend([0; MASK_WORDS]);
        for (i, &v) in cell.0.iter().enumerate().filter(|e| *e.1 != 0) {
            let Ok(v) = i32::try_from(v) else {
                self.words.truncate(start + MASK_WORDS);
                self.words[start..].fill(0);
                self.words[start + MASK_WORDS - 1] = SPILLED;
                let cell_index = self.at.len() as u32 - 1;
                self.wide.push((cell_index, Box::new(cell.0)));
                return;
            };
            self.words[start + i / 32] |= 1 << (i % 32);
            self.words.push(v as u32);
        }
    }

    /// Adds cell `k`'s figures `part` into `acc` (figure `part.start + i` into `acc[i]`).
    fn add(&self, k: usize, part: Range<usize>, acc: &mut [i64]) {
        let start = self.at[k] as usize;
        let mask = &self.words[start..start + MASK_WORDS];
        if mask[MASK_WORDS - 1] & SPILLED != 0 {
            let at = self.wide.partition_point(|e| (e.0 as usize) < k);
            for (a, v) in acc.iter_mut().zip(&self.wide[at].1[part]) {
                *a += v;
            }
            return;
        }
        let values = &self.words[start + MASK_WORDS..];
        // The values before the part: every set bit below its first figure.
        let (word, bit) = (part.start / 32, part.start % 32);
        let mut v: usize = mask[..word].iter().map(|m| m.count_ones() as usize).sum();
        v += (mask[word] & ((1u32 << bit) - 1)).count_ones() as usize;
        for (w, &m) in mask.iter().enumerate().skip(word) {
            let mut m = m & !((1u32 << (part.start.max(w * 32) - w * 32)) - 1);
            while m != 0 {
                let i = w * 32 + m.trailing_zeros() as usize;
                if i >= part.end {
                    return;
                }
                acc[i - part.start] += i64::from(values[v] as i32);
                v += 1;
                m &= m - 1;
            }
        }
    }

    /// Cell `k`'s figures at full width (to copy it into another store's list).
    pub(super) fn figures(&self, k: usize) -> Building {
        let mut cell = Building::default();
        self.add(k, 0..LEN, &mut cell.0);
        cell
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        self.at.capacity() * 4
            + self.words.capacity() * 4
            + self.wide.capacity() * std::mem::size_of::<(u32, Box<[i64; LEN]>)>()
            + self.wide.len() * LEN * 8
    }

    /// Drops spare capacity (once built).
    pub(super) fn shrink_to_fit(&mut self) {
        self.at.shrink_to_fit();
        self.words.shrink_to_fit();
        self.wide.shrink_to_fit();
    }
}

impl Selection<'_> {
    /// The figures `part` of the selected cells, summed.
    fn sum(&self, part: Range<usize>) -> Vec<i64> {
        let mut acc = vec![0; part.len()];
        for &k in &self.cells {
            self.facts.depths.add(k, part.clone(), &mut acc);
        }
        acc
    }

    /// The selected cells' AOV bands, profit buckets, marketing columns and band costs.
    pub fn depth(&self) -> Depth {
        Depth::from_flat(&self.sum(AOV..HOURS))
    }

    /// The selected cells' orders, lines, sales and 利润额 by hour of 下单时间.
    pub fn hours(&self) -> [HourSums; 24] {
        let f = self.sum(HOURS..LEN);
        std::array::from_fn(|h| HourSums {
            orders: f[h] as u32,
            lines: f[24 + h] as u32,
            sales: f[48 + h],
            line_profit: f[72 + h],
        })
    }

    /// Per selected cell, in the order of [`Selection::cells`], its orders by AOV band.
    pub fn aov_orders(&self) -> impl Iterator<Item = [u32; 8]> + '_ {
        self.cells.iter().map(|&k| {
            let mut acc = [0; 8];
            self.facts.depths.add(k, AOV..AOV + 8, &mut acc);
            acc.map(|n| n as u32)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(seed: i64, big: bool) -> Building {
        let mut b = Building::default();
        for (i, v) in b.0.iter_mut().enumerate() {
            let i = i as i64;
            // Zeros, negatives and, for `big`, one figure past 32 bits.
            if (i + seed) % 3 != 0 {
                *v = (i - 70) * 1_000 + seed;
            }
        }
        if big {
            b.0[HOURS + 50] = i64::from(i32::MIN) - 1;
        }
        b
    }

    fn sum(depths: &Depths, cells: &[usize], part: Range<usize>) -> Vec<i64> {
        let mut acc = vec![0; part.len()];
        for &k in cells {
            depths.add(k, part.clone(), &mut acc);
        }
        acc
    }

    #[test]
    fn any_part_of_any_cells_sums_as_the_wide_figures_do() {
        let built = [
            figures(0, false),
            figures(1, true),
            Building::default(),
            figures(2, false),
        ];
        let mut depths = Depths::default();
        for b in &built {
            depths.push(b);
        }
        assert_eq!(depths.wide.len(), 1);
        let parts = [
            0..LEN,
            AOV..HOURS,
            HOURS..LEN,
            AOV..AOV + 8,
            31..33,
            64..64,
            158..LEN,
        ];
        for cells in [vec![0], vec![1], vec![2], vec![0, 1, 2, 3], vec![3, 1]] {
            for part in parts.clone() {
                let wide: Vec<i64> = part
                    .clone()
                    .map(|i| cells.iter().map(|&k| built[k].0[i]).sum())
                    .collect();
                assert_eq!(
                    sum(&depths, &cells, part.clone()),
                    wide,
                    "{cells:?} {part:?}"
                );
            }
        }
    }
}
