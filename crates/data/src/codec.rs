//! How one store's day of orders is stored: a compact blob with its own string table, built
//! from a staged upload one day at a time and decoded straight into a snapshot's columns at
//! start-up.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::chunked::Pos;
use crate::dataset::{day_of, Dataset, Strings, Sym, NO_SYM};
use crate::staged::Staged;

/// One order as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OrderRow {
    id: u32,
    time: i64,
    channel: u32,
    money: [i32; 12],
    distance: f32,
    text: [u32; 4],
    lines: u32,
}

/// One line as stored (its order is implied: lines follow their order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LineRow {
    product: u32,
    key: u32,
    barcode: u32,
    category1: u32,
    category3: u32,
    quantity: i32,
    money: [i32; 8],
    stock: f32,
}

/// One store's orders of one day, with the strings they use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayRows {
    strings: Vec<String>,
    orders: Vec<OrderRow>,
    lines: Vec<LineRow>,
}

impl DayRows {
    /// Number of orders.
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Encodes for the database.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Decodes a stored blob.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(bytes).map_err(|e| e.to_string())
    }
}

/// Remaps a staged upload's string ids to a blob's local table (ids in order of first use): one
/// slot per string id of the upload, kept from day to day (a day resets only its own).
#[derive(Debug)]
struct LocalStrings {
    /// Local id + 1 of each string id of the upload seen this day; 0: not seen.
    slots: Vec<u32>,
    /// The string ids seen this day.
    used: Vec<Sym>,
}

impl LocalStrings {
    fn new(source: &Strings) -> Self {
        Self {
            slots: vec![0; source.len()],
            used: Vec::new(),
        }
    }

    /// The local id of `sym`, added to `strings` at its first use.
    fn id(&mut self, sym: Sym, source: &Strings, strings: &mut Vec<String>) -> u32 {
        if sym == NO_SYM {
            return 0;
        }
        let i = sym as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, 0);
        }
        if self.slots[i] != 0 {
            return self.slots[i] - 1;
        }
        let id = strings.len() as u32;
        strings.push(source.get(sym).to_owned());
        self.slots[i] = id + 1;
        self.used.push(sym);
        id
    }

    /// Forgets the day's strings.
    fn reset(&mut self) {
        for sym in self.used.drain(..) {
            if let Some(slot) = self.slots.get_mut(sym as usize) {
                *slot = 0;
            }
        }
    }
}

/// Where each order's lines are in a staged upload, in file order: an order's lines need not
/// follow each other in the file. Built once per upload, shared by all its stores.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// Order `i`'s lines are `positions[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    positions: Vec<Pos>,
}

impl LineIndex {
    /// Indexes every line of `data` (one pass over the lines).
    pub(crate) fn new(data: &Staged) -> Self {
        let mut starts = Vec::with_capacity(data.order_count() + 1);
        let mut total = 0u32;
        starts.push(0);
        for &n in data.order_line_counts() {
            total = total.saturating_add(n);
            starts.push(total);
        }
        let mut next: Vec<u32> = starts.clone();
        let mut positions = vec![0; total as usize];
        for (pos, line) in data.records() {
            if let Some(slot) = next.get_mut(line.order as usize) {
                if let Some(p) = positions.get_mut(*slot as usize) {
                    *p = pos;
                }
                *slot += 1;
            }
        }
        Self { starts, positions }
    }

