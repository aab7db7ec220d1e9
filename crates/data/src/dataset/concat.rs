//! A dataset's columns built from row ranges of others, packed as they are built
//! ([`Col::concat`]): the merge of an upload extends the live snapshot's tables and copies its
//! codes instead of packing the store's whole history again.

use std::ops::Range;
use std::sync::Arc;

use crate::column::concat::{assemble, base_of, BaseCodes, Piece, Table};
use crate::column::Part;

use super::{Col, Lines, Orders, Sym, Value};

/// Rows `range` of one source's orders or lines.
pub(crate) type Block<'a, D> = (&'a D, Range<usize>);

/// The parts of one column, taken from each block's source by `col`.
fn parts<'a, D, T: Value>(
    blocks: &[Block<'a, D>],
    col: impl Fn(&'a D) -> &'a Col<T>,
) -> Vec<Part<'a, T>> {
    blocks.iter().map(|(d, r)| (col(d), r.clone())).collect()
}

impl Orders {
    /// The orders of `blocks`, one after the other, with `first_line` already computed (it
    /// depends on where each block's lines land).
    pub(crate) fn concat(blocks: &[Block<'_, Orders>], first_line: Col<u32>) -> Self {
        Self {
            id: Col::concat(&parts(blocks, |o| &o.id)),
            time: Col::concat(&parts(blocks, |o| &o.time)),
            store: Col::concat(&parts(blocks, |o| &o.store)),
            channel: Col::concat(&parts(blocks, |o| &o.channel)),
            money: std::array::from_fn(|c| Col::concat(&parts(blocks, |o| &o.money[c]))),
            distance: Col::concat(&parts(blocks, |o| &o.distance)),
            text: std::array::from_fn(|c| Col::concat(&parts(blocks, |o| &o.text[c]))),
            first_line,
        }
    }
}

impl Lines {
    /// The lines of `blocks`, one after the other, with `order` already computed.
    pub(crate) fn concat(blocks: &[Block<'_, Lines>], order: Col<u32>) -> Self {
        let [product, key, barcode, category1, category3] =
            concat_products(blocks).unwrap_or_else(|| {
                [
                    Col::concat(&parts(blocks, |l| &l.product)),
                    Col::concat(&parts(blocks, |l| &l.key)),
                    Col::concat(&parts(blocks, |l| &l.barcode)),
                    Col::concat(&parts(blocks, |l| &l.category1)),
                    Col::concat(&parts(blocks, |l| &l.category3)),
                ]
            });
        Self {
            order,
            product,
            key,
            barcode,
            category1,
            category3,
            quantity: Col::concat(&parts(blocks, |l| &l.quantity)),
            money: std::array::from_fn(|c| Col::concat(&parts(blocks, |l| &l.money[c]))),
            stock: Col::concat(&parts(blocks, |l| &l.stock)),
        }
    }
}

/// The five product attributes of `blocks`, still sharing one code per line: the table of
/// distinct tuples of the source with the most lines, extended with the other blocks' tuples.
/// `None` when that source's attributes do not share codes (or the table would outgrow 2-byte
/// codes): each attribute is then packed on its own.
fn concat_products(blocks: &[Block<'_, Lines>]) -> Option<[Col<Sym>; 5]> {
    let base = base_of(blocks, |l: &Lines| l.product.dict().is_some())?;
    let (_, codes) = base.product.dict()?;
    let mut tables: Vec<&[Sym]> = Vec::with_capacity(5);
    for col in attributes(base) {
        let (values, shared) = col.dict()?;
        if !Arc::ptr_eq(shared, codes) {
            return None;
        }
        tables.push(values);
    }
    let tuple_at = |c: usize| -> [Sym; 5] { std::array::from_fn(|a| tables[a][c]) };
    let mut table = Table::new((0..tables[0].len()).map(tuple_at).collect(), |t| t);
    let total: usize = blocks.iter().map(|(_, r)| r.len()).sum();
    let pieces: Vec<Piece> = blocks
        .iter()
        .map(|(lines, range)| {
            if std::ptr::eq(*lines, base) {
                return Piece::Base(range.clone());
            }
            let cols = attributes(lines);
            let codes = range
                .clone()
                .map(|j| {
                    let tuple = cols.map(|c| c[j]);
                    table.code(tuple, tuple)
                })
                .collect();
            Piece::New(codes)
        })
        .collect();
    let distinct = table.values.len();
    if distinct > 1 << 16 {
        return None;
    }
    let codes = Arc::new(assemble(&pieces, BaseCodes::Codes(codes), distinct, total));
    let mut columns: [Vec<Sym>; 5] = std::array::from_fn(|_| Vec::with_capacity(distinct));
    for tuple in &table.values {
        for (col, &v) in columns.iter_mut().zip(tuple) {
            col.push(v);
        }
    }
    Some(columns.map(|values| Col::shared(values, Arc::clone(&codes))))
}

/// The five product attributes of `lines`.
fn attributes(l: &Lines) -> [&Col<Sym>; 5] {
    [&l.product, &l.key, &l.barcode, &l.category1, &l.category3]
}

/// The order of each line, for lines grouped by order (`first_line` of each order): kept as
/// one run per order when that is smaller, as [`Col::pack_runs`] would.
pub(crate) fn order_column(first_line: &Col<u32>, lines: usize) -> Col<u32> {
    let orders = first_line.len();
    if lines > 0 && lines > 2 * orders && first_line.get(0) == Some(0) {
        return Col::runs((0..orders as u32).collect(), first_line.to_vec(), lines);
    }
    let mut order = Col::with_capacity(lines);
    for k in 0..orders {
        let end = first_line.get(k + 1).map_or(lines, |l| l as usize);
        let start = first_line[k] as usize;
        order.extend(std::iter::repeat_n(k as u32, end.saturating_sub(start)));
    }
    order.pack_runs();
    order
}
