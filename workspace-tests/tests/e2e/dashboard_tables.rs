//! The dashboard's numbers and tables on the real application: KPIs, table rows and card
//! counts equal the JSON API's figures for the same query, formatted for the page; sorting and
//! pagination on the server; escaping of user text; filters that belong to one request; the
//! 数据管理 tab's stores, history, reports and deletion.

use std::thread;

use serde_json::Value;

use crate::dashboard::{
    api, charts, html, int, money, query, seeded, text_after, unescape, A, B, C, FROM, SCRIPT, TO,
};
use crate::support::app::{encode_segment, Api};

/// The body rows of the first table after `marker` (`id="t-products"`, `id="stores"`), each
/// cell's text without tags, unescaped.
fn rows(html: &str, marker: &str) -> Vec<Vec<String>> {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker:?}"));
    let rest = &html[start..];
    let body = rest
        .find("<tbody>")
        .unwrap_or_else(|| panic!("no body after {marker:?}"));
    let end = rest.find("</tbody>").unwrap_or(rest.len());
    rest[body..end]
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').map_or(0, |i| i + 1)..];
                    let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
                    unescape(&strip_tags(inner)).trim().to_owned()
                })
                .collect()
        })
        .collect()
}

fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn column(rows: &[Vec<String>], i: usize) -> Vec<String> {
    rows.iter().map(|r| r[i].clone()).collect()
}

fn list<'a>(json: &'a Value, key: &str) -> &'a [Value] {
    json[key].as_array().map_or(&[], Vec::as_slice)
}

fn f(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} of {v} is not a number"))
}

fn period(store: Option<&str>) -> String {
    match store {
        Some(s) => query(&[("store", s), ("from", FROM), ("to", TO)]),
        None => query(&[("from", FROM), ("to", TO)]),
    }
}

#[test]
fn overview_kpis_and_channel_rows_are_the_api_figures_formatted() {
    let (server, _) = seeded();
    for store in [Some(A), Some(B), None] {
        let q = period(store);
        let json = api(&server, "overview", &q);
        let page = html(&server, &format!("/tabs/overview{q}"));
        let kpi = |key: &str| {
            text_after(
                &page,
                &format!("data-kpi=\"{key}\""),
                "<div class=\"value\">",
            )
        };
        let k = &json["kpis"];
        assert!(f(&k["orders"], "value") > 0.0, "{q}: no orders");
        assert_eq!(
            kpi("orders"),
            int(f(&k["orders"], "value")),
            "{q}: 订单总数"
        );
        assert_eq!(
            kpi("sales"),
            money(f(&k["sales"], "value")),
            "{q}: 商品实收额"
        );
        assert_eq!(
            kpi("profit"),
            money(f(&k["profit"], "value")),
            "{q}: 总利润"
        );
        assert_eq!(
            kpi("avg_order_value"),
            money(f(&k["avg_order_value"], "value")),
            "{q}"
        );
        let shown = rows(&page, "id=\"t-channels\"");
        let channels = list(&json, "channels");
        assert_eq!(shown.len(), channels.len(), "{q}");
        for (row, ch) in shown.iter().zip(channels) {
            assert_eq!(row[0], ch["channel"].as_str().unwrap_or_default(), "{q}");
            assert_eq!(row[1], int(f(ch, "orders")), "{q}: {ch}");
            assert_eq!(row[2], money(f(ch, "sales")), "{q}: {ch}");
        }
    }
}

