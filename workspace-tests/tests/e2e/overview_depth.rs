//! 订单数据概览 in depth (issue 14) through the real application: 上周同期 changes, channel
//! previous periods and insights, AOV bands against the previous period, 成本结构, 利润 and the
//! days, and the 12-sheet 经营分析报告 whose product lists follow the products tab.

use calamine::{Data, Range};
use serde_json::Value;

use crate::dashboard::{api, html, query, seeded, unescape, A, FROM, TO};
use crate::dashboard_export::sheets;

/// The sheets of the 经营分析报告, in order.
pub(crate) const SHEETS: [&str; 12] = [
    "经营概览",
    "渠道表现",
    "客单价分析",
    "销量TOP50",
    "销售额TOP50",
    "利润额TOP50",
    "利润率TOP50",
    "滞销TOP50",
    "低销售额TOP50",
    "亏损TOP50",
    "低利润率TOP50",
    "日趋势数据",
];

const KPIS: [&str; 6] = [
    "orders",
    "sales",
    "profit",
    "avg_order_value",
    "profit_margin_pct",
    "active_products",
];

const MARKETING: [&str; 7] = [
    "满减金额",
    "商品减免金额",
    "商家代金券",
    "商家承担部分券",
    "满赠金额",
    "商家其他优惠",
    "新客减免金额",
];

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn rows(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn check_kpis(json: &Value) {
    for k in KPIS {
        let kpi = &json["kpis"][k];
        let change = kpi
            .get("last_week_change")
            .unwrap_or_else(|| panic!("{k}: {kpi}"));
        match kpi["last_week"].as_f64() {
            None | Some(0.0) => assert!(change.is_null(), "{k}: {kpi}"),
            Some(w) if k == "profit_margin_pct" => assert!(close(f(change), f(&kpi["value"]) - w)),
            Some(w) => assert!(
                close(f(change), (f(&kpi["value"]) - w) / w * 100.0),
                "{kpi}"
            ),
        }
    }
}

fn check_channels(json: &Value) {
    let cards = rows(&json["channels"]);
    assert!(!cards.is_empty(), "{json}");
    for c in cards {
        let six: f64 = [
            "product_cost",
            "consumables",
            "product_discount",
            "subsidy",
            "delivery",
            "commission",
        ]
        .iter()
        .map(|k| c["cost_rates"][k].as_f64().unwrap_or(0.0))
        .sum();
        assert!(close(f(&c["total_cost_rate"]), six), "{c}");
        let prev = c.get("previous").expect("previous");
        assert!(prev.is_null() || prev["orders"].is_u64(), "{c}");
    }
    let insights = rows(&json["insights"]);
    let kinds = |k: &str| insights.iter().filter(|i| i["kind"] == k).count();
    assert_eq!(kinds("best_channel"), 1, "{insights:?}");
    let low = cards
        .iter()
        .filter(|c| c["margin_pct"].as_f64().is_some_and(|m| m < 8.0))
        .count();
    assert_eq!(kinds("low_margin"), low);
    for i in insights {
        assert!(i["channel"].is_string() && i["text"].is_string(), "{i}");
    }
}

fn check_sections(json: &Value) {
    let bands = rows(&json["aov_bands"]);
    assert_eq!(bands.len(), 8);
    let previous: u64 = bands
        .iter()
        .map(|b| b["previous_orders"].as_u64().expect("count"))
        .sum();
    assert_eq!(previous as f64, f(&json["kpis"]["orders"]["previous"]));
    assert!(bands.iter().all(|b| b.get("cost_rate").is_some()));
    let c = &json["cost_structure"];
    let split: f64 = MARKETING.iter().map(|m| f(&c["marketing"][m])).sum();
    assert!(close(split, f(&c["marketing_total"])), "{c}");
    let total: f64 = [
        "product_cost",
        "consumables",
        "delivery_net",
        "platform_fee",
        "marketing_total",
    ]
    .iter()
    .map(|k| f(&c[k]))
    .sum();
    assert!(close(total, f(&c["total_cost"])), "{c}");
    assert!(!rows(&c["by_category"]).is_empty());
    let p = &json["profit_summary"];
    let orders = f(&json["kpis"]["orders"]["value"]);
    assert!(f(&p["profitable_orders"]) <= orders);
    assert!(close(
        f(&p["avg_order_profit"]),
        f(&json["kpis"]["profit"]["value"]) / orders
    ));
    let d = &json["days"];
    assert!(
        d["best"]["date"].is_string() && d["worst"]["date"].is_string(),
        "{d}"
    );
    for a in rows(&d["anomalies"]) {
        assert!(f(&a["margin_pct"]) < f(&d["threshold_pct"]), "{a}");
    }
}

#[test]
fn the_overview_answer_carries_the_depth_fields() {
    let (server, _) = seeded();
    for q in [
        query(&[("store", A), ("from", FROM), ("to", TO)]),
        query(&[("from", FROM), ("to", TO)]),
    ] {
        let json = api(&server, "overview", &q);
        check_kpis(&json);
        check_channels(&json);
        check_sections(&json);
    }
}

fn height(range: &Range<Data>) -> usize {
    range.rows().count()
}

#[test]
fn the_report_has_twelve_sheets_and_product_lists_from_the_products_tab() {
    let (server, _) = seeded();
    let q = query(&[("store", A), ("from", FROM), ("to", TO)]);
    let reply = server.fetch(&format!("/export/overview.xlsx{q}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let book = sheets(&reply.body);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, SHEETS);
    let rows_of = |name: &str| height(&book.iter().find(|(n, _)| n == name).expect("sheet").1);
    let overview = api(&server, "overview", &q);
    assert_eq!(rows_of("渠道表现"), rows(&overview["channels"]).len() + 1);
    assert_eq!(rows_of("客单价分析"), 9);
    assert_eq!(rows_of("日趋势数据"), 8);
    let products = api(&server, "products", &format!("{q}&limit=0"));
    let all = rows(&products["products"]);
    assert!(
        all.len() > 50,
        "enough products to cut at 50: {}",
        all.len()
    );
    let with_sales = all
        .iter()
        .filter(|p| p["sales"].as_f64().is_some_and(|s| s > 0.0))
        .count();
    let losing = all
        .iter()
        .filter(|p| p["profit"].as_f64().is_some_and(|s| s < 0.0))
        .count();
    for (sheet, n) in [
        ("销量TOP50", all.len()),
        ("销售额TOP50", all.len()),
        ("利润额TOP50", all.len()),
        ("利润率TOP50", with_sales),
        ("滞销TOP50", all.len()),
        ("低销售额TOP50", all.len()),
        ("亏损TOP50", losing),
        ("低利润率TOP50", with_sales),
    ] {
        assert_eq!(rows_of(sheet), n.min(50) + 1, "{sheet}");
    }
    // The best seller by 销量 heads 销量TOP50.
    let top = all
        .iter()
        .max_by(|a, b| f(&a["quantity"]).total_cmp(&f(&b["quantity"])))
        .expect("a product");
    let sheet = &book[3].1;
    let first = sheet.get_value((1, 3)).cloned().unwrap_or(Data::Empty);
    assert_eq!(first, Data::Float(f(&top["quantity"])), "{top}");
}

#[test]
fn the_page_shows_cards_insights_and_days_that_open_their_day() {
    let (server, _) = seeded();
    let q = query(&[("store", A), ("from", FROM), ("to", TO)]);
    let json = api(&server, "overview", &q);
    let page = unescape(&html(&server, &format!("/tabs/overview{q}")));
    for marker in [
        "data-section=\"channel-cards\"",
        "data-insight=\"best_channel\"",
        "data-section=\"costs\"",
        "data-section=\"profit\"",
        "data-week-change",
        "总成本率",
        "新客减免金额",
        "盈利订单数",
    ] {
        assert!(page.contains(marker), "no {marker} on the page");
    }
    // One card per channel, each with the six cost bars.
    let cards = rows(&json["channels"]).len();
    assert_eq!(page.matches("class=\"ov-channel\"").count(), cards);
    assert_eq!(page.matches("class=\"ov-bar\"").count(), cards * 6);
    // The best day links to that day, keeping the store.
    let best = json["days"]["best"]["date"].as_str().expect("a best day");
    let link = format!("from={best}&to={best}");
    assert!(page.contains(&link), "no link {link}");
}
