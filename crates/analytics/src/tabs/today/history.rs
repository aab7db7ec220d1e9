//! The history 今日必做 looks back on: every kept order up to the last day, indexed by day, and
//! per-product daily sums (consumables left out) with their stock readings.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use super::TodayRules;
use crate::config::Business;
use crate::filters::Filters;
use crate::order::{
    below_cost, cents, cents_to_yuan, line_col, orders, pct, OrderFigures, SALES_SCALE,
};
use crate::overview::AOV_BOUNDS;

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
    /// Σ商品采购成本 (cents).
    pub cost: i64,
    /// Orders holding the product (distinct per day and channel, so a sum over days and
    /// channels counts each order once).
    pub orders: i64,
}

impl Sums {
    /// Adds `other`.
    pub fn add(&mut self, other: &Sums) {
        self.quantity += other.quantity;
        self.sales += other.sales;
        self.profit += other.profit;
        self.cost += other.cost;
        self.orders += other.orders;
    }

    /// Mean 实收单价 = Σ(实收价格 × 销量) / Σ销量 (yuan), `None` without a quantity.
    pub fn unit_price(&self) -> Option<f64> {
        (self.quantity > 0).then(|| self.sales_yuan() * 1000.0 / self.quantity as f64)
    }

    /// 单品成本 = Σ商品采购成本 / Σ销量 (yuan), `None` without a quantity.
    pub fn unit_cost(&self) -> Option<f64> {
        (self.quantity > 0).then(|| cents_to_yuan(self.cost) * 1000.0 / self.quantity as f64)
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
    /// Sums per day with at least one line (sold or not), by day. Sorted vectors, not maps:
    /// a product has a few dozen days and every card asks for ranges of them (a tree's
    /// searches were a seventh of a store's 今日必做).
    days: Vec<(NaiveDate, Sums)>,
    /// Per day, the 剩余库存 of its latest line that had a stock value, by day.
    stock: Vec<(NaiveDate, f32)>,
    /// Sums per day and 渠道 (in no order, a (day, channel) possibly split over entries), at
    /// least for the last week to yesterday.
    channel_days: Vec<(NaiveDate, &'a str, Sums)>,
}

impl<'a> Product<'a> {
    /// A product from its name, category, daily sums and daily stock readings.
    pub fn from_parts(
        name: &'a str,
        category: &'a str,
        days: BTreeMap<NaiveDate, Sums>,
        stock: BTreeMap<NaiveDate, f32>,
        channel_days: Vec<(NaiveDate, &'a str, Sums)>,
    ) -> Self {
        Self {
            name,
            category,
            days: days.into_iter().collect(),
            stock: stock.into_iter().collect(),
            channel_days,
        }
    }

    /// The days of `from..=to`.
    fn days_in(&self, from: NaiveDate, to: NaiveDate) -> &[(NaiveDate, Sums)] {
        let start = self.days.partition_point(|(d, _)| *d < from);
        let end = self.days.partition_point(|(d, _)| *d <= to);
        self.days.get(start..end).unwrap_or_default()
    }

    /// The days on or before `d`.
    fn days_to(&self, d: NaiveDate) -> &[(NaiveDate, Sums)] {
        &self.days[..self.days.partition_point(|(day, _)| *day <= d)]
    }

    /// Sums per 渠道 over `from..=to` (days of the last week to yesterday), by channel name.
    pub fn channel_sums(&self, from: NaiveDate, to: NaiveDate) -> BTreeMap<&'a str, Sums> {
        let mut out: BTreeMap<&'a str, Sums> = BTreeMap::new();
        for (_, channel, s) in self
            .channel_days
            .iter()
            .filter(|(d, _, _)| (from..=to).contains(d))
        {
            out.entry(channel).or_default().add(s);
        }
        out
    }

    /// Sums over the inclusive days `from..=to`.
    pub fn sums(&self, from: NaiveDate, to: NaiveDate) -> Sums {
        let mut total = Sums::default();
        for (_, s) in self.days_in(from, to) {
            total.add(s);
        }
        total
    }

    /// The stock of the latest line on or before `d` that had one (latest value wins, §2).
    pub fn stock_at(&self, d: NaiveDate) -> Option<f64> {
        let end = self.stock.partition_point(|(day, _)| *day <= d);
        end.checked_sub(1).map(|i| f64::from(self.stock[i].1))
    }

    /// The last day on or before `d` with 销量 > 0.
    pub fn last_sale(&self, d: NaiveDate) -> Option<NaiveDate> {
        self.days_to(d)
            .iter()
            .rev()
            .find(|(_, s)| s.quantity > 0)
            .map(|(day, _)| *day)
    }

    /// True when the product has a line on or before `d`.
    pub fn seen_by(&self, d: NaiveDate) -> bool {
        self.days.first().is_some_and(|(first, _)| *first <= d)
    }
}

/// What the order and line cards count per day, for their trends.
#[derive(Debug, Clone, Copy)]
pub(super) enum TrendCount {
    /// 亏损订单.
    Loss = 0,
    /// 高配送费.
    HighDelivery = 1,
    /// 价格异常 (lines).
    Price = 2,
}

/// Per day: loss orders, high-delivery orders, price-anomaly lines.
pub(super) type DayCounts = BTreeMap<NaiveDate, [u32; 3]>;

/// Orders of one day on one channel (or more, added): their sales and AOV bands.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DayBins {
    /// Orders.
    pub orders: u32,
    /// Σ 商品实收额 (1/100,000 yuan).
    pub sales: i64,
    /// Orders per band of the overview's AOV bands.
    pub bands: [u32; 8],
}

impl DayBins {
    /// Adds `o`.
    pub fn add(&mut self, o: &DayBins) {
        self.orders += o.orders;
        self.sales += o.sales;
        for (a, b) in self.bands.iter_mut().zip(o.bands) {
            *a += b;
        }
    }

