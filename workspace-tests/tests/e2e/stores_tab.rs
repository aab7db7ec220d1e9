//! 🏬 门店对比 (issue 15) through the real application: six stores uploaded as two real xlsx
//! files, one of them three times busier than the rest. Each store's row is that store's
//! overview for the same period and channel; the store filter is ignored; the flags follow the
//! medians and fences the answer states; the page links every store to its overview with the
//! same period; the workbook holds every store.

use serde_json::Value;
use storeboard_fixtures as fx;

use crate::dashboard::{api, charts, html, query, unescape};
use crate::dashboard_export::sheets;
use crate::support::app::{encode_segment, AppServer, Part};

const FROM: &str = "2026-11-01";
const TO: &str = "2026-11-07";
const BUSY: &str = "旗舰店";

fn chain() -> (AppServer, Vec<String>) {
    let server = AppServer::start();
    let quiet: Vec<String> = (1..=5).map(|i| format!("门店{i:02}")).collect();
    let spec = |stores: Vec<String>, orders, seed| fx::ExportSpec {
        stores,
        start: chrono::NaiveDate::from_ymd_opt(2026, 10, 25).expect("valid"),
        days: 14,
        orders_per_store_day: orders,
        seed,
        ..fx::ExportSpec::default()
    };
    server.upload_ok(&[
        Part::file("五店.xlsx", fx::xlsx_bytes(&spec(quiet.clone(), 8, 3))),
        Part::file(
            "旗舰店.xlsx",
            fx::xlsx_bytes(&spec(vec![BUSY.into()], 24, 4)),
        ),
    ]);
    let mut all = quiet;
    all.push(BUSY.into());
    (server, all)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn every_store_row_equals_that_stores_overview_for_the_same_period_and_channel() {
    let (server, names) = chain();
    for channel in ["", "美团闪购"] {
        let q = query(&[("from", FROM), ("to", TO), ("channel", channel)]);
        let json = api(&server, "stores", &q);
        let rows = json["stores"].as_array().expect("stores");
        assert_eq!(rows.len(), names.len(), "{channel}: {json}");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row["rank"], i + 1, "ranked by 商品实收额");
            if i > 0 {
                assert!(num(&rows[i - 1]["sales"]) >= num(&row["sales"]));
            }
            let store = row["store"].as_str().expect("name");
            let sq = query(&[
                ("store", store),
                ("from", FROM),
                ("to", TO),
                ("channel", channel),
            ]);
            let o = api(&server, "overview", &sq);
            let k = &o["kpis"];
            // Same aggregates, same units: equal to the cent.
            assert_eq!(num(&row["orders"]), num(&k["orders"]["value"]), "{store}");
            assert_eq!(num(&row["sales"]), num(&k["sales"]["value"]), "{store}");
            assert_eq!(num(&row["profit"]), num(&k["profit"]["value"]), "{store}");
            assert_eq!(num(&row["gmv"]), num(&k["gmv"]["value"]), "{store}");
            assert_eq!(
                num(&row["marketing_rate_pct"]),
                num(&k["marketing_rate_pct"]["value"]),
                "{store}"
            );
            assert_eq!(
                num(&row["active_products"]),
                num(&k["active_products"]["value"]),
                "{store}"
            );
            assert_eq!(
                num(&row["previous"]["sales"]),
                num(&k["sales"]["previous"]),
                "{store}"
            );
            // 配送成本率 = 配送净成本 / 商品实收额; 营销成本率 = 营销成本 / GMV.
            close(
                num(&row["delivery_cost_rate_pct"]),
                num(&row["delivery_net"]) / num(&row["sales"]) * 100.0,
                "delivery rate",
            );
            close(
                num(&row["marketing_rate_pct"]),
                num(&row["marketing_cost"]) / num(&row["gmv"]) * 100.0,
                "marketing rate",
            );
            assert!(num(&row["gmv"]) > 0.0);
        }
    }
}

#[test]
fn the_store_filter_is_ignored_and_the_answer_says_so() {
    let (server, names) = chain();
    let all = api(&server, "stores", &query(&[("from", FROM), ("to", TO)]));
    let one = api(
        &server,
        "stores",
        &query(&[("store", "门店02"), ("from", FROM), ("to", TO)]),
    );
    assert_eq!(one["filters"]["store"], Value::Null);
    assert_eq!(one["stores"], all["stores"]);
    assert_eq!(one["stores"].as_array().map(Vec::len), Some(names.len()));
    let page = html(
        &server,
        &format!(
            "/tabs/stores{}",
            query(&[("store", "门店02"), ("from", FROM), ("to", TO)])
        ),
    );
    assert!(page.contains("已忽略门店筛选「门店02」"), "{page}");
}

