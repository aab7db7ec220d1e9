//! The dashboard of the real application on `127.0.0.1:0`: the page with its tab bar, filters
//! and content-hashed assets. The tabs are tested in `dashboard_tabs.rs`, the numbers and tables
//! in `dashboard_tables.rs`, the exports in `dashboard_export.rs`.
//!
//! Shared with those and `embedded.rs`: the data — a generated export of two stores over
//! 2026-11-01..07, and a small hand-built workbook of a third store holding a product named
//! `<script>alert(1)</script>` — and helpers that read the HTML (attributes, chart options,
//! texts) and format numbers the way the page must show them.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use rust_xlsxwriter::Workbook;
use serde_json::Value;
use storeboard_fixtures as fx;

use crate::support::app::{encode_segment, Api, AppServer, Part};

/// The two stores of the generated export.
pub(crate) const A: &str = "鲜丰便利(万达店)";
pub(crate) const B: &str = "鲜丰便利(滨江店)";
/// The store of the hand-built workbook.
pub(crate) const C: &str = "三号店";
/// A product name that must never reach the page as markup.
pub(crate) const SCRIPT: &str = "<script>alert(1)</script>";
/// The period of the data.
pub(crate) const FROM: &str = "2026-11-01";
pub(crate) const TO: &str = "2026-11-07";
/// The tabs: URL name and the label on the tab bar.
pub(crate) const TABS: [(&str, &str); 6] = [
    ("today", "✅ 今日必做"),
    ("overview", "📊 订单数据概览"),
    ("products", "📦 商品分析"),
    ("timeslots", "⏰ 时段场景"),
    ("stores", "🏬 门店对比"),
    ("data", "📂 数据管理"),
];
/// The analysis tabs (everything but 数据管理).
pub(crate) const ANALYSIS: [&str; 5] = ["today", "overview", "products", "timeslots", "stores"];

/// Stores A and B, 7 days from 2026-11-01, 12 orders a day each (well over 50 products each).
pub(crate) fn two_stores() -> fx::ExportSpec {
    fx::ExportSpec {
        stores: vec![A.to_owned(), B.to_owned()],
        start: day(FROM),
        days: 7,
        orders_per_store_day: 12,
        seed: 7,
        ..fx::ExportSpec::default()
    }
}

pub(crate) fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

/// Store C on 2026-11-06 and 07, its lines generated, written by hand with a subset of the
/// columns and no codes (so the product key is the name); the first non-consumable product is
/// renamed to [`SCRIPT`]. Returns the bytes and the number of lines.
pub(crate) fn script_workbook() -> (Vec<u8>, usize) {
    let spec = fx::ExportSpec {
        stores: vec![C.to_owned()],
        start: day(TO) - Duration::days(1),
        days: 2,
        orders_per_store_day: 6,
        seed: 11,
        ..fx::ExportSpec::default()
    };
    let lines = fx::lines(&spec);
    let renamed = lines
        .iter()
        .find(|l| l.category1 != "耗材")
        .map(|l| l.product_name)
        .expect("a product that is not a consumable");
    let bytes = write_lines(&lines, |l| {
        if l.product_name == renamed {
            SCRIPT
        } else {
            l.product_name
        }
    })
    .unwrap_or_else(|e| panic!("writing the workbook: {e}"));
    (bytes, lines.len())
}

/// One sheet: a header of some known columns, then `lines` as store C with `name`'s names.
fn write_lines(
    lines: &[fx::Line],
    name: impl Fn(&fx::Line) -> &'static str,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let headers = [
        "订单ID",
        "下单时间",
        "门店名称",
        "商品名称",
        "销量",
        "渠道",
        "实收价格",
        "商品实售价",
        "商品原价",
        "商品采购成本",
        "利润额",
        "平台服务费",
        "平台佣金",
        "物流配送费",
        "用户支付配送费",
        "一级分类名",
        "三级分类名",
        "剩余库存",
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in (0..).zip(headers) {
        sheet.write_string(0, c, h)?;
    }
    for (r, l) in (1..).zip(lines) {
        let time = l.time.format("%Y-%m-%d %H:%M:%S").to_string();
        let texts = [l.order_id.as_str(), &time, C, name(l)];
        for (c, t) in (0..).zip(texts) {
            sheet.write_string(r, c, t)?;
        }
        sheet.write_number(r, 4, f64::from(l.quantity))?;
        sheet.write_string(r, 5, l.channel)?;
        let numbers = [
            l.actual_price,
            l.sale_price,
            l.original_price,
            l.cost,
            l.profit,
            l.service_fee,
            l.commission,
            l.delivery_fee,
            l.user_delivery_fee,
        ];
        for (c, n) in (6..).zip(numbers) {
            sheet.write_number(r, c, n)?;
        }
        sheet.write_string(r, 15, l.category1)?;
        sheet.write_string(r, 16, l.category3)?;
        sheet.write_number(r, 17, f64::from(l.stock))?;
    }
    book.save_to_buffer()
}

