//! The columnar order dataset: typed columns, interned strings, order-level values stored once
//! per order. A store's snapshot is one; an upload being parsed is held more compactly, as a
//! [`crate::staged::Staged`].
//!
//! Money is kept in whole cents (`i32`), quantities in thousandths, so sums are exact; [`NA`]
//! marks an absent value. Each column is a [`Col`]: a `Vec` while it is filled, packed when the
//! snapshot is built ([`Dataset::pack`]): a store's columns hold few distinct values (its
//! prices, its channels, marketing fields that are mostly 0), and the five attributes of a
//! product share one code per line, so a line costs ~25 bytes instead of 64.

mod concat;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use foldhash::fast::FixedState;

pub use crate::column::{Codes, Column as Col, Rows, Value};
use crate::schema::Column;
pub use crate::strings::Strings;
pub(crate) use concat::{order_column, Block};

/// The "not available" marker in fixed-point columns.
pub const NA: i32 = i32::MIN;

/// Money columns kept per line, in this order.
pub const LINE_MONEY: [Column; 8] = [
    Column::ActualPrice,
    Column::SalePrice,
    Column::OriginalPrice,
    Column::Cost,
    Column::Profit,
    Column::ServiceFee,
    Column::CorporateRebate,
    Column::ExpectedIncome,
];

/// Money columns kept per order, in this order.
pub const ORDER_MONEY: [Column; 12] = [
    Column::Commission,
    Column::DeliveryFee,
    Column::UserDeliveryFee,
    Column::DeliveryDiscount,
    Column::FullReduction,
    Column::ProductDiscount,
    Column::MerchantVoucher,
    Column::MerchantCoupon,
    Column::GiftAmount,
    Column::OtherDiscount,
    Column::NewCustomerDiscount,
    Column::PackagingFee,
];

/// Text columns kept per order (besides id, store and channel), in this order.
pub const ORDER_TEXT: [Column; 4] = [
    Column::Address,
    Column::DeliveryPlatform,
    Column::City,
    Column::StoreId,
];

/// Index of a string in a dataset's string table.
pub type Sym = u32;

/// The string id of "no value".
pub const NO_SYM: Sym = 0;

/// Converts money to cents, or `None` when it does not fit (±21 million).
pub fn to_cents(value: f64) -> Option<i32> {
    let cents = (value * 100.0).round();
    (cents.is_finite() && cents > f64::from(NA) && cents <= f64::from(i32::MAX))
        .then_some(cents as i32)
}

/// Converts a quantity to thousandths, or `None` when it does not fit.
pub fn to_millis(value: f64) -> Option<i32> {
    let m = (value * 1000.0).round();
    (m.is_finite() && m > f64::from(NA) && m <= f64::from(i32::MAX)).then_some(m as i32)
}

/// A fixed-point value back as a float (`None` for [`NA`]).
pub fn fixed(value: i32, scale: f64) -> Option<f64> {
    (value != NA).then(|| f64::from(value) / scale)
}

/// Order-level columns: one entry per order.
#[derive(Debug, Clone, Default)]
pub struct Orders {
    /// 订单ID.
    pub id: Col<Sym>,
    /// 下单时间, seconds since 1970 (local time as written in the file).
    pub time: Col<i64>,
    /// 门店名称.
    pub store: Col<Sym>,
    /// 渠道.
    pub channel: Col<Sym>,
    /// [`ORDER_MONEY`] columns, in cents.
    pub money: [Col<i32>; 12],
    /// 配送距离 in metres (NaN when absent).
    pub distance: Col<f32>,
    /// [`ORDER_TEXT`] columns.
    pub text: [Col<Sym>; 4],
    /// Index of the order's first line; its lines are `first_line[i]..first_line[i + 1]` in a
    /// snapshot (lines are grouped by order there).
    pub first_line: Col<u32>,
}

/// Line-level columns: one entry per order line.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// Index of the line's order.
    pub order: Col<u32>,
    /// 商品名称.
    pub product: Col<Sym>,
    /// Product key: 店内码, else 条码, else 商品名称.
    pub key: Col<Sym>,
    /// 条码 (kept so a key from 店内码 can still show it).
    pub barcode: Col<Sym>,
    /// 一级分类名.
    pub category1: Col<Sym>,
    /// 三级分类名.
    pub category3: Col<Sym>,
    /// 销量 in thousandths.
    pub quantity: Col<i32>,
    /// [`LINE_MONEY`] columns, in cents.
    pub money: [Col<i32>; 8],
    /// 剩余库存 (NaN when absent).
    pub stock: Col<f32>,
}

