//! An upload's effect on a live snapshot, without reading the store's history back from the
//! database: the upload's days are built into columns as they are written ([`NewDays`]), then
//! [`merge`] copies the live snapshot's days the upload keeps (their strings keep their ids)
//! and the new days into columns allocated once at their final size, in the order the database
//! lists days. The cost follows the upload, plus one copy of the store's columns; nothing is
//! decoded again. The result has the same columns as loading the store afresh (see the tests).

use std::ops::Range;

use chrono::NaiveDate;

use crate::codec::{append, DayRows};
use crate::dataset::{
    day_of, order_column, Block, Col, Dataset, Lines, Orders, Present, Strings, Sym, NO_SYM,
};
use crate::lineage::kept_ends;

/// Which stored days of a store an upload replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replaced {
    /// All of them (replace mode).
    All,
    /// Those in `from..=to` (merge mode), compared as the database compares them: as text.
    Range(NaiveDate, NaiveDate),
}

/// One store's days of an upload, built into columns (with their own string table) as they
/// are written to the database.
#[derive(Debug)]
pub(crate) struct NewDays {
    data: Dataset,
    /// Each day and its orders, in the order written.
    days: Vec<(NaiveDate, Range<usize>)>,
}

impl NewDays {
    /// Room for `orders` orders and `lines` lines of store `name`.
    pub(crate) fn new(name: &str, orders: usize, lines: usize) -> Self {
        let mut data = Dataset::with_capacity(orders, lines);
        data.strings.intern(name);
        Self {
            data,
            days: Vec::new(),
        }
    }

    /// Adds a day as written to the database.
    pub(crate) fn push(&mut self, day: NaiveDate, rows: &DayRows) {
        let start = self.data.order_count();
        append(&mut self.data, 1, rows);
        self.days.push((day, start..self.data.order_count()));
    }
}

/// Where a block of days comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Old,
    New,
}

