//! Helpers of the product page and 智能调价 tests: hand-written exports written as real .xlsx
//! files from CSV-like text, a plain HTTP client that can carry a session cookie (JSON bodies,
//! uploads, deletes), and the real app with an admin and a viewer password.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};
use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_auth::AuthConfig;
use storeboard_data::OrderStore;
use storeboard_tabs::{TabsState, DEFAULT_CAPACITY};
use storeboard_upload::UploadState;

use crate::support::app::{encode_segment, multipart, multipart_type, Part, UPLOAD_TIMEOUT};
use crate::support::{settings, TestServer, IO_TIMEOUT};

pub const ADMIN: &str = "admin-pw-pricing-41";
pub const VIEWER: &str = "viewer-pw-pricing-17";

/// The columns written as numbers; every other column is text.
const NUMERIC: [&str; 7] = [
    "销量",
    "实收价格",
    "利润额",
    "商品采购成本",
    "满减金额",
    "剩余库存",
    "商品原价",
];

/// A real .xlsx of `csv`: its first line is the header, then one line per row, cells split at
/// commas; an empty cell is left unwritten (blank in the sheet).
pub fn xlsx(csv: &str) -> Vec<u8> {
    let mut lines = csv.lines().map(str::trim).filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in (0u16..).zip(&header) {
        sheet.write_string(0, c, *h).expect("header cell");
    }
    for (r, line) in (1u32..).zip(lines) {
        for ((c, h), cell) in (0u16..).zip(&header).zip(line.split(',')) {
            if cell.is_empty() {
                continue;
            }
            if NUMERIC.contains(h) {
                let n: f64 = cell.parse().unwrap_or_else(|e| panic!("{h} {cell:?}: {e}"));
                sheet.write_number(r, c, n).expect("number cell");
            } else {
                sheet.write_string(r, c, cell).expect("text cell");
            }
        }
    }
    book.save_to_buffer().expect("the workbook")
}

/// `?k=v&…`, each value percent-encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_segment(v)))
        .collect();
    format!("?{}", parts.join("&"))
}

/// A status, `Location` and body, whatever the status.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub cookie: String,
    pub body: String,
}

impl Answer {
    /// The body as JSON, panicking with it when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// `error.code` of an error answer.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A client of one server, optionally logged in (its session cookie sent with every request).
pub struct Http {
    base: String,
    cookie: Option<String>,
    agent: ureq::Agent,
}

fn answer(result: Result<ureq::Response, ureq::Error>, what: &str) -> Answer {
    let res = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{what}: {e}"),
    };
    Answer {
        status: res.status(),
        location: res.header("location").unwrap_or("").to_owned(),
        cookie: res
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .unwrap_or("")
            .to_owned(),
        body: res.into_string().unwrap_or_else(|e| panic!("{what}: {e}")),
    }
}

impl Http {
    /// A client of `http://addr` (`base` without a trailing slash).
    pub fn new(base: String) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(IO_TIMEOUT)
            .redirects(0)
            .build();
        Self {
            base,
            cookie: None,
            agent,
        }
    }

    /// Logs in with `password` (asserting the 303 and the session cookie).
    pub fn login(base: String, password: &str) -> Self {
        let mut http = Self::new(base);
        let res = answer(
            http.agent
                .post(&format!("{}/login", http.base))
                .send_form(&[("password", password), ("next", "/")]),
            "POST /login",
        );
        assert_eq!(res.status, 303, "login: {}", res.body);
        assert!(res.cookie.starts_with("storeboard_session="), "{res:?}");
        http.cookie = Some(res.cookie);
        http
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        let req = self.agent.request(method, &format!("{}{path}", self.base));
        match &self.cookie {
            Some(c) => req.set("Cookie", c),
            None => req,
        }
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Answer {
        answer(self.request("GET", path).call(), &format!("GET {path}"))
    }

    /// `GET path`, asserting 200, as JSON.
    pub fn ok(&self, path: &str) -> Value {
        let res = self.get(path);
        assert_eq!(res.status, 200, "GET {path}: {}", res.body);
        res.json()
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> Answer {
        answer(
            self.request("DELETE", path).call(),
            &format!("DELETE {path}"),
        )
    }

    /// `POST path` with a JSON body.
    pub fn post_json(&self, path: &str, body: &Value) -> Answer {
        let req = self
            .request("POST", path)
            .set("Content-Type", "application/json");
        answer(req.send_string(&body.to_string()), &format!("POST {path}"))
    }

    /// `POST path` with a form body.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        answer(
            self.request("POST", path).send_form(fields),
            &format!("POST {path}"),
        )
    }

    /// Uploads `bytes` as `name` (merged into the stored data), asserting 200 and no rejected
    /// line.
    pub fn upload(&self, name: &str, bytes: Vec<u8>) {
        let body = multipart(&[Part::file(name, bytes), Part::mode("merge")]);
        let req = self
            .request("POST", "/api/v1/uploads")
            .timeout(UPLOAD_TIMEOUT)
            .set("Content-Type", &multipart_type());
        let res = answer(req.send_bytes(&body), "POST /api/v1/uploads");
        assert_eq!(res.status, 200, "upload {name}: {}", res.body);
        for record in res.json()["uploads"].as_array().into_iter().flatten() {
            assert_eq!(record["report"]["rejected_lines"], 0, "{record}");
        }
    }
}

