//! 智能调价 on the real application: each scenario's selection on both sides of its threshold
//! (a hand-written export), the floors and locks over a generated export for every scenario,
//! level and direction, saved plans as an admin and as a viewer (save, list, open, delete, the
//! audit log, refused names), and a plan's prediction against the days uploaded after it, whose
//! measured response then becomes the product's elasticity.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};
use storeboard_fixtures as fx;

use crate::pricing_support::{
    after_plan, before_plan, close, item, items, keys, leads, num, plan_body, pricing, query,
    secured, set, xlsx, Http, ADMIN, HEADER, VIEWER,
};
use crate::support::app::{AppServer, Part};

/// "Yesterday" d = 2026-11-30 (the last day with orders); the 30-day window is 11-01 … 11-30.
/// One store, every order on 收银机订单 (kept without a fee), no marketing (营销费率 0).
///
/// - 亏损止血 (实收单价 < 单品成本 / 0.92): C at ¥8.37 with cost 7.70 (保本 8.3696, kept out);
///   D at ¥8.36 (below it).
/// - 利润修复 (margin < 高光 − 10 pp): R399, R400 and R401 sold 1 × ¥10 on 11-10 at 50% (their
///   高光) and 9 × ¥10 on 11-30 with profit 34.90 / 35.00 / 35.10: window margins 39.9%, 40.0%,
///   40.1% against 50 − 10 = 40: only R399.
/// - 滞销清仓 (stock > 0 and ≥ 7 days without a sale): CL7 last sold 11-23 (7 days) with stock
///   12; CL6 on 11-24 (6 days) with 12; CL0 on 11-20 with stock 0: only CL7.
/// - 涨价机会 (粮油调味, elasticity −0.5; margin 20% < 30%): 10 sold on 11-05 and 10 on 11-20
///   at ¥15 with cost ¥12: RA (商品原价 20: 15 < 18), RA167 (16.70: 15 < 15.03), RA166 (16.60:
///   15 ≥ 14.94, out), RAX (no 商品原价, out); RA9 sold 10 then 9 (9 ≥ 90% of 10: steady),
///   RA8 10 then 8 (falling, out), both with 原价 20.
const SCENARIOS: &str = "
c1,2026-11-29 10:00:00,一号店,C,1,收银机订单,8.37,7.70,0.67,食品,C,,
d1,2026-11-29 11:00:00,一号店,D,1,收银机订单,8.36,7.70,0.66,食品,D,,
r1,2026-11-10 10:00:00,一号店,R399,1,收银机订单,10.00,5.00,5.00,食品,R399,,
r2,2026-11-30 10:00:00,一号店,R399,9,收银机订单,10.00,55.10,34.90,食品,R399,,
r3,2026-11-10 11:00:00,一号店,R400,1,收银机订单,10.00,5.00,5.00,食品,R400,,
r4,2026-11-30 11:00:00,一号店,R400,9,收银机订单,10.00,55.00,35.00,食品,R400,,
r5,2026-11-10 12:00:00,一号店,R401,1,收银机订单,10.00,5.00,5.00,食品,R401,,
r6,2026-11-30 12:00:00,一号店,R401,9,收银机订单,10.00,54.90,35.10,食品,R401,,
h1,2026-11-23 10:00:00,一号店,CL7,1,收银机订单,5.00,4.00,1.00,食品,CL7,12,
h2,2026-11-24 10:00:00,一号店,CL6,1,收银机订单,5.00,4.00,1.00,食品,CL6,12,
h3,2026-11-20 10:00:00,一号店,CL0,1,收银机订单,5.00,4.00,1.00,食品,CL0,0,
k1,2026-11-05 10:00:00,一号店,RA,10,收银机订单,15.00,120.00,30.00,粮油调味,RA,,20
k2,2026-11-20 10:00:00,一号店,RA,10,收银机订单,15.00,120.00,30.00,粮油调味,RA,,20
k3,2026-11-05 11:00:00,一号店,RA167,10,收银机订单,15.00,120.00,30.00,粮油调味,RA167,,16.70
k4,2026-11-20 11:00:00,一号店,RA167,10,收银机订单,15.00,120.00,30.00,粮油调味,RA167,,16.70
k5,2026-11-05 12:00:00,一号店,RA166,10,收银机订单,15.00,120.00,30.00,粮油调味,RA166,,16.60
k6,2026-11-20 12:00:00,一号店,RA166,10,收银机订单,15.00,120.00,30.00,粮油调味,RA166,,16.60
k7,2026-11-05 13:00:00,一号店,RAX,10,收银机订单,15.00,120.00,30.00,粮油调味,RAX,,
k8,2026-11-20 13:00:00,一号店,RAX,10,收银机订单,15.00,120.00,30.00,粮油调味,RAX,,
k9,2026-11-05 14:00:00,一号店,RA9,10,收银机订单,15.00,120.00,30.00,粮油调味,RA9,,20
ka,2026-11-20 14:00:00,一号店,RA9,9,收银机订单,15.00,108.00,27.00,粮油调味,RA9,,20
kb,2026-11-05 15:00:00,一号店,RA8,10,收银机订单,15.00,120.00,30.00,粮油调味,RA8,,20
kc,2026-11-20 15:00:00,一号店,RA8,8,收银机订单,15.00,96.00,24.00,粮油调味,RA8,,20
";

