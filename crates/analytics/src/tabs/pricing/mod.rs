//! 智能调价 (`pricing`): from a diagnosis to a price. A scenario (or a free pick) selects
//! products, a level or a target margin proposes their new prices, the rules floor them
//! (真实保本价; 单品成本 in 滞销清仓; 🎯 策略引流 locked unless unlocked) and round them, and the
//! elasticity predicts the effect per product and in total (product.md §3; docs/metrics.md).
//!
//! Everything is as of "yesterday" d, the last day with orders on the selected stores and
//! channel. Profit per unit at a price p is p × (1 − 平台费率 − 营销费率) − 单品成本: zero at
//! 真实保本价, so a prediction and the break-even agree.
//!
//! Cost: [`bases`] (the products' points over `history_days` and the window's orders), one
//! 商品健康 computation for the locks, then `O(products)`. For one store of the year bench:
//! ~220 products × ~3 channels × ≤ 365 points, and ~32k lines for the marketing allocation.

pub mod basis;
pub mod days;
pub mod elasticity;
pub mod outcome;
pub mod rules;
pub mod scenario;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
use crate::today::health::{health, Quadrant};
pub use basis::{bases, Basis, Inputs};
pub use elasticity::{Elasticity, PlanResponse, Source};
pub use rules::PricingRules;
pub use scenario::{Clamp, Direction, Level, Rounding, Scenario, UnknownName};

/// What a pricing request asks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    /// The scenario (or 自由调价).
    pub scenario: Scenario,
    /// Up or down; the scenario's own when `None`.
    pub direction: Option<Direction>,
    /// 轻, 中 or 重.
    pub level: Level,
    /// 目标导向: the margin (%) to reach, instead of a level.
    pub target_margin_pct: Option<f64>,
    /// 目标导向: the largest change (%) either way; `target_max_change_pct` when `None`.
    pub max_change_pct: Option<f64>,
    /// Products picked by key (free selection; with a scenario, a subset of its products).
    pub keys: Vec<String>,
    /// 🎯 策略引流 products unlocked by hand.
    pub unlock: Vec<String>,
    /// How new prices are rounded.
    pub rounding: Rounding,
}

impl Default for Request {
    fn default() -> Self {
        Self {
            scenario: Scenario::Free,
            direction: None,
            level: Level::Medium,
            target_margin_pct: None,
            max_change_pct: None,
            keys: Vec::new(),
            unlock: Vec::new(),
            rounding: Rounding::Jiao,
        }
    }
}

/// The predicted effect of one new price, per day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Predicted {
    /// %Δ销量 = %Δ价格 × elasticity × channel factor × stock factor (at least −100).
    pub qty_change_pct: f64,
    /// 销量 per day.
    pub daily_qty: f64,
    /// Sales per day.
    pub daily_sales: f64,
    /// Profit per day (after platform fee and marketing).
    pub daily_profit: f64,
    /// Profit per day minus today's.
    pub daily_profit_change: f64,
}

/// One product of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Product key.
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// 一级分类名.
    pub category: String,
    /// 实收单价 now.
    pub current_price: f64,
    /// The proposed price (rounded; the current one when locked).
    pub new_price: f64,
    /// (new − current) / current × 100.
    pub change_pct: f64,
    /// 单品成本.
    pub unit_cost: f64,
    /// 营销费率 (0–1).
    pub marketing_rate: f64,
    /// 真实保本价.
    pub break_even_price: f64,
    /// Margin now (%).
    pub margin_pct: Option<f64>,
    /// (new price − 单品成本) / new price × 100.
    pub new_margin_pct: Option<f64>,
    /// 高光利润率.
    pub highlight_margin_pct: Option<f64>,
    /// The elasticity used (before the channel and stock factors).
    pub elasticity: f64,
    /// Where it comes from.
    pub elasticity_source: Source,
    /// The source as the page says it.
    pub elasticity_label: String,
    /// 🎯 策略引流 and not unlocked: the price is kept.
    pub locked: bool,
    /// What bound the price, if anything did.
    pub clamp: Option<Clamp>,
    /// The same as the page says it (已抬至真实保本价); empty when nothing did.
    pub note: &'static str,
    /// Its 商品健康 quadrant.
    pub quadrant: Option<Quadrant>,
    /// 剩余库存.
    pub stock: Option<f64>,
    /// Days of sales the stock covers.
    pub stock_days: Option<f64>,
    /// Days since its last sale.
    pub idle_days: i64,
    /// 商品原价.
    pub original_price: Option<f64>,
    /// Today's figures per day (the same model as `predicted`).
    pub current: Predicted,
    /// The predicted figures per day.
    pub predicted: Predicted,
}

