//! 客户流失预警 (customer churn), as of a day `d` ("yesterday").
//!
//! A **customer** is a normalized 收货地址 within one store
//! ([`crate::facts::customers::normalize_address`]); orders without an address (in-store) and
//! orders the fee-channel filter drops have none. A customer is **churned** as of `d` when they
//! have at least [`ChurnRules::min_orders`] kept orders in the [`ChurnRules::window_days`] days
//! ending at `d` (`d − 29 ..= d`) and the last of them is on or before `d −`
//! [`ChurnRules::quiet_days`]. The card's count is the churned customers, its amount the sum of
//! their sales (商品实收额) in the window: the value at risk. The rules are in
//! `docs/metrics.md` (客户流失预警).
//!
//! ## Cost
//!
//! Per store, with `W` = window + 3 trend days (33) days of orders `O_W` (≈ 7.7k orders for a
//! store at a year of the chain), `K` the customers seen in them, `C` the churned customers, `L`
//! their lines in the window and `P` the distinct products in their top 3:
//!
//! `O_W` customer-id reads (the aggregate [`crate::facts::customers`], contiguous: the window is
//! the snapshot's own order range) + one fill of a `u32` per store customer (the scratch map
//! from customer id to the window's customers) + `4 × K` short walks back through each
//! customer's window orders (the four as-of days) + `L` line reads (sales, channels and top
//! products of the churned customers only) + `P × (log S + R)` product points (`S` series of
//! the store, `R` = 7 recent days, plus the walk back to the latest stock reading) + sorting
//! `C log C` rows. Nothing normalizes an address except the `C` rows shown, and nothing sums the
//! lines of customers who did not churn; nothing depends on the history kept beyond the window.
//! Stores run on two threads (halves), as the order scan does.
//!
//! Measured (`cargo run --release -p storeboard-analytics --example churn_probe`, 28 stores ×
//! 240 orders a day, addresses folded onto 1,500 regulars a store so that a third of them churn:
//! C = 13.3k for the chain) on the shared 2-core machine under a load average of 4–9: the count
//! and the three trend counts (scan + walks) ≈ 50 µs a store; the whole card 0.8 ms CPU for one
//! store and ≈ 40 ms CPU for all stores, almost all of it the `C` rows (their lines, top
//! products and owned strings: ≈ 2–3 µs a churned customer there). The cost follows `C`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use storeboard_data::dataset::Sym;
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use super::ChannelSplit;
use crate::config::Business;
use crate::facts::customers::{normalize_address, ADDRESS, NO_CUSTOMER};
use crate::facts::day_number;
use crate::facts::series::NO_LINE;
use crate::filters::Filters;
use crate::order::{cents, day_from_days, line_col, Rules, SALES_SCALE};
use crate::overview::{parts, Part};

/// The days before `d` whose counts make the trend.
const TREND_DAYS: i64 = 3;

/// The thresholds of 客户流失预警. `Default` is the product's rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChurnRules {
    /// Days ending at `d` (inclusive) in which a customer's orders and sales are counted (30:
    /// `d − 29 ..= d`). At least 1.
    pub window_days: u32,
    /// A churned customer's last order in the window is on or before `d − quiet_days` (7: no
    /// order in `d − 6 ..= d`).
    pub quiet_days: u32,
    /// Kept orders in the window a customer needs to count as a regular who could churn (2).
    /// At least 1.
    pub min_orders: u32,
    /// 涨价: the product's mean 实收单价 in the store over the last `recent_days` is more than
    /// this many percent above the mean price the customer paid for it in the window (10).
    /// Compared exactly to a hundredth of a percent.
    pub price_rise_pct: f64,
    /// The recent days ending at `d` of the 涨价 price and the 下架 test (7: `d − 6 ..= d`).
    /// At least 1.
    pub recent_days: u32,
    /// Products per customer whose state explains the churn: the customer's top products by
    /// quantity bought in the window (3).
    pub top_products: u32,
}

