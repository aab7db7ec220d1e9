//! How one store's day of orders is stored: a compact blob with its own string table, decoded
//! straight into a snapshot's columns at start-up.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dataset::{day_of, Dataset, Sym, NO_SYM};

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

/// Remaps a source dataset's string ids to a blob's local table.
struct LocalStrings<'a> {
    source: &'a Dataset,
    map: HashMap<Sym, u32>,
    strings: Vec<String>,
}

impl<'a> LocalStrings<'a> {
    fn new(source: &'a Dataset) -> Self {
        Self {
            source,
            map: HashMap::from([(NO_SYM, 0)]),
            strings: vec![String::new()],
        }
    }

    fn id(&mut self, sym: Sym) -> u32 {
        if let Some(&id) = self.map.get(&sym) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(self.source.strings.get(sym).to_owned());
        self.map.insert(sym, id);
        id
    }
}

/// The lines of each order of `data`, as index lists (orders' lines need not be contiguous in
/// a freshly parsed file).
fn lines_per_order(data: &Dataset) -> Vec<Vec<u32>> {
    let mut per = vec![Vec::new(); data.order_count()];
    for (line, &order) in data.lines.order.iter().enumerate() {
        per[order as usize].push(line as u32);
    }
    per
}

/// Splits the orders of `store` in `data` into one [`DayRows`] per day.
pub fn split_days(data: &Dataset, store: Sym) -> BTreeMap<NaiveDate, DayRows> {
    let per_order = lines_per_order(data);
    let mut by_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, &s) in data.orders.store.iter().enumerate() {
        if s == store {
            by_day
                .entry(day_of(data.orders.time[i]))
                .or_default()
                .push(i);
        }
    }
    by_day
        .into_iter()
        .map(|(day, mut orders)| {
            orders.sort_by_key(|&o| data.orders.time[o]);
            (day, day_rows(data, &orders, &per_order))
        })
        .collect()
}

fn day_rows(data: &Dataset, orders: &[usize], per_order: &[Vec<u32>]) -> DayRows {
    let mut local = LocalStrings::new(data);
    let mut rows = DayRows::default();
    let (o, l) = (&data.orders, &data.lines);
    for &i in orders {
        rows.orders.push(OrderRow {
            id: local.id(o.id[i]),
            time: o.time[i],
            channel: local.id(o.channel[i]),
            money: std::array::from_fn(|k| o.money[k][i]),
            distance: o.distance[i],
            text: std::array::from_fn(|k| local.id(o.text[k][i])),
            lines: per_order[i].len() as u32,
        });
        for &line in &per_order[i] {
            let j = line as usize;
            rows.lines.push(LineRow {
                product: local.id(l.product[j]),
                key: local.id(l.key[j]),
                barcode: local.id(l.barcode[j]),
                category1: local.id(l.category1[j]),
                category3: local.id(l.category3[j]),
                quantity: l.quantity[j],
                money: std::array::from_fn(|k| l.money[k][j]),
                stock: l.stock[j],
            });
        }
    }
    rows.strings = local.strings;
    rows
}

/// Appends a day's rows to a snapshot's dataset (orders get `store` as their store).
pub fn append(target: &mut Dataset, store: Sym, rows: &DayRows) {
    let syms: Vec<Sym> = rows
        .strings
        .iter()
        .map(|s| target.strings.intern(s))
        .collect();
    let sym = |id: u32| syms.get(id as usize).copied().unwrap_or(NO_SYM);
    let mut next_line = rows.lines.iter();
    for row in &rows.orders {
        let order = target.orders.id.len() as u32;
        let o = &mut target.orders;
        o.id.push(sym(row.id));
        o.time.push(row.time);
        o.store.push(store);
        o.channel.push(sym(row.channel));
        o.distance.push(row.distance);
        o.first_line.push(target.lines.order.len() as u32);
        for (col, v) in o.money.iter_mut().zip(row.money) {
            col.push(v);
        }
        for (col, v) in o.text.iter_mut().zip(row.text) {
            col.push(sym(v));
        }
        let l = &mut target.lines;
        for line in next_line.by_ref().take(row.lines as usize) {
            l.order.push(order);
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
