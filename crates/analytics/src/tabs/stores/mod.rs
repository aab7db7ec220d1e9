//! 门店对比 (`stores`): every store side by side over the period and channel: its ten figures,
//! their 环比, a rank by 商品实收额, the chain's medians, and the figures on which a store lies
//! beyond the chain median ± 1.5 × IQR. The store filter is ignored: the tab is about all stores.
//!
//! Cost: `O(stores × days × channels)` cells merged twice (this period and the one before) plus
//! the sold keys of those cells; then `O(stores × log stores)` per figure for the spreads.

mod spread;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use crate::order::{cents_to_yuan, pct, ratio, SALES_SCALE};
use crate::overview::{distinct_sold, parts, Part};
use spread::Spread;
pub use spread::StoreRules;

/// One store's figures over one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StoreFigures {
    /// 订单数 (kept orders).
    pub orders: usize,
    /// 商品实收额.
    pub sales: f64,
    /// 总利润 (Σ 订单实际利润).
    pub profit: f64,
    /// 利润率 (%): 总利润 / 商品实收额.
    pub margin_pct: Option<f64>,
    /// 客单价: 商品实收额 / 订单数.
    pub avg_order_value: Option<f64>,
    /// GMV: Σ 商品原价 × 销量 (原价 > 0) + 打包袋金额 + 用户支付配送费 per order.
    pub gmv: f64,
    /// 营销成本 (the seven marketing columns).
    pub marketing_cost: f64,
    /// 营销成本率 (%): 营销成本 / GMV.
    pub marketing_rate_pct: Option<f64>,
    /// Σ 配送净成本.
    pub delivery_net: f64,
    /// 配送成本率 (%): 配送净成本 / 商品实收额.
    pub delivery_cost_rate_pct: Option<f64>,
    /// 动销商品数: distinct product keys with 销量 > 0.
    pub active_products: usize,
}

/// A figure beyond the chain's fence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// The figure's field (`marketing_rate_pct`).
    pub figure: &'static str,
    /// Its Chinese name (`营销成本率`).
    pub label: &'static str,
    /// The store's value.
    pub value: f64,
    /// The chain median.
    pub median: f64,
    /// The fence it crossed (median ± factor × IQR).
    pub fence: f64,
    /// `high` or `low`.
    pub side: &'static str,
    /// True when that side is the bad one (a high 营销成本率, a low 利润率).
    pub bad: bool,
}

/// One store's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreRow {
    /// 门店名称.
    pub store: String,
    /// This period's figures.
    #[serde(flatten)]
    pub figures: StoreFigures,
    /// 1 = the highest 商品实收额 (ties: by name).
    pub rank: usize,
    /// The previous period's figures (the same number of days just before).
    pub previous: StoreFigures,
    /// 环比 per figure: percent, or percentage points for the `_pct` figures; `null` when the
    /// base is 0 or absent.
    pub changes: BTreeMap<&'static str, Option<f64>>,
    /// The figures beyond the chain's fences.
    pub flags: Vec<Flag>,
}

/// The whole 门店对比 tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stores {
    /// The filters it was computed for (`store` is always `null`: every store is compared).
    pub filters: Filters,
    /// True when no store had an order in the period.
    pub empty: bool,
    /// Every store with data on the channel, by rank.
    pub stores: Vec<StoreRow>,
    /// The chain median of each figure over the stores with orders in the period.
    pub medians: BTreeMap<&'static str, Option<f64>>,
    /// The fences (`[low, high]`) of each figure; `null` with too few stores.
    pub fences: BTreeMap<&'static str, Option<[f64; 2]>>,
    /// The rules the flags were found with.
    pub rules: StoreRules,
}

/// A compared figure: field, name, value, whether its change is in percentage points, and
/// whether a high value is the good side.
struct Figure {
    key: &'static str,
    label: &'static str,
    get: fn(&StoreFigures) -> Option<f64>,
    points: bool,
    high_is_good: bool,
}

const fn figure(
    key: &'static str,
    label: &'static str,
    get: fn(&StoreFigures) -> Option<f64>,
    (points, high_is_good): (bool, bool),
) -> Figure {
    Figure {
        key,
        label,
        get,
        points,
        high_is_good,
    }
}