/// The store's dataset once the upload is applied: `old`'s days that `replaced` and `new` leave
/// alone, then `new`'s days, ordered by day as text (the database's order); `present` is the
/// optional columns of every stored day of the store. Also says how many of `old`'s orders
/// it kept in front and behind, verbatim ([`kept_ends`]), when it kept any.
pub(crate) fn merge(
    old: Option<&Dataset>,
    replaced: Replaced,
    new: NewDays,
    present: Present,
) -> (Dataset, Option<(usize, usize)>) {
    let kept: Vec<(NaiveDate, Range<usize>)> = match (old, replaced) {
        (Some(old), Replaced::Range(from, to)) => {
            let (from, to) = (from.to_string(), to.to_string());
            day_blocks(old)
                .into_iter()
                .filter(|(day, _)| {
                    let text = day.to_string();
                    let in_range = from <= text && text <= to;
                    let rewritten = new.days.iter().any(|(d, _)| d == day);
                    !in_range && !rewritten
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let mut blocks: Vec<(String, Source, Range<usize>)> = kept
        .into_iter()
        .map(|(day, r)| (day.to_string(), Source::Old, r))
        .chain(
            new.days
                .iter()
                .map(|(day, r)| (day.to_string(), Source::New, r.clone())),
        )
        .collect();
    let in_order = blocks.windows(2).all(|w| w[0].0 <= w[1].0);
    if !in_order {
        blocks.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let old = match old {
        Some(old) if blocks.iter().any(|b| b.1 == Source::Old) => old,
        _ => {
            // Nothing of the old snapshot stays: the new days are the store, as loaded.
            let mut data = if in_order {
                new.data
            } else {
                copy_blocks(&new.data, &new.data, &blocks, new.data.strings.clone())
            };
            data.present = present;
            data.pack();
            return (data, None);
        }
    };
    let ends = kept_ends(
        blocks.iter().map(|b| (b.1 == Source::Old, b.2.clone())),
        old.order_count(),
    );
    let mut strings = old
        .strings
        .thawed(new.data.strings.len(), new_bytes(&new.data));
    let map: Vec<Sym> = (0..new.data.strings.len() as Sym)
        .map(|id| strings.intern(new.data.strings.get(id)))
        .collect();
    let mut new = new.data;
    remap(&mut new, &map);
    strings.freeze();
    let mut out = copy_blocks(old, &new, &blocks, strings);
    out.present = present;
    (out, Some(ends))
}

/// Turns `data`'s string ids into the merged table's, through `map`.
fn remap(data: &mut Dataset, map: &[Sym]) {
    let to = |s: Sym| map.get(s as usize).copied().unwrap_or(NO_SYM);
    let (o, l) = (&mut data.orders, &mut data.lines);
    for col in [&mut o.id, &mut o.store, &mut o.channel]
        .into_iter()
        .chain(o.text.iter_mut())
        .chain([
            &mut l.product,
            &mut l.key,
            &mut l.barcode,
            &mut l.category1,
            &mut l.category3,
        ])
    {
        col.map_rows(to);
    }
}

/// Bytes of text in a dataset's string table.
fn new_bytes(data: &Dataset) -> usize {
    (0..data.strings.len() as Sym)
        .map(|id| data.strings.get(id).len())
        .sum()
}

/// Each day of a snapshot's dataset and its orders (a day's orders follow each other).
fn day_blocks(data: &Dataset) -> Vec<(NaiveDate, Range<usize>)> {
    let mut blocks: Vec<(NaiveDate, Range<usize>)> = Vec::new();
    let mut start = 0;
    let times = &data.orders.time;
    for i in 1..=times.len() {
        let ends = times
            .get(i)
            .is_none_or(|t| t.div_euclid(86_400) != times[start].div_euclid(86_400));
        if ends {
            blocks.push((day_of(times[start]), start..i));
            start = i;
        }
    }
    blocks
}

/// The orders and lines of `blocks` of `old` and `new` (whose string ids are `strings`'),
/// packed as they are copied: the live snapshot's tables are extended with the new rows' values
/// and its codes copied, so nothing of the history is read row by row or packed again.
fn copy_blocks(
    old: &Dataset,
    new: &Dataset,
    blocks: &[(String, Source, Range<usize>)],
    strings: Strings,
) -> Dataset {
    let source = |s: Source| if s == Source::Old { old } else { new };
    let lines_of = |data: &Dataset, r: &Range<usize>| {
        let line = |k: usize| {
            data.orders
                .first_line
                .get(k)
                .map_or(data.line_count(), |l| l as usize)
        };
        line(r.start)..line(r.end)
    };
    let mut order_blocks: Vec<Block<'_, Orders>> = Vec::with_capacity(blocks.len());
    let mut line_blocks: Vec<Block<'_, Lines>> = Vec::with_capacity(blocks.len());
    let orders: usize = blocks.iter().map(|b| b.2.len()).sum();
    let mut first_line: Col<u32> = Col::with_capacity(orders);
    let mut lines = 0usize;
    for (from, range) in coalesced(blocks) {
        let src = source(from);
        let line_range = lines_of(src, &range);
        let shift = lines as i64 - line_range.start as i64;
        first_line.extend(
            src.orders
                .first_line
                .range(range.clone())
                .map(|l| (i64::from(l) + shift) as u32),
        );
        lines += line_range.len();
        order_blocks.push((&src.orders, range));
        line_blocks.push((&src.lines, line_range));
    }
    let order = order_column(&first_line, lines);
    Dataset {
        strings,
        orders: Orders::concat(&order_blocks, first_line),
        lines: Lines::concat(&line_blocks, order),
        present: Default::default(),
    }
}

/// `blocks` with the neighbours that continue each other (the same source, the next orders)
/// joined: each column is then copied in a few long slices rather than one per day.
fn coalesced(blocks: &[(String, Source, Range<usize>)]) -> Vec<(Source, Range<usize>)> {
    let mut joined: Vec<(Source, Range<usize>)> = Vec::with_capacity(blocks.len());
    for (_, from, range) in blocks {
        match joined.last_mut() {
            Some((s, r)) if s == from && r.end == range.start => r.end = range.end,
            _ => joined.push((*from, range.clone())),
        }
    }
    joined
}
