//! The overview from the stores' aggregates ([`crate::facts`]).
//!
//! Cost: `O(stores × days × channels)` cells for the period, the previous period and the same
//! days last week, plus the categories and sold product keys of those cells; nothing is read
//! from the lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use storeboard_data::dataset::Sym;
use storeboard_data::StoreSnapshot;

use super::{
    channels, kpis, Band, CategoryRow, DayPoint, Overview, Values, AOV_LABELS, PROFIT_LABELS,
};
use crate::config::Business;
use crate::facts::{facts, Bin, Cell, LineSums, StoreFacts};
use crate::filters::Filters;
use crate::order::{cents_to_yuan, pct, ratio, SALES_SCALE};

/// A selected store, its aggregates and the string id of the filter's channel there.
pub(crate) struct Part<'a> {
    pub snap: &'a StoreSnapshot,
    pub facts: Arc<StoreFacts>,
    /// `None`: every channel.
    pub channel: Option<Sym>,
}

/// The selected stores that can have orders on the filter's channel.
pub(crate) fn parts<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Vec<Part<'a>> {
    snaps
        .iter()
        .filter(|s| filters.store.as_deref().is_none_or(|name| s.name == name))
        .filter_map(|snap| {
            let channel = match filters.channel.as_deref() {
                None => None,
                Some(text) => Some(
                    snap.channel_syms()
                        .iter()
                        .copied()
                        .find(|&s| snap.data.strings.get(s) == text)?,
                ),
            };
            Some(Part {
                snap,
                facts: facts(snap, business),
                channel,
            })
        })
        .collect()
}

/// The order time of line `j` of the store of `parts[store]`.
pub(crate) fn line_time(parts: &[Part<'_>], store: usize, j: u32) -> i64 {
    let data = &parts[store].snap.data;
    data.orders.time[data.lines.order[j as usize] as usize]
}

/// Sales (1/100,000 yuan) as yuan.
pub(crate) fn sales_yuan(sales: i64) -> f64 {
    sales as f64 / SALES_SCALE
}

/// The KPI values of one period: merged cells and distinct sold product keys.
fn values(parts: &[Part<'_>], from: NaiveDate, to: NaiveDate) -> Values {
    let mut total = Cell::default();
    let mut keys: HashSet<&str> = HashSet::new();
    for p in parts {
        let sel = p.facts.select(from, to, p.channel);
        total.merge(&sel.total());
        add_sold(&mut keys, p.snap, sel.sold());
    }
    values_of(&total, keys.len())
}

/// Adds a store's sold keys to `keys`, deduplicated by string id first (a bitset over the
/// store's strings): one hash per distinct product of the store, not one per (day, channel).
fn add_sold<'a>(
    keys: &mut HashSet<&'a str>,
    snap: &'a StoreSnapshot,
    sold: impl Iterator<Item = Sym>,
) {
    let mut seen = vec![0u64; snap.data.strings.len().div_ceil(64)];
    for k in sold {
        let (word, bit) = (k as usize / 64, 1u64 << (k % 64));
        if let Some(w) = seen.get_mut(word) {
            if *w & bit == 0 {
                *w |= bit;
                keys.insert(snap.data.strings.get(k));
            }
        }
    }
}

fn values_of(total: &Cell, active: usize) -> Values {
    let (sales, profit) = (sales_yuan(total.sales), cents_to_yuan(total.profit));
    let n = f64::from(total.orders);
    Values {
        orders: n,
        sales,
        profit,
        aov: ratio(sales, n),
        margin: pct(profit, sales),
        active: active as f64,
    }
}

fn bands(bins: &[Bin; 8], labels: &[&str], orders: u32) -> Vec<Band> {
    labels
        .iter()
        .zip(bins)
        .map(|(label, b)| {
            let sales = sales_yuan(b.sales);
            Band {
                label: (*label).to_owned(),
                orders: b.orders as usize,
                share_pct: pct(f64::from(b.orders), f64::from(orders)),
                sales,
                margin_pct: pct(cents_to_yuan(b.profit), sales),
            }
        })
        .collect()
}

fn daily(days: BTreeMap<NaiveDate, (u32, i64, i64)>, filters: &Filters) -> Vec<DayPoint> {
    let mut out = Vec::new();
    let mut d = filters.from;
    while d <= filters.to {
        let (orders, sales, profit) = days.get(&d).copied().unwrap_or_default();
        let (sales, profit) = (sales_yuan(sales), cents_to_yuan(profit));
        out.push(DayPoint {
            date: d,
            orders: orders as usize,
            sales,
            profit,
            margin_pct: pct(profit, sales),
        });
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    out
}

fn categories(acc: HashMap<&str, LineSums>) -> Vec<CategoryRow> {
    let mut rows: Vec<CategoryRow> = acc
        .into_iter()
        .map(|(c, s)| {
            let (sales, profit) = (sales_yuan(s.sales), cents_to_yuan(s.profit));
            CategoryRow {
                category: c.to_owned(),
                sales,
                profit,
                margin_pct: pct(profit, sales),
                quantity: s.quantity as f64 / 1000.0,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.sales
            .total_cmp(&a.sales)
            .then_with(|| a.category.cmp(&b.category))
    });
    rows
}

fn category_name(name: &str) -> &str {
    if name.is_empty() {
        "未分类"
    } else {
        name
    }
}

/// Computes the overview tab from the aggregates.
pub(crate) fn overview(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Overview {
    let parts = parts(snaps, filters, business);
    let mut total = Cell::default();
    let mut keys: HashSet<&str> = HashSet::new();
    let mut by_channel: BTreeMap<&str, Cell> = BTreeMap::new();
    let mut days: BTreeMap<NaiveDate, (u32, i64, i64)> = BTreeMap::new();
    let mut cats: HashMap<&str, LineSums> = HashMap::new();
    for p in &parts {
        let strings = &p.snap.data.strings;
        let sel = p.facts.select(filters.from, filters.to, p.channel);
        for (day, channel, cell) in sel.cells() {
            total.merge(cell);
            by_channel
                .entry(strings.get(channel))
                .or_default()
                .merge(cell);
            let e = days.entry(day).or_default();
            (e.0, e.1, e.2) = (e.0 + cell.orders, e.1 + cell.sales, e.2 + cell.profit);
        }
        add_sold(&mut keys, p.snap, sel.sold());
        if sel.cells().next().is_some() {
            // A store with orders in the period lists every category it has, sold or not.
            for &sym in p.snap.category_syms() {
                cats.entry(category_name(strings.get(sym))).or_default();
            }
        }
        for (sym, sums) in sel.categories() {
            cats.entry(category_name(strings.get(*sym)))
                .or_default()
                .merge(sums);
        }
    }
    let prev = filters.previous();
    let week = filters.last_week().map(|w| values(&parts, w.from, w.to));
    Overview {
        filters: filters.clone(),
        empty: total.orders == 0,
        kpis: kpis(
            &values_of(&total, keys.len()),
            &values(&parts, prev.from, prev.to),
            week.as_ref(),
        ),
        channels: channels::cards_from_cells(&by_channel, business),
        aov_bands: bands(&total.aov, &AOV_LABELS, total.orders),
        daily: daily(days, filters),
        categories: categories(cats),
        profit_buckets: bands(&total.buckets, &PROFIT_LABELS, total.orders),
    }
}