/// The server with both workbooks uploaded (asserting every line was accepted); also the two
/// upload records.
pub(crate) fn seeded() -> (AppServer, Vec<Value>) {
    let server = AppServer::start();
    let spec = two_stores();
    let expected = fx::lines(&spec).len();
    let mut records = server.upload_ok(&[Part::file("两店订单.xlsx", fx::xlsx_bytes(&spec))]);
    let (bytes, lines) = script_workbook();
    records.extend(server.upload_ok(&[Part::file("三号店.xlsx", bytes)]));
    assert_eq!(
        records[0]["report"]["accepted_lines"], expected,
        "{}",
        records[0]
    );
    assert_eq!(
        records[1]["report"]["accepted_lines"], lines,
        "{}",
        records[1]
    );
    assert_eq!(records[1]["report"]["rejected_lines"], 0, "{}", records[1]);
    (server, records)
}

/// `?k=v&…`, each value percent-encoded.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_segment(v)))
        .collect();
    format!("?{}", parts.join("&"))
}

/// Undoes the template's HTML escaping (minijinja escapes `& < > " ' /`).
pub(crate) fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// Every value of attribute `name` (exactly, e.g. `hx-get`), unescaped, in document order.
pub(crate) fn attrs(html: &str, name: &str) -> Vec<String> {
    let marker = format!(" {name}=\"");
    html.match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            rest.find('"').map(|end| unescape(&rest[..end]))
        })
        .collect()
}

/// The `data-chart` options of a page or fragment by `data-chart-name`, parsed.
pub(crate) fn charts(html: &str) -> BTreeMap<String, Value> {
    let names = attrs(html, "data-chart-name");
    let options = attrs(html, "data-chart");
    assert_eq!(names.len(), options.len(), "one option per chart");
    names
        .into_iter()
        .zip(options)
        .map(|(n, o)| {
            let v = serde_json::from_str(&o).unwrap_or_else(|e| panic!("chart {n}: {e}: {o}"));
            (n, v)
        })
        .collect()
}

/// The text of the element that starts at the first `marker` after `after` (e.g. the value
/// `<div class="value">` after `data-kpi="orders"`), up to its closing tag, unescaped.
pub(crate) fn text_after(html: &str, after: &str, marker: &str) -> String {
    let from = html.find(after).unwrap_or_else(|| panic!("no {after:?}"));
    let rest = &html[from..];
    let at = rest
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} after {after:?}"));
    let rest = &rest[at + marker.len()..];
    unescape(&rest[..rest.find("</").unwrap_or(rest.len())])
}

/// Percent-decodes `text` (`+` is a space, as in a form-encoded query).
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| panic!("{text} is not UTF-8 encoded: {e}"))
}

/// The parameters of a query string (without `?`), decoded.
pub(crate) fn params(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Money as the page shows it: `¥1,234.56`, `-¥3.50`.
pub(crate) fn money(v: f64) -> String {
    let cents = (v.abs() * 100.0).round() as u64;
    let sign = if v < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}¥{}.{:02}", grouped(cents / 100), cents % 100)
}

