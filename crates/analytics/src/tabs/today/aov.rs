//! The 客单价异常 card: the last 7 days against the 7 before: the AOV, the orders of each AOV
//! band, the share of ¥0-20 orders, the channels whose AOV moved, and the products pulling the
//! AOV down.
//!
//! Cost: 14 days × channels of per-day order bins (from the cells) and two week sums per
//! product of the window already merged for the product cards.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::history::{back, DayBins, History};
use crate::order::SALES_SCALE;
use crate::overview::AOV_LABELS;

/// Products listed at most.
const MAX_PRODUCTS: usize = 10;
/// The tiers.
pub(super) const LEVELS: [&str; 3] = ["严重", "中等", "提示"];

/// One finding of 客单价异常.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AovRow {
    /// 整体, 价格带, 渠道 or 商品.
    pub kind: &'static str,
    /// What it is about (the band, the channel, the product's name; 客单价 for the whole).
    pub name: String,
    /// The product's key (商品 only, else `null`): the dashboard links the name to it.
    pub key: Option<String>,
    /// The figure of the 7 days before (AOV in yuan, orders, or the product's units per order).
    pub previous: f64,
    /// The figure of the last 7 days.
    pub current: f64,
    /// Change in %.
    pub change_pct: Option<f64>,
    /// 严重, 中等 or 提示.
    pub level: &'static str,
    /// Lost sales against the week before (yuan; products only, else `null`).
    pub lost_sales: Option<f64>,
}

/// What 客单价异常 found as of `d`, and its money: the AOV lost × the last week's orders.
pub(super) struct Findings {
    pub rows: Vec<AovRow>,
    /// Cents.
    pub money: i64,
    /// Per channel whose AOV fell: the AOV lost × its orders (cents).
    pub channels: Vec<(String, i64)>,
}

/// 客单价异常 as of `d`.
pub(super) fn aov_anomaly(h: &History<'_>, d: NaiveDate) -> Findings {
    let week = |from: NaiveDate, to: NaiveDate| h.bins_between(from, to);
    let (cur, prev) = (week(back(d, 6), d), week(back(d, 13), back(d, 7)));
    let (cur_all, prev_all) = (total(&cur), total(&prev));
    let mut rows = Vec::new();
    let (aov, prev_aov) = (cur_all.aov(), prev_all.aov());
    let mut money = 0;
    let r = &h.rules;
    let level_of = |change: Option<f64>| match change {
        Some(c) if c < -r.aov_band_severe_drop_pct => LEVELS[0],
        Some(c) if c < -r.aov_band_moderate_drop_pct => LEVELS[1],
        _ => LEVELS[2],
    };
    if let (Some(a), Some(p)) = (aov, prev_aov) {
        let change = change(p, a);
        if change.is_some_and(|c| c < -r.aov_drop_pct) {
            rows.push(row("整体", "客单价", p, a, level_of(change)));
        }
        money = (((p - a) * f64::from(cur_all.orders)) * 100.0).round() as i64;
        let share = |b: &DayBins| {
            (b.orders > 0).then(|| f64::from(b.bands[0] + b.bands[1]) / f64::from(b.orders) * 100.0)
        };
        if let (Some(s), Some(ps)) = (share(&cur_all), share(&prev_all)) {
            if s - ps > r.aov_small_share_points {
                let mut r = row("价格带", "¥0-20 订单占比(%)", ps, s, "提示");
                r.change_pct = Some(s - ps);
                rows.push(r);
            }
        }
    }
    for (i, label) in AOV_LABELS.iter().enumerate() {
        let (c, p) = (f64::from(cur_all.bands[i]), f64::from(prev_all.bands[i]));
        let change = change(p, c);
        if change.is_some_and(|x| x < -r.aov_band_moderate_drop_pct) {
            rows.push(row("价格带", label, p, c, level_of(change)));
        }
    }
    let mut channels = Vec::new();
    for (channel, b) in &cur {
        let Some(p) = prev.get(channel) else { continue };
        let (Some(a), Some(pa)) = (b.aov(), p.aov()) else {
            continue;
        };
        if change(pa, a).is_some_and(|x| x.abs() > r.aov_channel_move_pct) {
            rows.push(row("渠道", channel, pa, a, "提示"));
            let lost = (((pa - a) * f64::from(b.orders)) * 100.0).round() as i64;
            channels.push(((*channel).to_owned(), lost.max(0)));
        }
    }
    rows.extend(pulling_down(h, d));
    Findings {
        rows,
        money: money.max(0),
        channels,
    }
}

