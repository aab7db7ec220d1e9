//! The product cards of 今日必做, each computed "as of" a day `d` so that the same rule gives
//! yesterday's rows and the counts of the three days before (for the trend). Consumables never
//! reach here (the history leaves them out).

use chrono::NaiveDate;
use serde::Serialize;

use super::history::{back, History, Product, Sums};
use crate::order::{cents_to_yuan, pct, units};

/// Margin drops of at most this many points (plus float noise) are not a drop.
const MARGIN_DROP_POINTS: f64 = 5.0;
/// Tolerance for comparing margins computed in floating point.
const EPS: f64 = 1e-9;

/// One product in a card. The window of `quantity`, `sales`, `profit` and `margin_pct` is the
/// card's own: yesterday for 新品 / 爆款 / 高利润商品, the last 7 days for the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductCardRow {
    /// Product key (店内码, else 条码, else 商品名称).
    pub key: String,
    /// 商品名称.
    pub name: String,
    /// 一级分类名.
    pub category: String,
    /// Σ销量 in the card's window.
    pub quantity: f64,
    /// Σ销量 of the comparison window (7 days before for 销量下滑 / 利润率下滑, the day before
    /// yesterday for 爆款); `null` for the other cards.
    pub previous_quantity: Option<f64>,
    /// Σ实收价格 × 销量 in the window.
    pub sales: f64,
    /// Σ利润额 in the window.
    pub profit: f64,
    /// profit / sales × 100 in the window.
    pub margin_pct: Option<f64>,
    /// The comparison window's margin (利润率下滑 only).
    pub previous_margin_pct: Option<f64>,
    /// Quantity change in % (销量下滑, 爆款) or margin change in points (利润率下滑).
    pub change_pct: Option<f64>,
    /// Latest 剩余库存 up to yesterday.
    pub stock: Option<f64>,
    /// Last day with 销量 > 0 up to yesterday.
    pub last_sale: Option<NaiveDate>,
    /// Days from `last_sale` to yesterday.
    pub days_since_sale: Option<i64>,
    /// The product's part of the card's money figure (yuan); `null` on a card without one.
    pub amount: Option<f64>,
    /// Its tier, on a card with tiers.
    pub tier: Option<&'static str>,
    /// `amount` in cents, for exact sums.
    #[serde(skip)]
    pub(super) cents: i64,
}

impl ProductCardRow {
    fn new(key: &str, p: &Product<'_>, s: Sums, d: NaiveDate) -> Self {
        let last_sale = p.last_sale(d);
        ProductCardRow {
            key: key.to_owned(),
            name: p.name.to_owned(),
            category: p.category.to_owned(),
            quantity: units_of(s.quantity),
            previous_quantity: None,
            sales: s.sales_yuan(),
            profit: s.profit_yuan(),
            margin_pct: s.margin_pct(),
            previous_margin_pct: None,
            change_pct: None,
            stock: p.stock_at(d),
            last_sale,
            days_since_sale: last_sale.map(|l| (d - l).num_days()),
            amount: None,
            tier: None,
            cents: 0,
        }
    }

    /// This row with its money (cents, at least 0) and tier.
    fn with(mut self, cents: i64, tier: Option<&'static str>) -> Self {
        self.cents = cents.max(0);
        self.amount = Some(cents_to_yuan(self.cents));
        self.tier = tier;
        self
    }
}

/// Tiers of 热销缺货 by days out of stock up to yesterday.
pub(super) const OUT_TIERS: [&str; 3] = ["新增", "第2天", "持续"];
/// Tiers of 利润率下滑 by points lost.
pub(super) const MARGIN_TIERS: [&str; 4] = ["5-10pp", "10-15pp", "15-20pp", ">20pp"];
/// Tiers of 滞销积压 by days without a sale.
pub(super) const IDLE_TIERS: [&str; 3] = ["新增", "持续", "严重"];