    /// 客单价 = sales / orders (yuan), `None` without orders.
    pub fn aov(&self) -> Option<f64> {
        (self.orders > 0).then(|| self.sales as f64 / SALES_SCALE / f64::from(self.orders))
    }
}

/// Per (day, 渠道), the orders' bins.
pub(super) type Bins<'a> = BTreeMap<(NaiveDate, &'a str), DayBins>;

/// Kept orders of the days the order cards list, the per-day counts of those cards, and the
/// products of the lines up to the last day of the period.
pub(super) struct History<'a> {
    /// Kept orders (store and channel filters applied).
    pub orders: Vec<OrderFigures<'a>>,
    /// Indices into `orders`, per day.
    by_day: BTreeMap<NaiveDate, Vec<usize>>,
    /// Days with kept orders up to `filters.to`.
    days: BTreeSet<NaiveDate>,
    /// Per day, what the order and line cards count (at least the four windows of a week
    /// ending yesterday).
    counts: DayCounts,
    /// Products by key (sorted, so ties come out in key order).
    pub products: BTreeMap<&'a str, Product<'a>>,
    /// The consumables' 一级分类名.
    consumable: String,
    /// Per (day, 渠道), the orders' bins (at least the two weeks to yesterday).
    pub bins: Bins<'a>,
    /// The cards' thresholds (`[business.today]`).
    pub rules: TodayRules,
}

impl<'a> History<'a> {
    /// A history of `orders`, `products`, the days with orders and their counts.
    pub fn new(
        orders: Vec<OrderFigures<'a>>,
        products: BTreeMap<&'a str, Product<'a>>,
        days: BTreeSet<NaiveDate>,
        counts: DayCounts,
        consumable: &str,
    ) -> Self {
        let mut by_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        for (k, o) in orders.iter().enumerate() {
            by_day.entry(o.day).or_default().push(k);
        }
        Self {
            orders,
            by_day,
            days,
            counts,
            products,
            consumable: consumable.to_owned(),
            bins: Bins::new(),
            rules: TodayRules::default(),
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
        let consumable = business.consumable_category.as_str();
        let products = products(&orders, consumable);
        let days = orders.iter().map(|o| o.day).collect();
        let mut counts = DayCounts::new();
        let mut bins = Bins::new();
        for o in &orders {
            let c = counts.entry(o.day).or_default();
            c[0] += u32::from(o.profit < 0.0);
            c[1] += u32::from(o.delivery_net > business.delivery_cost_alert);
            c[2] += anomalies(o, consumable);
            let b = bins.entry((o.day, o.channel)).or_default();
            b.orders += 1;
            b.sales += (o.sales * SALES_SCALE).round() as i64;
            let band = AOV_BOUNDS.iter().rposition(|&x| o.sales >= x).unwrap_or(0);
            b.bands[band] += 1;
        }
        let mut h = History::new(orders, products, days, counts, consumable);
        h.bins = bins;
        h.rules = business.today.clone();
        h
    }

    /// The orders' bins of `from..=to` per 渠道.
    pub fn bins_between(&self, from: NaiveDate, to: NaiveDate) -> BTreeMap<&'a str, DayBins> {
        let mut out: BTreeMap<&'a str, DayBins> = BTreeMap::new();
        for ((d, channel), b) in &self.bins {
            if (from..=to).contains(d) {
                out.entry(*channel).or_default().add(b);
            }
        }
        out
    }

