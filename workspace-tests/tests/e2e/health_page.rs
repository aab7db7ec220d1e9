//! 🩺 商品健康 on 今日必做, on the real application: the section, its six tiles against the JSON
//! API's quadrant counts, the migration Sankey and the weekly chart, the quadrant filter over
//! the products table, and the four sheets of the today export.
//!
//! The data: one store over 60 days (2026-09-09 … 11-07), so that both 30-day windows have
//! sales and products move between them.

use chrono::Duration;
use serde_json::Value;
use storeboard_fixtures as fx;

use crate::dashboard::{api, charts, day, html, int, query, text_after, unescape, TO};
use crate::dashboard_export::sheets;
use crate::support::app::{AppServer, Part};

/// The store of this file.
const STORE: &str = "健康测试店";

/// The six quadrants in display order.
const QUADRANTS: [&str; 6] = ["策略引流", "明星", "畅销", "潜力", "自然引流", "低效"];

/// A server with [`STORE`]'s 60 days uploaded.
fn sixty_days() -> AppServer {
    let server = AppServer::start();
    let spec = fx::ExportSpec {
        stores: vec![STORE.to_owned()],
        start: day(TO) - Duration::days(59),
        days: 60,
        orders_per_store_day: 10,
        seed: 12,
        ..fx::ExportSpec::default()
    };
    let records = server.upload_ok(&[Part::file("六十天.xlsx", fx::xlsx_bytes(&spec))]);
    assert_eq!(records[0]["report"]["rejected_lines"], 0, "{}", records[0]);
    server
}

fn count(v: &Value) -> u64 {
    v["count"]
        .as_u64()
        .unwrap_or_else(|| panic!("no count in {v}"))
}

/// The cells of the body rows of the table `#t-{id}`, tags stripped, unescaped.
fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let marker = format!("id=\"t-{id}\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &html[start..];
    let body = &rest[rest.find("<tbody>").expect("a body")..rest.find("</tbody>").expect("an end")];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').map_or(0, |i| i + 1)..];
                    let inner = inner[..inner.find("</td>").unwrap_or(inner.len())].trim();
                    // A product's name is a link to its page: the cell's text is the link's.
                    unescape(&without_tags(inner))
                })
                .collect()
        })
        .collect()
}

/// `html` without its tags.
fn without_tags(html: &str) -> String {
    html.split('<')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once('>').map_or("", |(_, text)| text)
            }
        })
        .collect()
}