/// Sales (1/100,000 yuan) rounded to the cent.
fn sales_cents(s: &Sums) -> i64 {
    (s.sales + 500).div_euclid(1000)
}

fn units_of(millis: i64) -> f64 {
    units(i32::try_from(millis).unwrap_or(i32::MAX))
}

/// Percent change of a quantity, `null` when the base is 0.
fn quantity_change(cur: i64, prev: i64) -> Option<f64> {
    pct((cur - prev) as f64, prev as f64)
}

/// The last 7 days ending `d`, and the 7 days before.
fn weeks(p: &Product<'_>, d: NaiveDate) -> (Sums, Sums) {
    (p.sums(back(d, 6), d), p.sums(back(d, 13), back(d, 7)))
}

fn sort_by<F: Fn(&ProductCardRow) -> f64>(rows: &mut [ProductCardRow], key: F) {
    rows.sort_by(|a, b| key(a).total_cmp(&key(b)).then_with(|| a.key.cmp(&b.key)));
}

/// 热销缺货: sold in the 7 days ending `d` and latest stock ≤ 0 (a negative count is out too);
/// for a product without any stock reading: sold ≥ 3 the day before `d` and nothing on `d`.
/// Money = the estimated profit lost per day: its mean daily profit over the 7 days (or the
/// days with orders among them when fewer). Tiers by days out of stock up to `d`.
pub(super) fn hot_out_of_stock(h: &History<'_>, d: NaiveDate) -> Vec<ProductCardRow> {
    let days = h.days_with_orders(back(d, 6), d).max(1) as i64;
    let mut rows: Vec<ProductCardRow> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let s = p.sums(back(d, 6), d);
            let stock = p.stock_at(d);
            let out = match stock {
                Some(st) => s.quantity > 0 && st <= 0.0,
                None => {
                    p.sums(back(d, 1), back(d, 1)).quantity >= 3_000 && p.sums(d, d).quantity == 0
                }
            };
            if !out {
                return None;
            }
            let out_days = (0..7)
                .take_while(|&k| p.stock_at(back(d, k)).is_none_or(|st| st <= 0.0))
                .count()
                .max(1);
            let tier = OUT_TIERS[out_days.min(3) - 1];
            Some(ProductCardRow::new(key, p, s, d).with(s.profit.max(0) / days, Some(tier)))
        })
        .collect();
    sort_by(&mut rows, |r| -r.quantity);
    rows
}

/// 销量下滑: quantity of the last 7 days more than 30% below the 7 before, whose daily mean
/// was at least 2 (compared in thousandths: exactly 30% is not a drop).
pub(super) fn sales_drop(h: &History<'_>, d: NaiveDate) -> Vec<ProductCardRow> {
    let mut rows: Vec<ProductCardRow> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let (cur, prev) = weeks(p, d);
            let dropped = prev.quantity >= 14_000 && cur.quantity * 10 < prev.quantity * 7;
            // Lost profit = (earlier daily profit − recent daily profit) × 7.
            let lost = prev.profit - cur.profit;
            dropped.then(|| {
                ProductCardRow {
                    previous_quantity: Some(units_of(prev.quantity)),
                    change_pct: quantity_change(cur.quantity, prev.quantity),
                    ..ProductCardRow::new(key, p, cur, d)
                }
                .with(lost, None)
            })
        })
        .collect();
    sort_by(&mut rows, |r| r.change_pct.unwrap_or_default());
    rows
}