impl Default for ChurnRules {
    fn default() -> Self {
        Self {
            window_days: 30,
            quiet_days: 7,
            min_orders: 2,
            price_rise_pct: 10.0,
            recent_days: 7,
            top_products: 3,
        }
    }
}

/// Why a customer stopped coming, from the state of their top products. Ordered by priority:
/// the first that applies to any of their top products is theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Reason {
    /// The product's latest 剩余库存 in the store at `d` is 0 (or below).
    #[serde(rename = "缺货")]
    OutOfStock,
    /// Its recent mean 实收单价 in the store is more than `price_rise_pct` above what the
    /// customer paid.
    #[serde(rename = "涨价")]
    PriceRise,
    /// No sale of it in the store in the recent days.
    #[serde(rename = "下架")]
    Delisted,
    /// None of these.
    #[serde(rename = "未知")]
    Unknown,
}

impl Reason {
    /// The reason as shown (缺货, 涨价, 下架, 未知).
    pub fn label(self) -> &'static str {
        match self {
            Reason::OutOfStock => "缺货",
            Reason::PriceRise => "涨价",
            Reason::Delisted => "下架",
            Reason::Unknown => "未知",
        }
    }

    /// What to do about product `name` to win back `n` customers.
    pub fn action(self, name: &str, n: usize) -> String {
        match self {
            Reason::OutOfStock => format!("补货 {name}，召回 {n} 位顾客"),
            Reason::PriceRise => format!("检查 {name} 的价格，召回 {n} 位顾客"),
            Reason::Delisted => format!("恢复上架 {name}，召回 {n} 位顾客"),
            Reason::Unknown => format!("回访购买 {name} 的 {n} 位顾客"),
        }
    }
}

/// The card's analysis as of `d`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Churn {
    /// The day it is computed as of.
    pub as_of: NaiveDate,
    /// Churned customers.
    pub count: usize,
    /// Σ their sales in the window (yuan, ≥ 0): the value at risk.
    pub amount: f64,
    /// Churned customers whose window sales are above `mean_sales`.
    pub high_value: usize,
    /// Mean window sales of the churned customers (`null` when none).
    pub mean_sales: Option<f64>,
    /// One row per churned customer, by sales descending, then customer, then store.
    pub rows: Vec<ChurnRow>,
    /// The products that lose the most customers, by customers descending, then value at risk
    /// descending, then key.
    pub products: Vec<LostProduct>,
    /// Per channel: churned customers with a kept order on it in the window, and the part of
    /// their window sales made on it. By count descending, then amount descending, then name.
    pub channels: Vec<ChannelSplit>,
    /// The count as of `d − 1`, `d − 2`, `d − 3`, by the same rule.
    pub previous_counts: [usize; 3],
}

/// One churned customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnRow {
    /// 门店名称.
    pub store: String,
    /// The normalized 收货地址.
    pub customer: String,
    /// Kept orders in the window.
    pub orders: usize,
    /// Σ 商品实收额 of those orders (yuan).
    pub sales: f64,
    /// Day of the last of them.
    pub last_order: NaiveDate,
    /// `d − last_order`, in days.
    pub days_since: i64,
    /// Why, from the top products.
    pub reason: Reason,
    /// The product the reason is about (the first of the top products it applies to; `null`
    /// for 未知).
    pub reason_product: Option<String>,
    /// The key of `reason_product` (the dashboard links the name to its product page).
    pub reason_product_key: Option<String>,
    /// Names of the top products (at most `top_products`), by quantity bought descending, then
    /// name.
    pub products: Vec<String>,
    /// The keys of `products`, in the same order.
    pub product_keys: Vec<String>,
    /// True when `sales` is above the churned customers' mean.
    pub high_value: bool,
}

/// A product in churned customers' top products.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostProduct {
    /// Product key (店内码, else 条码, else 商品名称).
    pub key: String,
    /// 商品名称, as in the top products of the churned customer with the highest sales among
    /// those having it.
    pub name: String,
    /// Churned customers having it in their top products.
    pub customers: usize,
    /// Σ those customers' window sales (yuan).
    pub amount: f64,
    /// The highest-priority reason the product has for any of those customers.
    pub reason: Reason,
    /// What to do (补货 X，召回 N 位顾客, …).
    pub action: String,
}

