//! Per product key, its daily exact sums over a span of days, merged over the selected stores
//! (and channels), from the stores' product points ([`crate::facts::series`]); no line is read.
//!
//! Cost: one tail search per (store, key, channel) series, then the points of the span added
//! into one key's day slots at a time: `O(Σ series + Σ points in the span + keys × days)`.

use std::collections::HashMap;

use storeboard_data::schema::Column;

use crate::order::line_col;
use crate::overview::{line_time, Part};
use crate::products::from_facts::Latest;
use crate::products::stock_value;
use storeboard_data::dataset::NA;

/// One day's exact sums of one product.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DaySum {
    /// Σ 销量 (thousandths).
    pub quantity: i64,
    /// Σ 实收价格 × 销量 (1/100,000 yuan).
    pub sales: i64,
    /// Σ 商品采购成本 (cents).
    pub cost: i64,
    /// Σ 利润额 (cents).
    pub profit: i64,
    /// Orders holding it (distinct per store, channel and day).
    pub orders: i64,
}

impl DaySum {
    /// Adds `o`.
    pub fn add(&mut self, o: &DaySum) {
        self.quantity += o.quantity;
        self.sales += o.sales;
        self.cost += o.cost;
        self.profit += o.profit;
        self.orders += o.orders;
    }
}

/// A product's sums of every day of a span, zeros on days it did not sell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Days {
    /// The span's first day (days since 1970-01-01).
    first: i64,
    /// One entry per day from `first`.
    sums: Vec<DaySum>,
}

impl Days {
    /// Zeros for `from..=to`.
    pub fn new(from: i64, to: i64) -> Self {
        let n = usize::try_from(to - from + 1).unwrap_or(0);
        Self {
            first: from,
            sums: vec![DaySum::default(); n],
        }
    }

    /// Back to zeros, keeping the span (and the memory).
    fn clear(&mut self) {
        self.sums.fill(DaySum::default());
    }

    fn add(&mut self, day: i64, s: &DaySum) {
        if let Some(slot) = usize::try_from(day - self.first)
            .ok()
            .and_then(|i| self.sums.get_mut(i))
        {
            slot.add(s);
        }
    }

    /// Every day of the span with its sums, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, &DaySum)> + '_ {
        let first = self.first;
        self.sums
            .iter()
            .enumerate()
            .map(move |(i, s)| (first + i as i64, s))
    }

    /// The last day with 销量 > 0.
    pub fn last_sale(&self) -> Option<i64> {
        self.iter()
            .rev()
            .find(|(_, s)| s.quantity > 0)
            .map(|(d, _)| d)
    }

    /// The days of `points` (any order; one day may come several times), over the span from
    /// the first to the last.
    pub fn from_points(points: &[(i64, DaySum)]) -> Self {
        let from = points.iter().map(|p| p.0).min().unwrap_or(0);
        let to = points.iter().map(|p| p.0).max().unwrap_or(-1);
        let mut days = Self::new(from, to);
        for (d, s) in points {
            days.add(*d, s);
        }
        days
    }
}

/// The sum of the days in `from..=to` (the part inside the span).
pub fn sum(days: &Days, from: i64, to: i64) -> DaySum {
    let start = usize::try_from(from - days.first).unwrap_or(0);
    let end = usize::try_from(to - days.first + 1)
        .unwrap_or(0)
        .min(days.sums.len());
    let mut total = DaySum::default();
    for s in days.sums.get(start..end).unwrap_or(&[]) {
        total.add(s);
    }
    total
}

/// One product over the span.
#[derive(Debug, Clone)]
pub struct ProductDays<'a> {
    /// Product key.
    pub key: &'a str,
    /// 商品名称 of its latest line on the selected channels.
    pub name: &'a str,
    /// 一级分类名 of that line.
    pub category: &'a str,
    /// 商品原价 of that line, when the export has one (> 0).
    pub original_price: Option<f64>,
    /// 剩余库存 of its latest line that has one.
    pub stock: Option<f64>,
    /// The days on the selected channel (all channels when none is selected).
    pub selected: Days,
    /// The days on every channel, when a channel is selected.
    pub all_channels: Option<Days>,
}

/// One key's series in the parts, and where its name and stock come from.
#[derive(Default)]
struct Group {
    /// (store, series index, whether it is on the selected channel).
    series: Vec<(usize, usize, bool)>,
    name: Option<Latest>,
    stock: Option<Latest>,
}