#[test]
fn each_scenario_selects_exactly_the_products_on_its_side_of_the_threshold() {
    let server = AppServer::start();
    server.upload_ok(&[Part::file(
        "场景.xlsx",
        xlsx(&format!("{HEADER}{SCENARIOS}")),
    )]);
    let http = Http::new(server.url(""));
    let free = pricing(&http, "?scenario=free");
    assert_eq!(free["as_of"], "2026-11-30", "{free}");
    assert_eq!(free["items"].as_array().map(Vec::len), Some(14));
    // 亏损止血 lists exactly the products whose current price is under their 真实保本价.
    let below: BTreeSet<String> = items(&free)
        .iter()
        .filter(|i| num(&i["current_price"]) < num(&i["break_even_price"]))
        .filter_map(|i| i["key"].as_str().map(str::to_owned))
        .collect();
    let loss = pricing(&http, "?scenario=loss_stop");
    assert_eq!(keys(&loss), set(&["D"]));
    assert_eq!(keys(&loss), below);
    close(&item(&free, "C")["break_even_price"], 7.7 / 0.92, "C 保本");
    close(&item(&free, "D")["current_price"], 8.36, "D price");
    let cases: [(&str, &[&str]); 3] = [
        ("margin_repair", &["R399"]),
        ("clearance", &["CL7"]),
        ("raise_opportunity", &["RA", "RA167", "RA9"]),
    ];
    for (scenario, want) in cases {
        let json = pricing(&http, &format!("?scenario={scenario}"));
        assert_eq!(keys(&json), set(want), "{scenario}: {json}");
        let counted = json["scenarios"]
            .as_array()
            .and_then(|s| s.iter().find(|c| c["scenario"] == scenario))
            .map(|c| c["count"].clone());
        assert_eq!(counted, Some(want.len().into()), "{scenario}'s menu count");
    }
    let r399 = item(&free, "R399");
    close(&r399["highlight_margin_pct"], 50.0, "R399 高光");
    close(&r399["margin_pct"], 39.9, "R399 margin");
    close(&item(&free, "R401")["margin_pct"], 40.1, "R401 margin");
    assert_eq!(item(&free, "CL7")["idle_days"], 7);
    assert_eq!(item(&free, "CL6")["idle_days"], 6);
    // The upload kept 商品原价: it is what 涨价机会 compares with.
    close(&item(&free, "RA167")["original_price"], 16.7, "RA167 原价");
    assert!(item(&free, "RAX")["original_price"].is_null());
    // Clearance cuts by default; the others raise.
    let clearance = pricing(&http, "?scenario=clearance&level=medium");
    assert_eq!(clearance["direction"], "down");
    close(&item(&clearance, "CL7")["new_price"], 4.7, "CL7 −6% of ¥5");
    for (param, value) in [
        ("scenario", "cheap"),
        ("level", "huge"),
        ("direction", "sideways"),
        ("rounding", "cent"),
        ("target_margin", "abc"),
        ("max_change", "95"),
    ] {
        let res = http.get(&format!("/api/v1/pricing?{param}={value}"));
        assert_eq!(res.status, 400, "{param}={value}: {}", res.body);
        assert_eq!(
            res.json()["error"]["details"]["param"],
            param,
            "{}",
            res.body
        );
    }
}