    /// Where each line of `order` starts, in file order.
    fn lines_of(&self, order: u32) -> &[Pos] {
        let i = order as usize;
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.positions.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The days of one store of a staged upload, each built when asked for, so that only one
/// day's [`DayRows`] exists at a time.
#[derive(Debug)]
pub(crate) struct StoreDays<'a> {
    data: &'a Staged,
    index: &'a LineIndex,
    /// The store's orders as (time, index), sorted by time; ties keep file order.
    orders: Vec<(i64, u32)>,
    next: usize,
    local: LocalStrings,
}

/// Splits the orders of `store` in `data` into one [`DayRows`] per day, in day order; a day's
/// orders are sorted by time (ties in file order), each with its lines in file order.
pub(crate) fn store_days<'a>(data: &'a Staged, index: &'a LineIndex, store: Sym) -> StoreDays<'a> {
    let mut orders: Vec<(i64, u32)> = data
        .order_stores()
        .iter()
        .zip(data.order_times())
        .enumerate()
        .filter(|(_, (&s, _))| s == store)
        .map(|(i, (_, &t))| (t, i as u32))
        .collect();
    // Stable, and a day is a range of times: this sorts by day, then time, then file order.
    orders.sort_by_key(|&(t, _)| t);
    StoreDays {
        data,
        index,
        orders,
        next: 0,
        local: LocalStrings::new(&data.strings),
    }
}

impl Iterator for StoreDays<'_> {
    type Item = (NaiveDate, DayRows);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.orders.get(self.next..)?;
        let day = day_of(rest.first()?.0);
        let len = rest.iter().take_while(|(t, _)| day_of(*t) == day).count();
        self.next += len;
        let rows = day_rows(self.data, self.index, &rest[..len], &mut self.local);
        Some((day, rows))
    }
}

fn day_rows(
    data: &Staged,
    index: &LineIndex,
    orders: &[(i64, u32)],
    local: &mut LocalStrings,
) -> DayRows {
    let mut rows = DayRows::default();
    let mut strings = vec![String::new()];
    let source = &data.strings;
    let mut local_id = |sym: Sym| local.id(sym, source, &mut strings);
    for &(_, i) in orders {
        let Some(o) = data.order(i as usize) else {
            continue;
        };
        let lines = index.lines_of(i);
        // Field order matters: it is the order strings get their local ids in.
        rows.orders.push(OrderRow {
            id: local_id(o.id),
            time: o.time,
            channel: local_id(o.channel),
            money: o.money,
            distance: o.distance,
            text: o.text.map(&mut local_id),
            lines: lines.len() as u32,
        });
        for &pos in lines {
            let l = data.line_at(pos, i);
            rows.lines.push(LineRow {
                product: local_id(l.product),
                key: local_id(l.key()),
                barcode: local_id(l.barcode),
                category1: local_id(l.category1),
                category3: local_id(l.category3),
                quantity: l.quantity,
                money: l.money,
                stock: l.stock,
            });
        }
    }
    rows.strings = strings;
    local.reset();
    rows
}

/// A stored day as read back at start-up: its strings borrowed from the blob, not copied.
#[derive(Deserialize)]
struct StoredRows<'a> {
    #[serde(borrow)]
    strings: Vec<&'a str>,
    orders: Vec<OrderRow>,
    lines: Vec<LineRow>,
}

/// Appends a day's rows to a snapshot's dataset (orders get `store` as their store).
pub fn append(target: &mut Dataset, store: Sym, rows: &DayRows) {
    let syms: Vec<Sym> = rows
        .strings
        .iter()
        .map(|s| target.strings.intern(s))
        .collect();
    push_rows(target, store, &syms, &rows.orders, &rows.lines, true);
}

/// Appends a stored day, a blob as [`DayRows::encode`] wrote it, to a snapshot's dataset: the
/// same columns as decoding it and calling [`append`], without copying its strings, except the
/// order of each line: the caller makes it once every day is in ([`order_column`]), as runs,
/// instead of a value per line packed afterwards. `syms` is scratch space, kept between days.
/// A damaged blob gives the decoder's message.
///
/// [`order_column`]: crate::dataset::order_column
pub fn append_blob(
    target: &mut Dataset,
    store: Sym,
    blob: &[u8],
    syms: &mut Vec<Sym>,
) -> Result<(), String> {
    let rows: StoredRows<'_> = postcard::from_bytes(blob).map_err(|e| e.to_string())?;
    syms.clear();
    syms.extend(rows.strings.iter().map(|s| target.strings.intern(s)));
    push_rows(target, store, syms, &rows.orders, &rows.lines, false);
    Ok(())
}

