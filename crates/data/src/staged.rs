//! [`Staged`]: one parsed upload, held compactly until its transaction writes it out.
//!
//! An upload is only read twice (for its report, and once to split it into store-days), so it
//! is not kept as typed columns like a snapshot: each line is a varint record (about 27 bytes
//! instead of 64) in an append-only log of 1 MiB chunks, and each order keeps its id, store, time
//! and line count as columns (for lookups, spans and sorting) plus a varint record of the rest.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use crate::chunked::{Chunked, Pos};
use crate::dataset::{Present, Strings, Sym};
use crate::record::{read_line, read_order, write_line, write_order};
pub use crate::record::{Line, Order};
use crate::varint::Reader;

/// An order's id, store and time as text, as [`Staged::order_keys`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey<'a> {
    /// 订单ID.
    pub id: &'a str,
    /// 门店名称.
    pub store: &'a str,
    /// 下单时间, seconds since 1970.
    pub time: i64,
}

/// A parsed upload's orders and lines (all stores together), lines in file order.
#[derive(Debug, Clone, Default)]
pub struct Staged {
    /// The string table.
    pub strings: Strings,
    /// Optional columns present.
    pub present: Present,
    ids: Vec<Sym>,
    stores: Vec<Sym>,
    times: Vec<i64>,
    /// Lines of each order.
    line_counts: Vec<u32>,
    /// Where each order's record (the values not in the columns above) starts.
    order_pos: Vec<Pos>,
    order_records: Chunked,
    lines: Chunked,
    line_count: usize,
    /// The previous line's order: lines store their order as a difference from it, one byte
    /// while an order's lines follow each other.
    last_order: u32,
    /// Orders by (store, id); emptied by [`Staged::seal`].
    index: HashTable<u32>,
    hasher: RandomState,
    scratch: Vec<u8>,
}