/// The real app over `dir` with an admin and a viewer password, access control wired as the
/// binary wires it (sessions in the database, the audit log written by its thread).
pub fn secured(dir: &Path) -> TestServer {
    let limit = 8 << 20;
    let store = Arc::new(OrderStore::open(dir).expect("store opens"));
    let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
    let upload = UploadState::new(Arc::clone(&store), dir.to_owned(), limit);
    let config = AuthConfig {
        admin_password: Some(ADMIN.to_owned()),
        viewer_password: Some(VIEWER.to_owned()),
        ..AuthConfig::default()
    };
    let auth = storeboard::access::secured(config, dir, store).expect("access control");
    let app = move || {
        storeboard::app_with_auth(Mode::Production, upload.clone(), tabs.clone(), auth.clone())
    };
    let mut s = settings();
    s.max_request_body_size = limit;
    TestServer::serve(s, app)
}

/// A number field, panicking with the JSON when it is not one.
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Asserts `got` is `want` within 1e-6 (money and rates computed in floating point).
#[track_caller]
pub fn close(got: &Value, want: f64, what: &str) {
    let g = num(got);
    assert!((g - want).abs() < 1e-6, "{what}: got {g}, want {want}");
}

// The exports and requests of the 智能调价 tests.

/// The columns of the 智能调价 tests' hand-written exports.
pub const HEADER: &str = "订单ID,下单时间,门店名称,商品名称,销量,渠道,实收价格,商品采购成本,利润额,一级分类名,店内码,剩余库存,商品原价";

/// `GET /api/v1/pricing{query}`, asserting 200.
pub fn pricing(http: &Http, q: &str) -> Value {
    http.ok(&format!("/api/v1/pricing{q}"))
}

/// The items of a pricing answer.
pub fn items(json: &Value) -> Vec<Value> {
    json["items"].as_array().cloned().unwrap_or_default()
}

/// The items' keys.
pub fn keys(json: &Value) -> BTreeSet<String> {
    items(json)
        .iter()
        .filter_map(|i| i["key"].as_str().map(str::to_owned))
        .collect()
}

/// The item of `key`, panicking with the answer when there is none.
pub fn item(json: &Value, key: &str) -> Value {
    items(json)
        .into_iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no item {key}: {json}"))
}

/// `keys` as a set.
pub fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

/// Two 🎯 策略引流 products beside the generated stores, at 三号店 on `day` (the generated
/// data's last): EGG, 500 sold at ¥0.99 with cost ¥3 (margin −203%, far under −50%, and more
/// units than most products), and GIFT, 5 given away at ¥0 (free).
pub fn leads(day: NaiveDate) -> String {
    format!(
        "{HEADER}
e1,{day} 09:00:00,三号店,特价鸡蛋,500,收银机订单,0.99,1500.00,-1005.00,生鲜,EGG,,
g1,{day} 09:30:00,三号店,赠品纸巾,5,收银机订单,0.00,5.00,-5.00,日用品,GIFT,,"
    )
}

/// Q1 and Q2 (饮料: elasticity −1.2) each sold 2 a day at ¥10.00 with ¥6 a unit from 11-01 to
/// 11-30 at 一号店 on 收银机订单: 30 days, 2 a day, margin 40%.
pub fn before_plan() -> String {
    let mut csv = HEADER.to_owned();
    let start = NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day");
    for n in 0..30 {
        let day = start + Duration::days(n);
        for key in ["Q1", "Q2"] {
            csv.push_str(&format!(
                "\n{key}-{day},{day} 10:00:00,一号店,{key},2,收银机订单,10.00,12.00,8.00,饮料,{key},,"
            ));
        }
    }
    csv
}

/// Days `first..=last` of December: Q1 at ¥10.60 (`q1` units a day), Q2 kept at ¥10.00 (2).
pub fn after_plan(first: u32, last: u32, q1: impl Fn(u32) -> u32) -> String {
    let mut csv = HEADER.to_owned();
    for d in first..=last {
        let day = NaiveDate::from_ymd_opt(2026, 12, d).expect("a day");
        let n = q1(d);
        let (sales, cost) = (10.6 * f64::from(n), 6.0 * f64::from(n));
        csv.push_str(&format!(
            "\nQ1-{day},{day} 10:00:00,一号店,Q1,{n},收银机订单,10.60,{cost:.2},{:.2},饮料,Q1,,",
            sales - cost
        ));
        csv.push_str(&format!(
            "\nQ2-{day},{day} 10:00:00,一号店,Q2,2,收银机订单,10.00,12.00,8.00,饮料,Q2,,"
        ));
    }
    csv
}

/// A plan of +6% (medium, up) on Q1 and Q2, named `name`.
pub fn plan_body(name: &str) -> Value {
    json!({"name": name, "scenario": "free", "keys": "Q1,Q2", "direction": "up", "level": "medium"})
}
