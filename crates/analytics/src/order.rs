//! The per-order figures every tab starts from (docs/metrics.md §Orders), with the fee-channel
//! filter and the request's filters applied.

use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;
use storeboard_data::dataset::{LINE_MONEY, NA, ORDER_MONEY};
use storeboard_data::schema::Column;
use storeboard_data::StoreSnapshot;

use crate::config::Business;
use crate::filters::Filters;

/// Index of a column in the line money columns.
pub const fn line_col(col: Column) -> usize {
    position(&LINE_MONEY, col)
}

/// Index of a column in the order money columns.
pub const fn order_col(col: Column) -> usize {
    position(&ORDER_MONEY, col)
}

/// Where `col` is in `cols` (0 when absent). `const` so that column indices used per order are
/// computed by the compiler, not searched for on every order.
const fn position(cols: &[Column], col: Column) -> usize {
    let mut i = 0;
    while i < cols.len() {
        if cols[i] as usize == col as usize {
            return i;
        }
        i += 1;
    }
    0
}

/// Cents (or [`NA`]) as yuan, absent counting 0.
pub fn yuan(cents: i32) -> f64 {
    if cents == NA {
        0.0
    } else {
        f64::from(cents) / 100.0
    }
}

/// A quantity in thousandths as units.
pub fn units(millis: i32) -> f64 {
    f64::from(millis) / 1000.0
}

/// One kept order and its figures, in yuan.
#[derive(Debug, Clone)]
pub struct OrderFigures<'a> {
    /// The store's snapshot.
    pub snap: &'a StoreSnapshot,
    /// Index of the order in the snapshot.
    pub index: usize,
    /// Its lines in the snapshot.
    pub lines: Range<usize>,
    /// Day of 下单时间.
    pub day: NaiveDate,
    /// Hour of 下单时间 (0–23).
    pub hour: u32,
    /// 渠道.
    pub channel: &'a str,
    /// 商品实收额 = Σ(实收价格 × 销量).
    pub sales: f64,
    /// Σ利润额 (gross line profit).
    pub line_profit: f64,
    /// 平台服务费: Σ平台服务费, else first(平台佣金), else 0.
    pub fee: f64,
    /// first(物流配送费).
    pub delivery_fee: f64,
    /// Σ企客后返.
    pub rebate: f64,
    /// 订单实际利润 = Σ利润额 − 平台服务费 − 物流配送费 + Σ企客后返.
    pub profit: f64,
    /// 营销成本: the seven marketing columns summed.
    pub marketing: f64,
    /// 商品减免金额.
    pub product_discount: f64,
    /// 配送净成本 = 物流配送费 − (用户支付配送费 − 配送费减免金额) − 企客后返.
    pub delivery_net: f64,
    /// Σ商品采购成本 of the lines that are not consumables.
    pub product_cost: f64,
    /// Σ商品采购成本 of consumable lines.
    pub consumable_cost: f64,
    /// GMV (yuan): Σ 商品原价 × 销量 over lines with 商品原价 > 0 + 打包袋金额 + 用户支付配送费.
    pub gmv: f64,
}

pub(crate) const MARKETING: [Column; 7] = [
    Column::FullReduction,
    Column::ProductDiscount,
    Column::MerchantVoucher,
    Column::MerchantCoupon,
    Column::GiftAmount,
    Column::OtherDiscount,
    Column::NewCustomerDiscount,
];

/// Per-snapshot lookups of the business rules, made once per request and snapshot so that the
/// per-order work compares string ids, not strings.
pub(crate) struct Rules {
    pub consumable: Option<u32>,
    fee_channels: Vec<u32>,
}

impl Rules {
    pub(crate) fn new(snap: &StoreSnapshot, business: &Business) -> Self {
        let strings = &snap.data.strings;
        let consumable = snap
            .category_syms()
            .iter()
            .copied()
            .find(|&s| strings.get(s) == business.consumable_category);
        let fee_channels = snap
            .channel_syms()
            .iter()
            .copied()
            .filter(|&s| {
                business
                    .fee_channels
                    .iter()
                    .any(|c| c == strings.get(s).trim())
            })
            .collect();
        Self {
            consumable,
            fee_channels,
        }
    }
}

/// Cents (or [`NA`]) as an exact integer, absent counting 0.
pub fn cents(value: i32) -> i64 {
    if value == NA {
        0
    } else {
        i64::from(value)
    }
}

/// Sales are summed exactly in 1/100,000 yuan (cents × thousandths of a unit).
pub const SALES_SCALE: f64 = 100_000.0;

