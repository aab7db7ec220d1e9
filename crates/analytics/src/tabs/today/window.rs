//! 今日必做's products from the stores' daily product points: per product key, the sums of each
//! day of the window the product rules read, and the chain's latest 剩余库存 for the days whose
//! stock the rules ask about.
//!
//! Cost, for `S` stores with `P` series each (product keys × channels): `S × P` tail reads (one
//! cache miss each, overlapped), `S × P × W` points merged (`W` = 17 window days), and for the
//! stock tie rule one order-time read per store, product and stock day (`S × P × 7`) from a table
//! of the stores' last eight days of lines. Nothing depends on the history kept.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use storeboard_data::StoreSnapshot;

use super::history::{back, Product, Sums};
use crate::facts::day_number;
use crate::facts::series::{Point, Points, NO_LINE};
use crate::order::day_from_days;
use crate::overview::{line_time, Part};
use crate::products::Latest;

/// The days, yesterday included, whose stock the product rules read (`stock_at(d)` for the
/// trend's days, `d` ≥ yesterday − 3, and runs of three days before them). For an earlier day
/// [`Product::stock_at`] is not answered from here.
pub(super) const STOCK_DAYS: usize = 7;

/// One product key's window, merged over stores and channels.
struct Merged<'a> {
    /// The last line read (store, line): its 商品名称 and 一级分类名 are the product's.
    name: Option<(usize, u32)>,
    /// Sums per window day (`from + i`).
    window: Vec<Option<Sums>>,
    /// The chain's latest reading per stock day (`stock_from + i`).
    stock: [Option<Reading>; STOCK_DAYS],
    /// The chain's latest reading before the stock days.
    older: Option<Reading>,
    /// Days before the window that matter: one to say the product was seen, its last sale.
    before: Vec<(i64, Sums)>,
    /// Sums per (stock day, 渠道): the channel split of the cards.
    channel_days: Vec<(i64, &'a str, Sums)>,
}

impl Merged<'_> {
    fn new(window_days: usize) -> Self {
        Self {
            name: None,
            window: vec![None; window_days],
            stock: [None; STOCK_DAYS],
            older: None,
            before: Vec::new(),
            channel_days: Vec::new(),
        }
    }
}

/// A stock reading as the tie rule sees it, with its order time once it was read.
#[derive(Clone, Copy)]
struct Reading {
    at: Latest,
    time: Option<i64>,
}

/// Keeps the later of `slot` and `candidate` by [`Latest::max`]'s rule (day, then within a
/// store the later line, between stores the later order time, then the later store), reading
/// the current reading's order time at most once.
fn offer(slot: &mut Option<Reading>, candidate: Latest, time: &impl Fn(usize, u32) -> i64) {
    let Some(cur) = slot else {
        *slot = Some(Reading {
            at: candidate,
            time: None,
        });
        return;
    };
    let (later, candidate_time) = if cur.at.day != candidate.day {
        (candidate.day > cur.at.day, None)
    } else if cur.at.store == candidate.store {
        (candidate.line > cur.at.line, None)
    } else {
        let cur_time = *cur
            .time
            .get_or_insert_with(|| time(cur.at.store, cur.at.line));
        let t = time(candidate.store, candidate.line);
        ((t, candidate.store) > (cur_time, cur.at.store), Some(t))
    };
    if later {
        *cur = Reading {
            at: candidate,
            time: candidate_time,
        };
    }
}

/// The products of `parts` over the days `from..=y`: sums per day, stock for the last
/// [`STOCK_DAYS`] days and the latest reading before them, and before `from` the last sale and
/// the fact that the product was seen.
pub(super) fn products<'a>(
    parts: &[Part<'a>],
    from: NaiveDate,
    y: NaiveDate,
) -> BTreeMap<&'a str, Product<'a>> {
    let stock_from = back(y, STOCK_DAYS as i64 - 1);
    let times: Vec<LineTimes> = parts
        .iter()
        .map(|p| LineTimes::new(p.snap, back(stock_from, 1), y))
        .collect();
    let time = |store: usize, j: u32| {
        times[store]
            .get(j)
            .unwrap_or_else(|| line_time(parts, store, j))
    };
    let days = Days {
        from: day_number(from),
        stock_from: day_number(stock_from),
        to: day_number(y),
    };
    let mut merged: HashMap<&'a str, Merged<'a>> = HashMap::new();
    for (store, p) in parts.iter().enumerate() {
        let channel = p.channel.map(|s| p.facts.channel_index(s));
        let series = p.facts.series();
        // First every series' window, in a loop that does nothing else: each series' tail is
        // a cache miss, and with no other work between them the processor overlaps them.
        let windows: Vec<_> = (0..series.all().len())
            .filter(|&k| channel.is_none_or(|c| c == Some(series.all()[k].channel)))
            .map(|k| (k, series.split(k, days.from, days.to)))
            .collect();
        for (k, (before, window)) in windows {
            let Some(last) = window.last().or_else(|| before.last()) else {
                continue;
            };
            let s = series.all()[k];
            let key = p.snap.data.strings.get(s.key);
            let channel = p
                .facts
                .channels()
                .get(usize::from(s.channel))
                .map_or("", |&c| p.snap.data.strings.get(c));
            let width = (days.to - days.from + 1) as usize;
            let m = merged.entry(key).or_insert_with(|| Merged::new(width));
            // The name is the one of the last line read: the later store, then the later line.
            m.name = m.name.max(Some((store, last.last_line)));
            days.add_series(m, (store, channel), (&before, &window), &time);
        }
    }
    // Sorted by key once, so ties in the cards come out in key order.
    let mut merged: Vec<(&'a str, Merged<'a>)> = merged.into_iter().collect();
    merged.sort_unstable_by(|a, b| a.0.cmp(b.0));
    merged
        .into_iter()
        .map(|(key, m)| (key, into_product(parts, &days, m)))
        .collect()
}