/// 客户流失预警 as of `d` for the filters' store and channel (the period is not used: the
/// window is the rules' days ending at `d`).
pub fn churn(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    rules: &ChurnRules,
    d: NaiveDate,
) -> Churn {
    let parts = parts(snaps, filters, business);
    let rules = Limits::new(rules);
    let day = day_number(d);
    fn stores<'a>(parts: &[Part<'a>], b: &Business, r: &Limits, d: i64) -> Vec<StoreChurn<'a>> {
        parts.iter().map(|p| store_churn(p, b, r, d)).collect()
    }
    let run = |parts| stores(parts, business, &rules, day);
    if parts.len() < 2 {
        return merge(run(&parts), d);
    }
    // Two halves on two threads, as the order scan does (the machines have two cores).
    let (first, second) = parts.split_at(parts.len() / 2);
    let stores = std::thread::scope(|scope| {
        let other = scope.spawn(|| run(second));
        let mut out = run(first);
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(_) => out.extend(run(second)),
        }
        out
    });
    merge(stores, d)
}

/// The rules as day counts and exact thresholds.
struct Limits {
    window: i64,
    quiet: i64,
    min_orders: usize,
    /// `price_rise_pct` in hundredths of a percent.
    rise: i128,
    recent: i64,
    top: usize,
}

impl Limits {
    fn new(r: &ChurnRules) -> Self {
        let rise = if r.price_rise_pct.is_finite() {
            (r.price_rise_pct * 100.0).round() as i128
        } else {
            i128::MAX / 4
        };
        Self {
            window: i64::from(r.window_days.max(1)),
            quiet: i64::from(r.quiet_days),
            min_orders: r.min_orders.max(1) as usize,
            rise,
            recent: i64::from(r.recent_days.max(1)),
            top: r.top_products as usize,
        }
    }
}

/// No entry.
const NONE: u32 = u32::MAX;

/// One kept order of a customer in the scanned days.
#[derive(Clone, Copy)]
struct Entry {
    /// Order index in the snapshot.
    order: u32,
    /// Days since 1970-01-01.
    day: i64,
    /// The same customer's previous entry, or [`NONE`].
    prev: u32,
}

/// A customer's window orders, as of one day.
struct Status {
    /// Their latest entry on or before the day.
    last: u32,
    orders: usize,
    last_day: i64,
}

/// The customers' kept orders in the days scanned, each customer's entries chained newest
/// first.
struct Scan {
    entries: Vec<Entry>,
    /// Per customer seen, its newest entry.
    newest: Vec<u32>,
}

impl Scan {
    /// Customer `c`'s status as of day `t` when churned by `rules`.
    fn churned(&self, c: usize, t: i64, rules: &Limits) -> Option<Status> {
        let mut k = self.newest[c];
        while k != NONE && self.entries[k as usize].day > t {
            k = self.entries[k as usize].prev;
        }
        let last = k;
        let last_day = self.entries.get(k as usize)?.day;
        if last_day > t - rules.quiet {
            return None;
        }
        let mut orders = 0;
        while k != NONE && self.entries[k as usize].day > t - rules.window {
            orders += 1;
            k = self.entries[k as usize].prev;
        }
        (orders >= rules.min_orders).then_some(Status {
            last,
            orders,
            last_day,
        })
    }

    /// The orders of a status (newest first).
    fn orders(&self, s: &Status) -> impl Iterator<Item = usize> + '_ {
        let mut k = s.last;
        std::iter::from_fn(move || {
            let e = self.entries.get(k as usize)?;
            k = e.prev;
            Some(e.order as usize)
        })
        .take(s.orders)
    }
}

