//! 商品分析 in depth (docs/metrics.md §商品分析): 动销指数, ABC, price bands, 低周转, the quadrant
//! trend and the migration between the period's halves.
//!
//! Everything here reads the rows already computed and, per row, the days it sold
//! ([`SoldDays`]) and its first half's sales and profit, gathered in the same pass over the daily
//! product points: nothing reads a line.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::{ProductRow, Quadrant};
use crate::order::pct;

/// A product with stock covering more than this many days of its average daily quantity is 低周转.
pub const LOW_TURNOVER_DAYS: f64 = 30.0;

/// ABC: the products whose sales start below this share of the total (%) are A.
pub const ABC_A_PCT: f64 = 70.0;

/// ABC: the products whose sales start below this share (and at or above [`ABC_A_PCT`]) are B.
pub const ABC_B_PCT: f64 = 90.0;

/// The price bands by 实收单价: (name, lower edge inclusive, upper edge exclusive).
pub const PRICE_BANDS: [(&str, f64, Option<f64>); 5] = [
    ("¥0-5", 0.0, Some(5.0)),
    ("¥5-10", 5.0, Some(10.0)),
    ("¥10-20", 10.0, Some(20.0)),
    ("¥20-50", 20.0, Some(50.0)),
    ("¥50+", 50.0, None),
];

/// The store-days of the period a product sold: per day of the period (0 = `from`), in how many
/// of the selected stores its 销量 that day was > 0. One store: the days it sold.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct SoldDays(Vec<u16>);

impl SoldDays {
    /// One more store sold on day `i` (each store counts once a day: the caller dedupes).
    pub(crate) fn add(&mut self, i: usize) {
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] = self.0[i].saturating_add(1);
    }

    /// Store-days sold in days `a..b`.
    pub(crate) fn count_in(&self, a: usize, b: usize) -> usize {
        let b = b.min(self.0.len());
        self.0
            .get(a..b)
            .map_or(0, |d| d.iter().map(|&n| usize::from(n)).sum())
    }

    /// Store-days sold in all.
    pub(crate) fn count(&self) -> usize {
        self.count_in(0, self.0.len())
    }
}

/// 动销指数 over `days` days of `stores` stores: store-days sold / (stores × days), 0–1. Across
/// stores a product that sells every day in one store of four is at 0.25, not at 1.
pub(crate) fn activity(store_days: usize, (stores, days): (usize, usize)) -> f64 {
    store_days as f64 / (stores.max(1) * days.max(1)) as f64
}

/// What a row needs beyond its totals for the trend and the migration.
#[derive(Debug, Default, Clone)]
pub(crate) struct Extra {
    /// The days it sold.
    pub sold: SoldDays,
    /// Sales in the first half of the period (yuan).
    pub first_sales: f64,
    /// Profit in the first half of the period (yuan).
    pub first_profit: f64,
}

/// Days in the first half of a period of `days` days: ⌊days / 2⌋ (the odd day is the second's).
pub fn first_half_days(days: usize) -> usize {
    days / 2
}

/// One ABC class.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AbcClass {
    /// Products in it.
    pub count: usize,
    /// Their sales (yuan).
    pub sales: f64,
    /// Their share of all products' sales (%); 0 when the total is not positive.
    pub sales_share: f64,
}

/// The ABC analysis by sales.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Abc {
    /// The first [`ABC_A_PCT`] % of sales.
    #[serde(rename = "A")]
    pub a: AbcClass,
    /// The next 20 %.
    #[serde(rename = "B")]
    pub b: AbcClass,
    /// The rest.
    #[serde(rename = "C")]
    pub c: AbcClass,
}

/// The class of a product whose sales start at `before` of `total`: A when the share sold before
/// it is below 70 % (so the product that crosses 70 % is A), B below 90 %, else C. A total that is
/// not positive makes every product C.
pub fn abc_class(before: f64, total: f64) -> &'static str {
    let eps = 1e-9 * total.abs();
    if total <= 0.0 {
        "C"
    } else if before * 100.0 < ABC_A_PCT * total - eps {
        "A"
    } else if before * 100.0 < ABC_B_PCT * total - eps {
        "B"
    } else {
        "C"
    }
}

