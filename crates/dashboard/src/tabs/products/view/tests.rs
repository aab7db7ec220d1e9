//! Unit tests of [`super`]: the product tables and the quadrant chart.
use super::*;
use serde_json::json;

/// `n` products `P0000…`, sales descending, every fourth without a margin.
fn products_tab(n: usize) -> Products {
    use storeboard_analytics::products::{InventoryWarnings, Quadrant, Quadrants, Rankings};
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid");
    let rows: Vec<ProductRow> = (0..n)
        .map(|i| ProductRow {
            key: format!("K{i:04}"),
            name: format!("P{i:04}"),
            category: "饮料".to_owned(),
            sales: (n - i) as f64,
            cost: 0.0,
            profit: 1.0,
            quantity: (i % 7) as f64,
            recent_quantity: 0.0,
            orders: 1,
            stock: Some(20.0),
            avg_price: None,
            margin_pct: (i % 4 != 0).then_some((i % 13) as f64),
            quadrant: if i % 2 == 0 {
                Quadrant::Weed
            } else {
                Quadrant::Star
            },
            activity: (i % 10) as f64 / 10.0,
            days_sold: i % 10,
            turnover_days: Some(40.0),
            abc: "A",
        })
        .collect();
    Products {
        filters: storeboard_analytics::Filters {
            store: None,
            from: day,
            to: day,
            channel: None,
            requested: None,
        },
        empty: rows.is_empty(),
        rankings: Rankings {
            by_sales: rows.iter().take(50).cloned().collect(),
            by_profit: Vec::new(),
            by_margin: Vec::new(),
            by_quantity: Vec::new(),
            by_orders: Vec::new(),
        },
        quadrants: Quadrants {
            high_margin_pct: 30.0,
            median_quantity: 3.0,
            counts: Vec::new(),
            median_activity: 0.5,
        },
        inventory_warnings: InventoryWarnings {
            out_of_stock: Vec::new(),
            slow_moving: rows.clone(),
            hot_low_stock: Vec::new(),
            quantity_p75: 5.0,
            stock_p25: None,
        },
        abc: Default::default(),
        price_bands: Vec::new(),
        low_turnover: storeboard_analytics::products::LowTurnover {
            threshold_days: 30.0,
            rows: rows.iter().take(15).cloned().collect(),
        },
        quadrant_trend: Default::default(),
        migration: None,
        products: rows,
    }
}

fn first_cells(table: &Value) -> Vec<String> {
    table["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| r[0]["text"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn product_tables_show_the_asked_page_in_the_asked_order() {
    let p = products_tab(120);
    let href = Href::encoded();
    let view = products(&p, &ViewQuery::parse("p_products=2"), href);
    let names = first_cells(&view["products"]);
    assert_eq!(names.first().map(String::as_str), Some("P0050"));
    assert_eq!(
        (names.len(), view["products"]["total"].clone()),
        (50, json!(120))
    );
    // Ascending margin, missing margins last: the lowest margins are 1 (i % 13 == 1).
    let view = products(
        &p,
        &ViewQuery::parse("s_products=margin_pct.asc&p_products=3"),
        href,
    );
    let names = first_cells(&view["products"]);
    assert_eq!(names.len(), 20);
    assert!(names
        .iter()
        .all(|n| n[1..].parse::<usize>().is_ok_and(|i| i % 4 == 0)));
    // The warning tables page on their own parameters, ten rows at a time.
    let view = products(&p, &ViewQuery::parse("p_slow_moving=12"), href);
    let warned = first_cells(&view["warnings"][1]["table"]);
    assert_eq!(
        warned,
        [
            "P0110", "P0111", "P0112", "P0113", "P0114", "P0115", "P0116", "P0117", "P0118",
            "P0119"
        ]
    );
    assert_eq!(
        view["rankings"][0]["rows"].as_array().map(Vec::len),
        Some(10)
    );
}

#[test]
fn the_quadrant_chart_shows_the_best_sellers_and_says_when_it_is_cut() {
    let href = Href::encoded();
    let points = |view: &Value| -> usize {
        let chart: Value =
            serde_json::from_str(view["chart"].as_str().unwrap_or("")).expect("JSON");
        chart["series"].as_array().map_or(0, |s| {
            s.iter()
                .map(|s| s["data"].as_array().map_or(0, Vec::len))
                .sum()
        })
    };
    let small = products(&products_tab(40), &ViewQuery::default(), href);
    assert_eq!(points(&small), 40);
    assert!(!small["chart"].as_str().unwrap_or("").contains("subtext"));
    let big = products(&products_tab(CHART_POINTS + 5), &ViewQuery::default(), href);
    assert_eq!(points(&big), CHART_POINTS);
    let text = big["chart"].as_str().unwrap_or("");
    assert!(
        text.contains(&format!("共 {} 个", CHART_POINTS + 5)),
        "{text}"
    );
}

#[test]
fn every_product_name_leads_to_its_page_with_the_views_filters() {
    let q = ViewQuery::parse("store=A&from=2026-11-01&to=2026-11-07&p_products=2");
    let view = products(&products_tab(60), &q, Href::encoded());
    let page = |key: &str| format!("/products/{key}?store=A&from=2026-11-01&to=2026-11-07");
    let cell = &view["products"]["rows"][0][0];
    assert_eq!(cell["text"], "P0050");
    assert_eq!(cell["links"][0]["href"], page("K0050"));
    assert_eq!(
        view["warnings"][1]["table"]["rows"][0][0]["links"][0]["href"],
        page("K0000")
    );
    assert_eq!(view["rankings"][0]["rows"][0]["href"], page("K0000"));
    // The chart holds the keys; the page's script puts them between the option's two parts.
    let chart: Value = serde_json::from_str(view["chart"].as_str().unwrap_or("")).expect("JSON");
    let keys: usize = chart["series"].as_array().map_or(0, |s| {
        s.iter()
            .map(|s| s["sbKeys"].as_array().map_or(0, Vec::len))
            .sum()
    });
    assert_eq!(keys, 60);
    assert_eq!(chart["series"][3]["sbKeys"][0], "K0000");
    assert_eq!(chart["sbLink"]["prefix"], "/products/");
    assert_eq!(
        chart["sbLink"]["suffix"],
        "?store=A&from=2026-11-01&to=2026-11-07"
    );
}