/// The sums of a plan's items, per day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Total {
    /// Products listed.
    pub items: usize,
    /// Products whose price changes.
    pub changed: usize,
    /// Products locked.
    pub locked: usize,
    /// Sales per day now.
    pub daily_sales: f64,
    /// Profit per day now.
    pub daily_profit: f64,
    /// Predicted sales per day.
    pub predicted_daily_sales: f64,
    /// Predicted profit per day.
    pub predicted_daily_profit: f64,
    /// Predicted − current profit per day.
    pub daily_profit_change: f64,
    /// Predicted − current sales per day.
    pub daily_sales_change: f64,
}

/// Products per scenario (the menu's counts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioCount {
    /// The scenario.
    pub scenario: Scenario,
    /// 亏损止血, …
    pub label: &'static str,
    /// Products it selects.
    pub count: usize,
}

/// A pricing answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pricing {
    /// The stores and channel (the days are not read).
    pub store: Option<String>,
    /// The channel.
    pub channel: Option<String>,
    /// "Yesterday": the day the figures are as of; `null` without orders.
    pub as_of: Option<NaiveDate>,
    /// The request.
    pub request: Request,
    /// The direction used.
    pub direction: Direction,
    /// The level's change (%), signed by the direction.
    pub change_pct: f64,
    /// The channel factor applied.
    pub channel_factor: f64,
    /// Products per scenario.
    pub scenarios: Vec<ScenarioCount>,
    /// The products, the largest predicted profit change first.
    pub items: Vec<Item>,
    /// Their sums.
    pub total: Total,
}

/// 智能调价 for `request` over the filters' stores and channel as of their last day with
/// orders, with saved plans' measured responses by product key (`plans`).
pub fn pricing(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    request: &Request,
    plans: &HashMap<String, PlanResponse>,
) -> Pricing {
    let rules = &business.pricing;
    let d = crate::today::yesterday(snaps, filters, business);
    let direction = request
        .direction
        .unwrap_or_else(|| request.scenario.direction());
    let level = rules.levels_pct[request.level as usize];
    let change_pct = match direction {
        Direction::Up => level,
        Direction::Down => -level,
    };
    let channel_factor = rules.channel_factor(filters.channel.as_deref());
    let mut answer = Pricing {
        store: filters.store.clone(),
        channel: filters.channel.clone(),
        as_of: d,
        request: request.clone(),
        direction,
        change_pct,
        channel_factor,
        scenarios: Vec::new(),
        items: Vec::new(),
        total: Total::default(),
    };
    let Some(d) = d else {
        return answer;
    };
    let quadrants: HashMap<String, Quadrant> = health(snaps, filters, business, d)
        .products
        .into_iter()
        .map(|p| (p.key, p.quadrant))
        .collect();
    let inputs = Inputs {
        rules,
        plans,
        quadrants: &quadrants,
    };
    let all = bases(snaps, filters, business, d, None, &inputs);
    answer.scenarios = Scenario::ALL
        .iter()
        .map(|&s| ScenarioCount {
            scenario: s,
            label: s.label(),
            count: all.iter().filter(|b| s.selects(b, rules)).count(),
        })
        .collect();
    let picked = |b: &&Basis| request.keys.is_empty() || request.keys.contains(&b.key);
    let mut items: Vec<Item> = all
        .iter()
        .filter(|b| request.scenario.selects(b, rules))
        .filter(picked)
        .map(|b| item(b, request, change_pct, channel_factor, rules))
        .collect();
    items.sort_by(|a, b| {
        b.predicted
            .daily_profit_change
            .abs()
            .total_cmp(&a.predicted.daily_profit_change.abs())
            .then_with(|| a.key.cmp(&b.key))
    });
    answer.total = total(&items);
    answer.items = items;
    answer
}

