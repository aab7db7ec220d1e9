//! 订单数据概览 (`overview`): KPI cards with 环比 and 上周同期, channel cards, AOV bands, daily
//! trend, categories and the order-profit distribution.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use storeboard_data::schema::Column;

use crate::order::{line_col, orders, pct, ratio, total, units, yuan, OrderFigures};

/// One KPI card: this period, the previous one, the change, and the same days last week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    /// This period's value (`null` when it is a ratio over 0).
    pub value: Option<f64>,
    /// The previous period's value.
    pub previous: Option<f64>,
    /// Percent change, or percentage points for `profit_margin_pct`; `null` when the base is 0 or absent.
    pub change: Option<f64>,
    /// The same days a week earlier (periods of at most 7 days only).
    pub last_week: Option<f64>,
}

/// The six KPI cards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// 订单总数.
    pub orders: Kpi,
    /// 商品实收额.
    pub sales: Kpi,
    /// 总利润 (Σ 订单实际利润).
    pub profit: Kpi,
    /// 平均客单价.
    pub avg_order_value: Kpi,
    /// 总利润率 (%).
    pub profit_margin_pct: Kpi,
    /// 动销商品数.
    pub active_products: Kpi,
}

/// The raw values of one period.
#[derive(Debug, Clone, Copy)]
struct Values {
    orders: f64,
    sales: f64,
    profit: f64,
    aov: Option<f64>,
    margin: Option<f64>,
    active: f64,
}

fn values(orders: &[OrderFigures<'_>]) -> Values {
    let sales = total(orders, |o| o.sales);
    let profit = total(orders, |o| o.profit);
    let n = orders.len() as f64;
    Values {
        orders: n,
        sales,
        profit,
        aov: ratio(sales, n),
        margin: pct(profit, sales),
        active: active_products(orders) as f64,
    }
}

/// Distinct product keys with 销量 > 0 (consumables included; across stores a key counts once).
fn active_products(orders: &[OrderFigures<'_>]) -> usize {
    let mut keys: HashSet<&str> = HashSet::new();
    for o in orders {
        let l = &o.snap.data.lines;
        for j in o.lines.clone() {
            if l.quantity[j] > 0 {
                keys.insert(o.snap.data.strings.get(l.key[j]));
            }
        }
    }
    keys.len()
}

fn change(cur: Option<f64>, prev: Option<f64>) -> Option<f64> {
    let (c, p) = (cur?, prev?);
    (p != 0.0).then(|| (c - p) / p * 100.0)
}

fn kpi(cur: Option<f64>, prev: Option<f64>, week: Option<Option<f64>>) -> Kpi {
    Kpi {
        value: cur,
        previous: prev,
        change: change(cur, prev),
        last_week: week.flatten(),
    }
}

fn kpis(cur: &Values, prev: &Values, week: Option<&Values>) -> Kpis {
    let margin_change = match (cur.margin, prev.margin) {
        (Some(c), Some(p)) => Some(c - p),
        _ => None,
    };
    Kpis {
        orders: kpi(
            Some(cur.orders),
            Some(prev.orders),
            week.map(|w| Some(w.orders)),
        ),
        sales: kpi(
            Some(cur.sales),
            Some(prev.sales),
            week.map(|w| Some(w.sales)),
        ),
        profit: kpi(
            Some(cur.profit),
            Some(prev.profit),
            week.map(|w| Some(w.profit)),
        ),
        avg_order_value: kpi(cur.aov, prev.aov, week.map(|w| w.aov)),
        profit_margin_pct: Kpi {
            change: margin_change,
            ..kpi(cur.margin, prev.margin, week.map(|w| w.margin))
        },
        active_products: kpi(
            Some(cur.active),
            Some(prev.active),
            week.map(|w| Some(w.active)),
        ),
    }
}

/// One channel card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelCard {
    /// 渠道.
    pub channel: String,
    /// Orders.
    pub orders: usize,
    /// Sales.
    pub sales: f64,
    /// Share of the cards' total sales (%).
    pub share_pct: Option<f64>,
    /// Σ 订单实际利润.
    pub profit: f64,
    /// Sales per order.
    pub avg_order_value: Option<f64>,
    /// Profit / sales (%).
    pub margin_pct: Option<f64>,
    /// Profit per order.
    pub profit_per_order: Option<f64>,
    /// Marketing cost per order.
    pub marketing_per_order: Option<f64>,
    /// 配送净成本 per order.
    pub delivery_per_order: Option<f64>,
    /// Cost structure, each as % of sales.
    pub cost_rates: CostRates,
}

/// Costs as a percentage of sales.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRates {
    /// 商品成本.
    pub product_cost: Option<f64>,
    /// 耗材.
    pub consumables: Option<f64>,
    /// 商品减免.
    pub product_discount: Option<f64>,
    /// 活动补贴 = 营销成本 − 商品减免.
    pub subsidy: Option<f64>,
    /// 配送 (配送净成本).
    pub delivery: Option<f64>,
    /// 佣金 (平台服务费).
    pub commission: Option<f64>,
}

