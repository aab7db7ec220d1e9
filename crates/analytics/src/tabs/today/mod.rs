//! 今日必做 (`today`): the to-do cards for "yesterday", the last day with orders in the period.
//!
//! Every card is a rule evaluated as of a day; its `count` is yesterday's, its `trend` compares
//! that count with the mean of the same rule on the three days before. Windows (the last 7 days,
//! the 7 before…) may reach before `filters.from`: the history is loaded with the period's start
//! widened, store and channel kept.

mod aov;
mod card;
pub mod churn;
mod elasticity;
pub mod health;
mod history;
mod orders;
mod prices;
mod products;
mod recent;
mod rules;
mod window;

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;
pub use aov::AovRow;
use card::{tiers, Card as CardOf, Channels, Kind};
pub use card::{CardProduct, ChannelSplit, Group, Tier, Trend};
pub use elasticity::ElasticityRow;
use history::{back, History};
pub use orders::OrderRow;
pub use prices::PriceRow;
pub use products::ProductCardRow;
pub use rules::TodayRules;

/// A to-do card.
pub type Card = CardOf;

/// A product card's rule, evaluated as of a day.
type ProductRule = fn(&History<'_>, NaiveDate) -> Vec<ProductCardRow>;

/// Days before yesterday whose mean count is the trend's base.
const TREND_DAYS: i64 = 3;
/// The windows (days ending yesterday) the order and line cards can count over.
pub const WINDOWS: [u8; 3] = [1, 3, 7];

/// The whole tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Today {
    /// The filters it was computed for.
    pub filters: Filters,
    /// Days ending yesterday that 亏损订单, 高配送费 and 价格异常 count over (1, 3 or 7).
    pub window: u8,
    /// True when no order matched the period.
    pub empty: bool,
    /// The last day with orders in the period (`null` when empty).
    pub yesterday: Option<NaiveDate>,
    /// "昨日 ¥X 利润风险, N 项紧急".
    pub summary: Summary,
    /// The cards: 🔴 urgent first, then 🟡 watch, then 🟢 highlights.
    pub cards: Vec<Card>,
    /// 商品健康: the six quadrants over the 30 days to yesterday (`null` when empty).
    pub health: Option<health::Health>,
}

/// The line at the top of the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Urgent cards with something to report.
    pub urgent_count: usize,
    /// Σ the urgent cards' `amount` (yuan).
    pub at_risk_amount: f64,
}

/// The detail rows of a card; serialized as a plain array of objects.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Rows {
    /// 亏损订单, 高配送费.
    Orders(Vec<OrderRow>),
    /// 价格异常.
    Prices(Vec<PriceRow>),
    /// The product cards.
    Products(Vec<ProductCardRow>),
    /// 客单价异常.
    Aov(Vec<AovRow>),
    /// 价格弹性.
    Elasticity(Vec<ElasticityRow>),
    /// 客户流失预警.
    Customers(Vec<churn::ChurnRow>),
}

impl Rows {
    /// Keeps the first `n` rows.
    pub fn truncate(&mut self, n: usize) {
        match self {
            Rows::Orders(r) => r.truncate(n),
            Rows::Prices(r) => r.truncate(n),
            Rows::Products(r) => r.truncate(n),
            Rows::Aov(r) => r.truncate(n),
            Rows::Elasticity(r) => r.truncate(n),
            Rows::Customers(r) => r.truncate(n),
        }
    }

    /// Moves the rows from `n` on out into rows of the same kind.
    fn split_off(&mut self, n: usize) -> Rows {
        fn cut<T>(rows: &mut Vec<T>, n: usize) -> Vec<T> {
            rows.split_off(n.min(rows.len()))
        }
        match self {
            Rows::Orders(r) => Rows::Orders(cut(r, n)),
            Rows::Prices(r) => Rows::Prices(cut(r, n)),
            Rows::Products(r) => Rows::Products(cut(r, n)),
            Rows::Aov(r) => Rows::Aov(cut(r, n)),
            Rows::Elasticity(r) => Rows::Elasticity(cut(r, n)),
            Rows::Customers(r) => Rows::Customers(cut(r, n)),
        }
    }

