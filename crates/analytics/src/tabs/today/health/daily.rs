//! The products' daily sums over the days 商品健康 reads, merged over stores and channels by
//! product key: one flat array of `products × days` [`Figures`], filled from each series' tail
//! in one pass, from which every window is a sum of a contiguous run.

use std::collections::HashMap;

use storeboard_data::dataset::Sym;

use super::classify::Figures;
use crate::facts::series::Points;
use crate::overview::Part;

/// The daily sums of every product key sold on the days `first..first + span`.
pub(super) struct Daily<'a> {
    /// Product keys, in the order first read.
    pub keys: Vec<&'a str>,
    /// 商品名称 and 一级分类名 of each key's latest line.
    pub labels: Vec<(&'a str, &'a str)>,
    /// First day read (days since 1970-01-01).
    first: i64,
    /// Days read.
    span: usize,
    /// `keys.len() × span` day sums, product-major.
    days: Vec<Figures>,
}

impl Daily<'_> {
    /// Number of products.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Product `k`'s sums over the days `from..=to` (clamped to the days read).
    pub fn sum(&self, k: usize, from: i64, to: i64) -> Figures {
        let last = self.first + self.span as i64 - 1;
        let (from, to) = (from.max(self.first), to.min(last));
        let mut total = Figures::default();
        if from > to {
            return total;
        }
        let row = k * self.span;
        let (a, b) = ((from - self.first) as usize, (to - self.first) as usize);
        for f in &self.days[row + a..=row + b] {
            total.add(f);
        }
        total
    }
}

/// Reads the points of days `first..=last` of every series of `parts` (on the filter's channel).
pub(super) fn read<'a>(parts: &[Part<'a>], first: i64, last: i64) -> Daily<'a> {
    let span = usize::try_from(last - first + 1).unwrap_or(0);
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    let mut keys: Vec<&'a str> = Vec::new();
    // The latest (day, store, line) of each key: its name and category are the product's.
    let mut latest: Vec<(i64, usize, u32)> = Vec::new();
    let mut days: Vec<Figures> = Vec::new();
    for (store, p) in parts.iter().enumerate() {
        let channel = p.channel.map(|s| p.facts.channel_index(s));
        let series = p.facts.series();
        // Every tail first, in a loop that does nothing else: each is a cache miss, and with
        // no other work between them the processor overlaps them.
        let tails: Vec<(Sym, Points<'_>)> = (0..series.all().len())
            .filter(|&k| channel.is_none_or(|c| c == Some(series.all()[k].channel)))
            .map(|k| (series.all()[k].key, series.points(k, first, last)))
            .filter(|(_, pts)| !pts.is_empty())
            .collect();
        // Series come sorted by key: a key's channels follow each other, one lookup for them.
        let mut current: Option<(Sym, usize)> = None;
        for (sym, pts) in tails {
            let k = match current {
                Some((s, k)) if s == sym => k,
                _ => {
                    let key = p.snap.data.strings.get(sym);
                    *index.entry(key).or_insert_with(|| {
                        keys.push(key);
                        latest.push((i64::MIN, 0, 0));
                        days.resize(days.len() + span, Figures::default());
                        keys.len() - 1
                    })
                }
            };
            current = Some((sym, k));
            let row = &mut days[k * span..(k + 1) * span];
            for pt in pts.iter() {
                row[(pt.day - first) as usize].add(&Figures {
                    quantity: pt.quantity,
                    orders: i64::from(pt.orders),
                    sales: pt.sales,
                    cost: pt.cost,
                    profit: pt.profit,
                });
            }
            if let Some(pt) = pts.last() {
                latest[k] = latest[k].max((pt.day, store, pt.last_line));
            }
        }
    }
    Daily {
        keys,
        labels: labels(parts, &latest),
        first,
        span,
        days,
    }
}

/// 商品名称 and 一级分类名 of each (day, store, line): the only lines read.
fn labels<'a>(parts: &[Part<'a>], latest: &[(i64, usize, u32)]) -> Vec<(&'a str, &'a str)> {
    latest
        .iter()
        .map(|&(_, store, j)| {
            let data = &parts[store].snap.data;
            let j = j as usize;
            (
                data.strings.get(data.lines.product[j]),
                data.strings.get(data.lines.category1[j]),
            )
        })
        .collect()
}
