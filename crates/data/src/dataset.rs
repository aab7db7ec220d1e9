//! The columnar order dataset: typed columns, interned strings, order-level values stored once
//! per order. A store's snapshot is one; an upload being parsed is held more compactly, as a
//! [`crate::staged::Staged`].
//!
//! Money is kept in whole cents (`i32`), quantities in thousandths, so sums are exact and a line
//! costs about 60 bytes; [`NA`] marks an absent value.

use chrono::{NaiveDate, NaiveDateTime};

use crate::schema::Column;
pub use crate::strings::Strings;

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
    pub id: Vec<Sym>,
    /// 下单时间, seconds since 1970 (local time as written in the file).
    pub time: Vec<i64>,
    /// 门店名称.
    pub store: Vec<Sym>,
    /// 渠道.
    pub channel: Vec<Sym>,
    /// [`ORDER_MONEY`] columns, in cents.
    pub money: [Vec<i32>; 12],
    /// 配送距离 in metres (NaN when absent).
    pub distance: Vec<f32>,
    /// [`ORDER_TEXT`] columns.
    pub text: [Vec<Sym>; 4],
    /// Index of the order's first line; its lines are `first_line[i]..first_line[i + 1]` in a
    /// snapshot (lines are grouped by order there).
    pub first_line: Vec<u32>,
}

/// Line-level columns: one entry per order line.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// Index of the line's order.
    pub order: Vec<u32>,
    /// 商品名称.
    pub product: Vec<Sym>,
    /// Product key: 店内码, else 条码, else 商品名称.
    pub key: Vec<Sym>,
    /// 条码 (kept so a key from 店内码 can still show it).
    pub barcode: Vec<Sym>,
    /// 一级分类名.
    pub category1: Vec<Sym>,
    /// 三级分类名.
    pub category3: Vec<Sym>,
    /// 销量 in thousandths.
    pub quantity: Vec<i32>,
    /// [`LINE_MONEY`] columns, in cents.
    pub money: [Vec<i32>; 8],
    /// 剩余库存 (NaN when absent).
    pub stock: Vec<f32>,
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
            id: Vec::with_capacity(n),
            time: Vec::with_capacity(n),
            store: Vec::with_capacity(n),
            channel: Vec::with_capacity(n),
            money: std::array::from_fn(|_| Vec::with_capacity(n)),
            distance: Vec::with_capacity(n),
            text: std::array::from_fn(|_| Vec::with_capacity(n)),
            first_line: Vec::with_capacity(n),
        }
    }
}

impl Lines {
    /// Empty columns with room for `n` lines.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            order: Vec::with_capacity(n),
            product: Vec::with_capacity(n),
            key: Vec::with_capacity(n),
            barcode: Vec::with_capacity(n),
            category1: Vec::with_capacity(n),
            category3: Vec::with_capacity(n),
            quantity: Vec::with_capacity(n),
            money: std::array::from_fn(|_| Vec::with_capacity(n)),
            stock: Vec::with_capacity(n),
        }
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
            .map_or(self.line_count(), |&n| n as usize);
        start..end
    }

    /// First and last day of the orders, if any.
    pub fn day_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let min = self.orders.time.iter().min()?;
        let max = self.orders.time.iter().max()?;
        Some((day_of(*min), day_of(*max)))
    }

    /// Approximate heap bytes held, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        let o = &self.orders;
        let l = &self.lines;
        let order_bytes = o.id.capacity() * 4
            + o.time.capacity() * 8
            + (o.store.capacity() + o.channel.capacity() + o.first_line.capacity()) * 4
            + o.money.iter().map(|c| c.capacity() * 4).sum::<usize>()
            + o.text.iter().map(|c| c.capacity() * 4).sum::<usize>()
            + o.distance.capacity() * 4;
        let line_bytes = (l.order.capacity()
            + l.product.capacity()
            + l.key.capacity()
            + l.barcode.capacity()
            + l.category1.capacity()
            + l.category3.capacity()
            + l.quantity.capacity()
            + l.stock.capacity())
            * 4
            + l.money.iter().map(|c| c.capacity() * 4).sum::<usize>();
        order_bytes + line_bytes + self.strings.heap_bytes()
    }

    /// Heap bytes held by each part of the dataset, for memory reports: (part, bytes). The parts
    /// add up to [`Dataset::heap_bytes`].
    pub fn heap_parts(&self) -> Vec<(&'static str, usize)> {
        fn cap<T>(col: &Vec<T>) -> usize {
            col.capacity() * std::mem::size_of::<T>()
        }
        let (o, l) = (&self.orders, &self.lines);
        vec![
            ("orders: id", cap(&o.id)),
            ("orders: time", cap(&o.time)),
            ("orders: store, channel", cap(&o.store) + cap(&o.channel)),
            ("orders: money", o.money.iter().map(cap).sum()),
            ("orders: distance", cap(&o.distance)),
            ("orders: text", o.text.iter().map(cap).sum()),
            ("orders: first_line", cap(&o.first_line)),
            ("lines: order", cap(&l.order)),
            (
                "lines: product attributes",
                cap(&l.product) + cap(&l.key) + cap(&l.barcode) + cap(&l.category1)
                    + cap(&l.category3),
            ),
            ("lines: quantity", cap(&l.quantity)),
            ("lines: money", l.money.iter().map(cap).sum()),
            ("lines: stock", cap(&l.stock)),
            ("strings", self.strings.heap_bytes()),
        ]
    }

    /// Shrinks every column to its length.
    pub fn shrink(&mut self) {
        let o = &mut self.orders;
        o.id.shrink_to_fit();
        o.time.shrink_to_fit();
        o.store.shrink_to_fit();
        o.channel.shrink_to_fit();
        o.distance.shrink_to_fit();
        o.first_line.shrink_to_fit();
        o.money.iter_mut().for_each(Vec::shrink_to_fit);
        o.text.iter_mut().for_each(Vec::shrink_to_fit);
        let l = &mut self.lines;
        for col in [
            &mut l.order,
            &mut l.product,
            &mut l.key,
            &mut l.barcode,
            &mut l.category1,
            &mut l.category3,
        ] {
            col.shrink_to_fit();
        }
        l.quantity.shrink_to_fit();
        l.stock.shrink_to_fit();
        l.money.iter_mut().for_each(Vec::shrink_to_fit);
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