#[test]
fn the_health_section_shows_the_api_quadrant_counts_a_sankey_and_the_weekly_trend() {
    let server = sixty_days();
    let q = query(&[("store", STORE)]);
    let json = api(&server, "today", &q);
    let health = &json["health"];
    assert!(health.is_object(), "no health in {json}");
    let page = html(&server, &format!("/tabs/today{q}"));
    assert!(page.contains("🩺 商品健康"), "no section");
    assert!(page.contains("id=\"health\""));
    let from = health["from"].as_str().unwrap_or_default();
    let to = health["to"].as_str().unwrap_or_default();
    assert!(
        page.contains(&format!("近30天 {from} 至 {to}")),
        "the period"
    );
    let previous_from = health["previous_period"]["from"]
        .as_str()
        .unwrap_or_default();
    assert!(page.contains(&format!("对比上期 {previous_from} 至")));

    let quadrants = health["quadrants"].as_array().expect("quadrants");
    let names: Vec<&str> = quadrants
        .iter()
        .filter_map(|q| q["name"].as_str())
        .collect();
    assert_eq!(names, QUADRANTS);
    for quadrant in quadrants {
        let name = quadrant["name"].as_str().unwrap_or_default();
        let tile = format!("data-health-tile=\"{name}\"");
        assert_eq!(
            text_after(&page, &tile, "<div class=\"value\">"),
            int(count(quadrant) as f64),
            "tile {name}"
        );
        let advice = quadrant["advice"].as_str().unwrap_or_default();
        assert!(
            unescape(&page).contains(advice),
            "the advice of {name}: {advice}"
        );
    }
    let total: u64 = quadrants.iter().map(count).sum();
    assert_eq!(
        total as usize,
        health["products"].as_array().map_or(0, Vec::len)
    );

    let migration = health["migration"].as_array().expect("migration");
    assert!(!migration.is_empty(), "products sold in both windows");
    let drawn = charts(&page);
    let sankey = &drawn.get("象限迁移").expect("the Sankey")["series"][0];
    assert_eq!(sankey["type"], "sankey");
    let links = sankey["links"].as_array().expect("links");
    assert_eq!(
        links
            .iter()
            .filter_map(|l| l["value"].as_u64())
            .sum::<u64>(),
        migration.iter().map(count).sum::<u64>()
    );
    for link in links {
        assert!(
            link["source"]
                .as_str()
                .unwrap_or_default()
                .starts_with("上期·"),
            "{link}"
        );
        assert!(
            link["target"]
                .as_str()
                .unwrap_or_default()
                .starts_with("本期·"),
            "{link}"
        );
    }
    assert_eq!(
        table_rows(&page, "health_migration").len(),
        migration.len(),
        "the migration's table behind the chart"
    );
    let weekly = drawn.get("象限周趋势").expect("the weekly trend");
    assert_eq!(weekly["series"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        weekly["xAxis"]["data"].as_array().map(Vec::len),
        health["weekly"].as_array().map(Vec::len)
    );
}

#[test]
fn the_quadrant_filter_narrows_the_products_table_to_one_quadrant() {
    let server = sixty_days();
    let q = query(&[("store", STORE)]);
    let json = api(&server, "today", &q);
    let products = json["health"]["products"].as_array().expect("products");
    // The quadrant with the most products, and the names of its products.
    let (name, expected) = QUADRANTS
        .iter()
        .map(|name| {
            let names: Vec<&str> = products
                .iter()
                .filter(|p| p["quadrant"] == *name)
                .filter_map(|p| p["name"].as_str())
                .collect();
            (*name, names)
        })
        .max_by_key(|(_, names)| names.len())
        .expect("six quadrants");
    assert!(!expected.is_empty());

    let all = html(&server, &format!("/tabs/today{q}"));
    assert!(all.contains(&format!("data-health-filter=\"{name}\"")));
    let filtered = html(
        &server,
        &format!(
            "/tabs/today{q}&hq={}",
            crate::support::app::encode_segment(name)
        ),
    );
    let rows = table_rows(&filtered, "health");
    assert!(!rows.is_empty());
    assert!(rows.len() <= 20, "one page");
    for row in &rows {
        assert_eq!(row[2], name, "{row:?}");
        assert!(expected.contains(&row[0].as_str()), "{row:?}");
    }
    if expected.len() <= 20 {
        assert_eq!(rows.len(), expected.len());
    } else {
        assert!(filtered.contains(&format!("共 {} 行", int(expected.len() as f64))));
    }
    // Unfiltered, the table counts every product.
    if products.len() > 20 {
        assert!(all.contains(&format!("共 {} 行", int(products.len() as f64))));
    }
}

#[test]
fn the_today_export_ends_with_the_four_health_sheets() {
    let server = sixty_days();
    let q = query(&[("store", STORE)]);
    let json = api(&server, "today", &q);
    let health = &json["health"];
    let reply = server.fetch(&format!("/export/today.xlsx{q}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let book = sheets(&reply.body);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names[names.len() - 4..],
        ["商品健康", "健康商品明细", "象限迁移", "象限周趋势"]
    );
    let sheet = |name: &str| &book.iter().find(|(n, _)| n == name).expect("a sheet").1;
    let products = health["products"].as_array().map_or(0, Vec::len);
    assert_eq!(
        sheet("健康商品明细").height(),
        products + 1,
        "every product"
    );
    assert_eq!(
        sheet("象限迁移").height(),
        health["migration"].as_array().map_or(0, Vec::len) + 1
    );
    assert_eq!(
        sheet("象限周趋势").height(),
        health["weekly"].as_array().map_or(0, Vec::len) + 1
    );
    // 商品健康: the header at row 6, then the six quadrants with their counts.
    let summary = sheet("商品健康");
    for (i, quadrant) in health["quadrants"]
        .as_array()
        .expect("quadrants")
        .iter()
        .enumerate()
    {
        let row = 7 + i as u32;
        let name = summary.get_value((row, 0)).map(ToString::to_string);
        assert_eq!(name.as_deref(), quadrant["name"].as_str());
        let n = summary.get_value((row, 2)).and_then(|c| match c {
            calamine::Data::Float(x) => Some(*x),
            calamine::Data::Int(x) => Some(*x as f64),
            _ => None,
        });
        assert_eq!(n, Some(count(quadrant) as f64), "{quadrant}");
    }
}
