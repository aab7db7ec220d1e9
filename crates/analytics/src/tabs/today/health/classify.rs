//! The six quadrants of one window: per product its 动销指数, its category's margin threshold
//! and its quadrant, from exact sums.

use std::collections::HashMap;

use serde::Serialize;

use super::rules::{percentile, sorted, HealthRules};

/// A 商品健康 quadrant; serialized as its name without emoji.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Quadrant {
    /// 🎯 策略引流: sold at or near nothing, or at a deep loss, in volume.
    #[serde(rename = "策略引流")]
    Lead,
    /// 🌟 明星: high margin, high activity, real profit.
    #[serde(rename = "明星")]
    Star,
    /// 🔥 畅销: cheap, among the most sold, high margin.
    #[serde(rename = "畅销")]
    Bestseller,
    /// 💎 潜力: high margin, little sold, a unit profit worth growing.
    #[serde(rename = "潜力")]
    Potential,
    /// ⚡ 自然引流: low margin, high activity.
    #[serde(rename = "自然引流")]
    Traffic,
    /// 🐌 低效: the rest.
    #[serde(rename = "低效")]
    Weak,
}

impl Quadrant {
    /// The six, in priority (and display) order.
    pub const ALL: [Quadrant; 6] = [
        Self::Lead,
        Self::Star,
        Self::Bestseller,
        Self::Potential,
        Self::Traffic,
        Self::Weak,
    ];

    /// Its position in [`Quadrant::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name, as serialized (策略引流).
    pub fn name(self) -> &'static str {
        ["策略引流", "明星", "畅销", "潜力", "自然引流", "低效"][self.index()]
    }

    /// Its emoji (🎯).
    pub fn emoji(self) -> &'static str {
        ["🎯", "🌟", "🔥", "💎", "⚡", "🐌"][self.index()]
    }

    /// What to do with its products: one actionable sentence.
    pub fn advice(self) -> &'static str {
        [
            "控制引流品的数量和单客限购，盯住它带来的连带购买，带不动高毛利商品的就停止补贴。",
            "保证库存充足、价格稳定，给足陈列位和平台推荐位，不要轻易参加降价活动。",
            "保证供货和价格竞争力，搭配高毛利商品做组合或满减，借它的销量拉高客单价。",
            "加大曝光（首页推荐、搜索关键词、小额满减），把它们培养成明星商品。",
            "小幅提价或找供应商议价降低成本，把销量转化为利润。",
            "减少陈列和补货，清理库存后考虑下架，把位置让给更好的商品。",
        ][self.index()]
    }
}

/// A product's exact sums over some days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Figures {
    /// Σ 销量 (thousandths).
    pub quantity: i64,
    /// Σ distinct orders per store, channel and day (an order is on one of each).
    pub orders: i64,
    /// Σ 实收价格 × 销量 (1/100,000 yuan).
    pub sales: i64,
    /// Σ 商品采购成本 (cents).
    pub cost: i64,
    /// Σ 利润额 (cents).
    pub profit: i64,
}

impl Figures {
    /// Adds `o` to these sums.
    pub fn add(&mut self, o: &Figures) {
        self.quantity += o.quantity;
        self.orders += o.orders;
        self.sales += o.sales;
        self.cost += o.cost;
        self.profit += o.profit;
    }
}

/// A considered product's figures in yuan and units, each from its exact sums by one division
/// (so a value exactly at a threshold compares equal to it).
#[derive(Debug, Clone, Copy)]
pub(super) struct Measures {
    /// 销量 (units).
    pub quantity: f64,
    /// 订单数.
    pub orders: f64,
    /// 实收单价 = Σ sales / Σ 销量.
    pub price: f64,
    /// 单品成本 = Σ 商品采购成本 / Σ 销量.
    pub unit_cost: f64,
    /// profit / 销量.
    pub unit_profit: f64,
    /// Σ 利润额 (yuan).
    pub profit: f64,
    /// profit / sales × 100; `None` when sales are 0.
    pub margin: Option<f64>,
    /// Sales are exactly 0 (实收单价 = 0).
    pub free: bool,
}

impl Measures {
    /// The measures of `f`, which must have 销量 > 0.
    pub fn of(f: &Figures) -> Self {
        let q = f.quantity as f64;
        Measures {
            quantity: q / 1000.0,
            orders: f.orders as f64,
            // (sales / 100,000) / (q / 1000), and cents / 100 / (q / 1000).
            price: f.sales as f64 / (q * 100.0),
            unit_cost: (f.cost as f64 * 10.0) / q,
            unit_profit: (f.profit as f64 * 10.0) / q,
            profit: f.profit as f64 / 100.0,
            margin: (f.sales != 0).then(|| (f.profit as f64 * 100_000.0) / f.sales as f64),
            free: f.sales == 0,
        }
    }
}

/// One considered product's result in a window.
#[derive(Debug, Clone, Copy)]
pub(super) struct Verdict {
    /// Its quadrant.
    pub quadrant: Quadrant,
    /// 动销指数 (0–1 with the default weights).
    pub activity: f64,
    /// The margin (%) at or above which it counts as high-margin; `None` when no product of
    /// the window has a margin.
    pub margin_threshold: Option<f64>,
}

/// The window-wide thresholds, each over the considered products.
struct Thresholds {
    lead_quantity: f64,
    active_quantity: f64,
    active_orders: f64,
    activity_median: f64,
    star_unit_profit: f64,
    star_profit: f64,
    bestseller_price: f64,
    bestseller_quantity: f64,
    potential_quantity: f64,
}