/// The kept orders with a customer in days `from..=to` of one store, chained per customer.
fn scan(p: &Part<'_>, from: i64, to: i64) -> Scan {
    let (snap, customers) = (p.snap, p.facts.customers());
    let days = snap.days();
    let a = days.partition_point(|(day, _)| day_number(*day) < from);
    let b = days.partition_point(|(day, _)| day_number(*day) <= to);
    let mut slot = vec![NONE; customers.count()];
    let mut scan = Scan {
        entries: Vec::new(),
        newest: Vec::new(),
    };
    for k in a..b {
        let start = days[k].1 as usize;
        let end = days
            .get(k + 1)
            .map_or(snap.data.order_count(), |d| d.1 as usize);
        let day = day_number(days[k].0);
        for (i, &c) in (start..end).zip(customers.range(start..end)) {
            if c == NO_CUSTOMER
                || p.channel
                    .is_some_and(|ch| snap.data.orders.channel[i] != ch)
            {
                continue;
            }
            let Some(s) = slot.get_mut(c as usize) else {
                continue;
            };
            let entry = scan.entries.len() as u32;
            let prev = if *s == NONE {
                *s = scan.newest.len() as u32;
                scan.newest.push(entry);
                NONE
            } else {
                std::mem::replace(&mut scan.newest[*s as usize], entry)
            };
            scan.entries.push(Entry {
                order: i as u32,
                day,
                prev,
            });
        }
    }
    scan
}

/// A churned customer of one store, before the stores are merged: no text but the customer's.
struct Found {
    /// Window sales (1/100,000 yuan).
    sales: i64,
    /// The normalized address.
    customer: String,
    orders: u32,
    last_day: i64,
    reason: Reason,
    /// The top product the reason is about (index into `top`), if any.
    reason_top: Option<u8>,
    /// Its top products: `tops[top.0..top.1]` of its store.
    top: (u32, u32),
}

/// One of a customer's top products.
#[derive(Clone, Copy)]
struct Top {
    key: Sym,
    name: Sym,
    reason: Reason,
}

/// One store's part of the card.
struct StoreChurn<'a> {
    snap: &'a StoreSnapshot,
    found: Vec<Found>,
    tops: Vec<Top>,
    previous: [usize; 3],
    /// (channel, churned customers on it, their sales on it).
    channels: Vec<(Sym, usize, i64)>,
    /// The store's part of the lose-most list, by product key.
    lost: HashMap<Sym, Lost>,
}

/// A product's state in a store as of `d`.
#[derive(Clone, Copy)]
struct ProductState {
    out_of_stock: bool,
    /// Σ 销量 (thousandths) and Σ 实收价格 × 销量 in the recent days.
    recent_quantity: i64,
    recent_sales: i64,
}

/// What a customer bought of one product in the window.
struct Bought {
    key: Sym,
    /// The name of its latest line read (orders are read newest first: the first line).
    name: Sym,
    quantity: i64,
    sales: i64,
}

