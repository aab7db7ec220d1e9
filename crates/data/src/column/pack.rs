//! Finding a column's distinct values and each row's code, for [`super::Column::pack`].

use std::cell::RefCell;
use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::{Codes, Column, Repr, Value};

/// The distinct values of `rows` in order of first use and each row's code, when that takes
/// fewer bytes than the rows themselves; `span` is [`integer_span`]'s finding.
pub(super) fn dictionary<T: Value>(
    rows: &[T],
    span: Option<(i64, usize)>,
) -> Option<(Vec<T>, Codes)> {
    let size = std::mem::size_of::<T>();
    // Past this many distinct values a table no longer pays even with 2-byte codes (every
    // value type is 4 or 8 bytes): give up early rather than look up every row of an id column.
    let most = (rows.len() * size.saturating_sub(2) / size).min(1 << 16);
    let (codes, values) = SCRATCH.with_borrow_mut(|scratch| {
        let Scratch { codes, slots } = scratch;
        codes.clear();
        let values = match span {
            Some((min, span)) => by_offset(rows, min, span, most, slots, codes),
            None => by_hash(rows, most, codes),
        }?;
        Some((Codes::narrow(codes, values.len()), values))
    })?;
    let packed = values.len() * size + codes.len() * codes.width();
    if packed >= std::mem::size_of_val(rows) {
        return None;
    }
    let mut values = values;
    values.shrink_to_fit();
    Some((values, codes))
}

/// Largest value range [`by_offset`] indexes (a 4 MiB scratch table).
const OFFSET_SPAN: i64 = 1 << 20;

/// Buffers reused by every column packed on a thread, so that packing a store allocates only
/// what it keeps (large short-lived buffers would each be mapped, faulted in and unmapped).
#[derive(Default)]
struct Scratch {
    /// Codes before narrowing.
    codes: Vec<u32>,
    /// [`by_offset`]'s table, all `u32::MAX` between uses.
    slots: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The smallest value and the size of the range of an integer column, when that range is
/// small enough to index.
pub(super) fn integer_span<T: Value>(rows: &[T]) -> Option<(i64, usize)> {
    let mut min = i64::MAX;
    let mut max = i64::MIN;
    for v in rows {
        let v = v.integer()?;
        (min, max) = (min.min(v), max.max(v));
    }
    let span = max.checked_sub(min)?.checked_add(1)?;
    (span <= OFFSET_SPAN).then_some((min, span as usize))
}

/// Distinct values, and each row's code in `codes`, found in a table indexed by `value − min`.
fn by_offset<T: Value>(
    rows: &[T],
    min: i64,
    span: usize,
    most: usize,
    slots: &mut Vec<u32>,
    codes: &mut Vec<u32>,
) -> Option<Vec<T>> {
    if slots.len() < span {
        slots.resize(span, u32::MAX);
    }
    let at = |v: T| v.integer().map_or(0, |i| (i - min) as usize);
    let mut values = Vec::new();
    let mut complete = true;
    for &v in rows {
        let code = &mut slots[at(v)];
        if *code == u32::MAX {
            if values.len() >= most {
                complete = false;
                break;
            }
            *code = values.len() as u32;
            values.push(v);
        }
        codes.push(*code);
    }
    // Back to all-empty for the next column.
    for &v in &values {
        slots[at(v)] = u32::MAX;
    }
    complete.then_some(values)
}

/// Distinct values, and each row's code in `codes`, by hashing each row.
fn by_hash<T: Value>(rows: &[T], most: usize, codes: &mut Vec<u32>) -> Option<Vec<T>> {
    let mut index: HashMap<T::Bits, u32, FixedState> = HashMap::default();
    let mut values: Vec<T> = Vec::new();
    for &v in rows {
        let code = *index.entry(v.bits()).or_insert_with(|| {
            values.push(v);
            (values.len() - 1) as u32
        });
        if values.len() > most {
            return None;
        }
        codes.push(code);
    }
    Some(values)
}

impl<T: Value> Column<T> {
    /// Packs a column whose rows come in runs of equal values (the order of each line: lines are
    /// grouped by order) as one value and one start per run, if that is smaller; otherwise
    /// shrinks it. A row is then found by binary search, and [`Column::range`] walks the runs.
    pub fn pack_runs(&mut self) {
        let Repr::Plain(rows) = &mut self.repr else {
            return;
        };
        let runs = 1 + rows
            .windows(2)
            .filter(|w| w[0].bits() != w[1].bits())
            .count();
        let size = std::mem::size_of::<T>();
        if rows.is_empty()
            || runs * (size + 4) >= rows.len() * size
            || rows.len() > u32::MAX as usize
        {
            rows.shrink_to_fit();
            return;
        }
        let mut values = Vec::with_capacity(runs);
        let mut starts = Vec::with_capacity(runs);
        for (i, &v) in rows.iter().enumerate() {
            if values.last().is_none_or(|last: &T| last.bits() != v.bits()) {
                values.push(v);
                starts.push(i as u32);
            }
        }
        self.repr = Repr::Runs {
            values,
            starts,
            len: rows.len(),
        };
    }
}