#[test]
fn no_price_goes_under_its_floor_and_locked_products_keep_theirs_in_every_mode() {
    let spec = fx::ExportSpec {
        days: 40,
        orders_per_store_day: 30,
        seed: 5,
        ..fx::ExportSpec::default()
    };
    let last = spec.start + Duration::days(i64::from(spec.days) - 1);
    let server = AppServer::start();
    server.upload_ok(&[Part::file("生成.xlsx", fx::xlsx_bytes(&spec))]);
    server.upload_ok(&[Part::file("引流.xlsx", xlsx(&leads(last)))]);
    let http = Http::new(server.url(""));
    let mut locked_seen = BTreeSet::new();
    for scenario in [
        "loss_stop",
        "margin_repair",
        "clearance",
        "raise_opportunity",
        "free",
    ] {
        for level in ["light", "medium", "heavy"] {
            for (direction, rounding) in [("up", "jiao"), ("down", "jiao"), ("up", "nine")] {
                let q = query(&[
                    ("scenario", scenario),
                    ("level", level),
                    ("direction", direction),
                    ("rounding", rounding),
                ]);
                let json = pricing(&http, &q);
                if scenario == "free" {
                    assert!(items(&json).len() > 20, "every product is priced: {q}");
                }
                for i in items(&json) {
                    let (new, current) = (num(&i["new_price"]), num(&i["current_price"]));
                    let what = format!("{q} {}", i["key"]);
                    if i["locked"] == true {
                        // 🎯 策略引流 is priced low on purpose: kept as it is, floors or not.
                        assert_eq!(new, current, "{what}: a locked price moves");
                        locked_seen.insert(i["key"].as_str().unwrap_or_default().to_owned());
                        continue;
                    }
                    assert!(new + 1e-9 >= num(&i["unit_cost"]), "{what}: {i}");
                    if scenario != "clearance" {
                        assert!(new + 1e-9 >= num(&i["break_even_price"]), "{what}: {i}");
                    }
                    // Rounded to ¥0.1, or to a price ending in .9.
                    let steps = if rounding == "nine" {
                        new - 0.9
                    } else {
                        new * 10.0
                    };
                    assert!((steps.round() - steps).abs() < 1e-6, "{what}: {new}");
                }
            }
        }
    }
    assert!(
        locked_seen.contains("EGG") && locked_seen.contains("GIFT"),
        "{locked_seen:?}"
    );
    // Unlocked, EGG is priced like any other: +10% of ¥0.99 is under its 真实保本价 3 / 0.92 =
    // 3.26, so it goes to that floor, rounded up to ¥3.30.
    let q = query(&[
        ("keys", "EGG"),
        ("unlock", "EGG"),
        ("direction", "up"),
        ("level", "heavy"),
    ]);
    let egg = item(&pricing(&http, &q), "EGG");
    assert_eq!(egg["locked"], false, "{egg}");
    assert_eq!(egg["clamp"], "break_even", "{egg}");
    close(&egg["new_price"], 3.3, "EGG unlocked");
}

#[test]
fn an_admin_saves_lists_opens_and_deletes_a_plan_and_a_viewer_only_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = secured(dir.path());
    let admin = Http::login(server.url(""), ADMIN);
    let viewer = Http::login(server.url(""), VIEWER);
    admin.upload("调价前.xlsx", xlsx(&before_plan()));
    let plans = "/api/v1/pricing/plans";
    let refused = viewer.post_json(plans, &plan_body("看看"));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        admin.ok(plans)["plans"],
        json!([]),
        "a refused save saves nothing"
    );

    let saved = admin.post_json(plans, &plan_body("饮料提价"));
    assert_eq!(saved.status, 201, "{}", saved.body);
    let summary = saved.json();
    let id = summary["id"].as_i64().expect("an id");
    assert_eq!(saved.location, format!("{plans}/{id}"));
    assert!(
        summary["author"]
            .as_str()
            .unwrap_or_default()
            .contains("admin"),
        "{summary}"
    );
    assert_eq!(summary["name"], "饮料提价");
    assert_eq!(summary["scenario"], "free");
    assert_eq!(summary["item_count"], 2);
    // The day after the data's last day (11-30).
    assert_eq!(summary["effective_from"], "2026-12-01");
    for who in [&admin, &viewer] {
        let list = who.ok(plans);
        assert_eq!(list["plans"][0]["id"], id, "{list}");
        assert_eq!(list["plans"].as_array().map(Vec::len), Some(1));
    }
    let open = viewer.ok(&format!("{plans}/{id}"));
    assert_eq!(open["items"].as_array().map(Vec::len), Some(2), "{open}");
    close(&open["items"][0]["new_price"], 10.6, "+6% of ¥10");
    assert_eq!(open["params"]["keys"], "Q1,Q2");
    // No day after the plan exists yet.
    assert_eq!(open["outcome"]["days"], 0, "{open}");
    assert!(open["outcome"]["to"].is_null(), "{open}");
    // The summary's fields sit beside the items, and the plan's page shows them.
    assert_eq!(
        (&open["id"], &open["name"]),
        (&json!(id), &json!("饮料提价"))
    );
    let page = viewer.get(&format!("/tabs/pricing?plan={id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("饮料提价") && page.body.contains("生效后还没有数据"));

    let refused = viewer.delete(&format!("{plans}/{id}"));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        admin.get(&format!("{plans}/{id}")).status,
        200,
        "still there"
    );
    let deleted = admin.delete(&format!("{plans}/{id}"));
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json(), json!({"deleted": id}));
    let gone = admin.get(&format!("{plans}/{id}"));
    assert_eq!(
        (gone.status, gone.code()),
        (404, "no_plan".to_owned()),
        "{}",
        gone.body
    );
    assert_eq!(admin.delete(&format!("{plans}/{id}")).status, 404);
    assert_eq!(viewer.ok(plans)["plans"], json!([]));
    // The audit log (数据管理) lists both changes, in its words, with the plan's name.
    let page = admin.get("/tabs/data");
    assert_eq!(page.status, 200, "{}", page.body);
    for action in ["保存调价方案", "删除调价方案", "饮料提价"] {
        assert!(
            page.body.contains(action),
            "{action} in the audit log: {}",
            page.body
        );
    }
}

