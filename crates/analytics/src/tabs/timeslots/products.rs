//! 商品 × 场景: the best-selling products of each scene, from the stores' daily product points
//! ([`crate::facts::series`]) joined with each product's scene; no line is read.
//!
//! A product's scene is the one its latest 商品名称 gets from a keyword, else its latest
//! 一级分类名 from `category_scenes` (the latest: the last point's line of the latest day,
//! the later store on a tie). Products neither places take their slot's default scene line by
//! line and have no single scene: they are left out. Consumables are not in the points.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use storeboard_data::StoreSnapshot;

use super::Scenes;
use crate::config::Business;
use crate::facts::day_number;
use crate::filters::Filters;
use crate::order::{cents_to_yuan, pct, SALES_SCALE};
use crate::overview::{parts, Part};

/// Products listed per scene.
pub const TOP: usize = 10;

/// One product of a scene.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SceneProduct {
    /// Product key (店内码, else 条码, else 商品名称).
    pub key: String,
    /// Its latest 商品名称.
    pub name: String,
    /// Its latest 一级分类名.
    pub category: String,
    /// Orders holding it (per store and day, summed).
    pub orders: usize,
    /// Σ 销量.
    pub quantity: f64,
    /// Σ 实收价格 × 销量.
    pub sales: f64,
    /// Σ 利润额.
    pub profit: f64,
    /// Profit / sales × 100; `null` when sales is 0.
    pub margin_pct: Option<f64>,
}

/// One scene's best sellers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SceneProducts {
    /// Scene name.
    pub scene: String,
    /// Products the scene holds.
    pub count: usize,
    /// The [`TOP`] by sales (ties by key).
    pub products: Vec<SceneProduct>,
}

/// Exact sums of one key and where its latest name is: (day, store, line).
#[derive(Default)]
struct Sums {
    orders: usize,
    quantity: i64,
    sales: i64,
    profit: i64,
    latest: Option<(i64, usize, u32)>,
}

/// Exact sums per product key of the parts' points in the period, and its latest line.
fn sum_points<'a>(parts: &[Part<'a>], filters: &Filters) -> HashMap<&'a str, Sums> {
    let (from, to) = (day_number(filters.from), day_number(filters.to));
    let mut sums: HashMap<&'a str, Sums> = HashMap::new();
    for (store, p) in parts.iter().enumerate() {
        let channel = p.channel.map(|s| p.facts.channel_index(s));
        let series = p.facts.series();
        for (k, s) in series.all().iter().enumerate() {
            if channel.is_some_and(|c| c != Some(s.channel)) {
                continue;
            }
            let points = series.points(k, from, to);
            let Some(last) = points.last() else {
                continue;
            };
            let e = sums.entry(p.snap.data.strings.get(s.key)).or_default();
            for pt in points {
                e.orders += pt.orders as usize;
                e.quantity += pt.quantity;
                e.sales += pt.sales;
                e.profit += pt.profit;
            }
            e.latest = e.latest.max(Some((last.day, store, last.last_line)));
        }
    }
    sums
}

/// Every scene (in the heatmap's order) with its best sellers over `filters`.
pub(crate) fn product_scenes(
    snaps: &[Arc<StoreSnapshot>],
    filters: &Filters,
    business: &Business,
    scenes: &Scenes<'_>,
) -> Vec<SceneProducts> {
    let parts = parts(snaps, filters, business);
    let sums = sum_points(&parts, filters);
    let mut by_scene: Vec<Vec<SceneProduct>> = vec![Vec::new(); scenes.names.len()];
    for (key, e) in sums {
        let Some((_, store, line)) = e.latest else {
            continue;
        };
        let data = &parts[store].snap.data;
        let (name, category) = (
            data.strings.get(data.lines.product[line as usize]),
            data.strings.get(data.lines.category1[line as usize]),
        );
        let Some(scene) = scenes
            .by_keyword(name)
            .or_else(|| scenes.by_category(category))
        else {
            continue;
        };
        let (sales, profit) = (e.sales as f64 / SALES_SCALE, cents_to_yuan(e.profit));
        by_scene[scene].push(SceneProduct {
            key: key.to_owned(),
            name: name.to_owned(),
            category: category.to_owned(),
            orders: e.orders,
            quantity: e.quantity as f64 / 1000.0,
            sales,
            profit,
            margin_pct: pct(profit, sales),
        });
    }
    scenes
        .names
        .iter()
        .zip(by_scene)
        .map(|(scene, mut products)| {
            products.sort_by(|a, b| b.sales.total_cmp(&a.sales).then_with(|| a.key.cmp(&b.key)));
            let count = products.len();
            products.truncate(TOP);
            SceneProducts {
                scene: (*scene).to_owned(),
                count,
                products,
            }
        })
        .collect()
}