#[test]
fn product_slot_and_card_figures_are_the_api_figures_formatted() {
    let (server, _) = seeded();
    let q = period(Some(A));
    let json = api(&server, "products", &q);
    let shown = rows(
        &html(&server, &format!("/tabs/products{q}")),
        "id=\"t-products\"",
    );
    let products = list(&json, "products");
    assert_eq!(
        shown.len(),
        50,
        "the first page of {} products",
        products.len()
    );
    for (row, p) in shown.iter().zip(products) {
        assert_eq!(row[0], p["name"].as_str().unwrap_or_default());
        assert_eq!(row[3], money(f(p, "sales")), "{p}");
    }

    let json = api(&server, "timeslots", &q);
    let shown = rows(
        &html(&server, &format!("/tabs/timeslots{q}")),
        "id=\"t-slots\"",
    );
    let slots = list(&json, "slots");
    assert!(!slots.is_empty());
    assert_eq!(shown.len(), slots.len());
    for (row, s) in shown.iter().zip(slots) {
        assert_eq!(row[0], s["slot"].as_str().unwrap_or_default());
        assert_eq!(row[2], int(f(s, "orders")), "{s}");
    }

    let json = api(&server, "today", &q);
    let page = html(&server, &format!("/tabs/today{q}"));
    let cards = list(&json, "cards");
    assert!(cards.len() >= 5, "{json}");
    for card in cards {
        let key = card["key"].as_str().unwrap_or_default();
        let count = text_after(
            &page,
            &format!("href=\"#card-{key}\""),
            "<span class=\"count\">",
        );
        assert_eq!(count, int(f(card, "count")), "card {key}");
    }
}

#[test]
fn products_sort_ascending_by_sales_and_paginate_fifty_rows_at_a_time() {
    let (server, _) = seeded();
    let q = period(Some(A));
    let products = api(&server, "products", &q)["products"].clone();
    let products = products.as_array().expect("products");
    let total = products.len();
    assert!(total > 100, "{total} products: need three pages");
    let pages = total.div_ceil(50);

    let page = html(&server, &format!("/tabs/products{q}&s_products=sales.asc"));
    let mut sales: Vec<f64> = products.iter().map(|p| f(p, "sales")).collect();
    sales.sort_by(f64::total_cmp);
    let expected: Vec<String> = sales.iter().take(50).map(|s| money(*s)).collect();
    assert_eq!(column(&rows(&page, "id=\"t-products\""), 3), expected);
    assert!(
        page.contains("aria-sort=\"ascending\""),
        "the sorted header is marked"
    );

    let first = html(&server, &format!("/tabs/products{q}"));
    assert!(first.contains(&format!("<span class=\"page\">1 / {pages}</span>")));
    let second = html(&server, &format!("/tabs/products{q}&p_products=2"));
    let names = |from: usize, to: usize| -> Vec<String> {
        products[from..to]
            .iter()
            .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        column(&rows(&second, "id=\"t-products\""), 0),
        names(50, 100)
    );
    assert!(
        second.contains(&format!("第 51–100 行,共 {total} 行")),
        "the pager"
    );
    assert!(second.contains(&format!("<span class=\"page\">2 / {pages}</span>")));
    let links = crate::dashboard::attrs(&second, "hx-get");
    assert!(links.iter().any(|l| l.contains("p_products=1")), "上一页");
    assert!(links.iter().any(|l| l.contains("p_products=3")), "下一页");

    for past in ["999", "0", "x"] {
        let page = html(&server, &format!("/tabs/products{q}&p_products={past}"));
        let (want_page, want_rows) = if past == "999" {
            (pages, names((pages - 1) * 50, total))
        } else {
            (1, names(0, 50))
        };
        assert_eq!(
            column(&rows(&page, "id=\"t-products\""), 0),
            want_rows,
            "p={past}"
        );
        assert!(page.contains(&format!(
            "<span class=\"page\">{want_page} / {pages}</span>"
        )));
    }
}

#[test]
fn a_product_named_like_a_script_is_shown_as_text_and_never_as_markup() {
    let (server, _) = seeded();
    let q = period(Some(C));
    let path = format!("/tabs/products{q}&s_products=name.asc");
    let body = html(&server, &path);
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{body}"
    );
    assert!(!body.contains("<script"), "{path} holds a raw script tag");
    assert_eq!(
        rows(&body, "id=\"t-products\"")[0][0],
        SCRIPT,
        "'<' sorts first"
    );
    let scatter = charts(&body)["商品四象限"].to_string();
    assert!(
        scatter.contains(&serde_json::to_string(SCRIPT).expect("JSON")),
        "{scatter}"
    );
    // The page with the same tab: only its own three script tags.
    let page = html(&server, &format!("/{q}&tab=products&s_products=name.asc"));
    assert_eq!(page.matches("<script").count(), 3, "{page}");
    assert!(!page.contains(SCRIPT));
}