fn channel_cards(orders: &[OrderFigures<'_>], business: &Business) -> Vec<ChannelCard> {
    let mut groups: BTreeMap<&str, Vec<&OrderFigures<'_>>> = BTreeMap::new();
    for o in orders.iter().filter(|o| {
        !business
            .channel_cards_exclude
            .iter()
            .any(|c| c == o.channel)
    }) {
        groups.entry(o.channel).or_default().push(o);
    }
    let all_sales: f64 = groups.values().flatten().map(|o| o.sales).sum();
    let mut cards: Vec<ChannelCard> = groups
        .into_iter()
        .map(|(channel, os)| {
            let sum = |f: fn(&OrderFigures<'_>) -> f64| os.iter().map(|o| f(o)).sum::<f64>();
            let (n, sales, profit) = (os.len() as f64, sum(|o| o.sales), sum(|o| o.profit));
            let (marketing, discount) = (sum(|o| o.marketing), sum(|o| o.product_discount));
            ChannelCard {
                channel: channel.to_owned(),
                orders: os.len(),
                sales,
                share_pct: pct(sales, all_sales),
                profit,
                avg_order_value: ratio(sales, n),
                margin_pct: pct(profit, sales),
                profit_per_order: ratio(profit, n),
                marketing_per_order: ratio(marketing, n),
                delivery_per_order: ratio(sum(|o| o.delivery_net), n),
                cost_rates: CostRates {
                    product_cost: pct(sum(|o| o.product_cost), sales),
                    consumables: pct(sum(|o| o.consumable_cost), sales),
                    product_discount: pct(discount, sales),
                    subsidy: pct(marketing - discount, sales),
                    delivery: pct(sum(|o| o.delivery_net), sales),
                    commission: pct(sum(|o| o.fee), sales),
                },
            }
        })
        .collect();
    cards.sort_by(|a, b| b.sales.total_cmp(&a.sales));
    cards
}

/// One band or bucket of a distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// Label (`¥10-20`).
    pub label: String,
    /// Orders in it.
    pub orders: usize,
    /// Share of all orders (%).
    pub share_pct: Option<f64>,
    /// Sales of its orders.
    pub sales: f64,
    /// Profit / sales of its orders (%).
    pub margin_pct: Option<f64>,
}

/// Lower-inclusive bands: `bounds[k]..bounds[k+1]`, the last open-ended.
fn bands(
    orders: &[OrderFigures<'_>],
    bounds: &[f64],
    labels: &[&str],
    key: fn(&OrderFigures<'_>) -> f64,
) -> Vec<Band> {
    let mut acc = vec![(0usize, 0.0f64, 0.0f64); labels.len()];
    for o in orders {
        let k = bounds.iter().rposition(|&b| key(o) >= b).unwrap_or(0);
        acc[k].0 += 1;
        acc[k].1 += o.sales;
        acc[k].2 += o.profit;
    }
    let n = orders.len() as f64;
    labels
        .iter()
        .zip(acc)
        .map(|(label, (count, sales, profit))| Band {
            label: (*label).to_owned(),
            orders: count,
            share_pct: pct(count as f64, n),
            sales,
            margin_pct: pct(profit, sales),
        })
        .collect()
}

const AOV_BOUNDS: [f64; 8] = [
    f64::NEG_INFINITY,
    10.0,
    20.0,
    30.0,
    40.0,
    50.0,
    100.0,
    200.0,
];
const AOV_LABELS: [&str; 8] = [
    "¥0-10",
    "¥10-20",
    "¥20-30",
    "¥30-40",
    "¥40-50",
    "¥50-100",
    "¥100-200",
    "¥200+",
];
const PROFIT_BOUNDS: [f64; 8] = [
    f64::NEG_INFINITY,
    -100.0,
    -50.0,
    -20.0,
    0.0,
    20.0,
    50.0,
    100.0,
];
const PROFIT_LABELS: [&str; 8] = [
    "<-100", "-100~-50", "-50~-20", "-20~0", "0~20", "20~50", "50~100", ">100",
];

/// One day of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayPoint {
    /// The day.
    pub date: NaiveDate,
    /// Orders.
    pub orders: usize,
    /// Sales.
    pub sales: f64,
    /// Σ 订单实际利润.
    pub profit: f64,
    /// Profit / sales (%).
    pub margin_pct: Option<f64>,
}

fn daily(orders: &[OrderFigures<'_>], filters: &Filters) -> Vec<DayPoint> {
    let mut days: BTreeMap<NaiveDate, (usize, f64, f64)> = BTreeMap::new();
    let mut d = filters.from;
    while d <= filters.to {
        days.insert(d, (0, 0.0, 0.0));
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    for o in orders {
        let e = days.entry(o.day).or_insert((0, 0.0, 0.0));
        e.0 += 1;
        e.1 += o.sales;
        e.2 += o.profit;
    }
    days.into_iter()
        .map(|(date, (n, sales, profit))| DayPoint {
            date,
            orders: n,
            sales,
            profit,
            margin_pct: pct(profit, sales),
        })
        .collect()
}

/// One category row (line-level figures).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRow {
    /// 一级分类名 (`未分类` when empty).
    pub category: String,
    /// Σ 实收价格 × 销量.
    pub sales: f64,
    /// Σ 利润额.
    pub profit: f64,
    /// Profit / sales (%).
    pub margin_pct: Option<f64>,
    /// Σ 销量.
    pub quantity: f64,
}

fn categories(orders: &[OrderFigures<'_>]) -> Vec<CategoryRow> {
    let mut acc: HashMap<&str, (f64, f64, f64)> = HashMap::new();
    for o in orders {
        let data = &o.snap.data;
        let l = &data.lines;
        for j in o.lines.clone() {
            let name = data.strings.get(l.category1[j]);
            let e = acc
                .entry(if name.is_empty() { "未分类" } else { name })
                .or_default();
            e.0 += yuan(l.money[line_col(Column::ActualPrice)][j]) * units(l.quantity[j]);
            e.1 += yuan(l.money[line_col(Column::Profit)][j]);
            e.2 += units(l.quantity[j]);
        }
    }
    let mut rows: Vec<CategoryRow> = acc
        .into_iter()
        .map(|(c, (sales, profit, quantity))| CategoryRow {
            category: c.to_owned(),
            sales,
            profit,
            margin_pct: pct(profit, sales),
            quantity,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.sales
            .total_cmp(&a.sales)
            .then_with(|| a.category.cmp(&b.category))
    });
    rows
}

/// The whole overview tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// The filters it was computed for.
    pub filters: Filters,
    /// True when no order matched.
    pub empty: bool,
    /// The six KPI cards.
    pub kpis: Kpis,
    /// Channel cards (without the excluded channels).
    pub channels: Vec<ChannelCard>,
    /// Orders by order value band.
    pub aov_bands: Vec<Band>,
    /// One point per day of the period.
    pub daily: Vec<DayPoint>,
    /// Categories by sales.
    pub categories: Vec<CategoryRow>,
    /// Orders by 订单实际利润 bucket.
    pub profit_buckets: Vec<Band>,
}

/// Computes the overview tab.
pub fn overview(snaps: &[Arc<StoreSnapshot>], filters: &Filters, business: &Business) -> Overview {
    let cur = orders(snaps, filters, business);
    let prev = orders(snaps, &filters.previous(), business);
    let week = filters
        .last_week()
        .map(|w| values(&orders(snaps, &w, business)));
    Overview {
        filters: filters.clone(),
        empty: cur.is_empty(),
        kpis: kpis(&values(&cur), &values(&prev), week.as_ref()),
        channels: channel_cards(&cur, business),
        aov_bands: bands(&cur, &AOV_BOUNDS, &AOV_LABELS, |o| o.sales),
        daily: daily(&cur, filters),
        categories: categories(&cur),
        profit_buckets: bands(&cur, &PROFIT_BOUNDS, &PROFIT_LABELS, |o| o.profit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::snapshots;

    /// Two stores; order A1 has two lines (one a bag), B1 is on a fee channel with fee 0 and is
    /// dropped, A2 is on the cash register (no fee needed), A3 is the day before (previous period).
    const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,平台服务费,物流配送费,用户支付配送费,配送费减免金额,满减金额,商品减免金额,一级分类名,店内码
A1,2026-11-02 09:10,一号店,可乐,2,美团闪购,5.00,6.00,4.00,1.50,3.00,2.00,0.50,2.00,1.00,酒水饮料,K1
A1,2026-11-02 09:10,一号店,打包袋,1,美团闪购,0.50,0.20,0.30,0.00,3.00,2.00,0.50,2.00,1.00,耗材,BAG
A2,2026-11-02 18:30,一号店,薯片,1,收银机订单,8.00,5.00,3.00,0.00,0.00,0.00,0.00,0.00,0.00,休闲食品,K2
B1,2026-11-02 12:00,二号店,可乐,1,饿了么,5.00,3.00,2.00,0.00,0.00,0.00,0.00,0.00,0.00,酒水饮料,K1
A3,2026-11-01 10:00,一号店,可乐,1,美团闪购,5.00,3.00,2.00,0.50,0.00,0.00,0.00,0.00,0.00,酒水饮料,K1
";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
    }

    fn filters(store: Option<&str>) -> Filters {
        Filters {
            store: store.map(str::to_owned),
            from: day(2),
            to: day(2),
            channel: None,
        }
    }

    #[test]
    fn kpis_follow_the_formulas_on_a_hand_computed_example() {
        let snaps = snapshots(CSV);
        let o = overview(&snaps, &filters(None), &Business::default());
        // Kept: A1 (sales 2×5 + 1×0.5 = 10.5) and A2 (8); B1 dropped (fee channel, fee 0).
        assert_eq!(o.kpis.orders.value, Some(2.0));
        assert!((o.kpis.sales.value.unwrap_or_default() - 18.5).abs() < 1e-9);
        // A1 profit: Σ利润额 4.3 − fee 1.5 − delivery 3 + rebate 0 = −0.2; A2: 3.
        assert!((o.kpis.profit.value.unwrap_or_default() - 2.8).abs() < 1e-9);
        assert!((o.kpis.avg_order_value.value.unwrap_or_default() - 9.25).abs() < 1e-9);
        // Active products: K1, BAG, K2.
        assert_eq!(o.kpis.active_products.value, Some(3.0));
        // Previous day: A3 alone, sales 5, profit 2 − 0.5 = 1.5.
        assert_eq!(o.kpis.orders.previous, Some(1.0));
        assert_eq!(o.kpis.orders.change, Some(100.0));
        let margin = o.kpis.profit_margin_pct;
        let (cur, prev) = (2.8 / 18.5 * 100.0, 1.5 / 5.0 * 100.0);
        assert!(
            (margin.change.unwrap_or_default() - (cur - prev)).abs() < 1e-9,
            "percentage points"
        );
        assert_eq!(o.kpis.orders.last_week, Some(0.0));
    }

    #[test]
    fn channel_cards_leave_out_the_cash_register_and_split_costs() {
        let snaps = snapshots(CSV);
        let o = overview(&snaps, &filters(Some("一号店")), &Business::default());
        assert_eq!(o.channels.len(), 1, "{:?}", o.channels);
        let card = &o.channels[0];
        assert_eq!(card.channel, "美团闪购");
        // Consumable cost 0.2 of sales 10.5; delivery net = 3 − (2 − 0.5) − 0 = 1.5.
        assert!(
            (card.cost_rates.consumables.unwrap_or_default() - 0.2 / 10.5 * 100.0).abs() < 1e-9
        );
        assert!((card.delivery_per_order.unwrap_or_default() - 1.5).abs() < 1e-9);
        // Marketing 2 + 1 = 3, of which 商品减免 1: subsidy 2.
        assert!((card.cost_rates.subsidy.unwrap_or_default() - 2.0 / 10.5 * 100.0).abs() < 1e-9);
    }

    #[test]
    fn bands_are_lower_inclusive() {
        let snaps = snapshots(CSV);
        let o = overview(&snaps, &filters(Some("一号店")), &Business::default());
        let counts: Vec<usize> = o.aov_bands.iter().map(|b| b.orders).collect();
        assert_eq!(counts, [1, 1, 0, 0, 0, 0, 0, 0], "8 → ¥0-10, 10.5 → ¥10-20");
        let buckets: Vec<usize> = o.profit_buckets.iter().map(|b| b.orders).collect();
        assert_eq!(buckets, [0, 0, 0, 1, 1, 0, 0, 0], "−0.2 → -20~0, 3 → 0~20");
    }

    #[test]
    fn an_unknown_store_gives_empty_figures() {
        let snaps = snapshots(CSV);
        let o = overview(&snaps, &filters(Some("不存在")), &Business::default());
        assert!(o.empty);
        assert_eq!(o.kpis.avg_order_value.value, None);
        assert_eq!(o.daily.len(), 1);
    }
}
