//! 商品健康 (product health): every product in one of six quadrants over the `window_days`
//! (30) days ending at "yesterday" d, the same for the window before, the migration between
//! the two, and the weekly trend of the counts (product.md §1; rules in docs/metrics.md).
//!
//! Per product key (merged over the selected stores and channels; consumables are not in the
//! series), over a window: 销量, 订单数, sales, cost and profit summed exactly in integers. The
//! products considered are those with 销量 > 0; every percentile is over them ([`percentile`]).
//! In priority order, a product is 策略引流, 明星, 畅销, 潜力, 自然引流 or else 低效
//! ([`HealthRules`] has every threshold). The weekly trend classifies each 7-day block ending at
//! d on that week's figures alone. A product's name and 一级分类 are those of its latest line in
//! the days read (latest day, then the later store in the filter's order, then the later line);
//! that category's median margin is its threshold in every window.
//!
//! Cost, for `S` stores with `P` series each (product keys × channels), `K` product keys after
//! the merge, `W` = `window_days`, `T` = `trend_weeks` and `D` = max(2W, 7T) days read (60):
//! `S × P` series tails found (a gallop back from each series' end: one cache miss each,
//! issued in one tight loop so they overlap); at most `S × P × D` points added into one flat
//! `K × D` array of day sums (one hash per store and key to find its row); `K × (2W + 7T)` day
//! sums added for the 2 + T windows; 2 + T classifications of at most `K` products, each
//! `O(K log K)` for its percentile sorts; and 2K strings read for the names and categories. At
//! a year of the 28-store chain (`S × P` ≈ 28 × 220 × 3 ≈ 18,500 series, `K` ≈ 220): ~18,500
//! tail reads, at most ~1.1M points (fewer: a point is a day the product sold on a channel),
//! ~25,000 day sums and ten sorts of 220 values per column. Nothing depends on the history kept.

mod classify;
mod daily;
mod rules;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::facts::day_number;
use crate::filters::{Filters, Period};
use crate::order::{cents_to_yuan, day_from_days, SALES_SCALE};
use crate::overview::parts;
pub use classify::Quadrant;
use classify::{classify, Figures, Measures, Verdict};
use daily::Daily;
pub use rules::{percentile, HealthRules};

/// 商品健康.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day of the window ("yesterday").
    pub to: NaiveDate,
    /// The window before, as long, just before `from`.
    pub previous_period: Period,
    /// The six quadrants in the window, always all six in priority order.
    pub quadrants: Vec<QuadrantStat>,
    /// The same for the window before.
    pub previous: Vec<QuadrantStat>,
    /// Products considered in both windows, by (previous quadrant → quadrant), non-zero pairs
    /// in quadrant order of `from`, then of `to`.
    pub migration: Vec<Migration>,
    /// The counts of each 7-day block ending at `to`, oldest first.
    pub weekly: Vec<WeekCounts>,
    /// The products considered in the window, by sales descending, then key.
    pub products: Vec<HealthProduct>,
}

/// One quadrant's products in one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuadrantStat {
    /// 策略引流, 明星, 畅销, 潜力, 自然引流 or 低效.
    pub name: Quadrant,
    /// 🎯, 🌟, 🔥, 💎, ⚡ or 🐌.
    pub emoji: &'static str,
    /// What to do with them.
    pub advice: &'static str,
    /// Products.
    pub count: usize,
    /// Σ 实收价格 × 销量 of its products (yuan).
    pub sales: f64,
}

/// Products that moved from one quadrant to another (or stayed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Migration {
    /// The quadrant in the window before.
    pub from: Quadrant,
    /// The quadrant in the window.
    pub to: Quadrant,
    /// Products.
    pub count: usize,
}

/// The quadrant counts of one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekCounts {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Products per quadrant, in [`Quadrant::ALL`] order.
    pub counts: [usize; 6],
}

/// One product in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthProduct {
    /// Product key (店内码, else 条码, else 商品名称).
    pub key: String,
    /// 商品名称 of its latest line.
    pub name: String,
    /// 一级分类名 of its latest line.
    pub category: String,
    /// 销量.
    pub quantity: f64,
    /// 订单数 (orders holding it).
    pub orders: u64,
    /// Σ 实收价格 × 销量 (yuan).
    pub sales: f64,
    /// Σ 商品采购成本 (yuan).
    pub cost: f64,
    /// Σ 利润额 (yuan).
    pub profit: f64,
    /// profit / sales × 100; `null` when sales are 0.
    pub margin_pct: Option<f64>,
    /// 实收单价 = sales / 销量.
    pub unit_price: f64,
    /// 单品成本 = cost / 销量.
    pub unit_cost: f64,
    /// profit / 销量.
    pub unit_profit: f64,
    /// 动销指数.
    pub activity: f64,
    /// Its category's median margin (%), at or above which its margin is high.
    pub margin_threshold: Option<f64>,
    /// Its quadrant.
    pub quadrant: Quadrant,
    /// Its quadrant in the window before; `null` when it did not sell then.
    pub previous_quadrant: Option<Quadrant>,
}

