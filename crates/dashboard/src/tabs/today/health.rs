//! 🩺 商品健康 on 今日必做: the six quadrants over the 30 days to "yesterday" as tiles (count,
//! sales, advice, change against the 30 days before), a quadrant filter over the products table
//! (`hq=明星`, on the server like every table), the migration between the two windows as a
//! Sankey with its table, and the weekly trend of the counts as a line chart.
//!
//! Built from the `health` object of the today answer
//! (`storeboard_analytics::today::health::Health`); the workbook's sheets are in
//! `health_export.rs`, over the same columns.

use serde_json::{json, Value};

use crate::charts::{base, merge};
use crate::columns::{col, pick, same, Column, Kind};
use crate::format;
use crate::query::ViewQuery;
use crate::views::{arr, chart, sized_table, table, Href};

/// The query parameter of the quadrant filter (`hq=明星`; absent or unknown: every product).
pub(crate) const FILTER: &str = "hq";

/// The products table's id (`s_health`, `p_health`, `#t-health`).
const TABLE: &str = "health";

/// Rows per page of the products table.
const PAGE_SIZE: usize = 20;

/// The six quadrants in priority (and display) order, with their chart colours.
pub(crate) const QUADRANTS: [(&str, &str); 6] = [
    ("策略引流", "#8b5cf6"),
    ("明星", "#10b981"),
    ("畅销", "#f97316"),
    ("潜力", "#3b82f6"),
    ("自然引流", "#eab308"),
    ("低效", "#94a3b8"),
];

/// `health.products` (`storeboard_analytics::today::health::HealthProduct`), every field, in
/// the sheet's order.
pub(crate) const PRODUCTS: &[Column] = &[
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text).product(),
    col("category", "分类", "一级分类", Kind::Text),
    col("quadrant", "象限", "本期象限", Kind::Text),
    same("previous_quadrant", "上期象限", Kind::Text),
    same("quantity", "销量", Kind::Qty),
    same("orders", "订单数", Kind::Int),
    same("sales", "销售额", Kind::Money),
    col("cost", "成本", "商品成本", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    same("unit_price", "实收单价", Kind::Money),
    same("unit_cost", "单品成本", Kind::Money),
    same("unit_profit", "单品利润", Kind::Money),
    same("activity", "动销指数", Kind::Num),
    col(
        "margin_threshold",
        "品类利润率线",
        "品类利润率中位数(%)",
        Kind::Pct,
    ),
];

/// The product columns the page shows.
pub(crate) const PRODUCTS_PAGE: &[&str] = &[
    "name",
    "category",
    "quadrant",
    "previous_quadrant",
    "quantity",
    "orders",
    "sales",
    "profit",
    "margin_pct",
    "unit_price",
    "unit_cost",
    "activity",
];

/// `health.migration`, on the page (under the Sankey) and in the sheet.
pub(crate) const MIGRATION: &[Column] = &[
    same("from", "上期象限", Kind::Text),
    same("to", "本期象限", Kind::Text),
    same("count", "商品数", Kind::Int),
];

/// The node of quadrant `name` on the Sankey's left (the 30 days before) or right side.
fn node(previous: bool, name: &str) -> String {
    format!("{}·{name}", if previous { "上期" } else { "本期" })
}

/// The colour of a quadrant (grey for an unknown name).
fn color(name: &str) -> &'static str {
    QUADRANTS
        .iter()
        .find(|(q, _)| *q == name)
        .map_or("#94a3b8", |(_, c)| c)
}

/// The change of a quadrant's count is good news for 明星, 畅销 and 潜力, bad news for 策略引流
/// (more subsidised products) and 低效, neither for 自然引流.
fn change_class(name: &str, change: i64) -> &'static str {
    match (name, change.signum()) {
        (_, 0) | ("自然引流", _) => "flat",
        ("明星" | "畅销" | "潜力", 1) | ("策略引流" | "低效", -1) => "good",
        _ => "bad",
    }
}