/// Classes `rows` (sales descending) into A, B and C, setting each row's `abc`.
pub(crate) fn abc(rows: &mut [ProductRow]) -> Abc {
    let total: f64 = rows.iter().map(|r| r.sales).sum();
    let mut out = Abc::default();
    let mut before = 0.0;
    for r in rows.iter_mut() {
        r.abc = abc_class(before, total);
        before += r.sales;
        let class = match r.abc {
            "A" => &mut out.a,
            "B" => &mut out.b,
            _ => &mut out.c,
        };
        class.count += 1;
        class.sales += r.sales;
    }
    for class in [&mut out.a, &mut out.b, &mut out.c] {
        class.sales_share = if total > 0.0 {
            class.sales / total * 100.0
        } else {
            0.0
        };
    }
    out
}

/// One price band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceBand {
    /// `¥5-10`.
    pub band: &'static str,
    /// Lower edge (inclusive).
    pub min: f64,
    /// Upper edge (exclusive); `null` for the last.
    pub max: Option<f64>,
    /// Products whose 实收单价 is in the band.
    pub products: usize,
    /// Their sales.
    pub sales: f64,
    /// Their profit.
    pub profit: f64,
    /// Profit / sales × 100; `null` without sales.
    pub margin_pct: Option<f64>,
}

/// The band index of a 实收单价: lower edge inclusive (¥5.00 is in ¥5-10); below 0 is ¥0-5.
pub fn price_band(price: f64) -> usize {
    PRICE_BANDS
        .iter()
        .rposition(|&(_, min, _)| price >= min)
        .unwrap_or(0)
}

/// The five price bands over the rows with a 实收单价 (products with no quantity are left out).
pub(crate) fn price_bands(rows: &[ProductRow]) -> Vec<PriceBand> {
    let mut bands: Vec<PriceBand> = PRICE_BANDS
        .iter()
        .map(|&(band, min, max)| PriceBand {
            band,
            min,
            max,
            products: 0,
            sales: 0.0,
            profit: 0.0,
            margin_pct: None,
        })
        .collect();
    for r in rows {
        let Some(price) = r.avg_price else { continue };
        let b = &mut bands[price_band(price)];
        b.products += 1;
        b.sales += r.sales;
        b.profit += r.profit;
    }
    for b in &mut bands {
        b.margin_pct = pct(b.profit, b.sales);
    }
    bands
}

/// Days of stock at the period's average daily quantity: stock / (quantity / days). `None`
/// without a positive stock; infinite (shown `null`, classed 低周转) with stock and no sales.
pub fn turnover_days(stock: Option<f64>, quantity: f64, days: usize) -> Option<f64> {
    let stock = stock.filter(|s| *s > 0.0)?;
    Some(if quantity > 0.0 {
        stock / (quantity / days.max(1) as f64)
    } else {
        f64::INFINITY
    })
}

/// 低周转: the products with more than [`LOW_TURNOVER_DAYS`] days of stock, in sales order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowTurnover {
    /// [`LOW_TURNOVER_DAYS`].
    pub threshold_days: f64,
    /// The products (`turnover_days` `null`: stock and no sales).
    pub rows: Vec<ProductRow>,
}

/// Whether a row is 低周转.
pub(crate) fn is_low_turnover(r: &ProductRow) -> bool {
    r.stock.is_some_and(|s| s > 0.0) && r.turnover_days.is_none_or(|d| d > LOW_TURNOVER_DAYS)
}

/// Products per quadrant in one bucket of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The bucket's first day (in the period).
    pub start: NaiveDate,
    /// Its days in the period.
    pub days: usize,
    /// 明星.
    #[serde(rename = "明星")]
    pub star: usize,
    /// 潜力.
    #[serde(rename = "潜力")]
    pub potential: usize,
    /// 引流.
    #[serde(rename = "引流")]
    pub traffic: usize,
    /// 淘汰.
    #[serde(rename = "淘汰")]
    pub weed: usize,
}

/// The quadrant counts by day, by week (Monday to Sunday) and by calendar month.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuadrantTrend {
    /// One point a day.
    pub day: Vec<TrendPoint>,
    /// One point a week, cut to the period.
    pub week: Vec<TrendPoint>,
    /// One point a month, cut to the period.
    pub month: Vec<TrendPoint>,
}