/// 利润率下滑: margin of the last 7 days more than 5 points below the 7 before, with at least 5
/// sold in the last 7 days and a positive earlier margin.
pub(super) fn margin_drop(h: &History<'_>, d: NaiveDate) -> Vec<ProductCardRow> {
    let mut rows: Vec<ProductCardRow> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let (cur, prev) = weeks(p, d);
            let now = cur.margin_pct()?;
            let before = prev.margin_pct().filter(|&m| m > 0.0)?;
            let drop = before - now;
            let dropped = cur.quantity >= 5_000 && drop > MARGIN_DROP_POINTS + EPS;
            // 利润损失 = recent sales × points lost / 100.
            let lost = (cur.sales_yuan() * drop).round() as i64;
            let tier = MARGIN_TIERS[[10.0, 15.0, 20.0]
                .iter()
                .filter(|&&b| drop > b + EPS)
                .count()];
            dropped.then(|| {
                ProductCardRow {
                    previous_quantity: Some(units_of(prev.quantity)),
                    previous_margin_pct: Some(before),
                    change_pct: Some(now - before),
                    ..ProductCardRow::new(key, p, cur, d)
                }
                .with(lost, Some(tier))
            })
        })
        .collect();
    sort_by(&mut rows, |r| r.change_pct.unwrap_or_default());
    rows
}

/// 滞销积压: stock > 0 and no sale for at least 3 days up to `d` (never sold counts as the
/// longest). Money = the cost tied up: stock × 单品成本 (of the last 17 days' lines, else of its
/// last sale's day). Tiers: 新增 3–6 days, 持续 7–14, 严重 ≥ 15 or never sold.
pub(super) fn slow_movers(h: &History<'_>, d: NaiveDate) -> Vec<ProductCardRow> {
    let mut rows: Vec<ProductCardRow> = h
        .products
        .iter()
        .filter(|(_, p)| p.seen_by(d))
        .filter_map(|(key, p)| {
            let stock = p.stock_at(d).filter(|&st| st > 0.0)?;
            let idle = p.last_sale(d).map(|l| (d - l).num_days());
            let bounds = &h.rules.idle_days;
            if idle.is_some_and(|n| n < bounds[0]) {
                return None;
            }
            let tier = IDLE_TIERS[bounds[1..]
                .iter()
                .filter(|&&b| idle.is_none_or(|n| n >= b))
                .count()];
            let unit_cost = p.sums(back(d, 16), d).unit_cost().or_else(|| {
                let l = p.last_sale(d)?;
                p.sums(l, l).unit_cost()
            });
            let tied = unit_cost.map_or(0, |c| (stock * c * 100.0).round() as i64);
            Some(ProductCardRow::new(key, p, p.sums(back(d, 6), d), d).with(tied, Some(tier)))
        })
        .collect();
    sort_by(&mut rows, |r| {
        -(r.days_since_sale.map_or(f64::INFINITY, |n| n as f64))
    });
    rows
}

/// 新品: sold on `d`, no sale in the 7 days before. Only when some order falls in those 7 days,
/// so that a first upload does not turn every product "new".
pub(super) fn new_products(h: &History<'_>, d: NaiveDate) -> Vec<ProductCardRow> {
    if !h.has_orders(back(d, 7), back(d, 1)) {
        return Vec::new();
    }
    let mut rows: Vec<ProductCardRow> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let s = p.sums(d, d);
            let fresh = s.quantity > 0 && p.sums(back(d, 7), back(d, 1)).quantity == 0;
            fresh.then(|| ProductCardRow::new(key, p, s, d).with(sales_cents(&s), None))
        })
        .collect();
    sort_by(&mut rows, |r| -r.quantity);
    rows
}

/// 爆款: quantity on `d` at least 10 and more than 1.5 × the day before (exactly 1.5 × is not).
pub(super) fn hot_products(h: &History<'_>, d: NaiveDate) -> Vec<ProductCardRow> {
    let mut rows: Vec<ProductCardRow> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let (s, prev) = (p.sums(d, d), p.sums(back(d, 1), back(d, 1)));
            let hot = s.quantity >= 10_000 && s.quantity * 2 > prev.quantity * 3;
            hot.then(|| {
                ProductCardRow {
                    previous_quantity: Some(units_of(prev.quantity)),
                    change_pct: quantity_change(s.quantity, prev.quantity),
                    ..ProductCardRow::new(key, p, s, d)
                }
                .with(sales_cents(&s), None)
            })
        })
        .collect();
    sort_by(&mut rows, |r| -r.quantity);
    rows
}

