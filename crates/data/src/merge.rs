//! An upload's effect on a live snapshot, without reading the store's history back from the
//! database: the upload's days are built into columns as they are written ([`NewDays`]), then
//! [`merge`] copies the live snapshot's days the upload keeps (their strings keep their ids)
//! and the new days into columns allocated once at their final size, in the order the database
//! lists days. The cost follows the upload, plus one copy of the store's columns; nothing is
//! decoded again. The result has the same columns as loading the store afresh (see the tests).

use std::ops::Range;

use chrono::NaiveDate;

use crate::codec::{append, DayRows};
use crate::dataset::{day_of, Col, Dataset, Lines, Orders, Present, Sym};

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
/// optional columns of every stored day of the store.
pub(crate) fn merge(
    old: Option<&Dataset>,
    replaced: Replaced,
    new: NewDays,
    present: Present,
) -> Dataset {
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
        _ if in_order => {
            // Nothing of the old snapshot stays: the new days are the store, as loaded.
            let mut data = new.data;
            data.present = present;
            return data;
        }
        _ => return copy_blocks(&new.data, &new.data, None, blocks, present),
    };
    let mut strings = old
        .strings
        .thawed(new.data.strings.len(), new_bytes(&new.data));
    let map: Vec<Sym> = (0..new.data.strings.len() as Sym)
        .map(|id| strings.intern(new.data.strings.get(id)))
        .collect();
    let mut out = copy_blocks(old, &new.data, Some(&map), blocks, present);
    strings.freeze();
    out.strings = strings;
    out
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

/// Copies `blocks` of `old` and `new` into columns allocated at their final size; `map` turns
/// `new`'s string ids into the result's (`None`: the result's table is `new`'s own, cloned).
fn copy_blocks(
    old: &Dataset,
    new: &Dataset,
    map: Option<&[Sym]>,
    blocks: Vec<(String, Source, Range<usize>)>,
    present: Present,
) -> Dataset {
    let lines_of = |data: &Dataset, r: &Range<usize>| {
        let start = data
            .orders
            .first_line
            .get(r.start)
            .map_or(0, |l| l as usize);
        let end = data
            .orders
            .first_line
            .get(r.end)
            .map_or(data.line_count(), |l| l as usize);
        start..end
    };
    let source = |s: Source| if s == Source::Old { old } else { new };
    let orders: usize = blocks.iter().map(|b| b.2.len()).sum();
    let lines: usize = blocks
        .iter()
        .map(|b| lines_of(source(b.1), &b.2).len())
        .sum();
    let mut out = Dataset {
        strings: if map.is_none() {
            new.strings.clone()
        } else {
            Default::default()
        },
        orders: Orders::with_capacity(orders),
        lines: Lines::with_capacity(lines),
        present,
    };
    for (_, from, range) in blocks {
        let src = source(from);
        let map = if from == Source::New { map } else { None };
        let line_range = lines_of(src, &range);
        let order_shift = out.order_count() as i64 - range.start as i64;
        let line_shift = out.line_count() as i64 - line_range.start as i64;
        copy_orders(&mut out.orders, &src.orders, range, line_shift, map);
        copy_lines(&mut out.lines, &src.lines, line_range, order_shift, map);
    }
    out
}

/// Extends `dst` with `src[range]`, through `map` when given.
fn extend_syms(dst: &mut Col<Sym>, src: &Col<Sym>, range: Range<usize>, map: Option<&[Sym]>) {
    match map {
        Some(map) => dst.extend(
            src.range(range)
                .map(|s| map.get(s as usize).copied().unwrap_or(0)),
        ),
        None => dst.extend_from(src, range),
    }
}

fn shifted(values: &Col<u32>, range: Range<usize>, shift: i64) -> impl Iterator<Item = u32> + '_ {
    values
        .range(range)
        .map(move |v| (i64::from(v) + shift) as u32)
}

fn copy_orders(
    o: &mut Orders,
    s: &Orders,
    range: Range<usize>,
    line_shift: i64,
    map: Option<&[Sym]>,
) {
    extend_syms(&mut o.id, &s.id, range.clone(), map);
    extend_syms(&mut o.store, &s.store, range.clone(), map);
    extend_syms(&mut o.channel, &s.channel, range.clone(), map);
    for (dst, col) in o.text.iter_mut().zip(&s.text) {
        extend_syms(dst, col, range.clone(), map);
    }
    o.time.extend_from(&s.time, range.clone());
    o.distance.extend_from(&s.distance, range.clone());
    for (dst, col) in o.money.iter_mut().zip(&s.money) {
        dst.extend_from(col, range.clone());
    }
    o.first_line
        .extend(shifted(&s.first_line, range, line_shift));
}

fn copy_lines(
    l: &mut Lines,
    s: &Lines,
    range: Range<usize>,
    order_shift: i64,
    map: Option<&[Sym]>,
) {
    l.order
        .extend(shifted(&s.order, range.clone(), order_shift));
    for (dst, col) in [
        (&mut l.product, &s.product),
        (&mut l.key, &s.key),
        (&mut l.barcode, &s.barcode),
        (&mut l.category1, &s.category1),
        (&mut l.category3, &s.category3),
    ] {
        extend_syms(dst, col, range.clone(), map);
    }
    l.quantity.extend_from(&s.quantity, range.clone());
    l.stock.extend_from(&s.stock, range.clone());
    for (dst, col) in l.money.iter_mut().zip(&s.money) {
        dst.extend_from(col, range.clone());
    }
}