/// The window's days (since 1970-01-01): sums from `from`, stock from `stock_from`, to `to`.
struct Days {
    from: i64,
    stock_from: i64,
    to: i64,
}

impl Days {
    /// Adds one series (of store `store`) split at the window's start.
    fn add_series<'a>(
        &self,
        m: &mut Merged<'a>,
        (store, channel): (usize, &'a str),
        (before, window): (&Points<'_>, &Points<'_>),
        time: &impl Fn(usize, u32) -> i64,
    ) {
        let reading = |pt: &Point| {
            (pt.stock_line != NO_LINE).then_some(Latest {
                day: pt.day,
                store,
                line: pt.stock_line,
            })
        };
        // Of the readings before the stock days only this store's latest can be the chain's.
        let mut older = None;
        for pt in window.iter() {
            if let Some(day) = slot(&mut m.window, pt.day - self.from) {
                add(day, &pt);
            }
            if pt.day >= self.stock_from {
                m.channel_days.push((pt.day, channel, sums(&pt)));
            }
            match reading(&pt) {
                Some(r) if pt.day >= self.stock_from => {
                    if let Some(day) = slot(&mut m.stock, pt.day - self.stock_from) {
                        offer(day, r, time);
                    }
                }
                Some(r) => older = Some(r),
                None => {}
            }
        }
        if older.is_none() {
            older = before.iter().rev().find_map(|pt| reading(&pt));
        }
        if let Some(r) = older {
            offer(&mut m.older, r, time);
        }
        // Before the window only two facts matter: that the product was seen (any day does:
        // the last, next to the window, is the one in cache) and its last sale.
        let seen = before.last();
        let last_sale = before
            .iter()
            .rev()
            .find(|pt| pt.quantity > 0)
            .filter(|pt| seen.is_none_or(|s| s.day != pt.day));
        for pt in [seen, last_sale].into_iter().flatten() {
            m.before.push((pt.day, sums(&pt)));
        }
    }
}

/// Entry `i` of `days`, if it has one.
fn slot<T>(days: &mut [T], i: i64) -> Option<&mut T> {
    days.get_mut(usize::try_from(i).ok()?)
}

fn sums(pt: &Point) -> Sums {
    Sums {
        quantity: pt.quantity,
        sales: pt.sales,
        profit: pt.profit,
        cost: pt.cost,
        orders: i64::from(pt.orders),
    }
}

fn add(day: &mut Option<Sums>, pt: &Point) {
    match day {
        Some(s) => s.add(&sums(pt)),
        None => *day = Some(sums(pt)),
    }
}

fn into_product<'a>(parts: &[Part<'a>], days: &Days, m: Merged<'a>) -> Product<'a> {
    let (name, category) = m.name.map_or(("", ""), |(store, j)| {
        let data = &parts[store].snap.data;
        let j = j as usize;
        (
            data.strings.get(data.lines.product[j]),
            data.strings.get(data.lines.category1[j]),
        )
    });
    let mut summed: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
    for (d, s) in m.before {
        summed.entry(day_from_days(d)).or_default().add(&s);
    }
    for (d, s) in (days.from..).zip(m.window) {
        if let Some(s) = s {
            summed.insert(day_from_days(d), s);
        }
    }
    let value = |r: &Reading| {
        let stock = parts[r.at.store].snap.data.lines.stock[r.at.line as usize];
        (day_from_days(r.at.day), stock)
    };
    let stock = m
        .older
        .iter()
        .chain(m.stock.iter().flatten())
        .map(value)
        .collect();
    let channel_days = m
        .channel_days
        .into_iter()
        .map(|(d, channel, s)| (day_from_days(d), channel, s))
        .collect();
    Product::from_parts(name, category, summed, stock, channel_days)
}

/// The order time of each line of a store's days `from..=to`, read once in file order: the
/// stock tie rule compares lines of different stores by order time for every product and stock
/// day, and a lookup per comparison (a search of the line's order) cost more than the rest of
/// the window together.
struct LineTimes {
    first: usize,
    times: Vec<i64>,
}

impl LineTimes {
    fn new(snap: &StoreSnapshot, from: NaiveDate, to: NaiveDate) -> Self {
        let data = &snap.data;
        let orders = snap.orders_between(from, to);
        let line = |o: usize| {
            data.orders
                .first_line
                .get(o)
                .map_or(data.line_count(), |l| l as usize)
        };
        let (first, end) = (line(orders.start), line(orders.end));
        let order_times: Vec<i64> = data.orders.time.range(orders.clone()).collect();
        let times = data
            .lines
            .order
            .range(first..end)
            .filter_map(|o| order_times.get((o as usize).checked_sub(orders.start)?))
            .copied()
            .collect();
        Self { first, times }
    }

    /// Line `j`'s order time, if `j` lies in the days read.
    fn get(&self, j: u32) -> Option<i64> {
        self.times
            .get((j as usize).checked_sub(self.first)?)
            .copied()
    }
}