impl Staged {
    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_count
    }

    /// Number of orders.
    pub fn order_count(&self) -> usize {
        self.ids.len()
    }

    /// Each order's store, by order index.
    pub fn order_stores(&self) -> &[Sym] {
        &self.stores
    }

    /// Each order's time, by order index.
    pub fn order_times(&self) -> &[i64] {
        &self.times
    }

    /// Each order's number of lines, by order index.
    pub fn order_line_counts(&self) -> &[u32] {
        &self.line_counts
    }

    /// Every order's id, store and time as text, by order index.
    pub fn order_keys(&self) -> impl Iterator<Item = OrderKey<'_>> + '_ {
        (0..self.order_count()).map(|i| OrderKey {
            id: self.strings.get(self.ids[i]),
            store: self.strings.get(self.stores[i]),
            time: self.times[i],
        })
    }

    /// Order `i`, or `None` past the last.
    pub fn order(&self, i: usize) -> Option<Order> {
        let pos = *self.order_pos.get(i)?;
        let mut r = Reader::new(self.order_records.at(pos));
        let (id, store, time) = (*self.ids.get(i)?, *self.stores.get(i)?, *self.times.get(i)?);
        Some(read_order(&mut r, id, store, time))
    }

    /// Every line in file order.
    pub fn lines(&self) -> impl Iterator<Item = Line> + '_ {
        self.records().map(|(_, line)| line)
    }

    /// Every line in file order, with where its record starts.
    pub(crate) fn records(&self) -> Records<'_> {
        Records {
            log: &self.lines,
            chunk: 0,
            offset: 0,
            order: 0,
        }
    }

    /// The line whose record starts at `pos`, which belongs to `order`.
    pub(crate) fn line_at(&self, pos: Pos, order: u32) -> Line {
        let mut line = read_line(&mut Reader::new(self.lines.at(pos)), 0);
        line.order = order;
        line
    }

    /// The order with this store and id, if it was seen.
    pub(crate) fn find_order(&self, store: Sym, id: Sym) -> Option<u32> {
        let hash = self.hasher.hash_one((store, id));
        let (stores, ids) = (&self.stores, &self.ids);
        self.index
            .find(hash, |&o| {
                stores[o as usize] == store && ids[o as usize] == id
            })
            .copied()
    }

    /// True when one more order and line might not fit (far past any real upload: the logs
    /// hold 4 GiB each).
    pub(crate) fn is_full(&self) -> bool {
        self.lines.is_full() || self.order_records.is_full()
    }

    /// Adds a new order and returns its index; `None` when [`Staged::is_full`].
    pub(crate) fn push_order(&mut self, order: &Order) -> Option<u32> {
        let index = u32::try_from(self.ids.len()).ok()?;
        self.scratch.clear();
        write_order(&mut self.scratch, order);
        let pos = self.order_records.push(&self.scratch)?;
        self.ids.push(order.id);
        self.stores.push(order.store);
        self.times.push(order.time);
        self.line_counts.push(0);
        self.order_pos.push(pos);
        let (stores, ids, hasher) = (&self.stores, &self.ids, &self.hasher);
        let hash = hasher.hash_one((order.store, order.id));
        self.index.insert_unique(hash, index, |&o| {
            hasher.hash_one((stores[o as usize], ids[o as usize]))
        });
        Some(index)
    }

    /// Adds a line of an order already added; false when [`Staged::is_full`].
    pub(crate) fn push_line(&mut self, line: &Line) -> bool {
        let Some(count) = self.line_counts.get_mut(line.order as usize) else {
            return false;
        };
        self.scratch.clear();
        write_line(&mut self.scratch, line, self.last_order);
        if self.lines.push(&self.scratch).is_none() {
            return false;
        }
        *count += 1;
        self.line_count += 1;
        self.last_order = line.order;
        true
    }

    /// Drops what only adding needs (the order index, the strings' lookup table) once the
    /// whole file is read.
    pub(crate) fn seal(&mut self) {
        self.index = HashTable::new();
        self.scratch = Vec::new();
        self.strings.freeze();
        self.ids.shrink_to_fit();
        self.stores.shrink_to_fit();
        self.times.shrink_to_fit();
        self.line_counts.shrink_to_fit();
        self.order_pos.shrink_to_fit();
    }

    /// Approximate heap bytes held, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        (self.ids.capacity()
            + self.stores.capacity()
            + self.line_counts.capacity()
            + self.order_pos.capacity())
            * 4
            + self.times.capacity() * 8
            + self.order_records.heap_bytes()
            + self.lines.heap_bytes()
            + self.index.allocation_size()
            + self.strings.heap_bytes()
    }
}

/// Reads the line records one after the other (the order of each is relative to the one
/// before, so they cannot be read out of sequence without knowing it).
#[derive(Debug)]
pub(crate) struct Records<'a> {
    log: &'a Chunked,
    chunk: usize,
    offset: usize,
    order: u32,
}