/// Products whose price per unit or units per order fell, by lost sales, the most first.
fn pulling_down(h: &History<'_>, d: NaiveDate) -> Vec<AovRow> {
    let mut found: Vec<(i64, AovRow)> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let (cur, prev) = (p.sums(back(d, 6), d), p.sums(back(d, 13), back(d, 7)));
            if cur.orders <= 0 || prev.orders <= 0 {
                return None;
            }
            let per_order = |s: &super::history::Sums| s.quantity as f64 / 1000.0 / s.orders as f64;
            let units = change(per_order(&prev), per_order(&cur))?;
            let price = change(prev.unit_price()?, cur.unit_price()?)?;
            let lost = prev.sales - cur.sales;
            let r = &h.rules;
            if lost <= 0
                || (units > -r.aov_product_units_drop_pct && price > -r.aov_product_price_drop_pct)
            {
                return None;
            }
            let mut r = row("商品", p.name, per_order(&prev), per_order(&cur), "提示");
            r.key = Some((*key).to_owned());
            r.lost_sales = Some(lost as f64 / SALES_SCALE);
            Some((lost, r))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    found
        .into_iter()
        .take(MAX_PRODUCTS)
        .map(|(_, r)| r)
        .collect()
}

fn total(week: &BTreeMap<&str, DayBins>) -> DayBins {
    let mut all = DayBins::default();
    for b in week.values() {
        all.add(b);
    }
    all
}

fn row(kind: &'static str, name: &str, previous: f64, current: f64, level: &'static str) -> AovRow {
    AovRow {
        kind,
        name: name.to_owned(),
        key: None,
        previous,
        current,
        change_pct: change(previous, current),
        level,
        lost_sales: None,
    }
}

/// (current − previous) / previous × 100, `None` when previous is 0.
fn change(previous: f64, current: f64) -> Option<f64> {
    (previous != 0.0).then(|| (current - previous) / previous * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Business;
    use crate::testkit::snapshots;

    /// Day 14 is yesterday. The week before (days 1–7): four ¥50 orders (5 × P at ¥10); the
    /// last week (8–14): four ¥25 orders (5 × P at ¥5). AOV ¥50 → ¥25 (−50%, 严重); the
    /// ¥50-100 band 4 → 0 orders (严重); its channel's AOV moved > 10%; P's price −50%, lost ¥100 of sales. Money: (50 − 25) ×
    /// 4 orders = ¥100.
    fn csv() -> String {
        let mut s =
            "订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,利润额,一级分类名,店内码\n"
                .to_owned();
        for (i, d) in [2, 3, 4, 5].iter().enumerate() {
            s.push_str(&format!(
                "p{i},2026-11-{d:02} 10:00,一号店,P,5,美团闪购,10.00,5.00,食品,P\n"
            ));
        }
        for (i, d) in [10, 11, 12, 14].iter().enumerate() {
            s.push_str(&format!(
                "c{i},2026-11-{d:02} 10:00,一号店,P,5,美团闪购,5.00,1.00,食品,P\n"
            ));
        }
        s
    }

    #[test]
    fn a_halved_aov_flags_the_whole_the_band_and_the_product_pulling_it_down() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
        let snaps = snapshots(&csv());
        let h = crate::today::recent::load_day(&snaps, day(14), &Business::default());
        let f = aov_anomaly(&h, day(14));
        let got: Vec<(&str, &str, &str)> = f
            .rows
            .iter()
            .map(|r| (r.kind, r.name.as_str(), r.level))
            .collect();
        assert_eq!(
            got,
            [
                ("整体", "客单价", "严重"),
                ("价格带", "¥50-100", "严重"),
                ("渠道", "美团闪购", "提示"),
                ("商品", "P", "提示")
            ]
        );
        assert_eq!(f.money, 10_000, "¥100 in cents");
        assert_eq!(
            f.channels,
            [("美团闪购".to_owned(), 10_000)],
            "its only channel"
        );
        assert_eq!(f.rows[3].lost_sales, Some(100.0));
        // Only the product's row has a key (the dashboard links it to the product's page).
        let keys: Vec<Option<&str>> = f.rows.iter().map(|r| r.key.as_deref()).collect();
        assert_eq!(keys, [None, None, None, Some("P")]);
    }
}