    /// Puts back rows [`split_off`](Rows::split_off) moved out (of the same kind).
    fn append(&mut self, rest: Rows) {
        match (self, rest) {
            (Rows::Orders(r), Rows::Orders(mut t)) => r.append(&mut t),
            (Rows::Prices(r), Rows::Prices(mut t)) => r.append(&mut t),
            (Rows::Products(r), Rows::Products(mut t)) => r.append(&mut t),
            (Rows::Aov(r), Rows::Aov(mut t)) => r.append(&mut t),
            (Rows::Elasticity(r), Rows::Elasticity(mut t)) => r.append(&mut t),
            (Rows::Customers(r), Rows::Customers(mut t)) => r.append(&mut t),
            // `split_off` gives the same kind back: nothing else reaches here.
            _ => {}
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Rows::Orders(r) => r.len(),
            Rows::Prices(r) => r.len(),
            Rows::Products(r) => r.len(),
            Rows::Aov(r) => r.len(),
            Rows::Elasticity(r) => r.len(),
            Rows::Customers(r) => r.len(),
        }
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Today {
    /// Keeps at most `limit` rows per card (`0`: all); `total_rows` still counts every row.
    pub fn truncate_rows(&mut self, limit: usize) {
        if limit > 0 {
            for card in &mut self.cards {
                card.rows.truncate(limit);
            }
        }
    }

    /// `f` of this tab with at most `limit` rows per card (`0`: all), the rows then put back:
    /// moved out and in, never copied (a clone of every row cut to a page was a fifth of a
    /// store's answer).
    pub fn with_rows_cut<R>(&mut self, limit: usize, f: impl FnOnce(&Today) -> R) -> R {
        if limit == 0 {
            return f(self);
        }
        let rest: Vec<Rows> = self
            .cards
            .iter_mut()
            .map(|c| c.rows.split_off(limit))
            .collect();
        let out = f(self);
        for (card, rest) in self.cards.iter_mut().zip(rest) {
            card.rows.append(rest);
        }
        out
    }
}

/// The day 今日必做 is computed as of ("yesterday"): the last day with kept orders in the
/// filters' period, store and channel. The whole answer depends on the period only through it
/// (every window is counted back from it), so callers may key a cache on it instead of on the
/// period.
pub fn yesterday(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Option<NaiveDate> {
    recent::yesterday(snaps, filters, business)
}

/// Computes the 今日必做 tab with the order and line cards over yesterday alone.
pub fn today(snaps: &[Arc<StoreSnapshot>], filters: &Filters, business: &Business) -> Today {
    today_window(snaps, filters, business, 1)
}

/// Computes the 今日必做 tab, the order and line cards over the `window` days ending yesterday
/// (1, 3 or 7; other values are clamped into 1..=7).
///
/// Answered from the stores' aggregates ([`crate::facts`]) and the lines of the window's days:
/// the cost follows the stores, products and days shown, not the history kept.
pub fn today_window(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    window: u8,
) -> Today {
    let window = window.clamp(1, 7);
    let Some(y) = recent::yesterday(snaps, filters, business) else {
        let none = History::new(
            Vec::new(),
            Default::default(),
            Default::default(),
            Default::default(),
            &business.consumable_category,
        );
        return cards(&none, filters, business, window, None);
    };
    // 商品健康 reads 60 days of product points, the cards their own window and orders: two
    // independent halves of the answer, on the two cores these machines have.
    let (mut today, health) = std::thread::scope(|scope| {
        let health =
            scope.spawn(|| health::health_with(snaps, filters, business, y, &business.health));
        let churn = churn::churn(snaps, filters, business, &business.churn, y);
        let h = recent::load_at(snaps, filters, business, i64::from(window), y);
        let today = cards(&h, filters, business, window, Some(churn));
        let health = health
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (today, health)
    });
    today.health = Some(health);
    today
}

/// The 今日必做 tab computed from every line of the history: the reference the aggregates are
/// checked against in tests, and the baseline the benches time them against.
pub fn today_from_lines(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    window: u8,
) -> Today {
    let window = window.clamp(1, 7);
    let h = History::load_from_lines(snaps, filters, business);
    // 客户流失预警 and 商品健康 have one path each (their aggregates); their own tests check
    // them against hand-worked figures.
    let churn = h
        .last_day(filters.from, filters.to)
        .map(|y| churn::churn(snaps, filters, business, &business.churn, y));
    let mut today = cards(&h, filters, business, window, churn);
    today.health = today
        .yesterday
        .map(|d| health::health_with(snaps, filters, business, d, &business.health));
    today
}

const fn kind(
    key: &'static str,
    title: &'static str,
    group: Group,
    amount_label: Option<&'static str>,
) -> Kind {
    Kind {
        key,
        title,
        group,
        amount_label,
    }
}

const LOSS: Kind = kind("loss_orders", "亏损订单", Group::Urgent, Some("亏损金额"));
const HIGH: Kind = kind("high_delivery", "高配送费", Group::Watch, Some("配送溢价"));
const OUT: Kind = kind(
    "hot_out_of_stock",
    "热销缺货",
    Group::Urgent,
    Some("日损失利润"),
);
const PRICE: Kind = kind("price_anomaly", "价格异常", Group::Urgent, Some("低于成本"));
const DROP: Kind = kind("sales_drop", "销量下滑", Group::Watch, Some("损失利润"));
const MARGIN: Kind = kind("margin_drop", "利润率下滑", Group::Watch, Some("利润损失"));
const SLOW: Kind = kind("slow_movers", "滞销积压", Group::Watch, Some("占用成本"));
const NEW: Kind = kind(
    "new_products",
    "新品表现",
    Group::Highlight,
    Some("新品销售额"),
);
const HOT: Kind = kind(
    "hot_products",
    "爆款商品",
    Group::Highlight,
    Some("爆款销售额"),
);
const TOP: Kind = kind("top_profit", "高利润商品", Group::Highlight, Some("利润"));
const CHURN: Kind = kind(
    "customer_churn",
    "客户流失预警",
    Group::Urgent,
    Some("流失顾客消费额"),
);
const AOV: Kind = kind(
    "aov_anomaly",
    "客单价异常",
    Group::Watch,
    Some("客单价损失"),
);
const ELASTIC: Kind = kind("price_elasticity", "价格弹性", Group::Watch, None);

fn cards(
    h: &History<'_>,
    filters: &Filters,
    business: &Business,
    window: u8,
    churn: Option<churn::Churn>,
) -> Today {
    let y = h.last_day(filters.from, filters.to);
    let w = i64::from(window);
    let cards = match (y, churn) {
        (None, _) | (_, None) => [
            LOSS, OUT, PRICE, CHURN, HIGH, DROP, MARGIN, SLOW, AOV, ELASTIC, NEW, HOT, TOP,
        ]
        .map(|k| {
            let rows = match k.key {
                "loss_orders" | "high_delivery" => Rows::Orders(Vec::new()),
                "price_anomaly" => Rows::Prices(Vec::new()),
                "aov_anomaly" => Rows::Aov(Vec::new()),
                "price_elasticity" => Rows::Elasticity(Vec::new()),
                "customer_churn" => Rows::Customers(Vec::new()),
                _ => Rows::Products(Vec::new()),
            };
            Card::empty(k, rows)
        })
        .to_vec(),
        (Some(y), Some(churn)) => vec![
            orders::loss_orders(h, LOSS, y, w),
            product_card(
                h,
                OUT,
                y,
                products::hot_out_of_stock,
                (6, &products::OUT_TIERS),
            ),
            prices::price_anomalies(h, PRICE, y, w),
            churn_card(churn),
            orders::high_delivery(h, HIGH, y, w, business.delivery_cost_alert),
            product_card(h, DROP, y, products::sales_drop, (6, &[])),
            product_card(
                h,
                MARGIN,
                y,
                products::margin_drop,
                (6, &products::MARGIN_TIERS),
            ),
            product_card(
                h,
                SLOW,
                y,
                products::slow_movers,
                (6, &products::IDLE_TIERS),
            ),
            aov_card(h, y),
            elasticity_card(h, y),
            new_products(h, y),
            product_card(h, HOT, y, products::hot_products, (0, &[])),
            product_card(h, TOP, y, products::top_profit, (0, &[])),
        ],
    };
    let urgent = cards.iter().filter(|c| c.group == Group::Urgent);
    let at_risk: f64 = urgent.clone().filter_map(|c| c.amount).sum();
    Today {
        filters: filters.clone(),
        window,
        empty: y.is_none(),
        yesterday: y,
        summary: Summary {
            urgent_count: urgent.filter(|c| c.count > 0).count(),
            at_risk_amount: (at_risk * 100.0).round() / 100.0,
        },
        cards,
        health: None,
    }
}

/// A product card from its rule: yesterday's rows, the trend over the three days before, the
/// money (Σ of the rows'), the tiers and the channel split over the card's window (`days`
/// before yesterday to yesterday).
fn product_card(
    h: &History<'_>,
    kind: Kind,
    y: NaiveDate,
    rule: ProductRule,
    (days, tier_names): (i64, &[&'static str]),
) -> Card {
    let rows = rule(h, y);
    let mean = mean_before(y, |d| rule(h, d).len());
    let total: i64 = rows.iter().map(|r| r.cents).sum();
    let tier_of = |r: &ProductCardRow| tier_names.iter().position(|t| Some(*t) == r.tier);
    let tiers = tiers(tier_names, rows.iter().filter_map(tier_of));
    let keys = rows.iter().map(|r| (r.key.as_str(), r.cents));
    let channels = product_channels(h, keys, back(y, days), y, true);
    let count = rows.len();
    Card {
        tiers,
        channels,
        ..Card::new(kind, Rows::Products(rows), count, total, mean)
    }
}

/// The mean of a card's count on the [`TREND_DAYS`] days before `y`: its trend's base.
fn mean_before(y: NaiveDate, count_on: impl Fn(NaiveDate) -> usize) -> f64 {
    let before: usize = (1..=TREND_DAYS).map(|k| count_on(back(y, k))).sum();
    before as f64 / TREND_DAYS as f64
}

/// 客户流失预警 from its analysis ([`churn::churn`]).
fn churn_card(c: churn::Churn) -> Card {
    let mean = c.previous_counts.iter().sum::<usize>() as f64 / TREND_DAYS as f64;
    let reasons = ["缺货", "涨价", "下架", "未知"];
    let reason = |r: &churn::ChurnRow| reasons.iter().position(|n| *n == r.reason.label());
    let tiers = tiers(&reasons, c.rows.iter().filter_map(reason));
    let products = c
        .products
        .iter()
        .map(|p| CardProduct {
            key: p.key.clone(),
            name: p.name.clone(),
            count: p.customers,
            amount: p.amount,
            action: Some(p.action.clone()),
        })
        .collect();
    let cents = (c.amount * 100.0).round() as i64;
    let note =
        (c.count > 0).then(|| format!("高价值顾客 {} 位(消费高于流失顾客均值)", c.high_value));
    Card {
        tiers,
        channels: c.channels,
        products,
        note,
        ..Card::new(CHURN, Rows::Customers(c.rows), c.count, cents, mean)
    }
}

/// 客单价异常: its findings as of yesterday, the trend over the same rule on the three days
/// before.
fn aov_card(h: &History<'_>, y: NaiveDate) -> Card {
    let found = aov::aov_anomaly(h, y);
    let mean = mean_before(y, |d| aov::aov_anomaly(h, d).rows.len());
    let level = |r: &AovRow| aov::LEVELS.iter().position(|l| *l == r.level);
    let tiers = tiers(&aov::LEVELS, found.rows.iter().filter_map(level));
    let mut channels = Channels::default();
    for (channel, cents) in &found.channels {
        channels.add(channel, *cents);
    }
    let count = found.rows.len();
    Card {
        tiers,
        channels: channels.into_splits(true),
        ..Card::new(AOV, Rows::Aov(found.rows), count, found.money, mean)
    }
}

/// 价格弹性: the products whose price moved ≥ 5% week on week, tiered by elasticity.
fn elasticity_card(h: &History<'_>, y: NaiveDate) -> Card {
    let rows = elasticity::price_elasticity(h, y);
    let mean = mean_before(y, |d| elasticity::price_elasticity(h, d).len());
    let level = |r: &ElasticityRow| elasticity::LEVELS.iter().position(|l| *l == r.level);
    let tiers = tiers(&elasticity::LEVELS, rows.iter().filter_map(level));
    let keys = rows.iter().map(|r| (r.key.as_str(), 0));
    let channels = product_channels(h, keys, back(y, 6), y, false);
    let count = rows.len();
    Card {
        tiers,
        channels,
        ..Card::new(ELASTIC, Rows::Elasticity(rows), count, 0, mean)
    }
}

/// 新品表现: the product card, with the new products' profit and their top category by sales.
fn new_products(h: &History<'_>, y: NaiveDate) -> Card {
    let mut card = product_card(h, NEW, y, products::new_products, (0, &[]));
    if let Rows::Products(rows) = &card.rows {
        let mut by_category: std::collections::BTreeMap<&str, f64> = Default::default();
        for r in rows {
            *by_category.entry(r.category.as_str()).or_default() += r.sales;
        }
        let top = by_category
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)));
        let profit: f64 = rows.iter().map(|r| r.profit).sum();
        card.note = top.map(|(category, sales)| {
            format!("新品利润 ¥{profit:.2}；销售额最高的品类:{category}(¥{sales:.2})")
        });
    }
    card
}

/// Per channel: the rows' products that sold on it over `from..=to`, and each row's money split
/// by the channel's share of the product's sales there.
fn product_channels<'k>(
    h: &History<'_>,
    rows: impl Iterator<Item = (&'k str, i64)>,
    from: NaiveDate,
    to: NaiveDate,
    with_money: bool,
) -> Vec<ChannelSplit> {
    let mut channels = Channels::default();
    for (key, cents) in rows {
        let Some(p) = h.products.get(key) else {
            continue;
        };
        let sums = p.channel_sums(from, to);
        let total: i64 = sums.values().map(|s| s.sales.max(0)).sum();
        for (channel, s) in sums.iter().filter(|(_, s)| s.quantity > 0) {
            let share = if total > 0 {
                (i128::from(cents) * i128::from(s.sales.max(0)) / i128::from(total)) as i64
            } else {
                0
            };
            channels.add(channel, share);
        }
    }
    channels.into_splits(with_money)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::snapshots;

    /// One store on the cash register (no fee filter). Day 5 is the last day of the period
    /// (day 7 lies after it): L1 and L2 lose ¥1, L3 pays ¥6.50 net delivery, L2 exactly ¥6,
    /// L4 makes exactly 0. Loss orders: day 4 one, day 3 two, day 2 none.
    const CSV: &str = "\
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,物流配送费,用户支付配送费,配送费减免金额,一级分类名,店内码
M1,2026-11-07 09:00,一号店,P1,1,收银机订单,5.00,5.00,-9.00,0,0,0,饮料,P1
L1,2026-11-05 10:00,一号店,P1,2,收银机订单,4.00,10.00,2.00,3.00,0,0,饮料,P1
L2,2026-11-05 11:00,一号店,P2,1,收银机订单,3.00,5.00,5.00,6.00,0,0,饮料,P2
L3,2026-11-05 12:00,一号店,P3,1,收银机订单,5.00,5.00,10.00,7.00,0.50,0,饮料,P3
L3,2026-11-05 12:00,一号店,打包袋,1,收银机订单,0.00,0.20,0.00,7.00,0.50,0,耗材,BAG
L4,2026-11-05 13:00,一号店,P4,0,收银机订单,1.00,5.00,0.00,0,0,0,饮料,P4
K1,2026-11-04 10:00,一号店,P1,1,收银机订单,5.00,5.00,-2.00,0,0,0,饮料,P1
J1,2026-11-03 10:00,一号店,P1,1,收银机订单,5.00,5.00,-1.00,0,0,0,饮料,P1
J2,2026-11-03 11:00,一号店,P1,1,收银机订单,5.00,5.00,-1.00,0,0,0,饮料,P1
I1,2026-11-02 10:00,一号店,P1,1,收银机订单,5.00,5.00,1.00,0,0,0,饮料,P1
";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
    }

    fn filters(from: u32, to: u32) -> Filters {
        Filters {
            store: None,
            from: day(from),
            to: day(to),
            channel: None,
            requested: None,
        }
    }

    fn card<'t>(t: &'t Today, key: &str) -> &'t Card {
        t.cards.iter().find(|c| c.key == key).expect("card exists")
    }

    fn order_ids(c: &Card) -> Vec<&str> {
        match &c.rows {
            Rows::Orders(rows) => rows.iter().map(|r| r.order_id.as_str()).collect(),
            other => panic!("not order rows: {other:?}"),
        }
    }

    #[test]
    fn a_page_cut_with_rows_sees_at_most_the_limit_and_every_row_comes_back_in_order() {
        let mut t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        let before = t.clone();
        let longest = |t: &Today| t.cards.iter().map(|c| c.rows.len()).max().unwrap_or(0);
        assert!(longest(&t) >= 2, "a card with two rows or more");
        let seen = t.with_rows_cut(1, |page| {
            assert_eq!(longest(page), 1);
            // What a page says about the whole card is unchanged.
            page.cards.iter().map(|c| c.count).collect::<Vec<_>>()
        });
        assert_eq!(
            seen,
            before.cards.iter().map(|c| c.count).collect::<Vec<_>>()
        );
        assert_eq!(t, before);
        assert_eq!(t.with_rows_cut(0, longest), longest(&before));
    }

    #[test]
    fn yesterday_is_the_last_day_with_orders_up_to_the_period_end() {
        let t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        assert!(!t.empty);
        assert_eq!(
            t.yesterday,
            Some(day(5)),
            "day 6 is empty, day 7 is after `to`"
        );
        let keys: Vec<&str> = t.cards.iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                "loss_orders",
                "hot_out_of_stock",
                "price_anomaly",
                "customer_churn",
                "high_delivery",
                "sales_drop",
                "margin_drop",
                "slow_movers",
                "aov_anomaly",
                "price_elasticity",
                "new_products",
                "hot_products",
                "top_profit"
            ]
        );
    }

    #[test]
    fn loss_orders_are_below_zero_and_trend_against_the_three_days_before() {
        let t = today(&snapshots(CSV), &filters(5, 5), &Business::default());
        let c = card(&t, "loss_orders");
        assert_eq!(order_ids(c), ["L1", "L2"], "L4 at exactly 0 is no loss");
        assert_eq!((c.count, c.total_rows), (2, 2));
        // Days 4, 3, 2 had 1, 2 and 0 loss orders (before the period: history is widened).
        let trend = c.trend.as_ref().expect("mean is 1");
        assert!((trend.previous_mean - 1.0).abs() < 1e-9);
        assert!((trend.change_pct - 100.0).abs() < 1e-9);
    }

    #[test]
    fn high_delivery_is_strictly_above_the_alert_and_has_no_trend_over_zero() {
        let t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        let c = card(&t, "high_delivery");
        // L3: 7 − (0.5 − 0) = 6.5; L2's 6 − 0 = 6 is not above ¥6.
        assert_eq!(order_ids(c), ["L3"]);
        assert!(c.trend.is_none(), "no high delivery on days 2–4");
    }

    #[test]
    fn price_anomaly_flags_lines_below_unit_cost_and_severe_below_eighty_percent() {
        let t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        let c = card(&t, "price_anomaly");
        let Rows::Prices(rows) = &c.rows else {
            panic!("not price rows: {:?}", c.rows)
        };
        // P2: 3 < 0.8 × 5 → 严重; P1: 4 against 10 / 2 = 5 is exactly 0.8 × → 轻微.
        // P3 at cost, P4 with 销量 0 and the consumable bag are skipped.
        let got: Vec<(&str, &str)> = rows.iter().map(|r| (r.key.as_str(), r.severity)).collect();
        assert_eq!(got, [("P2", "严重"), ("P1", "轻微")]);
        assert!((rows[1].unit_cost - 5.0).abs() < 1e-9);
        assert!((rows[1].gap_pct.unwrap_or_default() + 20.0).abs() < 1e-9);
    }

    #[test]
    fn the_cards_carry_their_money_group_channels_and_tiers() {
        let t = today(&snapshots(CSV), &filters(1, 6), &Business::default());
        let loss = card(&t, "loss_orders");
        // L1 and L2 each lose ¥1.
        assert_eq!(
            (loss.group, loss.count, loss.amount),
            (Group::Urgent, 2, Some(2.0))
        );
        assert_eq!(loss.amount_label, "亏损金额");
        assert_eq!(
            loss.channels,
            [ChannelSplit {
                channel: "收银机订单".into(),
                count: 2,
                amount: Some(2.0)
            }]
        );
        // L3: 配送净成本 6.50, ¥0.50 over the ¥6 alert; the export has no 配送距离.
        let high = card(&t, "high_delivery");
        assert_eq!((high.group, high.amount), (Group::Watch, Some(0.5)));
        let unknown = high.tiers.iter().find(|t| t.name == "距离未知");
        assert_eq!(unknown.map(|t| t.count), Some(1));
        // P2: cost 5 − 3 × 1 = ¥2; P1: cost 10 − 4 × 2 = ¥2. P2 is 严重 (3 < 0.8 × 5).
        let price = card(&t, "price_anomaly");
        assert_eq!(price.amount, Some(4.0));
        let tiers: Vec<(&str, usize)> = price.tiers.iter().map(|t| (t.name, t.count)).collect();
        assert_eq!(tiers, [("严重", 1), ("轻微", 1)]);
        assert_eq!(price.products.len(), 2);
        // Red cards with something: 亏损订单 (¥2) and 价格异常 (¥4); 热销缺货 has nothing.
        assert_eq!(t.summary.urgent_count, 2);
        assert!((t.summary.at_risk_amount - 6.0).abs() < 1e-9);
    }

    #[test]
    fn a_three_day_window_counts_and_sums_the_order_cards_over_three_days() {
        let t = today_window(&snapshots(CSV), &filters(5, 5), &Business::default(), 3);
        let loss = card(&t, "loss_orders");
        // Days 3–5: J1, J2 (−1 each), K1 (−2), L1, L2 (−1 each): 5 orders, ¥6.
        assert_eq!(
            (loss.count, loss.total_rows, loss.amount),
            (5, 5, Some(6.0))
        );
        assert_eq!(order_ids(loss)[0], "K1", "the largest loss first");
        // P1's own lines lose in J1, J2 (−1 each) and K1 (−2): three orders, ¥4.
        assert_eq!(loss.products.len(), 1);
        assert_eq!((loss.products[0].count, loss.products[0].amount), (3, 4.0));
        // The three windows before (days 0–2, −3–−1, −6–−4) have no loss order: no trend.
        assert!(loss.trend.is_none());
        let sum: usize = loss.channels.iter().map(|c| c.count).sum();
        assert_eq!(sum, loss.count, "the channel split sums to the count");
    }

    #[test]
    fn an_empty_period_gives_every_card_with_nothing_in_it() {
        let t = today(&snapshots(CSV), &filters(20, 25), &Business::default());
        assert!(t.empty);
        assert_eq!(t.yesterday, None);
        assert_eq!(t.cards.len(), 13);
        assert!(t
            .cards
            .iter()
            .all(|c| c.count == 0 && c.trend.is_none() && c.total_rows == 0));
        let json = serde_json::to_value(&t).expect("serializes");
        assert_eq!(json["cards"][0]["rows"], serde_json::json!([]));
    }
}
