//! 商品分析 in depth (issue 14) through the real application: the paged answer's new sections
//! (`rankings.orders`, `abc`, `price_bands`, `low_turnover`, `quadrant_trend`, `migration`)
//! adding up to the products they class, the page's ranking, quadrant filter and sections, and
//! the five-sheet inventory workbook holding every row of each list.

use serde_json::Value;

use crate::dashboard::{api, html, query, seeded, FROM, TO};
use crate::dashboard_export::sheets;

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn len(v: &Value) -> usize {
    v.as_array()
        .map_or_else(|| panic!("not a list: {v}"), Vec::len)
}

#[test]
fn the_paged_answer_carries_every_new_section_and_each_adds_up() {
    let (server, _) = seeded();
    let json = api(
        &server,
        "products",
        &query(&[("from", FROM), ("to", TO), ("limit", "0")]),
    );
    let total = n(&json["total_products"]);
    assert!(total > 50, "{total}");
    // rankings.orders beside the existing fields.
    assert_eq!(json["rankings"]["orders"], json["rankings"]["by_orders"]);
    assert!(len(&json["rankings"]["orders"]) > 0);
    for field in [
        "by_sales",
        "by_profit",
        "by_margin",
        "by_quantity",
        "by_orders",
    ] {
        assert!(json["rankings"][field].is_array(), "{field}");
    }
    // ABC: the three classes hold every product and all the sales.
    let abc = &json["abc"];
    let classes = ["A", "B", "C"];
    let count: u64 = classes.iter().map(|c| n(&abc[c]["count"])).sum();
    assert_eq!(count, total);
    let share: f64 = classes
        .iter()
        .map(|c| abc[c]["sales_share"].as_f64().unwrap_or(-1.0))
        .sum();
    assert!((share - 100.0).abs() < 1e-6, "{abc}");
    assert!(abc["A"]["sales_share"].as_f64() >= Some(70.0), "{abc}");
    // Price bands: five, in order, holding every product with a unit price.
    let bands = json["price_bands"].as_array().expect("bands");
    let names: Vec<&str> = bands.iter().filter_map(|b| b["band"].as_str()).collect();
    assert_eq!(names, ["¥0-5", "¥5-10", "¥10-20", "¥20-50", "¥50+"]);
    let priced = json["products"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| !r["avg_price"].is_null())
        .count() as u64;
    assert_eq!(bands.iter().map(|b| n(&b["products"])).sum::<u64>(), priced);
    // 低周转: the whole list on a page of every row, each over 30 days (or without sales).
    let low = &json["low_turnover"];
    assert_eq!(low["threshold_days"], 30.0);
    assert_eq!(n(&low["total"]) as usize, len(&low["rows"]));
    for r in low["rows"].as_array().expect("rows") {
        assert!(
            r["turnover_days"].is_null() || r["turnover_days"].as_f64() > Some(30.0),
            "{r}"
        );
    }
    // The trend counts every product in every bucket: 7 days, weeks from Monday, one month.
    let trend = &json["quadrant_trend"];
    assert_eq!(len(&trend["day"]), 7);
    assert_eq!(len(&trend["month"]), 1);
    for g in ["day", "week", "month"] {
        for p in trend[g].as_array().expect("points") {
            let sum: u64 = ["明星", "潜力", "引流", "淘汰"]
                .iter()
                .map(|q| n(&p[q]))
                .sum();
            assert_eq!(sum, total, "{g} {p}");
        }
    }
    // Migration: 16 pairs over every product; the second half starts on day 4 (⌊7 / 2⌋ = 3).
    let m = &json["migration"];
    assert_eq!(len(&m["moves"]), 16);
    let moved: u64 = m["moves"]
        .as_array()
        .expect("moves")
        .iter()
        .map(|x| n(&x["count"]))
        .sum();
    assert_eq!(moved, total);
    assert_eq!(m["second_from"], "2026-11-04");
    assert!(json["quadrants"]["median_activity"].is_number());
}

#[test]
fn the_page_shows_the_chosen_ranking_the_quadrant_filter_and_the_sections() {
    let (server, _) = seeded();
    let q = query(&[("from", FROM), ("to", TO), ("rk", "orders"), ("top", "20")]);
    let page = html(&server, &format!("/tabs/products{q}"));
    for text in [
        "订单数 TOP 20",
        "ABC 分析",
        "价格带",
        "低周转",
        "象限趋势",
        "象限迁移",
        "分类库存清单",
        "book=inventory",
    ] {
        assert!(page.contains(text), "no {text}");
    }
    // The quadrant filter keeps only that quadrant's products in the table.
    let json = api(&server, "products", &query(&[("from", FROM), ("to", TO)]));
    let stars = json["quadrants"]["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .find(|c| c["quadrant"] == "明星")
        .map_or(0, |c| n(&c["count"]));
    let q = query(&[("from", FROM), ("to", TO), ("pq", "明星")]);
    let page = html(&server, &format!("/tabs/products{q}"));
    assert!(page.contains(&format!("明星 {stars}")), "the chip counts");
    let table = page.split("id=\"t-products\"").nth(1).unwrap_or_default();
    let table = table.split("</table>").next().unwrap_or_default();
    assert!(stars > 0, "the data has 明星 products");
    assert!(table.contains(">明星<"), "the filtered table lists them");
    for other in ["潜力", "引流", "淘汰"] {
        assert!(
            !table.contains(&format!(">{other}<")),
            "{other} in the filtered table"
        );
    }
}

#[test]
fn the_inventory_workbook_has_its_five_sheets_with_every_row() {
    let (server, _) = seeded();
    let json = api(
        &server,
        "products",
        &query(&[("from", FROM), ("to", TO), ("limit", "0")]),
    );
    let q = query(&[("from", FROM), ("to", TO), ("book", "inventory")]);
    let reply = server.fetch(&format!("/export/products.xlsx{q}"));
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-disposition")
            .contains("%E5%BA%93%E5%AD%98"),
        "_库存 in the name"
    );
    let book = sheets(&reply.body);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["缺货", "滞销", "低周转", "畅销缺货", "全部"]);
    let w = &json["inventory_warnings"];
    let want = [
        n(&w["total_out_of_stock"]),
        n(&w["total_slow_moving"]),
        n(&json["low_turnover"]["total"]),
        n(&w["total_hot_low_stock"]),
        n(&json["total_products"]),
    ];
    let rows: Vec<u64> = book
        .iter()
        .map(|(_, r)| r.height().saturating_sub(1) as u64)
        .collect();
    assert_eq!(rows, want);
}
