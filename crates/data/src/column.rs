//! [`Column`]: one column of a [`crate::dataset::Dataset`]. A plain `Vec` while it is filled;
//! packed once the snapshot is built ([`Column::pack`]): one value for the whole column, or a
//! table of its distinct values and a code of 1, 2 or 4 bytes per row.
//!
//! Most columns of an order export hold few distinct values (a store's prices, its channels,
//! marketing fields that are mostly 0), so a packed column costs 1–2 bytes a row instead of 4–8.
//! Rows are read with `column[i]`, as from a `Vec`: indexing returns a reference into the table
//! of distinct values, so the many readers of the columns need not change.

pub(crate) mod concat;
mod pack;

use std::fmt;
use std::ops::{Index, Range};
use std::sync::Arc;

pub use concat::Part;

/// A value a column can pack: compared and hashed by its bits, so that NaN (an absent 剩余库存)
/// is one value like any other and packing never changes a value's bits.
pub trait Value: Copy + fmt::Debug + Send + Sync + 'static {
    /// The value's bits.
    type Bits: Copy + Eq + std::hash::Hash;
    /// The value's bits.
    fn bits(self) -> Self::Bits;
    /// The value as an integer, for integer types: packing then finds each value's code in a
    /// table indexed by value when the column's range is small, instead of hashing.
    fn integer(self) -> Option<i64>;
}

macro_rules! value_as_itself {
    ($($t:ty),*) => {$(
        impl Value for $t {
            type Bits = $t;
            fn bits(self) -> $t {
                self
            }
            fn integer(self) -> Option<i64> {
                Some(i64::from(self))
            }
        }
    )*};
}
value_as_itself!(u32, i32, i64);

impl Value for f32 {
    type Bits = u32;
    fn bits(self) -> u32 {
        self.to_bits()
    }
    fn integer(self) -> Option<i64> {
        None
    }
}

/// Row codes of a packed column: an index into its table of distinct values per row, in the
/// narrowest width that holds the table's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Codes {
    /// At most 256 distinct values.
    U8(Vec<u8>),
    /// At most 65,536.
    U16(Vec<u16>),
    /// More.
    U32(Vec<u32>),
}

impl Codes {
    /// Codes of `distinct` values in the narrowest width.
    pub(crate) fn narrow(codes: &[u32], distinct: usize) -> Self {
        if distinct <= 1 << 8 {
            Codes::U8(codes.iter().map(|&c| c as u8).collect())
        } else if distinct <= 1 << 16 {
            Codes::U16(codes.iter().map(|&c| c as u16).collect())
        } else {
            Codes::U32(codes.to_vec())
        }
    }

    /// The code of row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> usize {
        match self {
            Codes::U8(c) => usize::from(c[i]),
            Codes::U16(c) => usize::from(c[i]),
            Codes::U32(c) => c[i] as usize,
        }
    }

    /// Rows.
    pub fn len(&self) -> usize {
        match self {
            Codes::U8(c) => c.len(),
            Codes::U16(c) => c.len(),
            Codes::U32(c) => c.len(),
        }
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of one code.
    fn width(&self) -> usize {
        match self {
            Codes::U8(_) => 1,
            Codes::U16(_) => 2,
            Codes::U32(_) => 4,
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        let cap = match self {
            Codes::U8(c) => c.capacity(),
            Codes::U16(c) => c.capacity(),
            Codes::U32(c) => c.capacity(),
        };
        cap * self.width()
    }
}

#[derive(Clone)]
enum Repr<T> {
    /// One value per row.
    Plain(Vec<T>),
    /// Every row holds `value`.
    Same { value: T, len: usize },
    /// Row `i` holds `values[codes[i]]`; the codes may be shared with sibling columns (the
    /// attributes of a product share one code per line).
    Dict { values: Vec<T>, codes: Arc<Codes> },
    /// Runs of equal rows: run `k` holds `values[k]` from row `starts[k]` to the next run.
    Runs {
        values: Vec<T>,
        starts: Vec<u32>,
        len: usize,
    },
}

/// One column: a `Vec` while it is filled, packed by [`Column::pack`]. Read rows with `col[i]`.
#[derive(Clone)]
pub struct Column<T: Value> {
    repr: Repr<T>,
}

impl<T: Value> Default for Column<T> {
    fn default() -> Self {
        Self::from(Vec::new())
    }
}

impl<T: Value> From<Vec<T>> for Column<T> {
    fn from(values: Vec<T>) -> Self {
        Self {
            repr: Repr::Plain(values),
        }
    }
}

impl<T: Value> fmt::Debug for Column<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.repr {
            Repr::Plain(_) => "plain".to_owned(),
            Repr::Same { value, .. } => format!("all {value:?}"),
            Repr::Dict { values, codes } => {
                format!("{} values, {}-byte codes", values.len(), codes.width())
            }
            Repr::Runs { values, .. } => format!("{} runs", values.len()),
        };
        write!(f, "Column({} rows, {kind})", self.len())
    }
}

