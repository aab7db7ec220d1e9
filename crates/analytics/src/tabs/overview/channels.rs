//! The channel cards of the overview: per channel orders, sales, profit and cost structure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::from_lines::by_snapshot;
use crate::config::Business;
use crate::facts::Cell;
use crate::order::{cents_to_yuan, pct, ratio, OrderFigures, SALES_SCALE};

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
    /// The six cost rates summed: (商品成本 + 耗材 + 营销成本 + 配送净成本 + 平台服务费) / sales (%).
    pub total_cost_rate: Option<f64>,
    /// The same figures for the previous period (`null` when the channel had no order then;
    /// its own `previous` is `null`).
    pub previous: Option<Box<ChannelCard>>,
    /// 环比 against `previous`.
    pub change: ChannelChange,
}

/// A channel's 环比: percent changes, the margin in percentage points; `null` without a base.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChannelChange {
    /// Orders (%).
    pub orders: Option<f64>,
    /// Sales (%).
    pub sales: Option<f64>,
    /// Σ 订单实际利润 (%, against the previous profit's magnitude).
    pub profit: Option<f64>,
    /// Margin (percentage points).
    pub margin_pct: Option<f64>,
}

fn pct_change(cur: f64, prev: f64) -> Option<f64> {
    pct(cur - prev, prev.abs())
}

/// Gives each card its previous period's card (matched by channel name) and its 环比.
pub(super) fn with_previous(cur: Vec<ChannelCard>, prev: Vec<ChannelCard>) -> Vec<ChannelCard> {
    let mut prev: BTreeMap<String, ChannelCard> =
        prev.into_iter().map(|c| (c.channel.clone(), c)).collect();
    cur.into_iter()
        .map(|mut card| {
            if let Some(p) = prev.remove(&card.channel) {
                card.change = ChannelChange {
                    orders: pct_change(card.orders as f64, p.orders as f64),
                    sales: pct_change(card.sales, p.sales),
                    profit: pct_change(card.profit, p.profit),
                    margin_pct: card.margin_pct.zip(p.margin_pct).map(|(c, p)| c - p),
                };
                card.previous = Some(Box::new(p));
            }
            card
        })
        .collect()
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

/// Sums of one channel's orders, gathered in one pass.
#[derive(Debug, Clone, Copy, Default)]
struct ChannelSums {
    orders: usize,
    sales: f64,
    profit: f64,
    marketing: f64,
    discount: f64,
    delivery: f64,
    product_cost: f64,
    consumable_cost: f64,
    fee: f64,
}

impl ChannelSums {
    fn add(&mut self, o: &OrderFigures<'_>) {
        self.orders += 1;
        self.sales += o.sales;
        self.profit += o.profit;
        self.marketing += o.marketing;
        self.discount += o.product_discount;
        self.delivery += o.delivery_net;
        self.product_cost += o.product_cost;
        self.consumable_cost += o.consumable_cost;
        self.fee += o.fee;
    }

    fn merge(&mut self, other: &ChannelSums) {
        self.orders += other.orders;
        self.sales += other.sales;
        self.profit += other.profit;
        self.marketing += other.marketing;
        self.discount += other.discount;
        self.delivery += other.delivery;
        self.product_cost += other.product_cost;
        self.consumable_cost += other.consumable_cost;
        self.fee += other.fee;
    }

    fn card(&self, channel: &str, all_sales: f64) -> ChannelCard {
        let (n, sales) = (self.orders as f64, self.sales);
        ChannelCard {
            channel: channel.to_owned(),
            orders: self.orders,
            sales,
            share_pct: pct(sales, all_sales),
            profit: self.profit,
            avg_order_value: ratio(sales, n),
            margin_pct: pct(self.profit, sales),
            profit_per_order: ratio(self.profit, n),
            marketing_per_order: ratio(self.marketing, n),
            delivery_per_order: ratio(self.delivery, n),
            cost_rates: CostRates {
                product_cost: pct(self.product_cost, sales),
                consumables: pct(self.consumable_cost, sales),
                product_discount: pct(self.discount, sales),
                subsidy: pct(self.marketing - self.discount, sales),
                delivery: pct(self.delivery, sales),
                commission: pct(self.fee, sales),
            },
            total_cost_rate: pct(
                self.product_cost
                    + self.consumable_cost
                    + self.marketing
                    + self.delivery
                    + self.fee,
                sales,
            ),
            previous: None,
            change: ChannelChange::default(),
        }
    }
}

impl From<&Cell> for ChannelSums {
    fn from(c: &Cell) -> Self {
        let y = cents_to_yuan;
        Self {
            orders: c.orders as usize,
            sales: c.sales as f64 / SALES_SCALE,
            profit: y(c.profit),
            marketing: y(c.marketing),
            discount: y(c.product_discount),
            delivery: y(c.delivery_net),
            product_cost: y(c.product_cost),
            consumable_cost: y(c.consumable_cost),
            fee: y(c.fee),
        }
    }
}

/// The cards from each channel's merged cell (by channel name, across stores).
pub(super) fn cards_from_cells(
    cells: &BTreeMap<&str, Cell>,
    business: &Business,
) -> Vec<ChannelCard> {
    let groups: BTreeMap<&str, ChannelSums> = cells
        .iter()
        .filter(|(name, c)| {
            c.orders > 0 && !business.channel_cards_exclude.iter().any(|x| x == *name)
        })
        .map(|(name, c)| (*name, ChannelSums::from(c)))
        .collect();
    cards(&groups)
}

fn cards(groups: &BTreeMap<&str, ChannelSums>) -> Vec<ChannelCard> {
    let all_sales: f64 = groups.values().map(|g| g.sales).sum();
    let mut cards: Vec<ChannelCard> = groups
        .iter()
        .map(|(channel, sums)| sums.card(channel, all_sales))
        .collect();
    cards.sort_by(|a, b| b.sales.total_cmp(&a.sales));
    cards
}

pub(super) fn channel_cards(orders: &[OrderFigures<'_>], business: &Business) -> Vec<ChannelCard> {
    let mut groups: BTreeMap<&str, ChannelSums> = BTreeMap::new();
    for (snap, group) in by_snapshot(orders) {
        // Sum by string id first (a vector index per order), then merge by name per channel.
        let mut by_sym = vec![ChannelSums::default(); snap.data.strings.len()];
        for o in group {
            by_sym[snap.data.orders.channel[o.index] as usize].add(o);
        }
        for &sym in snap.channel_syms() {
            let name = snap.data.strings.get(sym);
            let sums = &by_sym[sym as usize];
            if sums.orders > 0 && !business.channel_cards_exclude.iter().any(|c| c == name) {
                groups.entry(name).or_default().merge(sums);
            }
        }
    }
    cards(&groups)
}
