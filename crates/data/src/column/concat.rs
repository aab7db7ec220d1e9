//! Columns built from row ranges of other columns ([`Column::concat`]), packed without reading
//! the packed rows: an upload's merge keeps the live column's table of distinct values, adds
//! the values only the upload's rows bring, and copies the live rows' codes. Re-encoding every
//! row of the history made each upload cost more than the one before.

use std::collections::HashMap;
use std::hash::Hash;
use std::ops::Range;
use std::sync::Arc;

use foldhash::fast::FixedState;

use super::{Codes, Column, Repr, Value};

/// Rows `range` of a column: one part of a concatenation.
pub type Part<'a, T> = (&'a Column<T>, Range<usize>);

/// A table of distinct values growing as rows are coded: values in order of first use.
pub(crate) struct Table<V, K> {
    /// The values, by code.
    pub(crate) values: Vec<V>,
    index: HashMap<K, u32, FixedState>,
}

impl<V: Copy, K: Copy + Eq + Hash> Table<V, K> {
    /// A table holding `values` (their codes unchanged), keyed by `key`.
    pub(crate) fn new(values: Vec<V>, key: impl Fn(V) -> K) -> Self {
        let index = values
            .iter()
            .enumerate()
            .map(|(code, &v)| (key(v), code as u32))
            .collect();
        Self { values, index }
    }

    /// The code of value `v` (key `k`), added to the table if new.
    pub(crate) fn code(&mut self, v: V, k: K) -> u32 {
        let values = &mut self.values;
        *self.index.entry(k).or_insert_with(|| {
            values.push(v);
            (values.len() - 1) as u32
        })
    }
}

/// Where a range of the result's rows gets its codes.
pub(crate) enum Piece {
    /// Rows of the column whose table the result extends: their codes are copied.
    Base(Range<usize>),
    /// Other rows, coded in the extended table.
    New(Vec<u32>),
}

/// The codes of the column whose table is extended.
#[derive(Clone, Copy)]
pub(crate) enum BaseCodes<'a> {
    /// A packed column's codes.
    Codes(&'a Codes),
    /// Every row holds the table's first value (a column of one value).
    Zero,
}

/// A code width: one byte, two or four.
trait Width: Copy {
    fn from_code(code: u32) -> Self;
    /// The codes, when they have this width.
    fn slice(codes: &Codes) -> Option<&[Self]>;
}

macro_rules! width {
    ($t:ty, $variant:ident) => {
        impl Width for $t {
            fn from_code(code: u32) -> Self {
                code as $t
            }
            fn slice(codes: &Codes) -> Option<&[Self]> {
                match codes {
                    Codes::$variant(c) => Some(c),
                    _ => None,
                }
            }
        }
    };
}
width!(u8, U8);
width!(u16, U16);
width!(u32, U32);

fn assemble_in<C: Width>(pieces: &[Piece], base: BaseCodes<'_>, total: usize) -> Vec<C> {
    let mut out: Vec<C> = Vec::with_capacity(total);
    for piece in pieces {
        match (piece, base) {
            (Piece::Base(r), BaseCodes::Codes(codes)) => match C::slice(codes) {
                // Same width: a copy of the live codes, the common case.
                Some(same) => out.extend_from_slice(&same[r.clone()]),
                None => out.extend(r.clone().map(|i| C::from_code(codes.get(i) as u32))),
            },
            (Piece::Base(r), BaseCodes::Zero) => out.resize(out.len() + r.len(), C::from_code(0)),
            (Piece::New(codes), _) => out.extend(codes.iter().map(|&c| C::from_code(c))),
        }
    }
    out
}

/// The codes of `pieces` in the narrowest width for a table of `distinct` values (never
/// narrower than the base's: its table only grew).
pub(crate) fn assemble(
    pieces: &[Piece],
    base: BaseCodes<'_>,
    distinct: usize,
    total: usize,
) -> Codes {
    if distinct <= 1 << 8 {
        Codes::U8(assemble_in(pieces, base, total))
    } else if distinct <= 1 << 16 {
        Codes::U16(assemble_in(pieces, base, total))
    } else {
        Codes::U32(assemble_in(pieces, base, total))
    }
}

