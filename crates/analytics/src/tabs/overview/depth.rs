//! The overview's deeper sections (docs/metrics.md, 订单数据概览): channel insights, AOV bands
//! against the previous period, 成本结构, 盈利订单 and the best, worst and anomaly days.
//!
//! Each section is computed from sums both paths give alike (the aggregates' exact sums
//! converted to yuan, or the orders' figures summed), so the two paths answer the same.

use serde::Serialize;

use super::{Band, CategoryRow, ChannelCard, DayPoint};
use crate::order::{pct, ratio};

/// A channel below this margin (%) gets a `low_margin` insight.
pub const LOW_MARGIN_PCT: f64 = 8.0;
/// A channel whose marketing rate is above this many times the channels' mean rate gets a
/// `high_marketing` insight.
pub const HIGH_MARKETING_FACTOR: f64 = 1.2;

/// One insight line under the channel cards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insight {
    /// `best_channel`, `low_margin` or `high_marketing`.
    pub kind: &'static str,
    /// The channel it is about.
    pub channel: String,
    /// The sentence shown.
    pub text: String,
}

/// Marketing cost / sales of a card (%): 商品减免 + 活动补贴.
fn marketing_rate(c: &ChannelCard) -> Option<f64> {
    Some(c.cost_rates.product_discount? + c.cost_rates.subsidy?)
}

/// The insight lines: the best channel (highest margin; ties: more sales, then name), every
/// channel under [`LOW_MARGIN_PCT`], every channel whose marketing rate is above
/// [`HIGH_MARKETING_FACTOR`] × the unweighted mean rate of the channels that have one.
pub fn insights(cards: &[ChannelCard]) -> Vec<Insight> {
    let mut out = Vec::new();
    let best = cards
        .iter()
        .filter_map(|c| Some((c, c.margin_pct?)))
        .max_by(|(a, ma), (b, mb)| {
            ma.total_cmp(mb)
                .then(a.sales.total_cmp(&b.sales))
                .then(b.channel.cmp(&a.channel))
        });
    if let Some((c, m)) = best {
        out.push(Insight {
            kind: "best_channel",
            channel: c.channel.clone(),
            text: format!(
                "最佳渠道: {},利润率 {m:.1}%,利润 ¥{:.2}",
                c.channel, c.profit
            ),
        });
    }
    for c in cards {
        if let Some(m) = c.margin_pct.filter(|&m| m < LOW_MARGIN_PCT) {
            out.push(Insight {
                kind: "low_margin",
                channel: c.channel.clone(),
                text: format!("{} 利润率 {m:.1}%,低于 {LOW_MARGIN_PCT}%", c.channel),
            });
        }
    }
    let rates: Vec<f64> = cards.iter().filter_map(marketing_rate).collect();
    if let Some(mean) = ratio(rates.iter().sum(), rates.len() as f64) {
        for c in cards {
            if let Some(r) = marketing_rate(c).filter(|&r| r > HIGH_MARKETING_FACTOR * mean) {
                out.push(Insight {
                    kind: "high_marketing",
                    channel: c.channel.clone(),
                    text: format!(
                        "{} 营销费率 {r:.1}%,高于渠道均值 {mean:.1}% 的 {HIGH_MARKETING_FACTOR} 倍",
                        c.channel
                    ),
                });
            }
        }
    }
    out
}

/// One AOV band with its cost rate and the previous period's orders in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AovBand {
    /// Label, orders, share, sales and margin of the band.
    #[serde(flatten)]
    pub band: Band,
    /// Total cost of its orders / their sales (%): 商品成本 + 耗材 + 营销成本 + 配送净成本 + 平台服务费.
    pub cost_rate: Option<f64>,
    /// Orders in the band in the previous period.
    pub previous_orders: usize,
    /// Their margin (%).
    pub previous_margin_pct: Option<f64>,
    /// Change of the band's orders (%), `null` when the previous period had none.
    pub orders_change: Option<f64>,
}