/// Equal when the rows are, however each column is stored.
impl<T: Value> PartialEq for Column<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| a.bits() == b.bits())
    }
}

impl<T: Value> Index<usize> for Column<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        match &self.repr {
            Repr::Plain(v) => &v[i],
            Repr::Same { value, len } => {
                assert!(i < *len, "row {i} of a column of {len}");
                value
            }
            Repr::Dict { values, codes } => &values[codes.get(i)],
            Repr::Runs {
                values,
                starts,
                len,
            } => {
                assert!(i < *len, "row {i} of a column of {len}");
                // The first run starts at row 0, so some run holds every row.
                &values[starts
                    .partition_point(|&s| s as usize <= i)
                    .saturating_sub(1)]
            }
        }
    }
}

impl<T: Value> Extend<T> for Column<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.plain_mut().extend(iter);
    }
}

impl<T: Value> Column<T> {
    /// An empty column with room for `n` rows.
    pub fn with_capacity(n: usize) -> Self {
        Self::from(Vec::with_capacity(n))
    }

    /// Rows.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Plain(v) => v.len(),
            Repr::Same { len, .. } | Repr::Runs { len, .. } => *len,
            Repr::Dict { codes, .. } => codes.len(),
        }
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<T> {
        (i < self.len()).then(|| self[i])
    }

    /// Every row, in order.
    pub fn iter(&self) -> Rows<'_, T> {
        self.range(0..self.len())
    }

    /// Rows `range`, in order.
    pub fn range(&self, range: Range<usize>) -> Rows<'_, T> {
        Rows {
            col: self,
            next: range.start,
            end: range.end,
            run: None,
        }
    }

    /// Every value some row holds, each at least once (maybe more), in no particular order:
    /// for a packed column its table, without reading every row.
    pub fn values(&self) -> Vec<T> {
        match &self.repr {
            Repr::Plain(v) => v.clone(),
            Repr::Same { value, len } => vec![*value; usize::from(*len > 0)],
            Repr::Dict { values, .. } | Repr::Runs { values, .. } => values.clone(),
        }
    }

    /// The rows as a `Vec`.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().collect()
    }

    /// Appends a row (a packed column is unpacked first: snapshots are packed once built, and
    /// never written to after).
    #[inline]
    pub fn push(&mut self, value: T) {
        self.plain_mut().push(value);
    }

    /// Appends rows `range` of `other`.
    pub fn extend_from(&mut self, other: &Column<T>, range: Range<usize>) {
        match &other.repr {
            Repr::Plain(v) => self.plain_mut().extend_from_slice(&v[range]),
            _ => self.extend(other.range(range)),
        }
    }

    /// The rows as a `Vec` to write to, unpacking a packed column. Inlined: loading pushes
    /// every value of the history through it, and a call per value was a tenth of a restart.
    #[inline]
    fn plain_mut(&mut self) -> &mut Vec<T> {
        if !matches!(self.repr, Repr::Plain(_)) {
            self.unpack();
        }
        match &mut self.repr {
            Repr::Plain(v) => v,
            // Made plain just above.
            _ => unreachable!("a column made plain is plain"),
        }
    }

    #[cold]
    #[inline(never)]
    fn unpack(&mut self) {
        self.repr = Repr::Plain(self.to_vec());
    }

    /// A column of rows `values[codes[i]]`.
    pub(crate) fn shared(values: Vec<T>, codes: Arc<Codes>) -> Self {
        Self {
            repr: Repr::Dict { values, codes },
        }
    }

    /// Packs the column if that makes it smaller: one value, or its distinct values and a code
    /// per row; otherwise shrinks it to its length. The rows read the same after.
    pub fn pack(&mut self) {
        let Repr::Plain(rows) = &mut self.repr else {
            return;
        };
        let Some(&first) = rows.first() else {
            rows.shrink_to_fit();
            return;
        };
        // One pass finds an integer column's range, which also tells whether it holds one
        // value: a restart packs every column of the history.
        let span = pack::integer_span(rows);
        let same = match span {
            Some((_, span)) => span == 1,
            None => rows.iter().all(|v| v.bits() == first.bits()),
        };
        if same {
            self.repr = Repr::Same {
                value: first,
                len: rows.len(),
            };
            return;
        }
        match pack::dictionary(rows, span) {
            Some((values, codes)) => {
                self.repr = Repr::Dict {
                    values,
                    codes: Arc::new(codes),
                }
            }
            None => rows.shrink_to_fit(),
        }
    }

    /// Shrinks a plain column to its length, for columns whose rows are all distinct (ids,
    /// times, offsets), where looking for repeated values would only cost time.
    pub fn shrink(&mut self) {
        if let Repr::Plain(rows) = &mut self.repr {
            rows.shrink_to_fit();
        }
    }

    /// Heap bytes held (shared codes counted whole in each column that shares them).
    pub fn heap_bytes(&self) -> usize {
        let size = std::mem::size_of::<T>();
        match &self.repr {
            Repr::Plain(v) => v.capacity() * size,
            Repr::Same { .. } => 0,
            Repr::Dict { values, codes } => values.capacity() * size + codes.heap_bytes(),
            Repr::Runs { values, starts, .. } => values.capacity() * size + starts.capacity() * 4,
        }
    }

    /// The rows of `range` that hold `value`, in order. A packed column compares its narrow
    /// codes with the code(s) of `value` (one table lookup, then a tight loop a vectorizer
    /// likes); a column of runs skips whole runs. Made for finding one product's lines among a
    /// year's.
    pub fn rows_equal(&self, range: Range<usize>, value: T) -> Vec<usize> {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        let want = value.bits();
        match &self.repr {
            Repr::Plain(v) => (start..end).filter(|&i| v[i].bits() == want).collect(),
            Repr::Same { value: v, .. } => {
                if v.bits() == want {
                    (start..end).collect()
                } else {
                    Vec::new()
                }
            }
            Repr::Dict { values, codes } => {
                let hits: Vec<usize> = (0..values.len())
                    .filter(|&c| values[c].bits() == want)
                    .collect();
                match hits.as_slice() {
                    [] => Vec::new(),
                    [code] => codes_equal(codes, start..end, *code),
                    _ => (start..end)
                        .filter(|&i| hits.contains(&codes.get(i)))
                        .collect(),
                }
            }
            Repr::Runs { .. } => self
                .range(start..end)
                .zip(start..)
                .filter(|(v, _)| v.bits() == want)
                .map(|(_, i)| i)
                .collect(),
        }
    }

    /// The codes this column shares, if it is packed with a table.
    pub(crate) fn codes(&self) -> Option<&Arc<Codes>> {
        match &self.repr {
            Repr::Dict { codes, .. } => Some(codes),
            _ => None,
        }
    }
}

