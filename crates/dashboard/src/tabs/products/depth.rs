//! 商品分析 in depth on the page: the selectable ranking, the quadrant filter, ABC, price bands,
//! 低周转, the quadrant trend and migration, and the stock lists by category.

use serde_json::{json, Value};
use storeboard_analytics::products::page::quadrant_name;
use storeboard_analytics::products::{ProductRow, Products, Quadrant};

use super::{charts, columns as c, view::product_table};
use crate::columns::pick;
use crate::links::Targets;
use crate::query::ViewQuery;
use crate::table::Kind;
use crate::views::{chart, show, Href};

/// The ranking measures: (`rk` value, label, value kind).
pub(crate) const MEASURES: [(&str, &str); 5] = [
    ("sales", "销售额"),
    ("profit", "利润"),
    ("margin", "利润率"),
    ("quantity", "销量"),
    ("orders", "订单数"),
];

/// The TOP-N choices (`top`).
pub(crate) const TOPS: [usize; 4] = [10, 20, 30, 50];

/// Names per category list before "等 N 个".
const CATEGORY_NAMES: usize = 20;

/// The ranked rows of measure `rk` and the field holding its value.
fn ranked<'a>(p: &'a Products, rk: &str) -> (&'a [ProductRow], &'static str) {
    let r = &p.rankings;
    match rk {
        "profit" => (&r.by_profit, "profit"),
        "margin" => (&r.by_margin, "margin_pct"),
        "quantity" => (&r.by_quantity, "quantity"),
        "orders" => (&r.by_orders, "orders"),
        _ => (&r.by_sales, "sales"),
    }
}

/// Chips that set `key` to each of `choices` (`(value, label)`), the current one active.
fn chips(
    q: &ViewQuery,
    href: Href<'_>,
    key: &str,
    current: &str,
    choices: &[(String, String)],
) -> Vec<Value> {
    choices
        .iter()
        .map(|(value, label)| {
            json!({"label": label, "href": href.to(&q.with(key, value)), "active": value == current})
        })
        .collect()
}

/// The ranking by the measure `rk` and the TOP `top` of the query: chips, a bar chart and a table.
pub(crate) fn ranking(p: &Products, q: &ViewQuery, href: Href<'_>) -> Value {
    let rk = q
        .get("rk")
        .filter(|k| MEASURES.iter().any(|(m, _)| m == k))
        .unwrap_or("sales");
    let top = q
        .get("top")
        .and_then(|t| t.parse().ok())
        .filter(|t| TOPS.contains(t))
        .unwrap_or(10);
    let (rows, field) = ranked(p, rk);
    let rows = &rows[..rows.len().min(top)];
    let label = MEASURES
        .iter()
        .find(|(m, _)| *m == rk)
        .map_or("销售额", |m| m.1);
    let measures: Vec<(String, String)> = MEASURES
        .iter()
        .map(|(m, l)| (m.to_string(), l.to_string()))
        .collect();
    let tops: Vec<(String, String)> = TOPS
        .iter()
        .map(|t| (t.to_string(), format!("TOP {t}")))
        .collect();
    let columns = pick(c::PRODUCT, c::RANKING_PAGE);
    let values: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    json!({
        "title": format!("{label} TOP {top}"),
        "measures": chips(q, href, "rk", rk, &measures),
        "tops": chips(q, href, "top", &top.to_string(), &tops),
        "chart": chart(charts::ranking(&format!("{label} TOP {top}"), &values, field)),
        "table": product_table("ranking", &columns, rows, top, q, href),
    })
}