/// The section's context, `null` when the answer has no health (an empty period).
pub(crate) fn view(health: Option<&Value>, q: &ViewQuery, href: Href<'_>) -> Value {
    let Some(h) = health.filter(|h| h.is_object()) else {
        return Value::Null;
    };
    let active = q
        .get(FILTER)
        .filter(|f| QUADRANTS.iter().any(|(name, _)| name == f));
    let filter_href = |value: &str| href.to(&q.with(FILTER, value).with(&format!("p_{TABLE}"), ""));
    let products = arr(h, "products");
    let rows: Vec<Value> = products
        .iter()
        .filter(|p| active.is_none() || p.get("quadrant").and_then(Value::as_str) == active)
        .cloned()
        .collect();
    let mut filters = vec![json!({"label": "全部", "count": products.len(),
                                  "active": active.is_none(), "href": filter_href("")})];
    filters.extend(QUADRANTS.iter().map(|(name, _)| {
        let count = products
            .iter()
            .filter(|p| p.get("quadrant").and_then(Value::as_str) == Some(*name))
            .count();
        json!({"label": name, "count": count, "active": active == Some(*name),
               "href": filter_href(name)})
    }));
    let migration = arr(h, "migration");
    json!({
        "from": h.get("from"),
        "to": h.get("to"),
        "previous_from": h.get("previous_period").and_then(|p| p.get("from")),
        "previous_to": h.get("previous_period").and_then(|p| p.get("to")),
        "tiles": tiles(h, &filter_href, active),
        "filters": filters,
        "filter": active,
        "products": sized_table(TABLE, &pick(PRODUCTS, PRODUCTS_PAGE), &rows, PAGE_SIZE, q, href),
        "migration": table("health_migration", MIGRATION, migration, q, href),
        "charts": {
            "sankey": migration.iter().any(|m| count(m) > 0).then(|| chart(sankey(h))),
            "weekly": (!arr(h, "weekly").is_empty()).then(|| chart(weekly(h))),
        },
    })
}

fn count(v: &Value) -> u64 {
    v.get("count").and_then(Value::as_u64).unwrap_or(0)
}

/// One tile per quadrant of `quadrants`: its count and sales, its advice, and the change of its
/// count against the same quadrant in `previous` (none when nothing sold in the window before:
/// every quadrant would only "grow" from zero).
fn tiles(h: &Value, filter_href: &dyn Fn(&str) -> String, active: Option<&str>) -> Vec<Value> {
    let previous = arr(h, "previous");
    let previous = if previous.iter().any(|p| count(p) > 0) {
        previous
    } else {
        &[]
    };
    arr(h, "quadrants")
        .iter()
        .map(|q| {
            let name = q.get("name").and_then(Value::as_str).unwrap_or_default();
            let now = count(q);
            let before = previous
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
                .map(count);
            let change = before.map(|b| now as i64 - b as i64);
            let change_text = match change {
                None => "上期无数据".to_owned(),
                Some(0) => "较上期 持平".to_owned(),
                Some(c) => format!("较上期 {c:+}"),
            };
            json!({
                "name": name,
                "emoji": q.get("emoji"),
                "advice": q.get("advice"),
                "count": now,
                "sales": format::money(q.get("sales").and_then(Value::as_f64)),
                "previous": before,
                "change": change_text,
                "change_class": change.map_or("flat", |c| change_class(name, c)),
                "href": filter_href(name),
                "active": active == Some(name),
            })
        })
        .collect()
}