/// The AOV bands from this period's bands, their costs (yuan) and the previous period's bands.
pub(crate) fn aov_bands(cur: Vec<Band>, costs: &[f64], prev: &[Band]) -> Vec<AovBand> {
    cur.into_iter()
        .zip(costs)
        .zip(prev)
        .map(|((band, &cost), p)| AovBand {
            cost_rate: pct(cost, band.sales),
            previous_orders: p.orders,
            previous_margin_pct: p.margin_pct,
            orders_change: pct(band.orders as f64 - p.orders as f64, p.orders as f64),
            band,
        })
        .collect()
}

/// The seven marketing columns, keyed by their export names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MarketingSplit<T> {
    /// 满减金额.
    #[serde(rename = "满减金额")]
    pub full_reduction: T,
    /// 商品减免金额.
    #[serde(rename = "商品减免金额")]
    pub product_discount: T,
    /// 商家代金券.
    #[serde(rename = "商家代金券")]
    pub merchant_voucher: T,
    /// 商家承担部分券.
    #[serde(rename = "商家承担部分券")]
    pub merchant_coupon: T,
    /// 满赠金额.
    #[serde(rename = "满赠金额")]
    pub gift: T,
    /// 商家其他优惠.
    #[serde(rename = "商家其他优惠")]
    pub other: T,
    /// 新客减免金额.
    #[serde(rename = "新客减免金额")]
    pub new_customer: T,
}

impl<T: Copy> MarketingSplit<T> {
    /// From the seven values in `order::MARKETING`'s order.
    pub fn from_array(v: [T; 7]) -> Self {
        Self {
            full_reduction: v[0],
            product_discount: v[1],
            merchant_voucher: v[2],
            merchant_coupon: v[3],
            gift: v[4],
            other: v[5],
            new_customer: v[6],
        }
    }
}

/// The summed costs of the kept orders, in yuan (the input of [`cost_structure`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CostSums {
    pub sales: f64,
    pub product_cost: f64,
    pub consumables: f64,
    pub delivery_net: f64,
    pub platform_fee: f64,
    pub marketing: [f64; 7],
}

/// Each cost as % of sales.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRatesOfSales {
    /// 商品成本.
    pub product_cost: Option<f64>,
    /// 耗材.
    pub consumables: Option<f64>,
    /// 配送净成本.
    pub delivery_net: Option<f64>,
    /// 平台服务费.
    pub platform_fee: Option<f64>,
    /// 营销成本 (the seven columns).
    pub marketing_total: Option<f64>,
    /// All of them.
    pub total: Option<f64>,
}

/// One category's purchase cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryCost {
    /// 一级分类名.
    pub category: String,
    /// Σ 商品采购成本 of its lines.
    pub cost: f64,
    /// Σ 实收价格 × 销量 of its lines.
    pub sales: f64,
    /// cost / sales (%).
    pub cost_rate: Option<f64>,
    /// Its share of all categories' cost (%).
    pub share_pct: Option<f64>,
}

/// 成本结构 over the kept orders, in yuan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostStructure {
    /// 商品实收额, the base of the rates.
    pub sales: f64,
    /// Σ 商品采购成本 of products (consumables left out).
    pub product_cost: f64,
    /// Σ 商品采购成本 of consumables.
    pub consumables: f64,
    /// Σ 配送净成本.
    pub delivery_net: f64,
    /// Σ 平台服务费.
    pub platform_fee: f64,
    /// Σ 营销成本 = the seven marketing columns.
    pub marketing_total: f64,
    /// All five costs.
    pub total_cost: f64,
    /// 营销成本 by column.
    pub marketing: MarketingSplit<f64>,
    /// Each cost / sales (%).
    pub rates: CostRatesOfSales,
    /// Each marketing column / sales (%).
    pub marketing_rates: MarketingSplit<Option<f64>>,
    /// Purchase cost by category, largest first (ties by name).
    pub by_category: Vec<CategoryCost>,
}