/// The rows of `range` whose code is `code`.
fn codes_equal(codes: &Codes, range: Range<usize>, code: usize) -> Vec<usize> {
    fn scan<C: Copy + PartialEq>(c: &[C], range: Range<usize>, code: Option<C>) -> Vec<usize> {
        let Some(code) = code else {
            return Vec::new();
        };
        let start = range.start;
        c[range]
            .iter()
            .enumerate()
            .filter(|&(_, &x)| x == code)
            .map(|(i, _)| start + i)
            .collect()
    }
    match codes {
        Codes::U8(c) => scan(c, range, u8::try_from(code).ok()),
        Codes::U16(c) => scan(c, range, u16::try_from(code).ok()),
        Codes::U32(c) => scan(c, range, u32::try_from(code).ok()),
    }
}

/// Rows of a column, in order: see [`Column::range`].
#[derive(Debug, Clone)]
pub struct Rows<'a, T: Value> {
    col: &'a Column<T>,
    next: usize,
    end: usize,
    /// The run of the last row read, when the column is kept in runs.
    run: Option<usize>,
}

impl<T: Value> Iterator for Rows<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let Repr::Runs { values, starts, .. } = &self.col.repr else {
            return Some(self.col[i]);
        };
        // Walk the runs instead of searching each row's.
        let mut run = match self.run {
            Some(run) => run,
            None => starts
                .partition_point(|&s| s as usize <= i)
                .saturating_sub(1),
        };
        while starts.get(run + 1).is_some_and(|&s| s as usize <= i) {
            run += 1;
        }
        self.run = Some(run);
        values.get(run).copied()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end.saturating_sub(self.next);
        (n, Some(n))
    }
}

#[cfg(test)]
mod tests;