/// An exact sum of cents as yuan. Converting once, after summing exactly, is what keeps an
/// order of exactly ¥30.00 out of the ¥20-30 band and an order of exactly ¥0 profit out of
/// the loss orders: the conversion of an exact value is exact on every edge we classify at.
pub fn cents_to_yuan(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// How far a line sold below its unit purchase cost (价格异常): `Some((商品采购成本 − 实收价格 ×
/// 销量))` in 1/100,000 yuan (cents × thousandths) when 实收价格 < 商品采购成本 / 销量, compared
/// exactly. Lines with 销量 ≤ 0, no 实收价格, or a cost ≤ 0 (an empty cost reads as 0) are never
/// anomalies. Consumables are the caller's to skip.
pub(crate) fn below_cost(quantity: i32, actual: i32, cost: i32) -> Option<i64> {
    if quantity <= 0 || actual == NA || cost == NA || cost <= 0 {
        return None;
    }
    let gap = i64::from(cost) * 1000 - i64::from(actual) * i64::from(quantity);
    (gap > 0).then_some(gap)
}

/// One kept order's figures as exact integers: money in cents, sales in 1/100,000 yuan.
#[derive(Debug, Clone)]
pub(crate) struct Exact {
    pub lines: Range<usize>,
    /// Days since 1970-01-01 of 下单时间.
    pub day: i64,
    pub hour: u32,
    pub sales: i64,
    pub line_profit: i64,
    pub fee: i64,
    pub delivery_fee: i64,
    pub rebate: i64,
    pub profit: i64,
    pub marketing: i64,
    pub product_discount: i64,
    pub delivery_net: i64,
    pub product_cost: i64,
    pub consumable_cost: i64,
    /// GMV in 1/100,000 yuan: Σ 商品原价 × 销量 over lines with 商品原价 > 0, plus the order's
    /// 打包袋金额 and 用户支付配送费 (order-level fields, so counted once).
    pub gmv: i64,
}

impl Exact {
    /// 商品实收额 in yuan.
    pub fn sales_yuan(&self) -> f64 {
        self.sales as f64 / SALES_SCALE
    }

    /// 订单实际利润 in yuan.
    pub fn profit_yuan(&self) -> f64 {
        cents_to_yuan(self.profit)
    }

    /// Total cost (cents): 商品成本 + 耗材 + 营销成本 + 配送净成本 + 平台服务费.
    pub fn total_cost(&self) -> i64 {
        self.product_cost + self.consumable_cost + self.marketing + self.delivery_net + self.fee
    }
}

/// Order `i`'s exact figures, or `None` when the fee-channel filter drops it.
pub(crate) fn exact(snap: &StoreSnapshot, i: usize, rules: &Rules) -> Option<Exact> {
    let data = &snap.data;
    let (o, l) = (&data.orders, &data.lines);
    let lines = data.line_range(i);
    let m = |col: Column| cents(o.money[order_col(col)][i]);
    let (actual, original, profit_col, fee_col, cost_col, rebate_col) = (
        &l.money[line_col(Column::ActualPrice)],
        &l.money[line_col(Column::OriginalPrice)],
        &l.money[line_col(Column::Profit)],
        &l.money[line_col(Column::ServiceFee)],
        &l.money[line_col(Column::Cost)],
        &l.money[line_col(Column::CorporateRebate)],
    );
    let (mut sales, mut line_profit, mut fee_sum, mut rebate) = (0i64, 0i64, 0i64, 0i64);
    let (mut product_cost, mut consumable_cost, mut gmv) = (0i64, 0i64, 0i64);
    for j in lines.clone() {
        sales += cents(actual[j]) * i64::from(l.quantity[j]);
        // NA (i32::MIN) is ≤ 0 as well: a line without 商品原价 is left out of GMV.
        if original[j] > 0 {
            gmv += i64::from(original[j]) * i64::from(l.quantity[j]);
        }
        line_profit += cents(profit_col[j]);
        fee_sum += cents(fee_col[j]);
        rebate += cents(rebate_col[j]);
        if rules.consumable.is_some_and(|c| l.category1[j] == c) {
            consumable_cost += cents(cost_col[j]);
        } else {
            product_cost += cents(cost_col[j]);
        }
    }
    let fee = if data.present.contains(Column::ServiceFee) {
        Some(fee_sum)
    } else if data.present.contains(Column::Commission) {
        Some(m(Column::Commission))
    } else {
        None
    };
    if rules.fee_channels.contains(&o.channel[i]) && fee.is_some_and(|f| f <= 0) {
        return None;
    }
    let fee = fee.unwrap_or(0);
    let delivery_fee = m(Column::DeliveryFee);
    let time = o.time[i];
    Some(Exact {
        lines,
        day: time.div_euclid(86_400),
        hour: (time.rem_euclid(86_400) / 3_600) as u32,
        sales,
        line_profit,
        fee,
        delivery_fee,
        rebate,
        profit: line_profit - fee - delivery_fee + rebate,
        marketing: MARKETING.iter().map(|&c| m(c)).sum(),
        product_discount: m(Column::ProductDiscount),
        delivery_net: delivery_fee
            - (m(Column::UserDeliveryFee) - m(Column::DeliveryDiscount))
            - rebate,
        product_cost,
        consumable_cost,
        gmv: gmv + (m(Column::PackagingFee) + m(Column::UserDeliveryFee)) * 1000,
    })
}

/// The figures of order `i`, or `None` when the fee-channel filter drops it. Every sum is exact
/// (integer cents) and converted to yuan once, so classifications on the result (bands,
/// buckets, loss/profit, the fee filter, thresholds) are exact.
fn figures<'a>(snap: &'a StoreSnapshot, i: usize, rules: &Rules) -> Option<OrderFigures<'a>> {
    let e = exact(snap, i, rules)?;
    let y = cents_to_yuan;
    Some(OrderFigures {
        snap,
        index: i,
        day: day_from_days(e.day),
        hour: e.hour,
        channel: snap.data.strings.get(snap.data.orders.channel[i]),
        sales: e.sales_yuan(),
        line_profit: y(e.line_profit),
        fee: y(e.fee),
        delivery_fee: y(e.delivery_fee),
        rebate: y(e.rebate),
        profit: y(e.profit),
        marketing: y(e.marketing),
        product_discount: y(e.product_discount),
        delivery_net: y(e.delivery_net),
        product_cost: y(e.product_cost),
        consumable_cost: y(e.consumable_cost),
        gmv: e.gmv as f64 / SALES_SCALE,
        lines: e.lines,
    })
}