#[test]
fn interleaved_requests_for_different_stores_each_get_their_own_numbers() {
    let (server, _) = seeded();
    let expected: Vec<(String, String)> = [A, B]
        .iter()
        .map(|s| {
            let q = period(Some(s));
            let sales = f(&api(&server, "overview", &q)["kpis"]["sales"], "value");
            (q, money(sales))
        })
        .collect();
    assert_ne!(expected[0].1, expected[1].1, "the two stores must differ");
    let sales_of = |api: &Api, q: &str| {
        let page = html(api, &format!("/tabs/overview{q}"));
        text_after(&page, "data-kpi=\"sales\"", "<div class=\"value\">")
    };
    // One after the other, alternating stores.
    for round in 0..4 {
        for (q, want) in &expected {
            assert_eq!(&sales_of(&server, q), want, "{q}, round {round}");
        }
    }
    // At the same time, from two threads.
    thread::scope(|scope| {
        for (q, want) in &expected {
            let api: Api = (*server).clone();
            let sales_of = &sales_of;
            scope.spawn(move || {
                for round in 0..12 {
                    let shown = sales_of(&api, q);
                    assert_eq!(&shown, want, "{q}, concurrent round {round}");
                }
            });
        }
    });
}

#[test]
fn data_tab_lists_stores_history_and_reports_and_forgets_a_deleted_store() {
    let (server, records) = seeded();
    let page = html(&server, "/tabs/data");
    let stores = server.stores();
    let expected: Vec<Vec<String>> = stores
        .as_array()
        .expect("stores")
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
            vec![
                text("name"),
                int(f(s, "lines")),
                int(f(s, "orders")),
                text("first_day"),
                text("last_day"),
                "删除".to_owned(),
            ]
        })
        .collect();
    assert_eq!(expected.len(), 3);
    assert_eq!(rows(&page, "id=\"stores\""), expected);
    let history = rows(&page, "id=\"history\"");
    assert_eq!(
        column(&history, 1),
        ["三号店.xlsx", "两店订单.xlsx"],
        "newest first"
    );
    assert_eq!(column(&history, 2), ["合并", "合并"]);
    assert_eq!(history[0][3], C);
    assert_eq!(history[1][4], int(f(&records[0], "lines")));

    for record in &records {
        let id = record["id"].as_i64().expect("an upload id");
        let page = html(&server, &format!("/tabs/data?uploads={id}"));
        let file = record["file_name"].as_str().unwrap_or_default();
        let accepted = int(f(&record["report"], "accepted_lines"));
        assert!(
            page.contains(&format!("data-upload-id=\"{id}\"")),
            "report {id}"
        );
        assert!(
            page.contains(&format!("<h3>上传结果:{}", unescape_free(file))),
            "{file}"
        );
        assert!(
            page.contains(&format!("接受 <b>{accepted}</b> 行")),
            "{file}: {accepted}"
        );
        assert_eq!(page.matches("class=\"card report\"").count(), 1);
    }

    let deleted = server.delete(&format!("/api/v1/stores/{}", encode_segment(C)));
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    let page = html(&server, "/tabs/data");
    assert_eq!(column(&rows(&page, "id=\"stores\""), 0), [A, B]);
    assert!(!page.contains(&format!("data-delete-store=\"{C}\"")));
    assert!(
        page.contains("<span class=\"pill\">2 家门店</span>"),
        "the status follows"
    );
}

/// File names of these tests have no characters the template escapes.
fn unescape_free(text: &str) -> &str {
    assert!(!text.contains(['&', '<', '>', '"', '\'', '/']), "{text}");
    text
}