/// 商品健康 over the 30 days ending at `d` ("yesterday", the last day with orders in the
/// period: callers compute it), for the stores and channel of `filters` (its days are not
/// read), under the default [`HealthRules`].
pub fn health(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    d: NaiveDate,
) -> Health {
    health_with(snaps, filters, business, d, &HealthRules::default())
}

/// [`health`] under `rules`.
pub fn health_with(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    d: NaiveDate,
    rules: &HealthRules,
) -> Health {
    let parts = parts(snaps, filters, business);
    let to = day_number(d);
    let (w, weeks) = (
        i64::from(rules.window_days.max(1)),
        i64::from(rules.trend_weeks),
    );
    let read = (2 * w).max(7 * weeks);
    let daily = daily::read(&parts, to - read + 1, to);
    let current = Window::new(&daily, to - w + 1, to, rules);
    let previous = Window::new(&daily, to - 2 * w + 1, to - w, rules);
    let weekly = (0..weeks)
        .rev()
        .map(|k| {
            let end = to - 7 * k;
            let week = Window::new(&daily, end - 6, end, rules);
            WeekCounts {
                from: day_from_days(week.from),
                to: day_from_days(week.to),
                counts: week.counts(),
            }
        })
        .collect();
    Health {
        from: day_from_days(current.from),
        to: d,
        previous_period: Period {
            from: day_from_days(previous.from),
            to: day_from_days(previous.to),
        },
        quadrants: current.stats(),
        previous: previous.stats(),
        migration: migration(&previous, &current),
        weekly,
        products: products(&daily, &current, &previous),
    }
}

/// Every product's sums and verdict over the days `from..=to`.
struct Window {
    from: i64,
    to: i64,
    figures: Vec<Figures>,
    verdicts: Vec<Option<Verdict>>,
}

impl Window {
    fn new(daily: &Daily<'_>, from: i64, to: i64, rules: &HealthRules) -> Self {
        let figures: Vec<Figures> = (0..daily.len()).map(|k| daily.sum(k, from, to)).collect();
        let items: Vec<(&str, Figures)> = daily
            .labels
            .iter()
            .zip(&figures)
            .map(|(&(_, category), &f)| (category, f))
            .collect();
        let verdicts = classify(&items, rules);
        Window {
            from,
            to,
            figures,
            verdicts,
        }
    }

    fn quadrant(&self, k: usize) -> Option<Quadrant> {
        self.verdicts[k].map(|v| v.quadrant)
    }

    fn counts(&self) -> [usize; 6] {
        let mut counts = [0; 6];
        for v in self.verdicts.iter().flatten() {
            counts[v.quadrant.index()] += 1;
        }
        counts
    }

    /// Count and exact sales per quadrant.
    fn stats(&self) -> Vec<QuadrantStat> {
        let mut sales = [0i64; 6];
        for (v, f) in self.verdicts.iter().zip(&self.figures) {
            if let Some(v) = v {
                sales[v.quadrant.index()] += f.sales;
            }
        }
        let counts = self.counts();
        Quadrant::ALL
            .iter()
            .map(|&q| QuadrantStat {
                name: q,
                emoji: q.emoji(),
                advice: q.advice(),
                count: counts[q.index()],
                sales: sales[q.index()] as f64 / SALES_SCALE,
            })
            .collect()
    }
}

fn migration(previous: &Window, current: &Window) -> Vec<Migration> {
    let mut matrix = [[0usize; 6]; 6];
    for k in 0..current.verdicts.len() {
        if let (Some(a), Some(b)) = (previous.quadrant(k), current.quadrant(k)) {
            matrix[a.index()][b.index()] += 1;
        }
    }
    let mut out = Vec::new();
    for from in Quadrant::ALL {
        for to in Quadrant::ALL {
            let count = matrix[from.index()][to.index()];
            if count > 0 {
                out.push(Migration { from, to, count });
            }
        }
    }
    out
}

fn products(daily: &Daily<'_>, current: &Window, previous: &Window) -> Vec<HealthProduct> {
    let mut rows: Vec<(i64, HealthProduct)> = (0..daily.len())
        .filter_map(|k| {
            let v = current.verdicts[k]?;
            let f = &current.figures[k];
            let m = Measures::of(f);
            let (name, category) = daily.labels[k];
            let row = HealthProduct {
                key: daily.keys[k].to_owned(),
                name: name.to_owned(),
                category: category.to_owned(),
                quantity: m.quantity,
                orders: f.orders.unsigned_abs(),
                sales: f.sales as f64 / SALES_SCALE,
                cost: cents_to_yuan(f.cost),
                profit: cents_to_yuan(f.profit),
                margin_pct: m.margin,
                unit_price: m.price,
                unit_cost: m.unit_cost,
                unit_profit: m.unit_profit,
                activity: v.activity,
                margin_threshold: v.margin_threshold,
                quadrant: v.quadrant,
                previous_quadrant: previous.quadrant(k),
            };
            Some((f.sales, row))
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
    rows.into_iter().map(|(_, r)| r).collect()
}