/// A day number since 1970-01-01 as a date: integer arithmetic, no calendar conversion per order
/// beyond this one call.
pub(crate) fn day_from_days(days: i64) -> NaiveDate {
    // 719_163 days from 0001-01-01 (CE day 1) to 1970-01-01.
    i32::try_from(days + 719_163)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

/// The snapshots a request looks at: one store, or all.
pub fn selected(all: &[Arc<StoreSnapshot>], filters: &Filters) -> Vec<Arc<StoreSnapshot>> {
    all.iter()
        .filter(|s| filters.store.as_deref().is_none_or(|name| s.name == name))
        .cloned()
        .collect()
}

/// The kept orders of `snaps` in the filters' store, period and channel.
pub fn orders<'a>(
    snaps: &'a [Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Vec<OrderFigures<'a>> {
    let wanted =
        |s: &&Arc<StoreSnapshot>| filters.store.as_deref().is_none_or(|name| s.name == name);
    let selected: Vec<&'a Arc<StoreSnapshot>> = snaps.iter().filter(wanted).collect();
    let lines: usize = selected.iter().map(|s| s.data.line_count()).sum();
    if selected.len() < 2 || lines < PARALLEL_LINES {
        return orders_of(&selected, filters, business);
    }
    // Two halves on two threads: the machines this runs on have two cores, and a chain-wide
    // request is the one users wait for. Order is kept (first half, then second).
    let (first, second) = selected.split_at(selected.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| orders_of(second, filters, business));
        let mut out = orders_of(first, filters, business);
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(_) => out.extend(orders_of(second, filters, business)),
        }
        out
    })
}

/// Below this many lines a second thread costs more than it saves.
const PARALLEL_LINES: usize = 50_000;

fn orders_of<'a>(
    snaps: &[&'a Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
) -> Vec<OrderFigures<'a>> {
    let mut out = Vec::new();
    for snap in snaps {
        let snap: &'a StoreSnapshot = snap;
        let rules = Rules::new(snap, business);
        let channel = filters.channel.as_deref().map(|c| snap_sym(snap, c));
        if channel == Some(None) {
            continue; // no order of this store is on that channel
        }
        let range = snap.orders_between(filters.from, filters.to);
        out.reserve(range.len());
        for i in range {
            if let Some(Some(sym)) = channel {
                if snap.data.orders.channel[i] != sym {
                    continue;
                }
            }
            if let Some(fig) = figures(snap, i, &rules) {
                out.push(fig);
            }
        }
    }
    out
}

/// The string id of channel `text` in a snapshot, if any order uses it.
fn snap_sym(snap: &StoreSnapshot, text: &str) -> Option<u32> {
    snap.channel_syms()
        .iter()
        .copied()
        .find(|&s| snap.data.strings.get(s) == text)
}

/// The last 7 days of the selected data, ending at its last day.
pub fn default_period(snaps: &[Arc<StoreSnapshot>]) -> Option<(NaiveDate, NaiveDate)> {
    let last = snaps
        .iter()
        .filter_map(|s| s.day_span().map(|(_, l)| l))
        .max()?;
    Some((last - chrono::Duration::days(6), last))
}

/// Sum and count helpers over orders.
pub fn total(orders: &[OrderFigures<'_>], f: impl Fn(&OrderFigures<'_>) -> f64) -> f64 {
    orders.iter().map(f).sum()
}

/// `num / den`, `None` when `den` is 0.
pub fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0).then(|| num / den)
}

/// `num / den × 100`, `None` when `den` is 0.
pub fn pct(num: f64, den: f64) -> Option<f64> {
    ratio(num, den).map(|r| r * 100.0)
}