/// Which optional columns any line of the dataset had.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Present(u64);

impl Present {
    /// Marks `col` present.
    pub fn insert(&mut self, col: Column) {
        self.0 |= 1 << (col as u64);
    }

    /// True when `col` was present.
    pub fn contains(self, col: Column) -> bool {
        self.0 & (1 << (col as u64)) != 0
    }

    /// Both sets together.
    pub fn union(self, other: Present) -> Present {
        Present(self.0 | other.0)
    }

    /// The raw bits (for persistence).
    pub fn bits(self) -> u64 {
        self.0
    }

    /// From raw bits.
    pub fn from_bits(bits: u64) -> Self {
        Present(bits)
    }
}

/// Orders, lines and their strings.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The string table.
    pub strings: Strings,
    /// Order-level columns.
    pub orders: Orders,
    /// Line-level columns.
    pub lines: Lines,
    /// Optional columns present.
    pub present: Present,
}

/// Day number of a timestamp column value.
pub fn day_of(time: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(time, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

/// A timestamp column value of a date-time.
pub fn timestamp(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp()
}

impl Orders {
    /// Empty columns with room for `n` orders.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            id: Col::with_capacity(n),
            time: Col::with_capacity(n),
            store: Col::with_capacity(n),
            channel: Col::with_capacity(n),
            money: std::array::from_fn(|_| Col::with_capacity(n)),
            distance: Col::with_capacity(n),
            text: std::array::from_fn(|_| Col::with_capacity(n)),
            first_line: Col::with_capacity(n),
        }
    }

    /// Packs every column that repeats values (see [`Col::pack`]).
    fn pack(&mut self) {
        // One per order: nothing repeats.
        self.id.shrink();
        self.time.shrink();
        self.first_line.shrink();
        self.store.pack();
        self.channel.pack();
        self.distance.pack();
        self.money.iter_mut().for_each(Col::pack);
        self.text.iter_mut().for_each(Col::pack);
    }
}

impl Lines {
    /// Empty columns with room for `n` lines.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            order: Col::with_capacity(n),
            product: Col::with_capacity(n),
            key: Col::with_capacity(n),
            barcode: Col::with_capacity(n),
            category1: Col::with_capacity(n),
            category3: Col::with_capacity(n),
            quantity: Col::with_capacity(n),
            money: std::array::from_fn(|_| Col::with_capacity(n)),
            stock: Col::with_capacity(n),
        }
    }

    /// Packs every column; the five product attributes share one code per line.
    fn pack(&mut self) {
        // Lines are grouped by order: one run per order.
        self.order.pack_runs();
        self.quantity.pack();
        self.stock.pack();
        self.money.iter_mut().for_each(Col::pack);
        if !self.pack_products() {
            for col in self.attributes_mut() {
                col.pack();
            }
        }
    }

    fn attributes_mut(&mut self) -> [&mut Col<Sym>; 5] {
        [
            &mut self.product,
            &mut self.key,
            &mut self.barcode,
            &mut self.category1,
            &mut self.category3,
        ]
    }

    /// Replaces the five product attribute columns by a table of the distinct (商品名称, key,
    /// 条码, 一级分类名, 三级分类名) and one shared code per line, when that is smaller: they are
    /// attributes of the product, so a store has a few thousand distinct tuples at most.
    fn pack_products(&mut self) -> bool {
        let n = self.product.len();
        let mut index: HashMap<[Sym; 5], u32, FixedState> = HashMap::default();
        let mut table: [Vec<Sym>; 5] = Default::default();
        let mut codes: Vec<u32> = Vec::with_capacity(n);
        // The last code of each key: a key nearly always comes with the same attributes, so
        // most lines find their code here without hashing five ids.
        let keys = self.key.iter().max().map_or(0, |k| k as usize + 1);
        let mut last_of_key = vec![u32::MAX; keys];
        for j in 0..n {
            let tuple = [
                self.product[j],
                self.key[j],
                self.barcode[j],
                self.category1[j],
                self.category3[j],
            ];
            let last = last_of_key[tuple[1] as usize];
            let same = |c: u32| table.iter().zip(tuple).all(|(col, v)| col[c as usize] == v);
            let code = if last != u32::MAX && same(last) {
                last
            } else {
                *index.entry(tuple).or_insert_with(|| {
                    for (col, v) in table.iter_mut().zip(tuple) {
                        col.push(v);
                    }
                    (table[0].len() - 1) as u32
                })
            };
            last_of_key[tuple[1] as usize] = code;
            codes.push(code);
        }
        let codes = Codes::narrow(&codes, table[0].len());
        let packed = table[0].len() * 20 + codes.heap_bytes();
        if n == 0 || packed >= n * 20 {
            return false;
        }
        let codes = Arc::new(codes);
        for (col, mut values) in self.attributes_mut().into_iter().zip(table) {
            values.shrink_to_fit();
            *col = Col::shared(values, Arc::clone(&codes));
        }
        true
    }
}

