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

use super::depth::{self, CostSums};
use super::{
    channels, kpis, Band, CategoryRow, DayPoint, Overview, Values, AOV_LABELS, PROFIT_LABELS,
};
use crate::config::Business;
use crate::facts::{facts, Bin, CategorySums, Cell, Depth, StoreFacts};
use crate::filters::Filters;
use crate::order::{cents_to_yuan, pct, SALES_SCALE};

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

/// Another period's merged cells: in all and by channel name, its KPI values, and its AOV
/// bands when asked.
struct Other<'a> {
    values: Values,
    total: Cell,
    depth: Depth,
    by_channel: BTreeMap<&'a str, Cell>,
}

/// The KPI values of one period (merged cells and distinct sold product keys), its cells
/// merged in all and by channel, and (`with_depth`) their bands and buckets.
fn other<'a>(parts: &[Part<'a>], from: NaiveDate, to: NaiveDate, with_depth: bool) -> Other<'a> {
    let mut total = Cell::default();
    let mut depth = Depth::default();
    let mut by_channel: BTreeMap<&str, Cell> = BTreeMap::new();
    let mut keys: HashSet<&str> = HashSet::new();
    for p in parts {
        let sel = p.facts.select(from, to, p.channel);
        if with_depth {
            depth.merge(&sel.depth());
        }
        for (_, channel, cell) in sel.cells() {
            total.merge(cell);
            by_channel
                .entry(p.snap.data.strings.get(channel))
                .or_default()
                .merge(cell);
        }
        add_sold(&mut keys, p.snap, sel.sold());
    }
    Other {
        values: values_of(&total, keys.len()),
        total,
        depth,
        by_channel,
    }
}

/// The costs of the merged cells in yuan.
fn cost_sums(total: &Cell, depth: &Depth) -> CostSums {
    let y = cents_to_yuan;
    CostSums {
        sales: sales_yuan(total.sales),
        product_cost: y(total.product_cost),
        consumables: y(total.consumable_cost),
        delivery_net: y(total.delivery_net),
        platform_fee: y(total.fee),
        marketing: depth.marketing_split.map(y),
    }
}

/// Each of `sold` (string ids of `snap`) the first time it comes, deduplicated with a bitset
/// over the store's strings: one step per (day, channel) entry, no hashing.
pub(crate) fn distinct_sold<'s>(
    snap: &StoreSnapshot,
    sold: impl Iterator<Item = Sym> + 's,
) -> impl Iterator<Item = Sym> + 's {
    let mut seen = vec![0u64; snap.data.strings.len().div_ceil(64)];
    sold.filter(move |&k| {
        let (word, bit) = (k as usize / 64, 1u64 << (k % 64));
        seen.get_mut(word).is_some_and(|w| {
            let first = *w & bit == 0;
            *w |= bit;
            first
        })
    })
}

/// Adds a store's sold keys to `keys`: one hash per distinct product of the store, not one per
/// (day, channel).
fn add_sold<'a>(
    keys: &mut HashSet<&'a str>,
    snap: &'a StoreSnapshot,
    sold: impl Iterator<Item = Sym>,
) {
    keys.extend(distinct_sold(snap, sold).map(|k| snap.data.strings.get(k)));
}

fn values_of(total: &Cell, active: usize) -> Values {
    Values::new(
        f64::from(total.orders),
        (sales_yuan(total.sales), cents_to_yuan(total.profit)),
        active,
        (sales_yuan(total.gmv), cents_to_yuan(total.marketing)),
    )
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

fn categories(acc: HashMap<&str, CategorySums>) -> Vec<CategoryRow> {
    let mut rows: Vec<CategoryRow> = acc
        .into_iter()
        .map(|(c, CategorySums { sums: s, cost })| {
            let (sales, profit) = (sales_yuan(s.sales), cents_to_yuan(s.profit));
            CategoryRow {
                category: c.to_owned(),
                sales,
                profit,
                margin_pct: pct(profit, sales),
                quantity: s.quantity as f64 / 1000.0,
                cost: cents_to_yuan(cost),
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

/// The period's cells merged in all, by channel and by day, its sold keys and categories.
#[derive(Default)]
struct Current<'a> {
    total: Cell,
    depth: Depth,
    keys: HashSet<&'a str>,
    by_channel: BTreeMap<&'a str, Cell>,
    days: BTreeMap<NaiveDate, (u32, i64, i64)>,
    cats: HashMap<&'a str, CategorySums>,
}

fn current<'a>(parts: &[Part<'a>], filters: &Filters) -> Current<'a> {
    let mut c = Current::default();
    for p in parts {
        let strings = &p.snap.data.strings;
        let sel = p.facts.select(filters.from, filters.to, p.channel);
        c.depth.merge(&sel.depth());
        for (day, channel, cell) in sel.cells() {
            c.total.merge(cell);
            c.by_channel
                .entry(strings.get(channel))
                .or_default()
                .merge(cell);
            let e = c.days.entry(day).or_default();
            (e.0, e.1, e.2) = (e.0 + cell.orders, e.1 + cell.sales, e.2 + cell.profit);
        }
        add_sold(&mut c.keys, p.snap, sel.sold());
        if sel.cells().next().is_some() {
            // A store with orders in the period lists every category it has, sold or not.
            for &sym in p.snap.category_syms() {
                c.cats.entry(category_name(strings.get(sym))).or_default();
            }
        }
        for (sym, sums) in sel.categories() {
            c.cats
                .entry(category_name(strings.get(sym)))
                .or_default()
                .merge(&sums);
        }
    }
    c
}

/// Computes the overview tab from the aggregates.
pub(crate) fn overview(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Overview {
    let parts = parts(snaps, filters, business);
    let cur = current(&parts, filters);
    let total = &cur.total;
    let (prev, week) = (filters.previous(), filters.last_week());
    let prev = other(&parts, prev.from, prev.to, true);
    let week = week.map(|w| other(&parts, w.from, w.to, false).values);
    let values = values_of(total, cur.keys.len());
    let channels = channels::with_previous(
        channels::cards_from_cells(&cur.by_channel, business),
        channels::cards_from_cells(&prev.by_channel, business),
    );
    let daily = daily(cur.days, filters);
    let categories = categories(cur.cats);
    let depth = &cur.depth;
    let aov_cost = depth.aov_cost.map(cents_to_yuan);
    Overview {
        filters: filters.clone(),
        empty: total.orders == 0,
        kpis: kpis(&values, &prev.values, week.as_ref()),
        insights: depth::insights(&channels),
        channels,
        aov_bands: depth::aov_bands(
            bands(&depth.aov, &AOV_LABELS, total.orders),
            &aov_cost,
            &bands(&prev.depth.aov, &AOV_LABELS, prev.total.orders),
        ),
        days: depth::days(&daily),
        daily,
        cost_structure: depth::cost_structure(&cost_sums(total, depth), &categories),
        categories,
        profit_buckets: bands(&depth.buckets, &PROFIT_LABELS, total.orders),
        profit_summary: depth::profit_summary(
            total.orders as usize,
            total.profitable_orders as usize,
            total.loss_orders as usize,
            values.profit,
        ),
    }
}
