//! One product's page (`GET /api/v1/products/{key}`) on the real application, from a small
//! hand-written export uploaded as a real .xlsx: its totals and every day of the period against
//! sums worked by hand, the same sums as its row of 商品分析 for the same filters, its price
//! changes at the 5% threshold, its 真实保本价 with the order's 满减 shared pro rata and the 0.5
//! cap, its orders by pages, and the 404 of a product that sold nothing in the selection.

use serde_json::Value;

use crate::pricing_support::{close, num, query, xlsx};
use crate::support::app::{encode_segment, AppServer, Part};

/// The product whose key (店内码) holds a slash, a space and Chinese.
const COLA: &str = "A/1 可乐";
const FROM: &str = "2026-11-01";
const TO: &str = "2026-11-05";

/// Two stores over 2026-11-01 … 11-05 (both with orders on the first and last day, so a store
/// filter keeps the period), every order on 收银机订单 or 闪购小程序 (kept without a fee).
///
/// - 可乐 (`A/1 可乐`): o1 11-01 一号店 收银机 2 × ¥3.50 (cost 4, profit 3, stock 20); o2 11-01
///   11:00 二号店 小程序 1 × ¥3.50 (2, 1.5, stock 8); o4 11-03 一号店 小程序 4 × ¥3.00 (8, 4,
///   stock 15); o5 11-05 二号店 收银机 3 × ¥3.50 (6, 4.5, stock 5). Nothing on 11-02 and 11-04.
/// - 矿泉水 (P5), one a day at 一号店: ¥10.00, ¥10.49 (+4.9%), ¥10.00 (−4.67%), ¥10.50 (+5.0%).
/// - 薯片 (M1) and 饼干 (M2) share order m1 (11-05, 满减 ¥8): M1 2 × ¥10 (cost 12), M2 1 × ¥30
///   (cost 12); M1 also sold 2 × ¥10 (cost 12) in m0 on 11-04 without marketing.
/// - 糖果 (M3) alone in m3 (11-05, 满减 ¥8): 1 × ¥10, cost 5.
/// - 面包 (X1) fills the days at both stores.
const EXPORT: &str = "
订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,一级分类名,店内码,满减金额,剩余库存
o1,2026-11-01 10:00:00,一号店,可乐,2,收银机订单,3.50,4.00,3.00,饮料,A/1 可乐,,20
o2,2026-11-01 11:00:00,二号店,可乐,1,闪购小程序,3.50,2.00,1.50,饮料,A/1 可乐,,8
o4,2026-11-03 09:30:00,一号店,可乐,4,闪购小程序,3.00,8.00,4.00,饮料,A/1 可乐,,15
o5,2026-11-05 18:00:00,二号店,可乐,3,收银机订单,3.50,6.00,4.50,饮料,A/1 可乐,,5
p1,2026-11-01 12:00:00,一号店,矿泉水,1,收银机订单,10.00,6.00,4.00,饮料,P5,,
p2,2026-11-02 12:00:00,一号店,矿泉水,1,收银机订单,10.49,6.00,4.49,饮料,P5,,
p3,2026-11-03 12:00:00,一号店,矿泉水,1,收银机订单,10.00,6.00,4.00,饮料,P5,,
p4,2026-11-04 12:00:00,一号店,矿泉水,1,收银机订单,10.50,6.00,4.50,饮料,P5,,
m0,2026-11-04 15:00:00,一号店,薯片,2,收银机订单,10.00,12.00,8.00,零食,M1,,
m1,2026-11-05 15:00:00,一号店,薯片,2,收银机订单,10.00,12.00,8.00,零食,M1,8,
m1,2026-11-05 15:00:00,一号店,饼干,1,收银机订单,30.00,12.00,18.00,零食,M2,8,
m3,2026-11-05 16:00:00,一号店,糖果,1,收银机订单,10.00,5.00,5.00,零食,M3,8,
x1,2026-11-01 08:00:00,一号店,面包,1,收银机订单,5.00,3.00,2.00,烘焙,X1,,
x2,2026-11-02 08:00:00,一号店,面包,1,收银机订单,5.00,3.00,2.00,烘焙,X1,,
x3,2026-11-04 08:00:00,一号店,面包,1,收银机订单,5.00,3.00,2.00,烘焙,X1,,
x4,2026-11-05 08:00:00,一号店,面包,1,收银机订单,5.00,3.00,2.00,烘焙,X1,,
x5,2026-11-01 08:00:00,二号店,面包,1,收银机订单,5.00,3.00,2.00,烘焙,X1,,
x6,2026-11-05 08:00:00,二号店,面包,1,收银机订单,5.00,3.00,2.00,烘焙,X1,,
";