/// The quadrant filter `pq`: its chips (全部 and the four with their counts) and the rows kept.
pub(crate) fn quadrant_filter(
    p: &Products,
    q: &ViewQuery,
    href: Href<'_>,
) -> (Value, Vec<ProductRow>) {
    let chosen = Quadrant::ALL
        .into_iter()
        .find(|&x| q.get("pq") == Some(quadrant_name(x)));
    let mut choices = vec![(String::new(), format!("全部 {}", p.products.len()))];
    for count in &p.quadrants.counts {
        let name = quadrant_name(count.quadrant);
        choices.push((name.to_owned(), format!("{name} {}", count.count)));
    }
    let current = chosen.map_or("", quadrant_name);
    // A changed filter starts the products table on its first page.
    let q = q.with("p_products", "");
    let rows = match chosen {
        Some(x) => p
            .products
            .iter()
            .filter(|r| r.quadrant == x)
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    (
        json!({"chips": chips(&q, href, "pq", current, &choices), "active": current}),
        rows,
    )
}

/// ABC, price bands, 低周转, trend and migration, and the lists by category.
pub(crate) fn sections(p: &Products, q: &ViewQuery, href: Href<'_>, to: &Targets<'_>) -> Value {
    let abc = [("A", &p.abc.a), ("B", &p.abc.b), ("C", &p.abc.c)]
        .iter()
        .map(|(name, k)| json!({"class": name, "count": k.count, "sales": show(Kind::Money, Some(k.sales)), "share": show(Kind::Pct, Some(k.sales_share))}))
        .collect::<Vec<Value>>();
    let bands: Vec<Value> = p
        .price_bands
        .iter()
        .map(|b| serde_json::to_value(b).unwrap_or(Value::Null))
        .collect();
    let turnover_columns = pick(c::PRODUCT, c::TURNOVER_PAGE);
    let granularity = match q.get("qt") {
        Some("day") => "day",
        Some("month") => "month",
        _ => "week",
    };
    let t = &p.quadrant_trend;
    let points = match granularity {
        "day" => &t.day,
        "month" => &t.month,
        _ => &t.week,
    };
    let grans: Vec<(String, String)> = [("day", "按日"), ("week", "按周"), ("month", "按月")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let points_json = serde_json::to_value(points).unwrap_or(Value::Null);
    let moves: Vec<Value> = p
        .migration
        .iter()
        .flat_map(|m| &m.moves)
        .filter(|m| m.count > 0)
        .map(|m| json!({"from": m.from, "to": m.to, "count": m.count, "changed": m.from != m.to}))
        .collect();
    json!({
        "abc": abc,
        "price_bands": bands,
        "price_chart": chart(charts::price_bands(&json!(bands))),
        "low_turnover": product_table("low_turnover", &turnover_columns, &p.low_turnover.rows, 10, q, href),
        "low_turnover_days": p.low_turnover.threshold_days,
        "trend": {"granularity": granularity, "chips": chips(q, href, "qt", granularity, &grans),
                  "chart": chart(charts::quadrant_trend(&points_json)), "points": points_json},
        "migration": {"moves": moves, "changed": p.migration.as_ref().map(|m| m.changed),
                      "second_from": p.migration.as_ref().map(|m| m.second_from)},
        "by_category": by_category(p, to),
    })
}

/// Per 一级分类, its 缺货 and 滞销 products (names leading to their pages), categories by name.
fn by_category(p: &Products, to: &Targets<'_>) -> Vec<Value> {
    let w = &p.inventory_warnings;
    let mut categories: Vec<&str> = w
        .out_of_stock
        .iter()
        .chain(&w.slow_moving)
        .map(|r| r.category.as_str())
        .collect();
    categories.sort_unstable();
    categories.dedup();
    let list = |rows: &[ProductRow], category: &str| {
        let all: Vec<&ProductRow> = rows.iter().filter(|r| r.category == category).collect();
        let names: Vec<Value> = all
            .iter()
            .take(CATEGORY_NAMES)
            .map(|r| json!({"name": r.name, "href": to.product(&r.key)}))
            .collect();
        json!({"count": all.len(), "names": names, "more": all.len().saturating_sub(CATEGORY_NAMES)})
    };
    categories
        .into_iter()
        .map(|cat| json!({"category": cat, "out_of_stock": list(&w.out_of_stock, cat), "slow_moving": list(&w.slow_moving, cat)}))
        .collect()
}