/// The churned customers of one store (`parts[store]`) as of `d`, and its trend counts.
fn store_churn<'a>(p: &Part<'a>, business: &Business, rules: &Limits, d: i64) -> StoreChurn<'a> {
    let scan = scan(p, d - rules.window - TREND_DAYS + 1, d);
    let mut previous = [0usize; 3];
    let mut churned = Vec::new();
    for c in 0..scan.newest.len() {
        if let Some(s) = scan.churned(c, d, rules) {
            churned.push(s);
        }
        for (k, n) in previous.iter_mut().enumerate() {
            *n += usize::from(scan.churned(c, d - 1 - k as i64, rules).is_some());
        }
    }
    let snap = p.snap;
    let data = &snap.data;
    let (l, strings) = (&data.lines, &data.strings);
    let actual = &l.money[line_col(Column::ActualPrice)];
    let consumable = Rules::new(snap, business).consumable;
    let mut states: HashMap<Sym, ProductState> = HashMap::new();
    let mut channels: Vec<(Sym, usize, i64)> = Vec::new();
    let mut found = Vec::with_capacity(churned.len());
    let mut tops = Vec::with_capacity(churned.len() * rules.top.min(8));
    // Scratch reused from customer to customer.
    let (mut bought, mut on) = (Vec::<Bought>::new(), Vec::<(Sym, i64)>::new());
    let mut best: Vec<usize> = Vec::with_capacity(rules.top + 1);
    for s in &churned {
        bought.clear();
        on.clear();
        let mut sales = 0i64;
        for o in scan.orders(s) {
            let mut order_sales = 0i64;
            for j in data.line_range(o) {
                let quantity = i64::from(l.quantity[j]);
                let line_sales = cents(actual[j]) * quantity;
                order_sales += line_sales;
                if consumable.is_some_and(|c| l.category1[j] == c) {
                    continue;
                }
                let key = l.key[j];
                match bought.iter_mut().find(|b| b.key == key) {
                    Some(b) => {
                        b.quantity += quantity;
                        b.sales += line_sales;
                    }
                    None => bought.push(Bought {
                        key,
                        name: l.product[j],
                        quantity,
                        sales: line_sales,
                    }),
                }
            }
            sales += order_sales;
            let ch = data.orders.channel[o];
            match on.iter_mut().find(|(c, _)| *c == ch) {
                Some((_, s)) => *s += order_sales,
                None => on.push((ch, order_sales)),
            }
        }
        for &(ch, s) in &on {
            match channels.iter_mut().find(|(c, _, _)| *c == ch) {
                Some((_, n, total)) => {
                    *n += 1;
                    *total += s;
                }
                None => channels.push((ch, 1, s)),
            }
        }
        // The top products: most bought first, names (then keys) compared only on equal
        // quantities; a selection, not a sort of everything bought.
        let before = |a: &Bought, b: &Bought| {
            b.quantity
                .cmp(&a.quantity)
                .then_with(|| strings.get(a.name).cmp(strings.get(b.name)))
                .then_with(|| strings.get(a.key).cmp(strings.get(b.key)))
                .is_lt()
        };
        best.clear();
        for (k, b) in bought.iter().enumerate().filter(|(_, b)| b.quantity > 0) {
            if best.len() == rules.top && best.last().is_none_or(|&w| !before(b, &bought[w])) {
                continue;
            }
            let at = best.partition_point(|&x| before(&bought[x], b));
            best.insert(at, k);
            best.truncate(rules.top);
        }
        let start = tops.len() as u32;
        for b in best.iter().map(|&k| &bought[k]) {
            let state = *states
                .entry(b.key)
                .or_insert_with(|| product_state(p, b.key, d, rules));
            tops.push(Top {
                key: b.key,
                name: b.name,
                reason: reason(&state, b, rules),
            });
        }
        let top = &tops[start as usize..];
        let reason = top
            .iter()
            .map(|t| t.reason)
            .min()
            .unwrap_or(Reason::Unknown);
        let reason_top = (reason != Reason::Unknown)
            .then(|| top.iter().position(|t| t.reason == reason))
            .flatten()
            .map(|k| k as u8);
        let address = data.orders.text[ADDRESS][scan.entries[s.last as usize].order as usize];
        found.push(Found {
            sales,
            customer: normalize_address(strings.get(address)),
            orders: s.orders as u32,
            last_day: s.last_day,
            reason,
            reason_top,
            top: (start, tops.len() as u32),
        });
    }
    let mut lost: HashMap<Sym, Lost> = HashMap::new();
    for f in &found {
        for t in &tops[f.top.0 as usize..f.top.1 as usize] {
            let acc = lost.entry(t.key).or_insert(Lost {
                name: t.name,
                top_sales: f.sales,
                customers: 0,
                sales: 0,
                reason: t.reason,
            });
            acc.add(f.sales, t.reason, t.name);
        }
    }
    StoreChurn {
        snap,
        found,
        tops,
        previous,
        channels,
        lost,
    }
}