/// 成本结构 from the summed costs and the category rows.
pub(crate) fn cost_structure(s: &CostSums, categories: &[CategoryRow]) -> CostStructure {
    let marketing_total: f64 = s.marketing.iter().sum();
    let total_cost =
        s.product_cost + s.consumables + s.delivery_net + s.platform_fee + marketing_total;
    let rate = |v: f64| pct(v, s.sales);
    let all_cost: f64 = categories.iter().map(|c| c.cost).sum();
    let mut by_category: Vec<CategoryCost> = categories
        .iter()
        .map(|c| CategoryCost {
            category: c.category.clone(),
            cost: c.cost,
            sales: c.sales,
            cost_rate: pct(c.cost, c.sales),
            share_pct: pct(c.cost, all_cost),
        })
        .collect();
    by_category.sort_by(|a, b| {
        b.cost
            .total_cmp(&a.cost)
            .then_with(|| a.category.cmp(&b.category))
    });
    CostStructure {
        sales: s.sales,
        product_cost: s.product_cost,
        consumables: s.consumables,
        delivery_net: s.delivery_net,
        platform_fee: s.platform_fee,
        marketing_total,
        total_cost,
        marketing: MarketingSplit::from_array(s.marketing),
        rates: CostRatesOfSales {
            product_cost: rate(s.product_cost),
            consumables: rate(s.consumables),
            delivery_net: rate(s.delivery_net),
            platform_fee: rate(s.platform_fee),
            marketing_total: rate(marketing_total),
            total: rate(total_cost),
        },
        marketing_rates: MarketingSplit::from_array(s.marketing.map(rate)),
        by_category,
    }
}

/// 盈利订单数 and 平均订单利润.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfitSummary {
    /// Orders with 订单实际利润 > 0 (an order of exactly ¥0 is not one).
    pub profitable_orders: usize,
    /// Orders with 订单实际利润 < 0.
    pub loss_orders: usize,
    /// profitable_orders / orders (%).
    pub profitable_pct: Option<f64>,
    /// Σ 订单实际利润 / orders.
    pub avg_order_profit: Option<f64>,
}

/// The profit summary from the counts and the period's profit (yuan).
pub(crate) fn profit_summary(
    orders: usize,
    profitable: usize,
    loss: usize,
    profit: f64,
) -> ProfitSummary {
    ProfitSummary {
        profitable_orders: profitable,
        loss_orders: loss,
        profitable_pct: pct(profitable as f64, orders as f64),
        avg_order_profit: ratio(profit, orders as f64),
    }
}

/// 利润率概览: the best and worst day and the anomaly days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Days {
    /// The mean of the daily margins (days with sales only).
    pub mean_margin_pct: Option<f64>,
    /// Their population standard deviation (divided by n).
    pub std_margin_pct: Option<f64>,
    /// mean − 1σ: a day strictly below it is an anomaly; a day exactly on it is not.
    pub threshold_pct: Option<f64>,
    /// The day with the highest margin (ties: the earlier day).
    pub best: Option<DayPoint>,
    /// The day with the lowest margin (ties: the earlier day).
    pub worst: Option<DayPoint>,
    /// The days whose margin is below `threshold_pct`, in date order.
    pub anomalies: Vec<DayPoint>,
}

/// The days section from the daily points (in date order). Days without sales have no margin
/// and take no part.
pub fn days(daily: &[DayPoint]) -> Days {
    let with: Vec<(&DayPoint, f64)> = daily
        .iter()
        .filter_map(|d| Some((d, d.margin_pct?)))
        .collect();
    let n = with.len() as f64;
    let mean = ratio(with.iter().map(|(_, m)| m).sum(), n);
    let std = mean.map(|mean| {
        let var = with.iter().map(|(_, m)| (m - mean).powi(2)).sum::<f64>() / n;
        var.sqrt()
    });
    let threshold = mean.zip(std).map(|(m, s)| m - s);
    // max_by keeps the last of equals, min_by the first: iterate reversed for the best.
    let best = with.iter().rev().max_by(|a, b| a.1.total_cmp(&b.1));
    let worst = with.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    Days {
        mean_margin_pct: mean,
        std_margin_pct: std,
        threshold_pct: threshold,
        best: best.map(|(d, _)| (*d).clone()),
        worst: worst.map(|(d, _)| (*d).clone()),
        anomalies: with
            .iter()
            .filter(|(_, m)| threshold.is_some_and(|t| *m < t))
            .map(|(d, _)| (*d).clone())
            .collect(),
    }
}