impl Iterator for Records<'_> {
    type Item = (Pos, Line);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let bytes = self.log.chunk(self.chunk)?;
            if let Some(rest) = bytes.get(self.offset..).filter(|r| !r.is_empty()) {
                let mut r = Reader::new(rest);
                let line = read_line(&mut r, self.order);
                let pos = Chunked::pos(self.chunk, self.offset);
                self.offset += r.position();
                self.order = line.order;
                return Some((pos, line));
            }
            self.chunk += 1;
            self.offset = 0;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dataset::{NA, NO_SYM};

    /// An order of `store` with id `id` at `time`, its other values made up.
    pub(crate) fn order(data: &mut Staged, store: &str, id: &str, time: i64) -> u32 {
        let order = Order {
            id: data.strings.intern(id),
            store: data.strings.intern(store),
            time,
            channel: data.strings.intern("美团闪购"),
            money: [0, NA, 1, -1, i32::MAX, -i32::MAX, 250, 0, 0, 0, NA, 99],
            distance: f32::NAN,
            text: [NO_SYM, data.strings.intern("杭州"), NO_SYM, NO_SYM],
        };
        data.push_order(&order).expect("room")
    }

    /// A line of `order` named `product`, its other values made up.
    pub(crate) fn line(data: &mut Staged, order: u32, product: &str) -> Line {
        let line = Line {
            order,
            product: data.strings.intern(product),
            code: NO_SYM,
            barcode: data.strings.intern("6901234"),
            category1: data.strings.intern("饮料"),
            category3: NO_SYM,
            quantity: 2000,
            money: [350, 350, 400, NA, -120, 0, NA, 330],
            stock: 12.0,
        };
        assert!(data.push_line(&line));
        line
    }

    fn same_line(a: &Line, b: &Line) -> bool {
        (
            a.order,
            a.product,
            a.code,
            a.barcode,
            a.category1,
            a.category3,
        ) == (
            b.order,
            b.product,
            b.code,
            b.barcode,
            b.category1,
            b.category3,
        ) && a.quantity == b.quantity
            && a.money == b.money
            && a.stock.to_bits() == b.stock.to_bits()
    }

    #[test]
    fn a_line_comes_back_exactly_with_na_negative_and_extreme_money_and_any_stock() {
        let mut data = Staged::default();
        let o = order(&mut data, "一号店", "A1", 100);
        let mut written = Vec::new();
        for stock in [f32::NAN, -0.0, 3.25, -7.0, 1e30, 16_777_216.0] {
            let mut l = line(&mut data, o, "可乐");
            l.money = [NA, i32::MAX, -i32::MAX, -1, 0, 1, -1234, NA];
            l.quantity = 0;
            l.stock = stock;
            l.code = data.strings.intern("X1");
            assert!(data.push_line(&l));
            written.push(l);
        }
        let read: Vec<(Pos, Line)> = data.records().filter(|(_, l)| l.code != NO_SYM).collect();
        assert_eq!(read.len(), written.len());
        for ((pos, back), want) in read.iter().zip(&written) {
            assert!(same_line(back, want), "{back:?} != {want:?}");
            assert!(same_line(&data.line_at(*pos, o), want));
        }
    }

    #[test]
    fn interleaved_orders_keep_each_line_with_its_own_order() {
        let mut data = Staged::default();
        let a = order(&mut data, "一号店", "A", 1);
        let b = order(&mut data, "一号店", "B", 2);
        for (o, p) in [(a, "1"), (b, "2"), (a, "3"), (b, "4"), (a, "5")] {
            line(&mut data, o, p);
        }
        let orders: Vec<u32> = data.lines().map(|l| l.order).collect();
        assert_eq!(orders, [a, b, a, b, a]);
        assert_eq!(data.order_line_counts(), [3, 2]);
        assert_eq!(data.line_count(), 5);
    }

    #[test]
    fn orders_are_told_apart_by_store_and_id_together() {
        let mut data = Staged::default();
        let a = order(&mut data, "一号店", "A", 1);
        let b = order(&mut data, "二号店", "A", 1);
        let (one, two, id) = (
            data.strings.intern("一号店"),
            data.strings.intern("二号店"),
            data.strings.intern("A"),
        );
        assert_eq!(data.find_order(one, id), Some(a));
        assert_eq!(data.find_order(two, id), Some(b));
        assert_eq!(data.find_order(two, NO_SYM), None);
        let keys: Vec<OrderKey<'_>> = data.order_keys().collect();
        assert_eq!(
            keys[1],
            OrderKey {
                id: "A",
                store: "二号店",
                time: 1
            }
        );
    }

    #[test]
    fn sealing_keeps_everything_readable() {
        let mut data = Staged::default();
        let o = order(&mut data, "一号店", "A", 1);
        let want = line(&mut data, o, "可乐");
        data.seal();
        let back = data.lines().next().expect("a line");
        assert!(same_line(&back, &want));
        assert_eq!(data.order_keys().next().map(|k| k.store), Some("一号店"));
    }
}