/// The reason product `b` gives for a customer who bought it, given its state in the store.
fn reason(state: &ProductState, b: &Bought, rules: &Limits) -> Reason {
    // recent mean > paid mean × (1 + rise), exactly: recent_sales / recent_quantity >
    // b.sales / b.quantity × (10000 + rise) / 10000, both quantities positive.
    let rose = || {
        state.recent_quantity > 0
            && i128::from(state.recent_sales) * i128::from(b.quantity) * 10_000
                > i128::from(b.sales) * i128::from(state.recent_quantity) * (10_000 + rules.rise)
    };
    if state.out_of_stock {
        Reason::OutOfStock
    } else if rose() {
        Reason::PriceRise
    } else if state.recent_quantity <= 0 {
        Reason::Delisted
    } else {
        Reason::Unknown
    }
}

/// Product `key`'s state in the store of `p` as of `d`, from its daily points (the channel
/// filter applied): the latest stock reading on or before `d` (a later day, then the later line,
/// over the key's channels) and the sums of the recent days.
fn product_state(p: &Part<'_>, key: Sym, d: i64, rules: &Limits) -> ProductState {
    let series = p.facts.series();
    let all = series.all();
    let channel = p.channel.map(|s| p.facts.channel_index(s));
    let (lo, hi) = (
        all.partition_point(|s| s.key < key),
        all.partition_point(|s| s.key <= key),
    );
    let has_stock = p.snap.data.present.contains(Column::Stock);
    let mut state = ProductState {
        out_of_stock: false,
        recent_quantity: 0,
        recent_sales: 0,
    };
    let mut latest: Option<(i64, u32)> = None;
    for (k, s) in all.iter().enumerate().take(hi).skip(lo) {
        if channel.is_some_and(|c| c != Some(s.channel)) {
            continue;
        }
        // One search for the series' end at `d`, then back through the recent days and on to
        // the latest stock reading (nearly always on the last point).
        let mut stock_found = !has_stock;
        for pt in series.points(k, i64::MIN, d).iter().rev() {
            let recent = pt.day > d - rules.recent;
            if recent {
                state.recent_quantity += pt.quantity;
                state.recent_sales += pt.sales;
            }
            if !stock_found && pt.stock_line != NO_LINE {
                stock_found = true;
                latest = latest.max(Some((pt.day, pt.stock_line)));
            }
            if stock_found && !recent {
                break;
            }
        }
    }
    if let Some((_, line)) = latest {
        let stock = p.snap.data.lines.stock[line as usize];
        state.out_of_stock = !stock.is_nan() && stock <= 0.0;
    }
    state
}

