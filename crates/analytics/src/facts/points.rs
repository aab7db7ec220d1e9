//! How a store's product points are kept: 24 bytes each instead of the 56 of a [`Point`].
//!
//! The points are most of a store's aggregates (one per product key, channel and day it sold:
//! ~5M for a year of the chain), and their fields are small: a day of the store's span, a few
//! orders, a day's sums of one product, and two lines of that day. So a point is kept with its
//! day as an offset from the store's first day, its two lines as offsets from that day's first
//! line, and its sums in 32 bits; a store with any point that does not fit keeps them whole.
//! Readers get [`Points`], a view that widens each point as it is read.

use super::series::{Point, NO_LINE};

/// A point as kept when it fits (see [`Stored::new`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Narrow {
    /// Days since the store's first day.
    day: u16,
    orders: u16,
    /// The line − the day's first line.
    last_line: u16,
    /// The line − the day's first line, or [`NO_STOCK`].
    stock_line: u16,
    quantity: i32,
    sales: i32,
    cost: i32,
    profit: i32,
}

/// A narrow point's "no line with a 剩余库存".
const NO_STOCK: u16 = u16::MAX;

/// A store's points, narrow when every point fits.
#[derive(Debug)]
pub(super) enum Stored {
    /// As built.
    Wide(Vec<Point>),
    /// Narrowed: `first_line[d]` is the first line of day `base + d`.
    Narrow {
        base: i64,
        first_line: Vec<u32>,
        points: Vec<Narrow>,
    },
}

impl Default for Stored {
    fn default() -> Self {
        Stored::Wide(Vec::new())
    }
}

impl Stored {
    /// Keeps `points`; `days` lists each day with a point and a line at or before the day's
    /// first point line (any line of the day's span works as its origin), ascending.
    pub(super) fn new(points: Vec<Point>, days: &[(i64, u32)]) -> Self {
        match narrow(&points, days) {
            Some(stored) => stored,
            None => {
                let mut points = points;
                points.shrink_to_fit();
                Stored::Wide(points)
            }
        }
    }

    /// Number of points.
    pub(super) fn len(&self) -> usize {
        match self {
            Stored::Wide(p) => p.len(),
            Stored::Narrow { points, .. } => points.len(),
        }
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Stored::Wide(p) => p.capacity() * std::mem::size_of::<Point>(),
            Stored::Narrow {
                first_line, points, ..
            } => first_line.capacity() * 4 + points.capacity() * std::mem::size_of::<Narrow>(),
        }
    }

    /// The points `start..end`.
    pub(super) fn view(&self, start: usize, end: usize) -> Points<'_> {
        let repr = match self {
            Stored::Wide(p) => Repr::Wide(&p[start..end]),
            Stored::Narrow {
                base,
                first_line,
                points,
            } => Repr::Narrow {
                base: *base,
                first_line,
                points: &points[start..end],
            },
        };
        Points { repr }
    }
}

/// `points` narrowed, if every one fits.
fn narrow(points: &[Point], days: &[(i64, u32)]) -> Option<Stored> {
    let base = days.first().map_or(0, |d| d.0);
    let span = usize::try_from(days.last().map_or(0, |d| d.0) - base + 1).ok()?;
    if span > usize::from(u16::MAX) {
        return None;
    }
    let mut first_line = vec![0u32; span];
    for &(day, line) in days {
        first_line[(day - base) as usize] = line;
    }
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        let day = u16::try_from(p.day - base).ok()?;
        let first = *first_line.get(usize::from(day))?;
        let offset = |line: u32| u16::try_from(line.checked_sub(first)?).ok();
        let stock_line = match p.stock_line {
            NO_LINE => NO_STOCK,
            line => offset(line).filter(|&o| o != NO_STOCK)?,
        };
        out.push(Narrow {
            day,
            orders: u16::try_from(p.orders).ok()?,
            last_line: offset(p.last_line)?,
            stock_line,
            quantity: i32::try_from(p.quantity).ok()?,
            sales: i32::try_from(p.sales).ok()?,
            cost: i32::try_from(p.cost).ok()?,
            profit: i32::try_from(p.profit).ok()?,
        });
    }
    Some(Stored::Narrow {
        base,
        first_line,
        points: out,
    })
}

#[derive(Debug, Clone, Copy)]
enum Repr<'a> {
    Wide(&'a [Point]),
    Narrow {
        base: i64,
        first_line: &'a [u32],
        points: &'a [Narrow],
    },
}

/// Some points of one series, by day: read like a slice of [`Point`]s, each point widened as
/// it is read.
#[derive(Debug, Clone, Copy)]
pub struct Points<'a> {
    repr: Repr<'a>,
}

impl<'a> Points<'a> {
    /// Number of points.
    pub fn len(&self) -> usize {
        match self.repr {
            Repr::Wide(p) => p.len(),
            Repr::Narrow { points, .. } => points.len(),
        }
    }