fn item(
    b: &Basis,
    request: &Request,
    change_pct: f64,
    channel_factor: f64,
    rules: &PricingRules,
) -> Item {
    let locked = b.quadrant == Some(Quadrant::Lead) && !request.unlock.contains(&b.key);
    let target = request.target_margin_pct.map(|t| {
        let max = request
            .max_change_pct
            .unwrap_or(rules.target_max_change_pct)
            .abs();
        let wanted = if t < 100.0 {
            b.unit_cost / (1.0 - t / 100.0)
        } else {
            f64::INFINITY
        };
        wanted.clamp(
            b.current_price * (1.0 - max / 100.0),
            b.current_price * (1.0 + max / 100.0),
        )
    });
    let (new_price, clamp) = if locked {
        (b.current_price, Some(Clamp::Locked))
    } else if b.current_price <= 0.0 {
        // No percentage of ¥0 moves it, and none predicts anything: a gift stays a gift.
        (b.current_price, Some(Clamp::Gift))
    } else {
        let (raw, clamp) = scenario::propose(b, request.scenario, change_pct, target);
        let (floor, _) = scenario::floor(b, request.scenario);
        (request.rounding.apply(raw, floor), clamp)
    };
    let current = effect(b, b.current_price, 0.0, 1.0, rules);
    let move_pct = if b.current_price > 0.0 {
        (new_price - b.current_price) / b.current_price * 100.0
    } else {
        0.0
    };
    let factor = channel_factor * stock_factor(b, move_pct, rules);
    let mut predicted = effect(b, new_price, move_pct, factor, rules);
    predicted.daily_profit_change = predicted.daily_profit - current.daily_profit;
    Item {
        key: b.key.clone(),
        name: b.name.clone(),
        category: b.category.clone(),
        current_price: b.current_price,
        new_price,
        change_pct: move_pct,
        unit_cost: b.unit_cost,
        marketing_rate: b.marketing_rate,
        break_even_price: b.break_even_price,
        margin_pct: b.margin_pct,
        new_margin_pct: (new_price > 0.0).then(|| (new_price - b.unit_cost) / new_price * 100.0),
        highlight_margin_pct: b.highlight_margin_pct,
        elasticity: b.elasticity.value,
        elasticity_source: b.elasticity.source,
        elasticity_label: b.elasticity.label.clone(),
        locked,
        clamp,
        note: clamp.map_or("", Clamp::label),
        quadrant: b.quadrant,
        stock: b.stock,
        stock_days: b.stock_days,
        idle_days: b.idle_days,
        original_price: b.original_price,
        current,
        predicted,
    }
}

/// The stock factor: a long cover boosts the response (× 1.1 to a cut, × 1.2 to a rise), a
/// short one damps a rise (× 0.8).
fn stock_factor(b: &Basis, move_pct: f64, rules: &PricingRules) -> f64 {
    match b.stock_days {
        Some(days) if days > rules.long_stock_days && move_pct < 0.0 => rules.long_stock_cut_factor,
        Some(days) if days > rules.long_stock_days && move_pct > 0.0 => {
            rules.long_stock_rise_factor
        }
        Some(days) if days < rules.short_stock_days && move_pct > 0.0 => {
            rules.short_stock_rise_factor
        }
        _ => 1.0,
    }
}

/// The daily figures at `price` after a move of `move_pct` under `factor`.
fn effect(b: &Basis, price: f64, move_pct: f64, factor: f64, rules: &PricingRules) -> Predicted {
    let qty_change_pct = (move_pct * b.elasticity.value * factor).max(-100.0);
    let daily_qty = b.daily_quantity * (1.0 + qty_change_pct / 100.0);
    let m = b.marketing_rate.clamp(0.0, rules.marketing_rate_cap);
    let unit_profit = price * (1.0 - rules.platform_fee_rate - m) - b.unit_cost;
    Predicted {
        qty_change_pct,
        daily_qty,
        daily_sales: daily_qty * price,
        daily_profit: daily_qty * unit_profit,
        daily_profit_change: 0.0,
    }
}

fn total(items: &[Item]) -> Total {
    let mut t = Total {
        items: items.len(),
        ..Total::default()
    };
    for i in items {
        t.changed += usize::from((i.new_price - i.current_price).abs() > 1e-9);
        t.locked += usize::from(i.locked);
        t.daily_sales += i.current.daily_sales;
        t.daily_profit += i.current.daily_profit;
        t.predicted_daily_sales += i.predicted.daily_sales;
        t.predicted_daily_profit += i.predicted.daily_profit;
    }
    t.daily_profit_change = t.predicted_daily_profit - t.daily_profit;
    t.daily_sales_change = t.predicted_daily_sales - t.daily_sales;
    t
}