/// The stores' parts merged into the card.
fn merge(mut stores: Vec<StoreChurn<'_>>, d: NaiveDate) -> Churn {
    let mut previous_counts = [0usize; 3];
    let mut channels: HashMap<&str, (usize, i64)> = HashMap::new();
    let mut lost: HashMap<&str, (Lost, usize)> = HashMap::new();
    for (k, s) in stores.iter().enumerate() {
        for (n, p) in previous_counts.iter_mut().zip(s.previous) {
            *n += p;
        }
        let strings = &s.snap.data.strings;
        for &(c, n, sales) in &s.channels {
            let e = channels.entry(strings.get(c)).or_default();
            e.0 += n;
            e.1 += sales;
        }
        for (&key, l) in &s.lost {
            match lost.entry(strings.get(key)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((*l, k));
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    let (acc, store) = o.get_mut();
                    // The name of the store whose churned customer with it spent most.
                    if l.top_sales > acc.top_sales {
                        (acc.name, acc.top_sales, *store) = (l.name, l.top_sales, k);
                    }
                    acc.customers += l.customers;
                    acc.sales += l.sales;
                    acc.reason = acc.reason.min(l.reason);
                }
            }
        }
    }
    let products = lost_products(&stores, lost);
    // (sales, store, row) of every churned customer, sorted by sales, customer, store name.
    let mut order: Vec<(i64, u32, u32)> = stores
        .iter()
        .enumerate()
        .flat_map(|(k, s)| {
            s.found
                .iter()
                .enumerate()
                .map(move |(i, f)| (f.sales, k as u32, i as u32))
        })
        .collect();
    order.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0).then_with(|| {
            let (sa, sb) = (&stores[a.1 as usize], &stores[b.1 as usize]);
            let (fa, fb) = (&sa.found[a.2 as usize], &sb.found[b.2 as usize]);
            fa.customer
                .cmp(&fb.customer)
                .then_with(|| sa.snap.name.cmp(&sb.snap.name))
        })
    });
    let count = order.len();
    let total: i64 = order.iter().map(|o| o.0).sum();
    // Above the mean, exactly: sales × count > Σ sales.
    let high = |sales: i64| i128::from(sales) * count as i128 > i128::from(total);
    let mut rows = Vec::with_capacity(count);
    for &(_, k, i) in &order {
        let s = &mut stores[k as usize];
        let f = &mut s.found[i as usize];
        let strings = &s.snap.data.strings;
        let tops = &s.tops[f.top.0 as usize..f.top.1 as usize];
        let products: Vec<String> = tops
            .iter()
            .map(|t| strings.get(t.name).to_owned())
            .collect();
        let product_keys: Vec<String> =
            tops.iter().map(|t| strings.get(t.key).to_owned()).collect();
        rows.push(ChurnRow {
            store: s.snap.name.clone(),
            customer: std::mem::take(&mut f.customer),
            orders: f.orders as usize,
            sales: f.sales as f64 / SALES_SCALE,
            last_order: day_from_days(f.last_day),
            days_since: day_number(d) - f.last_day,
            reason: f.reason,
            reason_product: f.reason_top.map(|t| products[t as usize].clone()),
            reason_product_key: f.reason_top.map(|t| product_keys[t as usize].clone()),
            products,
            product_keys,
            high_value: high(f.sales),
        });
    }
    let mut channels: Vec<ChannelSplit> = channels
        .into_iter()
        .map(|(c, (n, s))| ChannelSplit {
            channel: c.to_owned(),
            count: n,
            amount: Some(s as f64 / SALES_SCALE),
        })
        .collect();
    channels.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.amount.unwrap_or(0.0).total_cmp(&a.amount.unwrap_or(0.0)))
            .then_with(|| a.channel.cmp(&b.channel))
    });
    Churn {
        as_of: d,
        count,
        amount: (total as f64 / SALES_SCALE).max(0.0),
        high_value: rows.iter().filter(|r| r.high_value).count(),
        mean_sales: (count > 0).then(|| total as f64 / SALES_SCALE / count as f64),
        rows,
        products,
        channels,
        previous_counts,
    }
}

/// A product of the lose-most list while it is summed.
#[derive(Clone, Copy)]
struct Lost {
    /// 商品名称 (string id of its store) in the top products of the churned customer who spent
    /// most among those having it (the first store on equal sales).
    name: Sym,
    /// That customer's sales.
    top_sales: i64,
    customers: usize,
    sales: i64,
    reason: Reason,
}

impl Lost {
    /// Adds a churned customer who spent `sales` and has the product (named `name` in their
    /// top products) for `reason`.
    fn add(&mut self, sales: i64, reason: Reason, name: Sym) {
        if sales > self.top_sales {
            (self.name, self.top_sales) = (name, sales);
        }
        self.customers += 1;
        self.sales += sales;
        self.reason = self.reason.min(reason);
    }
}

/// The lose-most list (each product with the store its name comes from), by customers, value at
/// risk, key.
fn lost_products(
    stores: &[StoreChurn<'_>],
    by_key: HashMap<&str, (Lost, usize)>,
) -> Vec<LostProduct> {
    let mut out: Vec<(i64, LostProduct)> = by_key
        .into_iter()
        .map(|(key, (a, store))| {
            let name = stores[store].snap.data.strings.get(a.name);
            (
                a.sales,
                LostProduct {
                    key: key.to_owned(),
                    name: name.to_owned(),
                    customers: a.customers,
                    amount: a.sales as f64 / SALES_SCALE,
                    reason: a.reason,
                    action: a.reason.action(name, a.customers),
                },
            )
        })
        .collect();
    out.sort_by(|(sa, a), (sb, b)| {
        b.customers
            .cmp(&a.customers)
            .then(sb.cmp(sa))
            .then_with(|| a.key.cmp(&b.key))
    });
    out.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests;