/// 象限迁移: a Sankey from the 30 days before (`上期·明星`) to the 30 days (`本期·明星`), one
/// link per non-zero pair of `migration`, its value the products that moved.
pub(crate) fn sankey(h: &Value) -> Value {
    let links: Vec<(&str, &str, u64)> = arr(h, "migration")
        .iter()
        .filter_map(|m| {
            let from = m.get("from").and_then(Value::as_str)?;
            let to = m.get("to").and_then(Value::as_str)?;
            Some((from, to, count(m))).filter(|l| l.2 > 0)
        })
        .collect();
    // Nodes in quadrant order on each side, only those a link touches.
    let mut nodes = Vec::new();
    for previous in [true, false] {
        for (name, colour) in QUADRANTS {
            let used = links.iter().any(
                |(from, to, _)| {
                    if previous {
                        *from == name
                    } else {
                        *to == name
                    }
                },
            );
            if used {
                nodes.push(json!({"name": node(previous, name), "itemStyle": {"color": colour}}));
            }
        }
    }
    // A quadrant name the dashboard does not know still gets its nodes.
    for (from, to, _) in &links {
        for (previous, name) in [(true, *from), (false, *to)] {
            let n = node(previous, name);
            if !nodes.iter().any(|v| v["name"] == n.as_str()) {
                nodes.push(json!({"name": n, "itemStyle": {"color": color(name)}}));
            }
        }
    }
    let links: Vec<Value> = links
        .iter()
        .map(|(from, to, n)| {
            json!({"source": node(true, from), "target": node(false, to), "value": n})
        })
        .collect();
    json!({
        "title": {"text": "象限迁移(上期 → 本期)", "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item", "triggerOn": "mousemove"},
        "series": [{
            "type": "sankey",
            "name": "象限迁移",
            "sbFormat": "int",
            "left": 16, "right": 96, "top": 44, "bottom": 16,
            "nodeAlign": "justify",
            "layoutIterations": 0,
            "emphasis": {"focus": "adjacency"},
            "lineStyle": {"color": "gradient", "curveness": 0.5, "opacity": 0.4},
            "label": {"fontSize": 12},
            "data": nodes,
            "links": links,
        }],
    })
}

/// 象限周趋势: per quadrant, its count in each 7-day block (oldest first).
pub(crate) fn weekly(h: &Value) -> Value {
    let weeks = arr(h, "weekly");
    let label = |w: &Value, key: &str| {
        w.get(key)
            .and_then(Value::as_str)
            .map(|d| d.get(5..).unwrap_or(d).to_owned())
            .unwrap_or_default()
    };
    let series: Vec<Value> = QUADRANTS
        .iter()
        .enumerate()
        .map(|(i, (name, colour))| {
            let data: Vec<Value> = weeks
                .iter()
                .map(|w| {
                    w.get("counts")
                        .and_then(|c| c.get(i))
                        .cloned()
                        .unwrap_or(Value::Null)
                })
                .collect();
            json!({"name": name, "type": "line", "sbFormat": "int", "color": colour, "data": data})
        })
        .collect();
    merge(
        base("象限周趋势(商品数)"),
        json!({
            "xAxis": {"type": "category",
                      "data": weeks.iter().map(|w| format!("{}–{}", label(w, "from"), label(w, "to"))).collect::<Vec<_>>()},
            "yAxis": {"type": "value", "name": "商品数", "minInterval": 1},
            "tooltip": {"trigger": "axis"},
            "series": series,
        }),
    )
}

/// A `health` object for the view's and the export's tests.
#[cfg(test)]
pub(crate) mod sample {
    use serde_json::{json, Value};

    use super::QUADRANTS;

    fn quadrant(name: &str, count: u64, sales: f64) -> Value {
        json!({"name": name, "emoji": "🌟", "advice": format!("{name}的建议"), "count": count, "sales": sales})
    }

    fn product(key: &str, quadrant: &str, previous: Option<&str>) -> Value {
        json!({"key": key, "name": format!("商品{key}"), "category": "饮料", "quantity": 12.0,
               "orders": 9, "sales": 120.5, "cost": 80.0, "profit": 40.5, "margin_pct": 33.6,
               "unit_price": 10.04, "unit_cost": 6.67, "unit_profit": 3.38, "activity": 0.72,
               "margin_threshold": 30.0, "quadrant": quadrant, "previous_quadrant": previous})
    }