    /// The consumables' 一级分类名.
    pub fn consumable(&self) -> &str {
        &self.consumable
    }

    /// The mean of `what` over the three windows of `window` days before the one ending `y`.
    pub fn trend_mean(&self, what: TrendCount, y: NaiveDate, window: i64) -> f64 {
        let sum: u32 = (1..=3)
            .map(|k| {
                let to = back(y, k * window);
                self.counts
                    .range(back(to, window - 1)..=to)
                    .map(|(_, c)| c[what as usize])
                    .sum::<u32>()
            })
            .sum();
        f64::from(sum) / 3.0
    }

    /// The kept orders of the days `from..=to`, by day.
    pub fn orders_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = &OrderFigures<'a>> {
        self.by_day
            .range(from..=to)
            .flat_map(|(_, ks)| ks)
            .map(|&k| &self.orders[k])
    }

    /// The last day with orders within `from..=to`.
    pub fn last_day(&self, from: NaiveDate, to: NaiveDate) -> Option<NaiveDate> {
        self.days.range(from..=to).next_back().copied()
    }

    /// Days with orders within `from..=to`.
    pub fn days_with_orders(&self, from: NaiveDate, to: NaiveDate) -> usize {
        self.days.range(from..=to).count()
    }

    /// True when some order falls within `from..=to`.
    pub fn has_orders(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.days.range(from..=to).next().is_some()
    }
}

/// The lines of `o` sold below their unit cost (价格异常), consumables left out.
fn anomalies(o: &OrderFigures<'_>, consumable: &str) -> u32 {
    let l = &o.snap.data.lines;
    let (actual, cost) = (
        &l.money[line_col(Column::ActualPrice)],
        &l.money[line_col(Column::Cost)],
    );
    let below = |j: usize| below_cost(l.quantity[j], actual[j], cost[j]).is_some();
    o.lines
        .clone()
        .filter(|&j| below(j) && !is_consumable(o, j, consumable))
        .count() as u32
}

/// True when line `j` of `o` is a consumable (一级分类名 = the configured category).
pub(super) fn is_consumable(o: &OrderFigures<'_>, j: usize, consumable: &str) -> bool {
    let data = &o.snap.data;
    data.strings.get(data.lines.category1[j]) == consumable
}

/// A product's history while the line path reads its lines.
#[derive(Default)]
struct Building<'a> {
    name: &'a str,
    category: &'a str,
    days: BTreeMap<NaiveDate, Sums>,
    stock: BTreeMap<NaiveDate, f32>,
    channel_days: Vec<(NaiveDate, &'a str, Sums)>,
}

fn products<'a>(orders: &[OrderFigures<'a>], consumable: &str) -> BTreeMap<&'a str, Product<'a>> {
    let mut out: BTreeMap<&'a str, Building<'a>> = BTreeMap::new();
    // The order time of each product-day's stock reading so far: the latest line wins.
    let mut times: HashMap<(&'a str, NaiveDate), i64> = HashMap::new();
    for o in orders {
        let snap: &'a StoreSnapshot = o.snap;
        let (data, l) = (&snap.data, &snap.data.lines);
        let time = data.orders.time[o.index];
        let (actual, profit, cost) = (
            &l.money[line_col(Column::ActualPrice)],
            &l.money[line_col(Column::Profit)],
            &l.money[line_col(Column::Cost)],
        );
        let mut in_order: Vec<&'a str> = Vec::new();
        for j in o
            .lines
            .clone()
            .filter(|&j| !is_consumable(o, j, consumable))
        {
            let key = data.strings.get(l.key[j]);
            let first_in_order = !in_order.contains(&key);
            if first_in_order {
                in_order.push(key);
            }
            let p = out.entry(key).or_default();
            p.name = data.strings.get(l.product[j]);
            p.category = data.strings.get(l.category1[j]);
            let day = p.days.entry(o.day).or_default();
            day.quantity += i64::from(l.quantity[j]);
            day.sales += cents(actual[j]) * i64::from(l.quantity[j]);
            day.profit += cents(profit[j]);
            day.cost += cents(cost[j]);
            day.orders += i64::from(first_in_order);
            let line = Sums {
                quantity: i64::from(l.quantity[j]),
                sales: cents(actual[j]) * i64::from(l.quantity[j]),
                profit: cents(profit[j]),
                cost: cents(cost[j]),
                orders: i64::from(first_in_order),
            };
            p.channel_days.push((o.day, o.channel, line));
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
    out.into_iter()
        .map(|(key, b)| {
            let p = Product::from_parts(b.name, b.category, b.days, b.stock, b.channel_days);
            (key, p)
        })
        .collect()
}
