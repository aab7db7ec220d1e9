//! The history 今日必做 looks back on: every kept order up to the last day, indexed by day, and
//! per-product daily sums (consumables left out) with their stock readings.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use crate::order::{cents, cents_to_yuan, line_col, orders, pct, OrderFigures, SALES_SCALE};

/// `d` moved `n` days back.
pub(super) fn back(d: NaiveDate, n: i64) -> NaiveDate {
    d - Duration::days(n)
}

/// A product's figures over some days, exact: quantity in thousandths so thresholds compare
/// exactly, money in integers so that the aggregates and the lines sum to the same cent.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sums {
    /// Σ销量 in thousandths.
    pub quantity: i64,
    /// Σ实收价格 × 销量 (1/100,000 yuan).
    pub sales: i64,
    /// Σ利润额 (cents).
    pub profit: i64,
}

impl Sums {
    /// Adds `other`.
    pub fn add(&mut self, other: &Sums) {
        self.quantity += other.quantity;
        self.sales += other.sales;
        self.profit += other.profit;
    }

    /// Sales in yuan.
    pub fn sales_yuan(&self) -> f64 {
        self.sales as f64 / SALES_SCALE
    }

    /// Profit in yuan.
    pub fn profit_yuan(&self) -> f64 {
        cents_to_yuan(self.profit)
    }

    /// Profit / sales × 100, `None` without sales.
    pub fn margin_pct(&self) -> Option<f64> {
        pct(self.profit_yuan(), self.sales_yuan())
    }
}

/// One product key's daily history.
#[derive(Debug, Default)]
pub(super) struct Product<'a> {
    /// 商品名称 of the last line read.
    pub name: &'a str,
    /// 一级分类名 of the last line read.
    pub category: &'a str,
    /// Sums per day with at least one line (sold or not).
    days: BTreeMap<NaiveDate, Sums>,
    /// Per day, the 剩余库存 of its latest line that had a stock value.
    stock: BTreeMap<NaiveDate, f32>,
}

impl<'a> Product<'a> {
    /// A product from its name, category, daily sums and daily stock readings.
    pub fn from_parts(
        name: &'a str,
        category: &'a str,
        days: BTreeMap<NaiveDate, Sums>,
        stock: BTreeMap<NaiveDate, f32>,
    ) -> Self {
        Self {
            name,
            category,
            days,
            stock,
        }
    }

    /// Sums over the inclusive days `from..=to`.
    pub fn sums(&self, from: NaiveDate, to: NaiveDate) -> Sums {
        let mut total = Sums::default();
        for s in self.days.range(from..=to).map(|(_, s)| s) {
            total.add(s);
        }
        total
    }

    /// The stock of the latest line on or before `d` that had one (latest value wins, §2).
    pub fn stock_at(&self, d: NaiveDate) -> Option<f64> {
        self.stock
            .range(..=d)
            .next_back()
            .map(|(_, &s)| f64::from(s))
    }

    /// The last day on or before `d` with 销量 > 0.
    pub fn last_sale(&self, d: NaiveDate) -> Option<NaiveDate> {
        self.days
            .range(..=d)
            .rev()
            .find(|(_, s)| s.quantity > 0)
            .map(|(&day, _)| day)
    }

    /// True when the product has a line on or before `d`.
    pub fn seen_by(&self, d: NaiveDate) -> bool {
        self.days.range(..=d).next().is_some()
    }
}

/// Kept orders of the days the order cards list, and the products of the lines up to the last
/// day of the period.
pub(super) struct History<'a> {
    /// Kept orders (store and channel filters applied).
    pub orders: Vec<OrderFigures<'a>>,
    /// Indices into `orders`, per day.
    by_day: BTreeMap<NaiveDate, Vec<usize>>,
    /// Days with kept orders up to `filters.to`.
    days: BTreeSet<NaiveDate>,
    /// Products by key (sorted, so ties come out in key order).
    pub products: BTreeMap<&'a str, Product<'a>>,
}

impl<'a> History<'a> {
    /// A history of `orders`, `products` and the days with orders.
    pub fn new(
        orders: Vec<OrderFigures<'a>>,
        products: BTreeMap<&'a str, Product<'a>>,
        days: BTreeSet<NaiveDate>,
    ) -> Self {
        let mut by_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        for (k, o) in orders.iter().enumerate() {
            by_day.entry(o.day).or_default().push(k);
        }
        Self {
            orders,
            by_day,
            days,
            products,
        }
    }

    /// Every kept order of the filters' store and channel from the first day of data to
    /// `filters.to` (the period's start is widened: windows reach before it).
    pub fn load_from_lines(
        snaps: &'a [Arc<StoreSnapshot>],
        filters: &Filters,
        business: &Business,
    ) -> History<'a> {
        let wide = Filters {
            from: NaiveDate::MIN,
            ..filters.clone()
        };
        let orders = orders(snaps, &wide, business);
        let products = products(&orders, &business.consumable_category);
        let days = orders.iter().map(|o| o.day).collect();
        History::new(orders, products, days)
    }

    /// The last day with orders within `from..=to`.
    pub fn last_day(&self, from: NaiveDate, to: NaiveDate) -> Option<NaiveDate> {
        self.days.range(from..=to).next_back().copied()
    }

    /// The kept orders of day `d`.
    pub fn orders_on(&self, d: NaiveDate) -> impl Iterator<Item = &OrderFigures<'a>> {
        self.by_day
            .get(&d)
            .into_iter()
            .flatten()
            .map(|&k| &self.orders[k])
    }

    /// True when some order falls within `from..=to`.
    pub fn has_orders(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.days.range(from..=to).next().is_some()
    }
}

/// True when line `j` of `o` is a consumable (一级分类名 = the configured category).
pub(super) fn is_consumable(o: &OrderFigures<'_>, j: usize, consumable: &str) -> bool {
    let data = &o.snap.data;
    data.strings.get(data.lines.category1[j]) == consumable
}

fn products<'a>(orders: &[OrderFigures<'a>], consumable: &str) -> BTreeMap<&'a str, Product<'a>> {
    let mut out: BTreeMap<&'a str, Product<'a>> = BTreeMap::new();
    // The order time of each product-day's stock reading so far: the latest line wins.
    let mut times: HashMap<(&'a str, NaiveDate), i64> = HashMap::new();
    for o in orders {
        let snap: &'a StoreSnapshot = o.snap;
        let (data, l) = (&snap.data, &snap.data.lines);
        let time = data.orders.time[o.index];
        let (actual, profit) = (
            &l.money[line_col(Column::ActualPrice)],
            &l.money[line_col(Column::Profit)],
        );
        for j in o
            .lines
            .clone()
            .filter(|&j| !is_consumable(o, j, consumable))
        {
            let key = data.strings.get(l.key[j]);
            let p = out.entry(key).or_default();
            p.name = data.strings.get(l.product[j]);
            p.category = data.strings.get(l.category1[j]);
            let day = p.days.entry(o.day).or_default();
            day.quantity += i64::from(l.quantity[j]);
            day.sales += cents(actual[j]) * i64::from(l.quantity[j]);
            day.profit += cents(profit[j]);
            let stock = l.stock[j];
            if !stock.is_nan() {
                let at = times.entry((key, o.day)).or_insert(time);
                if time >= *at {
                    *at = time;
                    p.stock.insert(o.day, stock);
                }
            }
        }
    }
    out
}