    /// A hand-made `health` object: five products, three non-zero migrations, two weeks.
    pub(crate) fn health() -> Value {
        let names = QUADRANTS.map(|(n, _)| n);
        json!({
            "from": "2026-10-29", "to": "2026-11-27",
            "previous_period": {"from": "2026-09-29", "to": "2026-10-28"},
            "quadrants": names.iter().zip([1, 2, 0, 1, 0, 1]).map(|(n, c)| quadrant(n, c, 100.0 * c as f64)).collect::<Vec<_>>(),
            "previous": names.iter().zip([0, 3, 0, 1, 1, 0]).map(|(n, c)| quadrant(n, c, 50.0)).collect::<Vec<_>>(),
            "migration": [
                {"from": "明星", "to": "明星", "count": 2},
                {"from": "潜力", "to": "策略引流", "count": 1},
                {"from": "自然引流", "to": "低效", "count": 1},
                {"from": "明星", "to": "潜力", "count": 0},
            ],
            "weekly": [
                {"from": "2026-11-14", "to": "2026-11-20", "counts": [1, 2, 0, 0, 0, 3]},
                {"from": "2026-11-21", "to": "2026-11-27", "counts": [0, 2, 1, 0, 0, 2]},
            ],
            "products": [
                product("1", "明星", Some("明星")),
                product("2", "策略引流", Some("潜力")),
                product("3", "明星", Some("明星")),
                product("4", "潜力", None),
                product("5", "低效", Some("自然引流")),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::sample::health;
    use super::*;

    fn render(query: &str) -> Value {
        view(Some(&health()), &ViewQuery::parse(query), Href::encoded())
    }

    fn first_cells(table: &Value) -> Vec<String> {
        table["rows"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|r| r[0]["text"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn the_quadrant_filter_keeps_only_that_quadrants_rows() {
        let stars = render("hq=明星");
        assert_eq!(first_cells(&stars["products"]), ["商品1", "商品3"]);
        assert_eq!(stars["products"]["total"], 2);
        assert_eq!(stars["filter"], "明星");
        let active: Vec<&Value> = stars["filters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["active"] == true)
            .collect();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0]["label"], "明星");
        assert_eq!(active[0]["count"], 2);
        // The quadrant column says so on every row.
        let quadrant_column = stars["products"]["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r[2]["text"].clone())
            .collect::<Vec<_>>();
        assert_eq!(quadrant_column, [json!("明星"), json!("明星")]);
    }

    #[test]
    fn without_a_filter_or_with_an_unknown_one_every_product_is_listed() {
        for query in ["", "hq=淘汰"] {
            let all = render(query);
            assert_eq!(all["products"]["total"], 5, "{query}");
            assert_eq!(all["filter"], Value::Null, "{query}");
            assert_eq!(all["filters"][0]["label"], "全部");
            assert_eq!(all["filters"][0]["active"], true);
        }
    }

    #[test]
    fn filter_links_keep_the_other_parameters_and_go_back_to_the_first_page() {
        let view = render("store=A&p_health=2&s_health=sales.asc");
        let star = &view["filters"][2];
        assert_eq!(star["label"], "明星");
        let link = star["href"].as_str().unwrap_or_default();
        let q = ViewQuery::parse(link.trim_start_matches('?'));
        assert_eq!(q.get("hq"), Some("明星"));
        assert_eq!(q.get("store"), Some("A"));
        assert_eq!(q.get("s_health"), Some("sales.asc"));
        assert_eq!(q.get("p_health"), None);
        let all = ViewQuery::parse(
            view["filters"][0]["href"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('?'),
        );
        assert_eq!(all.get("hq"), None);
    }

    #[test]
    fn the_sankey_links_sum_to_the_migration_counts_and_skip_zero_pairs() {
        let h = health();
        let option = sankey(&h);
        let series = &option["series"][0];
        assert_eq!(series["type"], "sankey");
        let links = series["links"].as_array().cloned().unwrap_or_default();
        assert_eq!(links.len(), 3, "the zero pair is left out");
        let total: u64 = links.iter().filter_map(|l| l["value"].as_u64()).sum();
        let expected: u64 = arr(&h, "migration").iter().map(count).sum();
        assert_eq!(total, expected);
        assert_eq!(links[0]["source"], "上期·明星");
        assert_eq!(links[0]["target"], "本期·明星");
        // Every link's ends are nodes, and the two sides never share a node.
        let nodes: Vec<&str> = series["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["name"].as_str())
            .collect();
        assert_eq!(
            nodes,
            [
                "上期·明星",
                "上期·潜力",
                "上期·自然引流",
                "本期·策略引流",
                "本期·明星",
                "本期·低效"
            ]
        );
        for l in &links {
            for end in ["source", "target"] {
                assert!(nodes.contains(&l[end].as_str().unwrap_or_default()), "{l}");
            }
        }
    }

    #[test]
    fn the_tiles_show_count_sales_advice_and_the_change_against_the_previous_window() {
        let v = render("");
        let tiles = v["tiles"].as_array().cloned().unwrap_or_default();
        assert_eq!(tiles.len(), 6);
        let by_name = |n: &str| {
            tiles
                .iter()
                .find(|t| t["name"] == n)
                .cloned()
                .unwrap_or_default()
        };
        let star = by_name("明星");
        assert_eq!(
            (star["count"].clone(), star["previous"].clone()),
            (json!(2), json!(3))
        );
        assert_eq!(star["change"], "较上期 -1");
        assert_eq!(star["change_class"], "bad");
        assert_eq!(star["sales"], "¥200.00");
        assert_eq!(star["advice"], "明星的建议");
        let lead = by_name("策略引流");
        assert_eq!(lead["change"], "较上期 +1");
        assert_eq!(lead["change_class"], "bad", "more subsidised products");
        let weak = by_name("低效");
        assert_eq!(weak["change"], "较上期 +1");
        let potential = by_name("潜力");
        assert_eq!(potential["change"], "较上期 持平");
        assert_eq!(potential["change_class"], "flat");
        assert_eq!(by_name("自然引流")["change"], "较上期 -1");
    }

    #[test]
    fn a_window_before_without_sales_shows_no_change() {
        let mut h = health();
        for p in h["previous"].as_array_mut().into_iter().flatten() {
            p["count"] = json!(0);
        }
        let v = view(Some(&h), &ViewQuery::default(), Href::encoded());
        assert_eq!(v["tiles"][1]["change"], "上期无数据");
        assert_eq!(v["tiles"][1]["previous"], Value::Null);
        assert_eq!(v["tiles"][1]["change_class"], "flat");
    }

    #[test]
    fn the_weekly_chart_has_one_series_per_quadrant_and_one_point_per_week() {
        let option = weekly(&health());
        assert_eq!(
            option["xAxis"]["data"],
            json!(["11-14–11-20", "11-21–11-27"])
        );
        let series = option["series"].as_array().cloned().unwrap_or_default();
        assert_eq!(series.len(), 6);
        assert_eq!(series[0]["name"], "策略引流");
        assert_eq!(series[5]["data"], json!([3, 2]));
        assert_eq!(series[2]["type"], "line");
    }

    #[test]
    fn an_empty_period_has_no_section_and_no_migration_has_no_sankey() {
        let q = ViewQuery::default();
        let href = Href::encoded();
        assert_eq!(view(None, &q, href), Value::Null);
        assert_eq!(view(Some(&Value::Null), &q, href), Value::Null);
        let mut h = health();
        h["migration"] = json!([{"from": "明星", "to": "明星", "count": 0}]);
        let v = view(Some(&h), &q, href);
        assert_eq!(v["charts"]["sankey"], Value::Null);
        assert!(v["charts"]["weekly"].is_string());
        assert_eq!(v["migration"]["total"], 1);
    }

    #[test]
    fn every_column_names_a_field_of_the_answer() {
        use crate::columns::contract::{assert_fields, assert_picked};
        use crate::export::testkit::rendered_tab;
        use storeboard_analytics::today::health::{Migration, Quadrant};
        use storeboard_tabs::Tab;

        let json = rendered_tab(Tab::Today);
        let h = &json["health"];
        assert_fields("health.products", PRODUCTS, arr(h, "products"));
        // The template's one week has no window before it: a pair as the analytics serialise it.
        let pair = Migration {
            from: Quadrant::Star,
            to: Quadrant::Lead,
            count: 1,
        };
        let pair = serde_json::to_value(pair).expect("serialises");
        assert_fields("health.migration", MIGRATION, &[pair]);
        assert_picked("health products", PRODUCTS, PRODUCTS_PAGE);
        // The rendered answer's tiles and charts build without a shape surprise.
        let v = view(Some(h), &ViewQuery::default(), Href::encoded());
        assert_eq!(v["tiles"].as_array().map(Vec::len), Some(6));
    }
}