impl Thresholds {
    fn new(m: &[Measures], activity: &[f64], r: &HealthRules) -> Self {
        let column = |f: fn(&Measures) -> f64| sorted(m.iter().map(f).collect());
        let (quantity, orders) = (column(|m| m.quantity), column(|m| m.orders));
        let (unit_profit, profit) = (column(|m| m.unit_profit), column(|m| m.profit));
        let price = column(|m| m.price);
        let p = |values: &[f64], pct| percentile(values, pct).unwrap_or(0.0);
        Thresholds {
            lead_quantity: p(&quantity, r.lead_quantity_pct).max(r.lead_min_quantity),
            active_quantity: p(&quantity, r.active_quantity_pct).max(r.active_min_quantity),
            active_orders: p(&orders, r.active_orders_pct).max(r.active_min_orders),
            activity_median: p(&sorted(activity.to_vec()), 50),
            star_unit_profit: p(&unit_profit, r.star_unit_profit_pct).max(r.star_min_unit_profit),
            star_profit: p(&profit, r.star_profit_pct).max(r.star_min_profit),
            bestseller_price: p(&price, r.bestseller_price_pct),
            bestseller_quantity: p(&quantity, r.bestseller_quantity_pct),
            potential_quantity: p(&quantity, r.potential_quantity_pct),
        }
    }
}

/// The verdict of every product of `items` ((一级分类, sums) each): `None` for a product not
/// considered (销量 ≤ 0 in the window).
pub(super) fn classify(items: &[(&str, Figures)], rules: &HealthRules) -> Vec<Option<Verdict>> {
    let considered: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].1.quantity > 0)
        .collect();
    let measures: Vec<Measures> = considered
        .iter()
        .map(|&i| Measures::of(&items[i].1))
        .collect();
    let activity = activity(&measures, rules);
    let t = Thresholds::new(&measures, &activity, rules);
    let categories: Vec<&str> = considered.iter().map(|&i| items[i].0).collect();
    let thresholds = margin_thresholds(&categories, &measures);
    let mut out = vec![None; items.len()];
    for (j, &i) in considered.iter().enumerate() {
        let threshold = thresholds.get(categories[j]).copied().flatten();
        out[i] = Some(Verdict {
            quadrant: quadrant(&measures[j], activity[j], threshold, &t, rules),
            activity: activity[j],
            margin_threshold: threshold,
        });
    }
    out
}

/// 动销指数 of each product: the weighted min-max-normalized 销量 and 订单数 (a column whose
/// values are all equal normalizes to 0).
fn activity(m: &[Measures], r: &HealthRules) -> Vec<f64> {
    let normalized = |f: fn(&Measures) -> f64| {
        let (lo, hi) = m
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        move |x: &Measures| {
            if hi > lo {
                (f(x) - lo) / (hi - lo)
            } else {
                0.0
            }
        }
    };
    let (q, o) = (normalized(|m| m.quantity), normalized(|m| m.orders));
    m.iter()
        .map(|x| r.activity_quantity_weight * q(x) + r.activity_orders_weight * o(x))
        .collect()
}

/// Per 一级分类, the median margin of its products with a margin; a category with a single such
/// product (or none) gets the median over every product with a margin.
fn margin_thresholds<'a>(categories: &[&'a str], m: &[Measures]) -> HashMap<&'a str, Option<f64>> {
    let mut by_category: HashMap<&'a str, Vec<f64>> = HashMap::new();
    for (c, x) in categories.iter().zip(m) {
        let margins = by_category.entry(c).or_default();
        margins.extend(x.margin);
    }
    let global = percentile(&sorted(m.iter().filter_map(|x| x.margin).collect()), 50);
    by_category
        .into_iter()
        .map(|(c, margins)| {
            let median = if margins.len() >= 2 {
                percentile(&sorted(margins), 50)
            } else {
                global
            };
            (c, median)
        })
        .collect()
}

/// The first quadrant whose rule `m` meets, in priority order.
fn quadrant(
    m: &Measures,
    activity: f64,
    threshold: Option<f64>,
    t: &Thresholds,
    r: &HealthRules,
) -> Quadrant {
    let high_margin = matches!((m.margin, threshold), (Some(g), Some(t)) if g >= t);
    let high_activity = activity > t.activity_median
        && m.quantity >= t.active_quantity
        && m.orders >= t.active_orders;
    let lead = m.free
        || (m.quantity >= t.lead_quantity
            && (m.price <= r.lead_max_price
                || m.margin.is_some_and(|g| g < r.lead_margin_pct)
                || (m.price <= r.lead_low_price && m.price < r.lead_cost_ratio * m.unit_cost)));
    if lead {
        Quadrant::Lead
    } else if high_margin
        && high_activity
        && (m.unit_profit >= t.star_unit_profit || m.profit >= t.star_profit)
    {
        Quadrant::Star
    } else if high_margin && m.price < t.bestseller_price && m.quantity >= t.bestseller_quantity {
        Quadrant::Bestseller
    } else if high_margin
        && m.quantity < t.potential_quantity
        && m.unit_profit >= r.potential_min_unit_profit
    {
        Quadrant::Potential
    } else if !high_margin && high_activity {
        Quadrant::Traffic
    } else {
        Quadrant::Weak
    }
}