/// The compared figures, in the table's order.
const FIGURES: [Figure; 11] = [
    figure("orders", "订单数", |f| Some(f.orders as f64), (false, true)),
    figure("sales", "商品实收额", |f| Some(f.sales), (false, true)),
    figure("profit", "总利润", |f| Some(f.profit), (false, true)),
    figure("margin_pct", "利润率", |f| f.margin_pct, (true, true)),
    figure(
        "avg_order_value",
        "客单价",
        |f| f.avg_order_value,
        (false, true),
    ),
    figure("gmv", "GMV", |f| Some(f.gmv), (false, true)),
    figure(
        "marketing_cost",
        "营销成本",
        |f| Some(f.marketing_cost),
        (false, false),
    ),
    figure(
        "marketing_rate_pct",
        "营销成本率",
        |f| f.marketing_rate_pct,
        (true, false),
    ),
    figure(
        "delivery_net",
        "配送净成本",
        |f| Some(f.delivery_net),
        (false, false),
    ),
    figure(
        "delivery_cost_rate_pct",
        "配送成本率",
        |f| f.delivery_cost_rate_pct,
        (true, false),
    ),
    figure(
        "active_products",
        "动销商品数",
        |f| Some(f.active_products as f64),
        (false, true),
    ),
];

/// One store's figures over `from..=to` from its aggregates: the same merged cells and sold
/// keys as the overview of that store, so 订单数, 商品实收额 and 总利润 are the overview's.
fn figures_of(part: &Part<'_>, from: NaiveDate, to: NaiveDate) -> StoreFigures {
    let sel = part.facts.select(from, to, part.channel);
    let total = sel.total();
    let active = distinct_sold(part.snap, sel.sold()).count();
    let sales = total.sales as f64 / SALES_SCALE;
    let (profit, orders) = (cents_to_yuan(total.profit), total.orders as usize);
    let gmv = total.gmv as f64 / SALES_SCALE;
    let (marketing_cost, delivery_net) = (
        cents_to_yuan(total.marketing),
        cents_to_yuan(total.delivery_net),
    );
    StoreFigures {
        orders,
        sales,
        profit,
        margin_pct: pct(profit, sales),
        avg_order_value: ratio(sales, orders as f64),
        gmv,
        marketing_cost,
        marketing_rate_pct: pct(marketing_cost, gmv),
        delivery_net,
        delivery_cost_rate_pct: pct(delivery_net, sales),
        active_products: active,
    }
}

/// 环比 of every figure: percent, or percentage points for rates.
fn changes(cur: &StoreFigures, prev: &StoreFigures) -> BTreeMap<&'static str, Option<f64>> {
    FIGURES
        .iter()
        .map(|f| {
            let (c, p) = ((f.get)(cur), (f.get)(prev));
            let change = match (c, p) {
                (Some(c), Some(p)) if f.points => Some(c - p),
                (Some(c), Some(p)) if p != 0.0 => Some((c - p) / p.abs() * 100.0),
                _ => None,
            };
            (f.key, change)
        })
        .collect()
}

/// Computes 门店对比 over every store (the filters' store is ignored) for the filters' period
/// and channel.
pub fn stores(snaps: &[Arc<StoreSnapshot>], filters: &Filters, business: &Business) -> Stores {
    let filters = Filters {
        store: None,
        ..filters.clone()
    };
    let prev = filters.previous();
    let mut rows: Vec<StoreRow> = parts(snaps, &filters, business)
        .iter()
        .map(|p| {
            let figures = figures_of(p, filters.from, filters.to);
            let previous = figures_of(p, prev.from, prev.to);
            StoreRow {
                store: p.snap.name.clone(),
                changes: changes(&figures, &previous),
                figures,
                previous,
                rank: 0,
                flags: Vec::new(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.figures
            .sales
            .total_cmp(&a.figures.sales)
            .then_with(|| a.store.cmp(&b.store))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    let rules = business.stores.clone();
    let (medians, fences) = flag(&mut rows, &rules);
    Stores {
        empty: rows.iter().all(|r| r.figures.orders == 0),
        filters,
        stores: rows,
        medians,
        fences,
        rules,
    }
}

type Medians = BTreeMap<&'static str, Option<f64>>;
type Fences = BTreeMap<&'static str, Option<[f64; 2]>>;

/// Finds each figure's spread over the stores with orders and flags the rows beyond it.
fn flag(rows: &mut [StoreRow], rules: &StoreRules) -> (Medians, Fences) {
    let (mut medians, mut fences) = (BTreeMap::new(), BTreeMap::new());
    for f in &FIGURES {
        let active = || rows.iter().filter(|r| r.figures.orders > 0);
        let spread = Spread::of(active().map(|r| (f.get)(&r.figures)), rules);
        medians.insert(f.key, spread.map(|s| s.median));
        fences.insert(f.key, spread.and_then(|s| Some([s.low?, s.high?])));
        let Some(spread) = spread else { continue };
        for r in rows.iter_mut().filter(|r| r.figures.orders > 0) {
            let Some(value) = (f.get)(&r.figures) else {
                continue;
            };
            if let Some(side) = spread.side(value) {
                let high = side == "high";
                r.flags.push(Flag {
                    figure: f.key,
                    label: f.label,
                    value,
                    median: spread.median,
                    fence: if high { spread.high } else { spread.low }.unwrap_or(spread.median),
                    side,
                    bad: high != f.high_is_good,
                });
            }
        }
    }
    (medians, fences)
}
