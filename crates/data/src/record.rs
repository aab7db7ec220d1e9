//! The varint records a [`crate::staged::Staged`] upload keeps its lines and orders in, and
//! the values they hold. Every value comes back exactly as written (see [`crate::varint`]).

use crate::chunked::MAX_RECORD;
use crate::dataset::{Sym, NO_SYM};
use crate::varint::{put_f32, put_fixed, put_i64, put_u64, Reader, MAX_VALUE_BYTES};

// Records always fit in the log: a line is 15 values and a float (at most 4 raw bytes more), an
// order 17 values and a float.
const _: () = assert!(16 * MAX_VALUE_BYTES + 4 <= MAX_RECORD);
const _: () = assert!(18 * MAX_VALUE_BYTES + 4 <= MAX_RECORD);

/// One order's values.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    /// 订单ID.
    pub id: Sym,
    /// 门店名称.
    pub store: Sym,
    /// 下单时间, seconds since 1970 (local time as written in the file).
    pub time: i64,
    /// 渠道.
    pub channel: Sym,
    /// [`crate::dataset::ORDER_MONEY`] columns, in cents.
    pub money: [i32; 12],
    /// 配送距离 in metres (NaN when absent).
    pub distance: f32,
    /// [`crate::dataset::ORDER_TEXT`] columns.
    pub text: [Sym; 4],
}

/// One order line's values.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    /// Index of the line's order.
    pub order: u32,
    /// 商品名称.
    pub product: Sym,
    /// 店内码.
    pub code: Sym,
    /// 条码.
    pub barcode: Sym,
    /// 一级分类名.
    pub category1: Sym,
    /// 三级分类名.
    pub category3: Sym,
    /// 销量 in thousandths.
    pub quantity: i32,
    /// [`crate::dataset::LINE_MONEY`] columns, in cents.
    pub money: [i32; 8],
    /// 剩余库存 (NaN when absent).
    pub stock: f32,
}

impl Line {
    /// The product key: 店内码, else 条码, else 商品名称 (derived, so it is not stored twice).
    pub fn key(&self) -> Sym {
        [self.code, self.barcode, self.product]
            .into_iter()
            .find(|&s| s != NO_SYM)
            .unwrap_or(self.product)
    }
}

/// Appends a line's record. Its order is written as the difference from `previous_order`
/// (the previous line's): one byte while an order's lines follow each other.
pub(crate) fn write_line(out: &mut Vec<u8>, line: &Line, previous_order: u32) {
    put_i64(out, i64::from(line.order) - i64::from(previous_order));
    for sym in [
        line.product,
        line.code,
        line.barcode,
        line.category1,
        line.category3,
    ] {
        put_u64(out, u64::from(sym));
    }
    put_fixed(out, line.quantity);
    line.money.iter().for_each(|&m| put_fixed(out, m));
    put_f32(out, line.stock);
}

/// Reads a record written by [`write_line`] with the same `previous_order`.
pub(crate) fn read_line(r: &mut Reader<'_>, previous_order: u32) -> Line {
    let order = i64::from(previous_order) + r.i64();
    Line {
        order: u32::try_from(order).unwrap_or(u32::MAX),
        product: r.u32(),
        code: r.u32(),
        barcode: r.u32(),
        category1: r.u32(),
        category3: r.u32(),
        quantity: r.fixed(),
        money: std::array::from_fn(|_| r.fixed()),
        stock: r.f32(),
    }
}

/// Appends an order's record: its values other than id, store and time (which the staged
/// upload keeps as columns, to look orders up and sort them).
pub(crate) fn write_order(out: &mut Vec<u8>, order: &Order) {
    put_u64(out, u64::from(order.channel));
    order.money.iter().for_each(|&m| put_fixed(out, m));
    put_f32(out, order.distance);
    order.text.iter().for_each(|&s| put_u64(out, u64::from(s)));
}

/// Reads a record written by [`write_order`], completed with the order's columns.
pub(crate) fn read_order(r: &mut Reader<'_>, id: Sym, store: Sym, time: i64) -> Order {
    Order {
        id,
        store,
        time,
        channel: r.u32(),
        money: std::array::from_fn(|_| r.fixed()),
        distance: r.f32(),
        text: std::array::from_fn(|_| r.u32()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::NA;

    fn sample_line() -> Line {
        Line {
            order: 7,
            product: 300_000,
            code: NO_SYM,
            barcode: 12,
            category1: 3,
            category3: NO_SYM,
            quantity: 1500,
            money: [NA, i32::MAX, -i32::MAX, -1, 0, 1, -1234, NA],
            stock: f32::NAN,
        }
    }

    #[test]
    fn a_line_record_comes_back_exactly_whichever_order_came_before() {
        for previous in [0, 6, 7, 8, u32::MAX] {
            let want = sample_line();
            let mut out = Vec::new();
            write_line(&mut out, &want, previous);
            assert!(out.len() <= MAX_RECORD);
            let mut r = Reader::new(&out);
            let back = read_line(&mut r, previous);
            assert_eq!(r.position(), out.len());
            assert_eq!(back.order, 7);
            assert_eq!(back.money, want.money);
            assert_eq!(back.stock.to_bits(), want.stock.to_bits());
            assert_eq!(
                (
                    back.product,
                    back.code,
                    back.barcode,
                    back.category1,
                    back.category3
                ),
                (300_000, NO_SYM, 12, 3, NO_SYM)
            );
            assert_eq!(back.quantity, 1500);
        }
    }

    #[test]
    fn a_typical_line_record_is_small() {
        let mut line = sample_line();
        line.money = [350, 350, 400, NA, 120, 0, NA, 330];
        line.stock = 12.0;
        let mut out = Vec::new();
        write_line(&mut out, &line, 7);
        assert!(out.len() <= 24, "{} bytes", out.len());
    }

    #[test]
    fn an_order_record_comes_back_exactly() {
        let want = Order {
            id: 5,
            store: 6,
            time: -86_400,
            channel: 9,
            money: [0, NA, 1, -1, i32::MAX, -i32::MAX, 250, 0, 0, 0, NA, 99],
            distance: -0.0,
            text: [NO_SYM, 11, NO_SYM, u32::MAX],
        };
        let mut out = Vec::new();
        write_order(&mut out, &want);
        assert!(out.len() <= MAX_RECORD);
        let back = read_order(&mut Reader::new(&out), 5, 6, -86_400);
        assert_eq!((back.id, back.store, back.time), (5, 6, -86_400));
        assert_eq!(
            (back.channel, back.money, back.text),
            (9, want.money, want.text)
        );
        assert_eq!(back.distance.to_bits(), want.distance.to_bits());
    }

    #[test]
    fn the_product_key_is_the_store_code_else_the_barcode_else_the_name() {
        let mut line = sample_line();
        line.code = 40;
        assert_eq!(line.key(), 40);
        line.code = NO_SYM;
        assert_eq!(line.key(), 12);
        line.barcode = NO_SYM;
        assert_eq!(line.key(), 300_000);
    }
}
