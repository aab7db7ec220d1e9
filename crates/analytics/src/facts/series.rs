//! Per product key and channel, one point per day it had a line: the daily sums the product
//! tabs and 今日必做 read instead of the lines. Consumables are left out (both leave them out).
//!
//! A period is a binary search into each series; all stores are a merge by key name. The points
//! are kept narrow ([`super::points`]) and read through [`Points`].

// foldhash (randomly seeded), not SipHash: these maps are filled once per line or order
// when a store's aggregates are built, where SipHash was a tenth of the build.
use foldhash::HashMap;

use storeboard_data::dataset::Sym;
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use super::points::Stored;
pub use super::points::{Points, PointsIter};
use crate::order::{cents, line_col, Exact};

/// No line of the day had a stock reading.
pub const NO_LINE: u32 = u32::MAX;

/// One product key's lines of one day on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Days since 1970-01-01.
    pub day: i64,
    /// Distinct orders holding the key.
    pub orders: u32,
    /// Σ 销量 (thousandths).
    pub quantity: i64,
    /// Σ 实收价格 × 销量 (1/100,000 yuan).
    pub sales: i64,
    /// Σ 商品采购成本 (cents).
    pub cost: i64,
    /// Σ 利润额 (cents).
    pub profit: i64,
    /// The day's last line (in file order): its 商品名称 and 一级分类名 are the product's.
    pub last_line: u32,
    /// The day's last line with a 剩余库存, or [`NO_LINE`].
    pub stock_line: u32,
}

/// One (key, channel) series: its points are `points[start..next series' start]`, by day.
#[derive(Debug, Clone, Copy)]
pub struct Series {
    /// Product key string id.
    pub key: Sym,
    /// Channel index in the store's facts.
    pub channel: u16,
    start: u32,
}

/// Every series of a store, sorted by (key, channel).
#[derive(Debug, Default)]
pub struct ProductSeries {
    series: Vec<Series>,
    points: Stored,
}

impl ProductSeries {
    /// The series, by key then channel.
    pub fn all(&self) -> &[Series] {
        &self.series
    }

    /// Heap bytes of the series index and of the points.
    pub fn heap_parts(&self) -> (usize, usize) {
        (
            self.series.capacity() * std::mem::size_of::<Series>(),
            self.points.heap_bytes(),
        )
    }

    /// Every point of series `k`.
    fn series_points(&self, k: usize) -> Points<'_> {
        let start = self.series[k].start as usize;
        let end = self
            .series
            .get(k + 1)
            .map_or(self.points.len(), |s| s.start as usize);
        self.points.view(start, end)
    }

    /// Number of points, over every series.
    pub fn point_count(&self) -> usize {
        self.points.len()
    }

    /// The points of series `k` with a day in `from..=to` (days since 1970-01-01).
    pub fn points(&self, k: usize, from: i64, to: i64) -> Points<'_> {
        let pts = self.series_points(k);
        // Questions are mostly about recent days and a series can be a year long: a binary
        // search over all of it costs a cache miss per step (a year of series took most of
        // 今日必做's time). Gallop back from the end to `to`, then, as a series has at most one
        // point a day, `from` is within the `to - from + 1` points before that.
        let b = gallop_back(pts.len(), |i| pts.day(i) <= to);
        let span = usize::try_from(to.saturating_sub(from).saturating_add(1)).unwrap_or(usize::MAX);
        let low = b.saturating_sub(span);
        let a = if from == i64::MIN {
            // Everything up to `to`: no need to read the series' first point (a cache miss).
            0
        } else if low < b && pts.day(low) >= from {
            // Everything from `low` is in the range (always so for `from` = `i64::MIN`).
            low
        } else {
            partition(low, b, |i| pts.day(i) < from)
        };
        pts.slice(a, b)
    }
}