/// A count as the page shows it: `9,876`.
pub(crate) fn int(v: f64) -> String {
    grouped(v.round() as u64)
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `GET /api/v1/tabs/{tab}{query}` as JSON, asserting 200.
pub(crate) fn api(server: &Api, tab: &str, query: &str) -> Value {
    let reply = server.get(&format!("/api/v1/tabs/{tab}{query}"));
    assert_eq!(reply.status, 200, "{tab}{query}: {}", reply.text());
    reply.json()
}

/// `GET {path}` as HTML, asserting 200 and an HTML content type.
pub(crate) fn html(server: &Api, path: &str) -> String {
    let reply = server.get(path);
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
    assert_eq!(reply.content_type, "text/html; charset=utf-8", "GET {path}");
    reply.text()
}

#[test]
fn page_has_the_title_five_tabs_filters_and_quick_ranges() {
    let (server, _) = seeded();
    let page = html(&server, "/");
    assert!(page.contains("<title>门店看板</title>"), "{page}");
    for (name, label) in TABS {
        assert!(page.contains(&format!(">{label}</a>")), "tab {label}");
        assert!(
            attrs(&page, "hx-get").contains(&format!("/tabs/{name}")),
            "{name}"
        );
    }
    assert!(page.contains("<option value=\"\">全部门店</option>"));
    for store in [A, B, C] {
        assert!(
            page.contains(&format!("<option value=\"{store}\"")),
            "{store}"
        );
    }
    // Each quick range links to the page with its own period, the one its title names.
    let span = |label: &str| {
        let end = page
            .find(&format!("\">{label}</a>"))
            .unwrap_or_else(|| panic!("no quick range {label}"));
        let tag = &page[page[..end].rfind("<a ").expect("its tag")..end];
        let title = attrs(tag, "title").pop().expect("a title");
        let link = params(attrs(tag, "href")[0].trim_start_matches("/?"));
        let (from, to) = title.split_once(" ~ ").expect("from ~ to");
        assert_eq!(
            (link["from"].as_str(), link["to"].as_str()),
            (from, to),
            "{label}"
        );
        (day(to) - day(from)).num_days() + 1
    };
    assert_eq!(span("昨日"), 1);
    assert_eq!(span("今日"), 1);
    assert_eq!(span("上周"), 7);
    assert_eq!(span("过去7天"), 7);
    assert_eq!(span("过去30天"), 30);
    for label in ["本周", "上月", "本月"] {
        assert!((1..=31).contains(&span(label)), "{label}");
    }
    // The default tab is the first one, rendered inline.
    assert!(page.contains("data-tab=\"today\" class=\"tab active\""));
}

#[test]
fn assets_are_content_hashed_cached_for_a_year_and_unhashed_names_are_not_found() {
    let (server, _) = seeded();
    let page = html(&server, "/");
    let css = attrs(&page, "href")
        .into_iter()
        .filter(|h| h.ends_with(".css"))
        .collect::<Vec<_>>();
    let js = attrs(&page, "src");
    assert_eq!(css.len(), 1, "{css:?}");
    assert_eq!(js.len(), 3, "{js:?}");
    for (url, plain, kind) in [
        (&css[0], "dashboard", "text/css; charset=utf-8"),
        (
            &js[0],
            "vendor/htmx/htmx.min",
            "text/javascript; charset=utf-8",
        ),
        (
            &js[1],
            "vendor/echarts/echarts.min",
            "text/javascript; charset=utf-8",
        ),
        (&js[2], "dashboard", "text/javascript; charset=utf-8"),
    ] {
        let hash = url
            .strip_prefix(&format!("/assets/{plain}."))
            .and_then(|rest| rest.split_once('.'))
            .map_or("", |(hash, _)| hash);
        assert!(
            hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{url} is not /assets/{plain}.<10 hex>.ext"
        );
        let asset = server.fetch(url);
        assert_eq!(asset.status, 200, "{url}");
        assert_eq!(asset.header("content-type"), kind, "{url}");
        let cache = asset.header("cache-control");
        assert_eq!(cache, "public, max-age=31536000, immutable", "{url}");
        assert!(asset.body.len() > 1000, "{url}: {} bytes", asset.body.len());
    }
    for unhashed in ["/assets/dashboard.css", "/assets/vendor/htmx/htmx.min.js"] {
        let reply = server.fetch(unhashed);
        assert_eq!(reply.status, 404, "{unhashed}");
        assert_ne!(
            reply.header("cache-control"),
            "public, max-age=31536000, immutable"
        );
    }
}