impl Dataset {
    /// An empty dataset whose columns have room for `orders` orders and `lines` lines: filled
    /// up to there, they are never copied or reallocated.
    pub fn with_capacity(orders: usize, lines: usize) -> Self {
        Self {
            strings: Strings::default(),
            orders: Orders::with_capacity(orders),
            lines: Lines::with_capacity(lines),
            present: Present::default(),
        }
    }

    /// Number of orders.
    pub fn order_count(&self) -> usize {
        self.orders.id.len()
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.lines.order.len()
    }

    /// The lines of order `i` (valid in a snapshot, where lines are grouped by order).
    pub fn line_range(&self, order: usize) -> std::ops::Range<usize> {
        let start = self.orders.first_line[order] as usize;
        let end = self
            .orders
            .first_line
            .get(order + 1)
            .map_or(self.line_count(), |n| n as usize);
        start..end
    }

    /// First and last day of the orders, if any.
    pub fn day_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let min = self.orders.time.iter().min()?;
        let max = self.orders.time.iter().max()?;
        Some((day_of(min), day_of(max)))
    }

    /// Heap bytes held, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.heap_parts().iter().map(|(_, b)| b).sum()
    }

    /// Heap bytes held by each part of the dataset, for memory reports: (part, bytes). Codes
    /// shared by several columns are counted once.
    pub fn heap_parts(&self) -> Vec<(&'static str, usize)> {
        fn sum<T: Value>(cols: &[Col<T>]) -> usize {
            cols.iter().map(Col::heap_bytes).sum()
        }
        let (o, l) = (&self.orders, &self.lines);
        let attributes = [&l.product, &l.key, &l.barcode, &l.category1, &l.category3];
        let shared = attributes
            .iter()
            .skip(1)
            .filter_map(|c| c.codes())
            .filter(|c| l.product.codes().is_some_and(|p| Arc::ptr_eq(p, c)))
            .map(|c| c.heap_bytes())
            .sum::<usize>();
        vec![
            ("orders: id", o.id.heap_bytes()),
            ("orders: time", o.time.heap_bytes()),
            (
                "orders: store, channel",
                o.store.heap_bytes() + o.channel.heap_bytes(),
            ),
            ("orders: money", sum(&o.money)),
            ("orders: distance", o.distance.heap_bytes()),
            ("orders: text", sum(&o.text)),
            ("orders: first_line", o.first_line.heap_bytes()),
            ("lines: order", l.order.heap_bytes()),
            (
                "lines: product attributes",
                attributes.iter().map(|c| c.heap_bytes()).sum::<usize>() - shared,
            ),
            ("lines: quantity", l.quantity.heap_bytes()),
            ("lines: money", sum(&l.money)),
            ("lines: stock", l.stock.heap_bytes()),
            ("strings", self.strings.heap_bytes()),
        ]
    }

    /// Packs every column (see [`Col::pack`]): done once, when the snapshot is built. Reads
    /// give the same rows after.
    pub fn pack(&mut self) {
        self.orders.pack();
        self.lines.pack();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_exact_for_money_and_reject_overflow() {
        assert_eq!(to_cents(12.34), Some(1234));
        assert_eq!(to_cents(0.1 + 0.2), Some(30));
        assert_eq!(to_cents(-5.0), Some(-500));
        assert_eq!(to_cents(1e12), None);
        assert_eq!(fixed(1234, 100.0), Some(12.34));
        assert_eq!(fixed(NA, 100.0), None);
    }

    #[test]
    fn present_remembers_columns() {
        let mut p = Present::default();
        p.insert(Column::Stock);
        assert!(p.contains(Column::Stock));
        assert!(!p.contains(Column::Profit));
        assert_eq!(Present::from_bits(p.bits()), p);
    }
}