fn seeded() -> AppServer {
    let server = AppServer::start();
    let records = server.upload_ok(&[Part::file("商品页.xlsx", xlsx(EXPORT))]);
    assert_eq!(records[0]["report"]["rejected_lines"], 0, "{}", records[0]);
    assert_eq!(records[0]["report"]["accepted_lines"], 18, "{}", records[0]);
    server
}

/// `GET /api/v1/products/{key}{query}`: status and JSON.
fn product(server: &AppServer, key: &str, query: &str) -> (u16, Value) {
    let reply = server.get(&format!("/api/v1/products/{}{query}", encode_segment(key)));
    (reply.status, reply.json())
}

fn page(server: &AppServer, key: &str, query: &str) -> Value {
    let (status, json) = product(server, key, query);
    assert_eq!(status, 200, "{key} {query}: {json}");
    json
}

/// One expected day: (day, 销量, sales, cost, profit, orders, stock).
type Day = (&'static str, f64, f64, f64, f64, i64, Option<f64>);

#[track_caller]
fn assert_days(json: &Value, want: &[Day]) {
    let daily = json["daily"].as_array().expect("daily");
    assert_eq!(daily.len(), want.len(), "every day of the period: {json}");
    for (row, &(day, qty, sales, cost, profit, orders, stock)) in daily.iter().zip(want) {
        assert_eq!(row["day"], day, "{row}");
        close(&row["quantity"], qty, day);
        close(&row["sales"], sales, day);
        close(&row["cost"], cost, day);
        close(&row["profit"], profit, day);
        assert_eq!(row["orders"], orders, "{row}");
        assert_eq!(row["stock"].as_f64(), stock, "{row}");
        if qty == 0.0 {
            assert!(
                row["unit_price"].is_null() && row["margin_pct"].is_null(),
                "{row}"
            );
        } else {
            close(&row["unit_price"], sales / qty, day);
            close(&row["margin_pct"], profit / sales * 100.0, day);
        }
    }
}

/// Σ `field` over the page's days.
fn daily_sum(json: &Value, field: &str) -> f64 {
    json["daily"]
        .as_array()
        .expect("daily")
        .iter()
        .map(|r| num(&r[field]))
        .sum()
}

#[test]
fn the_product_page_sums_every_day_of_the_period_like_the_products_tab_for_each_selection() {
    let server = seeded();
    let zero = |d| (d, 0.0, 0.0, 0.0, 0.0, 0, None);
    // All stores: 11-01 is o1 + o2 (3 units, ¥10.50, cost 6, profit 4.5, 2 orders; the day's
    // stock is o2's 8, its latest line); 11-03 is o4; 11-05 is o5.
    let all: Vec<Day> = vec![
        ("2026-11-01", 3.0, 10.5, 6.0, 4.5, 2, Some(8.0)),
        zero("2026-11-02"),
        ("2026-11-03", 4.0, 12.0, 8.0, 4.0, 1, Some(15.0)),
        zero("2026-11-04"),
        ("2026-11-05", 3.0, 10.5, 6.0, 4.5, 1, Some(5.0)),
    ];
    // 一号店: o1 and o4 only.
    let one: Vec<Day> = vec![
        ("2026-11-01", 2.0, 7.0, 4.0, 3.0, 1, Some(20.0)),
        zero("2026-11-02"),
        ("2026-11-03", 4.0, 12.0, 8.0, 4.0, 1, Some(15.0)),
        zero("2026-11-04"),
        zero("2026-11-05"),
    ];
    // 闪购小程序: o2 and o4 only.
    let mini: Vec<Day> = vec![
        ("2026-11-01", 1.0, 3.5, 2.0, 1.5, 1, Some(8.0)),
        zero("2026-11-02"),
        ("2026-11-03", 4.0, 12.0, 8.0, 4.0, 1, Some(15.0)),
        zero("2026-11-04"),
        zero("2026-11-05"),
    ];
    let period = [("from", FROM), ("to", TO)];
    let selections = [
        (None, &all),
        (Some(("store", "一号店")), &one),
        (Some(("channel", "闪购小程序")), &mini),
    ];
    for (extra, want) in selections {
        let mut pairs = period.to_vec();
        pairs.extend(extra);
        let q = query(&pairs);
        let json = page(&server, COLA, &q);
        assert_eq!(json["key"], COLA);
        assert_eq!(json["name"], "可乐");
        assert_eq!(json["category"], "饮料");
        assert_eq!(json["filters"]["from"], FROM, "{q}");
        assert_eq!(json["filters"]["to"], TO, "{q}");
        assert_days(&json, want);
        // The totals are the days' sums.
        let t = &json["totals"];
        for field in ["quantity", "sales", "cost", "profit"] {
            let sum: f64 = want
                .iter()
                .map(|d| [d.1, d.2, d.3, d.4][field_index(field)])
                .sum();
            close(&t[field], sum, &format!("{q} totals.{field}"));
        }
        let orders: i64 = want.iter().map(|d| d.5).sum();
        assert_eq!(t["orders"], orders, "{q}: {t}");
        close(
            &t["unit_price"],
            num(&t["sales"]) / num(&t["quantity"]),
            "unit_price",
        );
        close(
            &t["unit_cost"],
            num(&t["cost"]) / num(&t["quantity"]),
            "unit_cost",
        );
        // … and the product's row of 商品分析 for the same filters.
        let tab = server.get(&format!("/api/v1/tabs/products{q}&limit=0"));
        assert_eq!(tab.status, 200, "{}", tab.text());
        let tab = tab.json();
        let row = tab["products"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["key"] == COLA))
            .unwrap_or_else(|| panic!("{q}: no row {COLA} in {tab}"));
        for field in ["quantity", "sales", "cost", "profit"] {
            close(
                &row[field],
                daily_sum(&json, field),
                &format!("{q} {field}"),
            );
        }
        assert_eq!(num(&row["orders"]), daily_sum(&json, "orders"), "{q}");
    }
    // All stores by hand: 10 units, ¥33.00, cost 20, profit 13 (39.39%), ¥3.30 a unit, ¥2 cost.
    let t = page(&server, COLA, &query(&period))["totals"].clone();
    close(&t["quantity"], 10.0, "quantity");
    close(&t["sales"], 33.0, "sales");
    close(&t["margin_pct"], 13.0 / 33.0 * 100.0, "margin");
    close(&t["unit_price"], 3.3, "unit_price");
    close(&t["unit_cost"], 2.0, "unit_cost");
}