/// The buckets of `from..=to` starting where `starts` says: (first day, days).
fn buckets(
    from: NaiveDate,
    to: NaiveDate,
    starts: impl Fn(NaiveDate) -> bool,
) -> Vec<(usize, usize)> {
    let n = (to - from).num_days() + 1;
    let mut out: Vec<(usize, usize)> = Vec::new();
    for i in 0..n.max(0) as usize {
        let day = from + Duration::days(i as i64);
        match out.last_mut() {
            Some(last) if !starts(day) => last.1 += 1,
            _ => out.push((i, 1)),
        }
    }
    out
}

/// The quadrant trend: in each bucket a product's quadrant is its period margin against
/// `high_margin_pct` and its bucket 动销指数 (store-days sold / (stores × the bucket's days))
/// against the period's median 动销指数 (at or above is high); every product of the period
/// counts in every bucket.
pub(crate) fn trend(
    rows: &[ProductRow],
    extras: &[Extra],
    (from, to, stores): (NaiveDate, NaiveDate, usize),
    (high_margin_pct, median_activity): (f64, f64),
) -> QuadrantTrend {
    let point = |(start, days): (usize, usize)| {
        let mut counts = [0usize; 4];
        for (r, e) in rows.iter().zip(extras) {
            let activity = activity(e.sold.count_in(start, start + days), (stores, days));
            let q = Quadrant::of(r.margin_pct, activity, high_margin_pct, median_activity);
            counts[q as usize] += 1;
        }
        TrendPoint {
            start: from + Duration::days(start as i64),
            days,
            star: counts[0],
            potential: counts[1],
            traffic: counts[2],
            weed: counts[3],
        }
    };
    QuadrantTrend {
        day: buckets(from, to, |_| true).into_iter().map(point).collect(),
        week: buckets(from, to, |d| d.weekday().num_days_from_monday() == 0)
            .into_iter()
            .map(point)
            .collect(),
        month: buckets(from, to, |d| d.day() == 1)
            .into_iter()
            .map(point)
            .collect(),
    }
}

/// Products that moved from one quadrant to another (or stayed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    /// Quadrant in the first half.
    pub from: Quadrant,
    /// Quadrant in the second half.
    pub to: Quadrant,
    /// Products.
    pub count: usize,
}

/// The migration between the first and the second half of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Migration {
    /// First day of the first half.
    pub first_from: NaiveDate,
    /// First day of the second half.
    pub second_from: NaiveDate,
    /// All 16 (from, to) pairs in [`Quadrant::ALL`] order, staying ones included.
    pub moves: Vec<Move>,
    /// Products whose quadrant changed.
    pub changed: usize,
}

/// The migration: each half's quadrant is the half's margin (profit / sales; none without sales)
/// and its 动销指数 (store-days sold / (stores × the half's days)) against the period's median
/// 动销指数. `None` for a one-day period (no first half).
pub(crate) fn migration(
    rows: &[ProductRow],
    extras: &[Extra],
    (from, days, stores): (NaiveDate, usize, usize),
    (high_margin_pct, median_activity): (f64, f64),
) -> Option<Migration> {
    let half = first_half_days(days);
    if half == 0 {
        return None;
    }
    let mut counts = [[0usize; 4]; 4];
    for (r, e) in rows.iter().zip(extras) {
        let first = Quadrant::of(
            pct(e.first_profit, e.first_sales),
            activity(e.sold.count_in(0, half), (stores, half)),
            high_margin_pct,
            median_activity,
        );
        let second = Quadrant::of(
            pct(r.profit - e.first_profit, r.sales - e.first_sales),
            activity(e.sold.count_in(half, days), (stores, days - half)),
            high_margin_pct,
            median_activity,
        );
        counts[first as usize][second as usize] += 1;
    }
    let mut moves = Vec::with_capacity(16);
    let mut changed = 0;
    for (i, &f) in Quadrant::ALL.iter().enumerate() {
        for (j, &t) in Quadrant::ALL.iter().enumerate() {
            if i != j {
                changed += counts[i][j];
            }
            moves.push(Move {
                from: f,
                to: t,
                count: counts[i][j],
            });
        }
    }
    Some(Migration {
        first_from: from,
        second_from: from + Duration::days(half as i64),
        moves,
        changed,
    })
}