#[test]
fn flags_are_exactly_the_figures_beyond_the_stated_fences() {
    let (server, _) = chain();
    let json = api(&server, "stores", &query(&[("from", FROM), ("to", TO)]));
    let mut flags = 0;
    for row in json["stores"].as_array().expect("stores") {
        for (figure, fence) in json["fences"].as_object().expect("fences") {
            let Some([low, high]) = fence.as_array().map(|f| [num(&f[0]), num(&f[1])]) else {
                continue;
            };
            let Some(value) = row[figure].as_f64() else {
                continue;
            };
            let flag = row["flags"]
                .as_array()
                .and_then(|fs| fs.iter().find(|f| f["figure"] == figure.as_str()));
            let beyond = value > high || value < low;
            assert_eq!(
                flag.is_some(),
                beyond,
                "{} {figure} {value} in [{low}, {high}]",
                row["store"]
            );
            if let Some(f) = flag {
                flags += 1;
                assert_eq!(f["median"], json["medians"][figure]);
                assert_eq!(f["side"], if value > high { "high" } else { "low" });
            }
        }
    }
    // The flagship sells three times as many orders: beyond the fence on 订单数, high, not bad.
    let busy = json["stores"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["store"] == BUSY))
        .expect("flagship");
    assert_eq!(busy["rank"], 1);
    let orders = busy["flags"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["figure"] == "orders"));
    let orders = orders.unwrap_or_else(|| panic!("the flagship's orders are flagged: {busy}"));
    assert_eq!(
        (orders["side"].as_str(), orders["bad"].as_bool()),
        (Some("high"), Some(false))
    );
    assert!(flags >= 1);
}

#[test]
fn the_page_links_every_store_and_bubble_to_its_overview_for_the_same_period() {
    let (server, names) = chain();
    let page = html(
        &server,
        &format!(
            "/?tab=stores{}",
            query(&[("from", FROM), ("to", TO)]).replacen('?', "&", 1)
        ),
    );
    let text = unescape(&page);
    for name in &names {
        let link = format!(
            "?tab=overview&store={}&from={FROM}&to={TO}",
            encode_segment(name)
        );
        assert!(text.contains(&link), "no link {link}");
    }
    let charts = charts(&page);
    let bubble = charts.get("营销成本率 × 利润率").expect("the bubble chart");
    let series = &bubble["series"][0];
    assert_eq!(series["data"].as_array().map(Vec::len), Some(names.len()));
    assert_eq!(series["sbUrls"].as_array().map(Vec::len), Some(names.len()));
    assert_eq!(
        series["markLine"]["data"].as_array().map(Vec::len),
        Some(2),
        "the two median lines"
    );
    assert!(
        text.contains("预警门店") && text.contains("订单数偏高"),
        "{text}"
    );
    // The default period opens each store on the chain's period, not the store's own.
    let default = unescape(&html(&server, "/tabs/stores"));
    assert!(default.contains("tab=overview&store="), "{default}");
    assert!(
        default.contains("&from=2026-11-01&to=2026-11-07"),
        "the chain's last 7 days"
    );
}

#[test]
fn the_workbook_has_every_store_its_previous_period_flags_and_medians() {
    let (server, names) = chain();
    let q = query(&[("from", FROM), ("to", TO)]);
    let json = api(&server, "stores", &q);
    let reply = server.fetch(&format!("/export/stores.xlsx{q}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let book = sheets(&reply.body);
    let names_of: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names_of, ["门店对比", "上期", "预警", "中位数与预警线"]);
    let main = &book[0].1;
    assert_eq!(
        main.height(),
        names.len() + 1,
        "a header and one row per store"
    );
    // Row 1 is rank 1: the flagship, its 商品实收额 the JSON's.
    let first = &json["stores"][0];
    assert_eq!(
        main.get((1, 1)).map(ToString::to_string).as_deref(),
        first["store"].as_str()
    );
    let sales = match main.get((1, 4)) {
        Some(calamine::Data::Float(x)) => *x,
        other => panic!("sales cell: {other:?}"),
    };
    close(sales, num(&first["sales"]), "sales in the sheet");
    assert_eq!(book[3].1.height(), 12, "a header and eleven figures");
}

#[test]
fn with_fewer_stores_than_the_minimum_the_page_says_there_is_no_fence() {
    // Three stores (the dashboard tests' data), the default minimum is four.
    let (server, _) = crate::dashboard::seeded();
    let json = api(&server, "stores", &query(&[("from", FROM), ("to", TO)]));
    assert_eq!(json["stores"].as_array().map(Vec::len), Some(3));
    assert!(json["fences"]
        .as_object()
        .expect("fences")
        .values()
        .all(Value::is_null));
    let page = html(
        &server,
        &format!("/tabs/stores{}", query(&[("from", FROM), ("to", TO)])),
    );
    assert!(
        page.contains("data-no-fences") && page.contains("少于 4 家"),
        "{page}"
    );
}