fn field_index(field: &str) -> usize {
    ["quantity", "sales", "cost", "profit"]
        .iter()
        .position(|f| *f == field)
        .expect("a summed field")
}

#[test]
fn a_price_move_of_five_percent_is_marked_and_one_of_four_point_nine_is_not() {
    let server = seeded();
    let json = page(&server, "P5", &query(&[("from", FROM), ("to", TO)]));
    close(&json["price_change_threshold_pct"], 5.0, "threshold");
    // ¥10.00 → 10.49 (+4.9%) and → 10.00 (−4.67%) are under 5%; 10.00 → 10.50 is exactly +5%.
    let changes = json["price_changes"].as_array().expect("price_changes");
    assert_eq!(changes.len(), 1, "{}", json["price_changes"]);
    let c = &changes[0];
    assert_eq!(c["day"], "2026-11-04");
    close(&c["from_price"], 10.0, "from");
    close(&c["to_price"], 10.5, "to");
    close(&c["change_pct"], 5.0, "change");
    let prices: Vec<Option<f64>> = json["daily"]
        .as_array()
        .expect("daily")
        .iter()
        .map(|r| r["unit_price"].as_f64())
        .collect();
    assert_eq!(
        prices,
        [Some(10.0), Some(10.49), Some(10.0), Some(10.5), None]
    );
}