#[test]
fn a_plan_name_must_be_one_to_eighty_characters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = secured(dir.path());
    let admin = Http::login(server.url(""), ADMIN);
    admin.upload("调价前.xlsx", xlsx(&before_plan()));
    let plans = "/api/v1/pricing/plans";
    let long = "价".repeat(81);
    for (name, problem) in [
        ("", "empty"),
        ("   ", "empty"),
        (long.as_str(), "81 characters"),
    ] {
        let res = admin.post_json(plans, &plan_body(name));
        assert_eq!(
            (res.status, res.code()),
            (400, "bad_plan".to_owned()),
            "{}",
            res.body
        );
        assert!(res.body.contains(problem), "{name:?}: {}", res.body);
    }
    assert_eq!(admin.ok(plans)["plans"], json!([]));
    // Eighty characters (240 bytes) is the longest name.
    let res = admin.post_json(plans, &plan_body(&"价".repeat(80)));
    assert_eq!(res.status, 201, "{}", res.body);
    // A form says the same as JSON; its empty name is refused the same way.
    let form = [("scenario", "free"), ("keys", "Q1"), ("level", "heavy")];
    let res = admin.post_form(plans, &[&form[..], &[("name", " ")][..]].concat());
    assert_eq!(
        (res.status, res.code()),
        (400, "bad_plan".to_owned()),
        "{}",
        res.body
    );
    let res = admin.post_form(plans, &[&form[..], &[("name", "表单方案")][..]].concat());
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json()["id"].as_i64().expect("an id");
    let open = admin.ok(&format!("{plans}/{id}"));
    assert_eq!(open["items"].as_array().map(Vec::len), Some(1), "{open}");
    close(&open["items"][0]["new_price"], 11.0, "+10% of ¥10");
    assert_eq!(admin.ok(plans)["plans"].as_array().map(Vec::len), Some(2));
}