/// 高利润商品: products with a positive Σ利润额 on `d`, highest first (all of them: the page shows
/// the first ten).
pub(super) fn top_profit(h: &History<'_>, d: NaiveDate) -> Vec<ProductCardRow> {
    let mut rows: Vec<ProductCardRow> = h
        .products
        .iter()
        .filter_map(|(key, p)| {
            let s = p.sums(d, d);
            (s.profit > 0).then(|| ProductCardRow::new(key, p, s, d).with(s.profit, None))
        })
        .collect();
    sort_by(&mut rows, |r| -r.profit);
    rows
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use storeboard_data::StoreSnapshot;

    use super::*;
    use crate::config::Business;
    use crate::testkit::snapshots;

    const HEADER: &str =
        "订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,利润额,一级分类名,店内码,剩余库存\n";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
    }

    /// One order per line: `(order, day, product, qty, price, profit, stock)` (stock "" = none).
    fn csv(lines: &[(&str, u32, &str, u32, &str, &str, &str)]) -> String {
        let mut s = HEADER.to_owned();
        for (id, d, key, qty, price, profit, stock) in lines {
            let category = if *key == "BAG" { "耗材" } else { "食品" };
            s.push_str(&format!(
                "{id},2026-11-{d:02} 10:00,一号店,{key}名,{qty},收银机订单,{price},{profit},{category},{key},{stock}\n"
            ));
        }
        s
    }

    /// Runs `rule` as of `d` on the whole history up to `to` (the period is just `to`).
    fn keys(
        snaps: &[Arc<StoreSnapshot>],
        to: u32,
        rule: fn(&History<'_>, NaiveDate) -> Vec<ProductCardRow>,
    ) -> Vec<String> {
        let h = crate::today::recent::load_day(snaps, day(to), &Business::default());
        rule(&h, day(to)).into_iter().map(|r| r.key).collect()
    }

    #[test]
    fn weekly_drops_need_more_than_thirty_percent_or_five_points() {
        let snaps = snapshots(&csv(&[
            ("a1", 1, "DROP", 20, "1.00", "4.00", ""),
            ("a2", 10, "DROP", 13, "1.00", "2.60", ""),
            ("b1", 1, "EDGE30", 20, "1.00", "4.00", ""),
            ("b2", 10, "EDGE30", 14, "1.00", "2.80", ""),
            ("c1", 1, "LOWMEAN", 13, "1.00", "2.60", ""),
            ("d1", 1, "MARGIN", 10, "10.00", "30.00", ""),
            ("d2", 10, "MARGIN", 10, "10.00", "24.99", ""),
            ("e1", 1, "MEDGE", 10, "10.00", "30.00", ""),
            ("e2", 10, "MEDGE", 10, "10.00", "25.00", ""),
            ("f1", 1, "FEW", 10, "10.00", "30.00", ""),
            ("f2", 10, "FEW", 4, "10.00", "4.00", ""),
            ("g1", 1, "NEG", 10, "10.00", "0.00", ""),
            ("g2", 10, "NEG", 10, "10.00", "-10.00", ""),
            ("z1", 14, "FILL", 1, "1.00", "0.00", ""),
        ]));
        // DROP: 20 → 13 is −35%; EDGE30 exactly −30%; LOWMEAN's earlier mean is 13/7 < 2.
        assert_eq!(keys(&snaps, 14, sales_drop), ["DROP"]);
        // MARGIN 30% → 24.99%; MEDGE exactly 5 points; FEW sold 4 < 5; NEG's earlier margin is 0.
        assert_eq!(keys(&snaps, 14, margin_drop), ["MARGIN"]);
        let h = crate::today::recent::load_day(&snaps, day(14), &Business::default());
        let row = &margin_drop(&h, day(14))[0];
        assert!((row.change_pct.unwrap_or_default() + 5.01).abs() < 1e-9);
        assert_eq!(row.quantity, 10.0);
    }

    #[test]
    fn stock_cards_use_the_latest_stock_and_three_idle_days() {
        let snaps = snapshots(&csv(&[
            ("a", 10, "OUT", 1, "1.00", "0.10", "0"),
            ("b", 10, "NEGOUT", 1, "1.00", "0.10", "-2"),
            ("c", 7, "OLDOUT", 1, "1.00", "0.10", "0"),
            ("d1", 9, "RESTOCK", 1, "1.00", "0.10", "0"),
            ("d2", 12, "RESTOCK", 1, "1.00", "0.10", "5"),
            ("e", 7, "SLOW", 1, "1.00", "0.10", "3"),
            ("f", 8, "RECENT", 1, "1.00", "0.10", "3"),
            ("g", 1, "BAG", 1, "1.00", "0.10", "50"),
            ("z", 14, "FILL", 1, "1.00", "0.10", ""),
        ]));
        // OLDOUT last sold on day 7, outside the 7 days 8–14; RESTOCK's latest stock is 5.
        assert_eq!(keys(&snaps, 14, hot_out_of_stock), ["NEGOUT", "OUT"]);
        // SLOW last sold 7 days ago, RECENT 6 (both at least 3, the longest first); RESTOCK
        // sold 2 days ago; the bag is a consumable.
        assert_eq!(keys(&snaps, 14, slow_movers), ["SLOW", "RECENT"]);
    }

    #[test]
    fn daily_cards_compare_yesterday_with_the_days_before() {
        let snaps = snapshots(&csv(&[
            ("a1", 13, "HOT", 6, "1.00", "6.00", ""),
            ("a2", 14, "HOT", 10, "1.00", "20.00", ""),
            ("b1", 13, "EDGE15", 8, "1.00", "8.00", ""),
            ("b2", 14, "EDGE15", 12, "1.00", "12.00", ""),
            ("c1", 6, "NINE", 1, "1.00", "1.00", ""),
            ("c2", 14, "NINE", 9, "1.00", "9.00", ""),
            ("d1", 7, "OLD", 1, "1.00", "1.00", ""),
            ("d2", 14, "OLD", 1, "1.00", "0.00", ""),
            ("e", 14, "BAG", 1, "1.00", "100.00", ""),
        ]));
        // HOT 10 > 1.5 × 6; EDGE15 12 is exactly 1.5 × 8; NINE sold only 9.
        assert_eq!(keys(&snaps, 14, hot_products), ["HOT"]);
        // NINE's earlier sale is 8 days back; OLD sold 7 days back.
        assert_eq!(keys(&snaps, 14, new_products), ["NINE"]);
        // Positive profit only, consumables left out.
        assert_eq!(keys(&snaps, 14, top_profit), ["HOT", "EDGE15", "NINE"]);
    }

    /// `(key, tier)` of `rule`'s rows as of `to`.
    fn tiers_of(
        snaps: &[Arc<StoreSnapshot>],
        to: u32,
        rule: fn(&History<'_>, NaiveDate) -> Vec<ProductCardRow>,
    ) -> Vec<(String, &'static str)> {
        let h = crate::today::recent::load_day(snaps, day(to), &Business::default());
        let mut out: Vec<(String, &'static str)> = rule(&h, day(to))
            .into_iter()
            .map(|r| (r.key, r.tier.unwrap_or("-")))
            .collect();
        out.sort();
        out
    }

    /// `got` (from [`tiers_of`]) is `want`, pair for pair.
    fn assert_tiers(got: &[(String, &str)], want: &[(&str, &str)]) {
        let got: Vec<(&str, &str)> = got.iter().map(|(k, t)| (k.as_str(), *t)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn idle_tiers_start_at_three_seven_and_fifteen_days() {
        // Yesterday is day 20 (FILL). Each product's last sale, days before 20: S2 2, S3 3, S6 6,
        // S7 7, S14 14, S15 15; all still in stock.
        let snaps = snapshots(&csv(&[
            ("a", 18, "S2", 1, "1.00", "0.10", "4"),
            ("b", 17, "S3", 1, "1.00", "0.10", "4"),
            ("c", 14, "S6", 1, "1.00", "0.10", "4"),
            ("d", 13, "S7", 1, "1.00", "0.10", "4"),
            ("e", 6, "S14", 1, "1.00", "0.10", "4"),
            ("f", 5, "S15", 1, "1.00", "0.10", "4"),
            ("z", 20, "FILL", 1, "1.00", "0.10", ""),
        ]));
        // With `[business.today] idle_days = [5, 7, 15]` S3 (3 days) is not idle yet.
        let mut business = Business::default();
        business.today.idle_days = [5, 7, 15];
        let h = crate::today::recent::load_day(&snaps, day(20), &business);
        let idle: Vec<String> = slow_movers(&h, day(20))
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert!(
            !idle.contains(&"S3".to_owned()) && idle.contains(&"S6".to_owned()),
            "{idle:?}"
        );
        let got = tiers_of(&snaps, 20, slow_movers);
        let want = [
            ("S14", "持续"),
            ("S15", "严重"),
            ("S3", "新增"),
            ("S6", "新增"),
            ("S7", "持续"),
        ];
        assert_tiers(&got, &want);
    }

    #[test]
    fn margin_tiers_are_bounded_above_at_ten_fifteen_and_twenty_points() {
        // Days 1–7: 10 sold for ¥100 at 30% margin; days 8–14: ¥100 again at 20% (exactly 10
        // points lost: 5-10pp), 14.99% (15.01 lost: 15-20pp) and 9% (21 lost: >20pp).
        let snaps = snapshots(&csv(&[
            ("a1", 1, "M10", 10, "10.00", "30.00", ""),
            ("a2", 10, "M10", 10, "10.00", "20.00", ""),
            ("b1", 1, "M15", 10, "10.00", "30.00", ""),
            ("b2", 10, "M15", 10, "10.00", "14.99", ""),
            ("c1", 1, "M21", 10, "10.00", "30.00", ""),
            ("c2", 10, "M21", 10, "10.00", "9.00", ""),
            ("z", 14, "FILL", 1, "1.00", "0.10", ""),
        ]));
        let got = tiers_of(&snaps, 14, margin_drop);
        assert_tiers(
            &got,
            &[("M10", "5-10pp"), ("M15", "15-20pp"), ("M21", ">20pp")],
        );
    }

    #[test]
    fn out_of_stock_tiers_count_the_days_out_up_to_yesterday() {
        // O1 out only on day 20; O2 on 19 and 20; O3 on 18, 19 and 20. Each sold every day.
        let snaps = snapshots(&csv(&[
            ("a1", 18, "O1", 1, "1.00", "0.10", "5"),
            ("a2", 19, "O1", 1, "1.00", "0.10", "5"),
            ("a3", 20, "O1", 1, "1.00", "0.10", "0"),
            ("b1", 18, "O2", 1, "1.00", "0.10", "3"),
            ("b2", 19, "O2", 1, "1.00", "0.10", "0"),
            ("b3", 20, "O2", 1, "1.00", "0.10", "0"),
            ("c1", 18, "O3", 1, "1.00", "0.10", "0"),
            ("c2", 19, "O3", 1, "1.00", "0.10", "0"),
            ("c3", 20, "O3", 1, "1.00", "0.10", "0"),
        ]));
        let got = tiers_of(&snaps, 20, hot_out_of_stock);
        assert_tiers(&got, &[("O1", "新增"), ("O2", "第2天"), ("O3", "持续")]);
    }

    #[test]
    fn no_product_is_new_when_the_seven_days_before_have_no_orders() {
        let snaps = snapshots(&csv(&[("a", 6, "NINE", 1, "1.00", "1.00", "")]));
        assert!(keys(&snaps, 6, new_products).is_empty());
    }
}