impl ProductSeries {
    /// Series `k`'s points up to `to`, split before `from`: (the points before `from`, the
    /// points of `from..=to`).
    ///
    /// Made for a short recent window over series read one after another: the window is found
    /// by stepping forward through the at most `to - from + 1` points before `to`'s end (one
    /// stretch of memory) instead of searching them, and the series' start is never read.
    pub fn split(&self, k: usize, from: i64, to: i64) -> (Points<'_>, Points<'_>) {
        let pts = self.series_points(k);
        let b = gallop_back(pts.len(), |i| pts.day(i) <= to);
        let span = usize::try_from(to.saturating_sub(from).saturating_add(1)).unwrap_or(usize::MAX);
        let low = b.saturating_sub(span);
        let a = if span <= SCAN_SPAN {
            (low..b).find(|&i| pts.day(i) >= from).unwrap_or(b)
        } else {
            partition(low, b, |i| pts.day(i) < from)
        };
        (pts.slice(0, a), pts.slice(a, b))
    }
}

/// Longest window [`ProductSeries::split`] steps through rather than searches.
const SCAN_SPAN: usize = 64;

/// The first index in `low..high` where `below` stops holding (it holds on a prefix).
fn partition(mut low: usize, mut high: usize, below: impl Fn(usize) -> bool) -> usize {
    while low < high {
        let mid = low + (high - low) / 2;
        if below(mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// [`partition`] over `0..n`, found from the end: the last 1, 2, 4, … indices are checked
/// until one is `below`, then that stretch is searched.
fn gallop_back(n: usize, below: impl Fn(usize) -> bool) -> usize {
    // The answer is in `low..=high`: everything before `low` is below, nothing from `high` is.
    let (mut low, mut high) = (0, n);
    let mut step = 1;
    while step <= n {
        let at = n - step;
        if below(at) {
            low = at + 1;
            break;
        }
        high = at;
        step *= 2;
    }
    partition(low, high, below)
}

#[cfg(test)]
mod gallop_tests {
    use super::gallop_back;

    #[test]
    fn galloping_from_the_end_finds_what_a_binary_search_finds() {
        for n in 0..40 {
            let days: Vec<i64> = (0..n).map(|i| i * 2).collect();
            for to in -2..(2 * n + 2) {
                let want = days.partition_point(|&d| d <= to);
                assert_eq!(
                    gallop_back(days.len(), |i| days[i] <= to),
                    want,
                    "n {n} to {to}"
                );
            }
        }
    }
}

/// Collects the points while the store's orders are read in order.
#[derive(Default)]
pub(super) struct SeriesBuilder {
    open: HashMap<(Sym, u16), (Vec<Point>, u32)>,
    /// Each day with a kept order and the first line of its first kept order: the origin of
    /// the day's lines in narrow points.
    days: Vec<(i64, u32)>,
}

impl SeriesBuilder {
    /// Adds kept order `i`'s non-consumable lines on channel index `channel`.
    pub fn add(
        &mut self,
        snap: &StoreSnapshot,
        i: usize,
        e: &Exact,
        channel: u16,
        consumable: Option<Sym>,
    ) {
        let l = &snap.data.lines;
        let (actual, cost, profit) = (
            &l.money[line_col(Column::ActualPrice)],
            &l.money[line_col(Column::Cost)],
            &l.money[line_col(Column::Profit)],
        );
        let order = i as u32 + 1;
        if self.days.last().is_none_or(|d| d.0 != e.day) {
            self.days.push((e.day, e.lines.start as u32));
        }
        for j in e.lines.clone() {
            if consumable.is_some_and(|c| l.category1[j] == c) {
                continue;
            }
            let (points, last_order) = self.open.entry((l.key[j], channel)).or_default();
            if points.last().is_none_or(|p| p.day != e.day) {
                points.push(Point {
                    day: e.day,
                    orders: 0,
                    quantity: 0,
                    sales: 0,
                    cost: 0,
                    profit: 0,
                    last_line: 0,
                    stock_line: NO_LINE,
                });
            }
            let Some(p) = points.last_mut() else {
                continue;
            };
            if *last_order != order {
                *last_order = order;
                p.orders += 1;
            }
            let quantity = i64::from(l.quantity[j]);
            p.quantity += quantity;
            p.sales += cents(actual[j]) * quantity;
            p.cost += cents(cost[j]);
            p.profit += cents(profit[j]);
            p.last_line = j as u32;
            if !l.stock[j].is_nan() {
                p.stock_line = j as u32;
            }
        }
    }

    /// The finished series, sorted by (key, channel).
    pub fn finish(self) -> ProductSeries {
        let mut open: Vec<((Sym, u16), Vec<Point>)> =
            self.open.into_iter().map(|(k, (p, _))| (k, p)).collect();
        open.sort_unstable_by_key(|(k, _)| *k);
        let mut series = Vec::with_capacity(open.len());
        let mut all = Vec::with_capacity(open.iter().map(|(_, p)| p.len()).sum());
        for ((key, channel), points) in open {
            series.push(Series {
                key,
                channel,
                start: all.len() as u32,
            });
            all.extend(points);
        }
        ProductSeries {
            series,
            points: Stored::new(all, &self.days),
        }
    }
}

/// Days with the first line of each (see [`Stored::new`]).
pub(super) type Origins = Vec<(i64, u32)>;

/// Which of a replaced snapshot's points an upload kept, and where their lines went.
pub(super) struct Keep {
    /// Points up to this day are kept as they are (their lines did not move).
    pub front_last: Option<i64>,
    /// Points from this day are kept, their lines moved by `line_shift`.
    pub behind_first: Option<i64>,
    /// New lines − old lines of the store.
    pub line_shift: i64,
}

impl Keep {
    fn moved(&self, mut p: Point) -> Point {
        let shift = |line: u32| (i64::from(line) + self.line_shift) as u32;
        p.last_line = shift(p.last_line);
        if p.stock_line != NO_LINE {
            p.stock_line = shift(p.stock_line);
        }
        p
    }
}

impl SeriesBuilder {
    /// The series of the orders read (the days an upload touched) between `old`'s points that
    /// `keep` keeps, by (key, channel); `kept` is the origins of the kept days in front and
    /// behind (see [`Stored::new`]).
    pub fn splice(
        self,
        old: &ProductSeries,
        keep: &Keep,
        kept: (Origins, Origins),
    ) -> ProductSeries {
        let mut new: Vec<((Sym, u16), Vec<Point>)> =
            self.open.into_iter().map(|(k, (p, _))| (k, p)).collect();
        new.sort_unstable_by_key(|(k, _)| *k);
        let mut series = Vec::with_capacity(old.series.len().max(new.len()));
        // At most every old point and every new one: one allocation, no doubling of a wide
        // vector the size of the store's points.
        let added: usize = new.iter().map(|(_, p)| p.len()).sum();
        let mut all: Vec<Point> = Vec::with_capacity(old.point_count() + added);
        let mut new = new.into_iter().peekable();
        let mut olds = (0..old.series.len()).peekable();
        loop {
            let old_key = olds
                .peek()
                .map(|&k| (old.series[k].key, old.series[k].channel));
            let new_key = new.peek().map(|(k, _)| *k);
            let key = match (old_key, new_key) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => break,
            };
            let start = all.len();
            let previous = if old_key == Some(key) {
                olds.next().map(|k| old.series_points(k))
            } else {
                None
            };
            if let Some(pts) = previous {
                let front = pts.partition_point(|p| keep.front_last.is_some_and(|f| p.day <= f));
                all.extend(pts.slice(0, front).iter());
            }
            if new_key == Some(key) {
                all.extend(new.next().into_iter().flat_map(|(_, p)| p));
            }
            if let Some(pts) = previous {
                let behind = pts.partition_point(|p| keep.behind_first.is_none_or(|b| p.day < b));
                all.extend(pts.slice(behind, pts.len()).iter().map(|p| keep.moved(p)));
            }
            if all.len() > start {
                series.push(Series {
                    key: key.0,
                    channel: key.1,
                    start: start as u32,
                });
            }
        }
        series.shrink_to_fit();
        let (front, behind) = kept;
        let days: Vec<(i64, u32)> = front.into_iter().chain(self.days).chain(behind).collect();
        ProductSeries {
            series,
            points: Stored::new(all, &days),
        }
    }
}