#[test]
fn days_after_a_plan_measure_its_response_which_then_becomes_the_elasticity() {
    let server = AppServer::start();
    let http = Http::new(server.url(""));
    server.upload_ok(&[Part::file("调价前.xlsx", xlsx(&before_plan()))]);
    let saved = http.post_json("/api/v1/pricing/plans", &plan_body("饮料提价"));
    assert_eq!(saved.status, 201, "{}", saved.body);
    let id = saved.json()["id"].as_i64().expect("an id");
    let open = || http.ok(&format!("/api/v1/pricing/plans/{id}"));
    let outcome_of = |json: &Value, key: &str| {
        json["outcome"]["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["key"] == key).cloned())
            .unwrap_or_else(|| panic!("no outcome for {key}: {json}"))
    };
    let source = |key: &str| {
        item(&pricing(&http, &format!("?keys={key}")), key)["elasticity_source"].clone()
    };
    // Six days of ¥10.60 at 2 a day: too few to feed back (7 needed).
    server.upload_ok(&[Part::file("12月1-6日.xlsx", xlsx(&after_plan(1, 6, |_| 2)))]);
    let six = open();
    assert_eq!(six["outcome"]["days"], 6, "{six}");
    assert_eq!(six["outcome"]["feeds_back"], false);
    close(
        &outcome_of(&six, "Q1")["actual_daily_qty"],
        2.0,
        "12 units / 6 days",
    );
    assert_eq!(source("Q1"), "category");
    // Then 2, 2, 1, 1 on 12-07 … 12-10: 18 units over 10 days.
    server.upload_ok(&[Part::file(
        "12月7-10日.xlsx",
        xlsx(&after_plan(7, 10, |d| if d <= 8 { 2 } else { 1 })),
    )]);
    let ten = open();
    let o = &ten["outcome"];
    assert_eq!(o["from"], "2026-12-01", "{o}");
    assert_eq!(o["to"], "2026-12-10", "{o}");
    assert_eq!(o["days"], 10, "{o}");
    assert_eq!(o["feeds_back"], true);
    let q1 = outcome_of(&ten, "Q1");
    // Predicted: +6% × −1.2 = −7.2%: 2 × 0.928 = 1.856 a day, each earning
    // 10.60 × 0.92 − 6 = 3.752: ¥6.963712 a day.
    close(&q1["predicted_daily_qty"], 1.856, "predicted qty");
    close(
        &q1["predicted_daily_profit"],
        1.856 * 3.752,
        "predicted profit",
    );
    // Real: 18 / 10 = 1.8 a day at ¥10.60; (190.80 × 0.92 − 108) / 10 = ¥6.7536 a day.
    close(&q1["actual_daily_qty"], 1.8, "actual qty");
    close(&q1["actual_price"], 10.6, "actual price");
    close(
        &q1["actual_daily_profit"],
        (190.8 * 0.92 - 108.0) / 10.0,
        "actual profit",
    );
    // Measured: (1.8 / 2 − 1) × 100 / 6% = −1.6667.
    close(&q1["measured_elasticity"], -10.0 / 6.0, "measured");
    // Q2's price did not move (0% < 1%): nothing measured.
    let q2 = outcome_of(&ten, "Q2");
    assert!(q2["measured_elasticity"].is_null(), "{q2}");
    let priced = pricing(&http, "?keys=Q1,Q2");
    let q1 = item(&priced, "Q1");
    assert_eq!(q1["elasticity_source"], "plan", "{q1}");
    close(&q1["elasticity"], -10.0 / 6.0, "Q1's elasticity");
    assert!(
        q1["elasticity_label"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("#{id}")),
        "{q1}"
    );
    assert_eq!(item(&priced, "Q2")["elasticity_source"], "category");
    // The product page reads the same elasticity.
    let page = http.ok("/api/v1/products/Q1");
    assert_eq!(
        page["elasticity"]["source"], "plan",
        "{}",
        page["elasticity"]
    );
}

#[test]
fn an_opened_plan_answers_the_summary_fields_beside_params_items_and_outcome() {
    let server = AppServer::start();
    let http = Http::new(server.url(""));
    server.upload_ok(&[Part::file("调价前.xlsx", xlsx(&before_plan()))]);
    let saved = http.post_json("/api/v1/pricing/plans", &plan_body("饮料提价"));
    assert_eq!(saved.status, 201, "{}", saved.body);
    let summary = saved.json();
    let id = summary["id"].as_i64().expect("an id");
    let open = http.ok(&format!("/api/v1/pricing/plans/{id}"));
    // The same fields as the save's answer and the list, at the top level, beside the rest.
    let fields = [
        "id",
        "name",
        "author",
        "created_at",
        "store",
        "channel",
        "scenario",
        "effective_from",
        "item_count",
    ];
    for field in fields {
        assert_eq!(open.get(field), summary.get(field), "{field}: {open}");
    }
    for field in ["params", "items", "outcome"] {
        assert!(open.get(field).is_some(), "{field}: {open}");
    }
}

#[test]
fn a_locked_free_gift_keeps_its_price_and_is_predicted_to_sell_as_before() {
    let server = AppServer::start();
    let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a day");
    server.upload_ok(&[Part::file("引流.xlsx", xlsx(&leads(day)))]);
    let http = Http::new(server.url(""));
    let json = pricing(&http, "?keys=GIFT,EGG&direction=up&level=heavy");
    for key in ["GIFT", "EGG"] {
        let i = item(&json, key);
        // Both are 🎯 策略引流 (GIFT is free, EGG loses 203%): locked at their price.
        assert_eq!(i["locked"], true, "{i}");
        assert_eq!(i["new_price"], i["current_price"], "{i}");
        // A price that does not move moves nothing: 0% change, the same volume and profit.
        assert_eq!(i["change_pct"], 0.0, "{key}: {i}");
        assert_eq!(num(&i["predicted"]["qty_change_pct"]), 0.0, "{key}: {i}");
        close(&i["predicted"]["daily_profit_change"], 0.0, key);
    }
    close(
        &json["total"]["daily_profit_change"],
        0.0,
        "the total's change",
    );
}