    /// True without points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`.
    pub fn get(&self, i: usize) -> Option<Point> {
        match self.repr {
            Repr::Wide(p) => p.get(i).copied(),
            Repr::Narrow {
                base,
                first_line,
                points,
            } => points.get(i).map(|p| widen(base, first_line, p)),
        }
    }

    /// The first point.
    pub fn first(&self) -> Option<Point> {
        self.get(0)
    }

    /// The last point.
    pub fn last(&self) -> Option<Point> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// The day of point `i` (days since 1970-01-01), without widening the rest of it.
    pub(super) fn day(&self, i: usize) -> i64 {
        match self.repr {
            Repr::Wide(p) => p[i].day,
            Repr::Narrow { base, points, .. } => base + i64::from(points[i].day),
        }
    }

    /// The points in order.
    pub fn iter(&self) -> PointsIter<'a> {
        PointsIter {
            points: *self,
            front: 0,
            back: self.len(),
        }
    }

    /// Points `start..end`.
    pub fn slice(&self, start: usize, end: usize) -> Self {
        let repr = match self.repr {
            Repr::Wide(p) => Repr::Wide(&p[start..end]),
            Repr::Narrow {
                base,
                first_line,
                points,
            } => Repr::Narrow {
                base,
                first_line,
                points: &points[start..end],
            },
        };
        Points { repr }
    }

    /// The points before `mid` and from `mid` on.
    pub fn split_at(&self, mid: usize) -> (Self, Self) {
        (self.slice(0, mid), self.slice(mid, self.len()))
    }

    /// The index of the first point for which `pred` is false, `pred` being true for a prefix
    /// (as [`slice::partition_point`]).
    pub fn partition_point(&self, mut pred: impl FnMut(&Point) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(p) if pred(&p) => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }
}

fn widen(base: i64, first_line: &[u32], p: &Narrow) -> Point {
    // `narrow` checked every day has its first line.
    let first = first_line.get(usize::from(p.day)).copied().unwrap_or(0);
    Point {
        day: base + i64::from(p.day),
        orders: u32::from(p.orders),
        quantity: i64::from(p.quantity),
        sales: i64::from(p.sales),
        cost: i64::from(p.cost),
        profit: i64::from(p.profit),
        last_line: first + u32::from(p.last_line),
        stock_line: match p.stock_line {
            NO_STOCK => NO_LINE,
            offset => first + u32::from(offset),
        },
    }
}

impl<'a> IntoIterator for Points<'a> {
    type Item = Point;
    type IntoIter = PointsIter<'a>;

    fn into_iter(self) -> PointsIter<'a> {
        self.iter()
    }
}

/// The points of a [`Points`], in order (or backwards).
#[derive(Debug, Clone)]
pub struct PointsIter<'a> {
    points: Points<'a>,
    front: usize,
    back: usize,
}

impl Iterator for PointsIter<'_> {
    type Item = Point;

    fn next(&mut self) -> Option<Point> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        self.points.get(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for PointsIter<'_> {
    fn next_back(&mut self) -> Option<Point> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.points.get(self.back)
    }
}

impl ExactSizeIterator for PointsIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(day: i64, line: u32, stock: u32) -> Point {
        Point {
            day,
            orders: 2,
            quantity: 3_000,
            sales: -1_234_500,
            cost: 700,
            profit: -50,
            last_line: line,
            stock_line: stock,
        }
    }

    #[test]
    fn narrow_points_read_back_exactly_as_built() {
        let days = [(20_000, 100), (20_002, 5_000)];
        let built = vec![
            point(20_000, 100, NO_LINE),
            point(20_000, 180, 150),
            point(20_002, 5_000, 5_000),
        ];
        let stored = Stored::new(built.clone(), &days);
        assert!(matches!(stored, Stored::Narrow { .. }));
        let all = stored.view(0, 3);
        assert_eq!(all.iter().collect::<Vec<_>>(), built);
        assert_eq!(all.iter().next_back(), built.last().copied());
        assert_eq!(all.partition_point(|p| p.day < 20_001), 2);
        let (before, after) = all.split_at(1);
        assert_eq!((before.len(), after.first()), (1, Some(built[1])));
    }

    #[test]
    fn a_store_with_a_point_too_large_keeps_every_point_whole() {
        let days = [(20_000, 0)];
        let mut big = point(20_000, 3, NO_LINE);
        big.sales = i64::from(i32::MAX) + 1;
        let built = vec![point(20_000, 1, 1), big];
        let stored = Stored::new(built.clone(), &days);
        assert!(matches!(stored, Stored::Wide(_)));
        assert_eq!(stored.view(0, 2).iter().collect::<Vec<_>>(), built);
    }
}