/// Every product (or only `only`) with a point in `from..=to` on the parts' channels, each
/// with its days over the span. The parts must carry the request's channel; with one, every
/// channel's points are read too.
pub(crate) fn gather<'a>(
    parts: &[Part<'a>],
    from: i64,
    to: i64,
    only: Option<&str>,
) -> Vec<ProductDays<'a>> {
    let mut out = Vec::new();
    gather_each(parts, from, to, only, |p| out.push(p.clone()));
    out
}

/// [`gather`] one product at a time, by key: `f` sees each product's days in buffers reused
/// for the next, so a chain's year of thousands of keys never holds more than one key's days.
///
/// Cost: one tail search per series of the span, then per key its points added into
/// `to − from + 1` day slots (zeroed per key): no sort, no allocation per key.
pub(crate) fn gather_each<'a>(
    parts: &[Part<'a>],
    from: i64,
    to: i64,
    only: Option<&str>,
    mut f: impl FnMut(&ProductDays<'a>),
) {
    let channel_selected = parts.iter().any(|p| p.channel.is_some());
    let groups = group(parts, from, to, only, channel_selected);
    let mut keys: Vec<&'a str> = groups.keys().copied().collect();
    keys.sort_unstable();
    let mut current = ProductDays {
        key: "",
        name: "",
        category: "",
        original_price: None,
        stock: None,
        selected: Days::new(from, to),
        all_channels: channel_selected.then(|| Days::new(from, to)),
    };
    for key in keys {
        let g = &groups[key];
        current.selected.clear();
        if let Some(all) = current.all_channels.as_mut() {
            all.clear();
        }
        for &(store, k, on_channel) in &g.series {
            let series = parts[store].facts.series();
            for pt in series.points(k, from, to) {
                let sums = DaySum {
                    quantity: pt.quantity,
                    sales: pt.sales,
                    cost: pt.cost,
                    profit: pt.profit,
                    orders: i64::from(pt.orders),
                };
                if on_channel {
                    current.selected.add(pt.day, &sums);
                }
                if let Some(all) = current.all_channels.as_mut() {
                    all.add(pt.day, &sums);
                }
            }
        }
        describe(parts, key, g, &mut current);
        f(&current);
    }
}

/// The series of each key with a point in the span (on the selected channel: a key sold
/// only on other channels is not listed), and the lines its name and stock come from.
fn group<'a>(
    parts: &[Part<'a>],
    from: i64,
    to: i64,
    only: Option<&str>,
    channel_selected: bool,
) -> HashMap<&'a str, Group> {
    let mut groups: HashMap<&'a str, Group> = HashMap::new();
    let time = |store: usize, j: u32| line_time(parts, store, j);
    for (store, p) in parts.iter().enumerate() {
        let data = &p.snap.data;
        let wanted = p.channel.and_then(|s| p.facts.channel_index(s));
        let series = p.facts.series();
        for (k, s) in series.all().iter().enumerate() {
            let key = data.strings.get(s.key);
            if only.is_some_and(|o| o != key) {
                continue;
            }
            let on_channel = p.channel.is_none() || wanted == Some(s.channel);
            if !on_channel && !channel_selected {
                continue;
            }
            let points = series.points(k, from, to);
            if points.is_empty() {
                continue;
            }
            let g = groups.entry(key).or_default();
            g.series.push((store, k, on_channel));
            if !on_channel {
                continue;
            }
            Latest::note(&points, store, (&mut g.name, &mut g.stock), time);
        }
    }
    // A key seen only on other channels has no name line: it did not sell on the selection.
    groups.retain(|_, g| g.name.is_some());
    groups
}

/// Fills `p`'s key, name, category, 商品原价 and stock from `g`'s lines.
fn describe<'a>(parts: &[Part<'a>], key: &'a str, g: &Group, p: &mut ProductDays<'a>) {
    let line = |at: Latest| (parts[at.store].snap, at.line as usize);
    let (name, category, original_price) = g.name.map_or(("", "", None), |at| {
        let (snap, j) = line(at);
        let (l, strings) = (&snap.data.lines, &snap.data.strings);
        let original = l.money[line_col(Column::OriginalPrice)][j];
        (
            strings.get(l.product[j]),
            strings.get(l.category1[j]),
            (original != NA && original > 0).then(|| f64::from(original) / 100.0),
        )
    });
    p.key = key;
    p.name = name;
    p.category = category;
    p.original_price = original_price;
    p.stock = g.stock.map(|at| {
        let (snap, j) = line(at);
        stock_value(snap.data.lines.stock[j])
    });
}