#[test]
fn the_true_break_even_shares_the_orders_marketing_pro_rata_and_caps_the_rate_at_half() {
    let server = seeded();
    let q = query(&[("from", FROM), ("to", TO)]);
    // m1: 满减 ¥8 over ¥50 of sales: M1's ¥20 carries 8 × 20/50 = ¥3.20, M2's ¥30 carries ¥4.80.
    // M1 sold ¥40 in the window (m0 too): 营销费率 3.2 / 40 = 0.08; 单品成本 24 / 4 = ¥6;
    // 真实保本价 = 6 / (1 − 0.08 − 0.08) = 7.142857.
    // M2: 4.8 / 30 = 0.16; 12 / (1 − 0.08 − 0.16) = 15.789474.
    // M3: 8 / 10 = 0.8, capped at 0.5: 5 / (1 − 0.08 − 0.5) = 11.904762.
    // 可乐 had no marketing: 2 / 0.92 = 2.173913.
    for (key, rate, break_even) in [
        ("M1", 0.08, 6.0 / 0.84),
        ("M2", 0.16, 12.0 / 0.76),
        ("M3", 0.8, 5.0 / 0.42),
        (COLA, 0.0, 2.0 / 0.92),
    ] {
        let json = page(&server, key, &q);
        close(&json["marketing_rate"], rate, &format!("{key} 营销费率"));
        close(
            &json["break_even_price"],
            break_even,
            &format!("{key} 真实保本价"),
        );
    }
    // The pricing tool agrees.
    let pricing = server.get("/api/v1/pricing?keys=M1,M2,M3");
    assert_eq!(pricing.status, 200, "{}", pricing.text());
    let items = pricing.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 3, "{items:?}");
    let m3 = items.iter().find(|i| i["key"] == "M3").expect("M3");
    close(&m3["break_even_price"], 5.0 / 0.42, "M3 in pricing");
}

#[test]
fn the_orders_come_newest_first_by_pages_and_a_bad_limit_or_page_is_a_400() {
    let server = seeded();
    let base = query(&[("from", FROM), ("to", TO)]);
    // Newest first: o5 (11-05), o4 (11-03), o2 (11-01 11:00), o1 (11-01 10:00).
    let all = page(&server, COLA, &format!("{base}&limit=0"));
    let ids: Vec<&str> = all["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter_map(|o| o["order_id"].as_str())
        .collect();
    assert_eq!(ids, ["o5", "o4", "o2", "o1"]);
    let second = page(&server, COLA, &format!("{base}&limit=1&page=2"));
    assert_eq!(second["orders_total"], 4);
    assert_eq!(second["orders_page"], 2);
    assert_eq!(second["orders_limit"], 1);
    let rows = second["orders"].as_array().expect("orders");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let o4 = &rows[0];
    assert_eq!(o4["order_id"], "o4");
    assert_eq!(o4["store"], "一号店");
    assert_eq!(o4["channel"], "闪购小程序");
    close(&o4["quantity"], 4.0, "o4 quantity");
    close(&o4["sales"], 12.0, "o4 sales");
    let past = page(&server, COLA, &format!("{base}&limit=1&page=9"));
    assert_eq!(past["orders"], Value::Array(Vec::new()));
    assert_eq!(past["orders_total"], 4);
    for (param, bad) in [
        ("limit", "-1"),
        ("limit", "ten"),
        ("page", "0"),
        ("page", "1.5"),
    ] {
        let (status, json) = product(&server, COLA, &format!("{base}&{param}={bad}"));
        assert_eq!(status, 400, "{param}={bad}: {json}");
        assert_eq!(json["error"]["code"], "bad_parameter", "{json}");
        assert_eq!(json["error"]["details"]["param"], param, "{json}");
    }
}

#[test]
fn a_product_without_a_sale_in_the_selection_is_a_404_and_odd_keys_travel_encoded() {
    let server = seeded();
    let (status, json) = product(
        &server,
        "不存在的商品",
        &query(&[("from", FROM), ("to", TO)]),
    );
    assert_eq!(status, 404, "{json}");
    assert_eq!(json["error"]["code"], "no_product");
    assert_eq!(json["error"]["details"]["key"], "不存在的商品");
    // 可乐 sold nothing at 一号店 on 11-05 (o5 was 二号店): a 404 for that selection only.
    let day = query(&[("store", "一号店"), ("from", TO), ("to", TO)]);
    let (status, json) = product(&server, COLA, &day);
    assert_eq!(status, 404, "{json}");
    assert_eq!(json["error"]["code"], "no_product");
    let other = query(&[("store", "二号店"), ("from", TO), ("to", TO)]);
    let json = page(&server, COLA, &other);
    close(&json["totals"]["quantity"], 3.0, "二号店 on 11-05");
    // The key's `/`, space and Chinese went as %2F, %20 and UTF-8 bytes, and came back whole.
    assert!(encode_segment(COLA).contains("%2F"));
    assert_eq!(json["key"], COLA);
    // A `/` not encoded is another path: not this product.
    let raw = server.get(&format!("/api/v1/products/A/1{other}"));
    assert_eq!(raw.status, 404, "{}", raw.text());
}