/// Pushes a day's orders and their lines; `syms` maps the day's string ids to the target's;
/// `line_orders`: whether to push each line's order too.
fn push_rows(
    target: &mut Dataset,
    store: Sym,
    syms: &[Sym],
    orders: &[OrderRow],
    lines: &[LineRow],
    line_orders: bool,
) {
    let sym = |id: u32| syms.get(id as usize).copied().unwrap_or(NO_SYM);
    let mut next_line = lines.iter();
    for row in orders {
        let order = target.orders.id.len() as u32;
        let o = &mut target.orders;
        o.id.push(sym(row.id));
        o.time.push(row.time);
        o.store.push(store);
        o.channel.push(sym(row.channel));
        o.distance.push(row.distance);
        o.first_line.push(target.lines.product.len() as u32);
        for (col, v) in o.money.iter_mut().zip(row.money) {
            col.push(v);
        }
        for (col, v) in o.text.iter_mut().zip(row.text) {
            col.push(sym(v));
        }
        let l = &mut target.lines;
        for line in next_line.by_ref().take(row.lines as usize) {
            if line_orders {
                l.order.push(order);
            }
            l.product.push(sym(line.product));
            l.key.push(sym(line.key));
            l.barcode.push(sym(line.barcode));
            l.category1.push(sym(line.category1));
            l.category3.push(sym(line.category3));
            l.quantity.push(line.quantity);
            l.stock.push(line.stock);
            for (col, v) in l.money.iter_mut().zip(line.money) {
                col.push(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staged::tests::{line, order};

    const DAY: i64 = 86_400;

    /// The product names of a day's lines, order by order.
    fn products(rows: &DayRows) -> Vec<&str> {
        rows.lines
            .iter()
            .map(|l| rows.strings[l.product as usize].as_str())
            .collect()
    }

    #[test]
    fn a_store_day_lists_orders_by_time_each_with_its_lines_in_file_order() {
        let mut data = Staged::default();
        let late = order(&mut data, "一号店", "late", 10 * 3600);
        let other = order(&mut data, "二号店", "other", 9 * 3600);
        let early = order(&mut data, "一号店", "early", 9 * 3600);
        let next_day = order(&mut data, "一号店", "next", DAY + 60);
        for (o, p) in [
            (late, "L1"),
            (early, "E1"),
            (other, "O1"),
            (late, "L2"),
            (next_day, "N1"),
            (early, "E2"),
            (late, "L3"),
        ] {
            line(&mut data, o, p);
        }
        data.seal();
        let index = LineIndex::new(&data);
        let store = data.order_stores()[late as usize];
        let days: Vec<(NaiveDate, DayRows)> = store_days(&data, &index, store).collect();
        assert_eq!(days.len(), 2);
        let (first, rows) = &days[0];
        assert_eq!(*first, day_of(0));
        assert_eq!(products(rows), ["E1", "E2", "L1", "L2", "L3"]);
        let counts: Vec<u32> = rows.orders.iter().map(|o| o.lines).collect();
        assert_eq!(counts, [2, 3]);
        assert_eq!(rows.strings[rows.orders[0].id as usize], "early");
        assert_eq!(products(&days[1].1), ["N1"]);
    }

    #[test]
    fn orders_at_the_same_time_keep_their_file_order() {
        let mut data = Staged::default();
        let ids = ["c", "a", "b"];
        for id in ids {
            let o = order(&mut data, "一号店", id, 3600);
            line(&mut data, o, id);
        }
        let index = LineIndex::new(&data);
        let store = data.order_stores()[0];
        let (_, rows) = store_days(&data, &index, store).next().expect("one day");
        assert_eq!(products(&rows), ids);
    }

    #[test]
    fn a_staged_day_survives_the_blob_round_trip_into_a_snapshot() {
        let mut data = Staged::default();
        let o = order(&mut data, "一号店", "A", 3600);
        let want = line(&mut data, o, "可乐");
        let index = LineIndex::new(&data);
        let (_, rows) = store_days(&data, &index, data.order_stores()[0])
            .next()
            .expect("one day");
        let rows = DayRows::decode(&rows.encode()).expect("decodes");
        let mut target = Dataset::default();
        let store = target.strings.intern("一号店");
        append(&mut target, store, &rows);
        let l = &target.lines;
        assert_eq!(
            target.strings.get(l.key[0]),
            "6901234",
            "key derived from the barcode"
        );
        assert_eq!(target.strings.get(l.product[0]), "可乐");
        assert_eq!(l.money.each_ref().map(|c| c[0]), want.money);
        assert_eq!(l.stock[0], want.stock);
        assert_eq!(target.orders.money[1][0], crate::dataset::NA);
    }
}