/// The source of `parts` whose table is extended: a packed one (`packed`) if any, the one with
/// the most rows among those.
pub(crate) fn base_of<'a, C>(
    parts: &[(&'a C, Range<usize>)],
    packed: impl Fn(&C) -> bool,
) -> Option<&'a C> {
    // A merge has two sources: count rows per distinct source, not per part.
    let mut sources: Vec<(&'a C, usize)> = Vec::new();
    for (c, r) in parts {
        match sources.iter_mut().find(|(s, _)| std::ptr::eq(*s, *c)) {
            Some((_, rows)) => *rows += r.len(),
            None => sources.push((c, r.len())),
        }
    }
    sources
        .into_iter()
        .max_by_key(|(c, rows)| (packed(c), *rows))
        .map(|(c, _)| c)
}

impl<T: Value> Column<T> {
    /// The rows of `parts`, one part after the other. When the part with the most rows comes
    /// from a packed column, the result extends that column's table with the other parts'
    /// values and copies its codes, so the cost follows the other parts' rows (plus a copy of
    /// the codes); otherwise the rows are copied.
    pub fn concat(parts: &[Part<'_, T>]) -> Self {
        let total: usize = parts.iter().map(|(_, r)| r.len()).sum();
        let packed = |c: &Self| matches!(c.repr, Repr::Dict { .. } | Repr::Same { .. });
        let Some(base) = base_of(parts, packed) else {
            return Self::default();
        };
        let packed = match &base.repr {
            Repr::Dict { values, codes } => {
                Self::extend_table(parts, base, values.clone(), BaseCodes::Codes(codes), total)
            }
            Repr::Same { value, .. } => Self::extend_same(parts, base, *value, total),
            Repr::Plain(_) | Repr::Runs { .. } => None,
        };
        packed.unwrap_or_else(|| Self::copied(parts, total))
    }

    /// The rows copied, for columns no source of which is packed: they hold values that do
    /// not repeat (ids, times), and trying to pack them would read the whole history for
    /// nothing (a restart packs every column afresh).
    fn copied(parts: &[Part<'_, T>], total: usize) -> Self {
        let mut rows = Vec::with_capacity(total);
        for (col, range) in parts {
            match &col.repr {
                Repr::Plain(v) => rows.extend_from_slice(&v[range.clone()]),
                _ => rows.extend(col.range(range.clone())),
            }
        }
        Self::from(rows)
    }

    /// `base` holds one value: the result too if every other row does.
    fn extend_same(
        parts: &[Part<'_, T>],
        base: &Column<T>,
        value: T,
        total: usize,
    ) -> Option<Self> {
        let same = parts
            .iter()
            .filter(|(c, _)| !std::ptr::eq(*c, base))
            .all(|(c, r)| c.range(r.clone()).all(|v| v.bits() == value.bits()));
        if same {
            return Some(Self {
                repr: Repr::Same { value, len: total },
            });
        }
        Self::extend_table(parts, base, vec![value], BaseCodes::Zero, total)
    }

    /// `base`'s table (`values`, rows coded by `codes`) extended with the other parts' values.
    fn extend_table(
        parts: &[Part<'_, T>],
        base: &Column<T>,
        values: Vec<T>,
        codes: BaseCodes<'_>,
        total: usize,
    ) -> Option<Self> {
        let mut table = Table::new(values, T::bits);
        let pieces: Vec<Piece> = parts
            .iter()
            .map(|(col, range)| {
                if std::ptr::eq(*col, base) {
                    Piece::Base(range.clone())
                } else {
                    Piece::New(
                        col.range(range.clone())
                            .map(|v| table.code(v, v.bits()))
                            .collect(),
                    )
                }
            })
            .collect();
        let distinct = table.values.len();
        let size = std::mem::size_of::<T>();
        if distinct > 1 << 16 {
            return None;
        }
        let codes = assemble(&pieces, codes, distinct, total);
        if distinct * size + codes.heap_bytes() >= total * size {
            return None;
        }
        let mut values = table.values;
        values.shrink_to_fit();
        Some(Self::shared(values, Arc::new(codes)))
    }

    /// A column of runs: run `k` holds `values[k]` from row `starts[k]` to the next run's
    /// start (or `len`). `starts` must begin at 0 and never decrease.
    pub(crate) fn runs(values: Vec<T>, starts: Vec<u32>, len: usize) -> Self {
        Self {
            repr: Repr::Runs {
                values,
                starts,
                len,
            },
        }
    }

    /// Rewrites every row with `f` (a packed column is unpacked first).
    pub(crate) fn map_rows(&mut self, f: impl Fn(T) -> T) {
        for v in self.plain_mut() {
            *v = f(*v);
        }
    }

    /// The table and the codes of a column packed with a table.
    pub(crate) fn dict(&self) -> Option<(&[T], &Arc<Codes>)> {
        match &self.repr {
            Repr::Dict { values, codes } => Some((values, codes)),
            _ => None,
        }
    }
}
