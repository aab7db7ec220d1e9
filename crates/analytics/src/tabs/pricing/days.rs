//! Per product key, its daily exact sums over a span of days, merged over the selected stores
//! (and channels), from the stores' product points ([`crate::facts::series`]); no line is read.
//!
//! Cost: one tail search per (store, key, channel) series, then the points of the span:
//! `O(Σ series + Σ points in the span)`, plus one sort per key of its points by day.

use std::collections::HashMap;

use storeboard_data::schema::Column;

use crate::facts::series::NO_LINE;
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

/// Days (since 1970-01-01) with their sums, ascending, one entry per day.
pub type Days = Vec<(i64, DaySum)>;

/// The sum of the days in `from..=to`.
pub fn sum(days: &Days, from: i64, to: i64) -> DaySum {
    let start = days.partition_point(|&(d, _)| d < from);
    let mut total = DaySum::default();
    for (_, s) in days[start..].iter().take_while(|&&(d, _)| d <= to) {
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

#[derive(Default)]
struct Acc {
    selected: Vec<(i64, DaySum)>,
    all: Vec<(i64, DaySum)>,
    name: Option<Latest>,
    stock: Option<Latest>,
}

/// Every product (or only `only`) with a point in `from..=to` on the parts' channels. The
/// parts must carry the request's channel; with one, every channel's points are read too.
pub(crate) fn gather<'a>(
    parts: &[Part<'a>],
    from: i64,
    to: i64,
    only: Option<&str>,
) -> Vec<ProductDays<'a>> {
    let mut acc: HashMap<&'a str, Acc> = HashMap::new();
    let time = |store: usize, j: u32| line_time(parts, store, j);
    let channel_selected = parts.iter().any(|p| p.channel.is_some());
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
            let a = acc.entry(key).or_default();
            for pt in points {
                let sums = DaySum {
                    quantity: pt.quantity,
                    sales: pt.sales,
                    cost: pt.cost,
                    profit: pt.profit,
                    orders: i64::from(pt.orders),
                };
                if on_channel {
                    a.selected.push((pt.day, sums));
                }
                if channel_selected {
                    a.all.push((pt.day, sums));
                }
            }
            if !on_channel {
                continue;
            }
            if let Some(pt) = points.last() {
                let at = Latest {
                    day: pt.day,
                    store,
                    line: pt.last_line,
                };
                a.name = Latest::max(a.name, at, time);
            }
            if let Some(pt) = points.iter().rev().find(|pt| pt.stock_line != NO_LINE) {
                let at = Latest {
                    day: pt.day,
                    store,
                    line: pt.stock_line,
                };
                a.stock = Latest::max(a.stock, at, time);
            }
        }
    }
    let mut out: Vec<ProductDays<'a>> = acc
        .into_iter()
        .filter(|(_, a)| !a.selected.is_empty())
        .map(|(key, a)| finish(parts, key, a, channel_selected))
        .collect();
    out.sort_by(|a, b| a.key.cmp(b.key));
    out
}

fn finish<'a>(parts: &[Part<'a>], key: &'a str, a: Acc, channel_selected: bool) -> ProductDays<'a> {
    let line = |at: Latest| (parts[at.store].snap, at.line as usize);
    let (name, category, original_price) = a.name.map_or(("", "", None), |at| {
        let (snap, j) = line(at);
        let (l, strings) = (&snap.data.lines, &snap.data.strings);
        let original = l.money[line_col(Column::OriginalPrice)][j];
        (
            strings.get(l.product[j]),
            strings.get(l.category1[j]),
            (original != NA && original > 0).then(|| f64::from(original) / 100.0),
        )
    });
    ProductDays {
        key,
        name,
        category,
        original_price,
        stock: a.stock.map(|at| {
            let (snap, j) = line(at);
            stock_value(snap.data.lines.stock[j])
        }),
        selected: coalesce(a.selected),
        all_channels: channel_selected.then(|| coalesce(a.all)),
    }
}

/// Sorted by day, one entry per day.
fn coalesce(mut days: Vec<(i64, DaySum)>) -> Days {
    days.sort_unstable_by_key(|&(d, _)| d);
    let mut out: Days = Vec::with_capacity(days.len());
    for (d, s) in days {
        match out.last_mut() {
            Some((last, acc)) if *last == d => acc.add(&s),
            _ => out.push((d, s)),
        }
    }
    out
}
