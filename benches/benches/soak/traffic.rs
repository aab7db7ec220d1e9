//! The request mix: what each client asks for (a fixed-seed weighted draw over pages, fragments,
//! the JSON API, exports, lists and bad dates) and what each answer must look like.

use chrono::NaiveDate;

use crate::http::{encode, find, snippet, Answer};
use crate::rng::Rng;

/// Channels of the generated exports (`storeboard-fixtures`), for the channel filter.
const CHANNELS: [&str; 6] = [
    "美团闪购",
    "饿了么",
    "京东到家",
    "抖音",
    "收银机订单",
    "闪购小程序",
];
/// The analysis tabs (API, exports); the page and fragments also have `data`.
const ANALYSIS_TABS: [&str; 4] = ["today", "overview", "products", "timeslots"];
const PAGE_TABS: [&str; 5] = ["today", "overview", "products", "timeslots", "data"];
/// Deliberately bad periods, the only requests answered `400`, with the API's `error.code`.
const BAD_DATES: [(&str, &str); 5] = [
    ("from=2026-13-01", "bad_date"),
    ("to=2026-11-31", "bad_date"),
    ("from=2026-11-3", "bad_date"),
    ("from=yesterday", "bad_date"),
    ("from=2026-11-20&to=2026-11-10", "bad_period"),
];

/// The kinds of request, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Page,
    Fragment,
    Api,
    Export,
    Stores,
    BadDate,
    Upload,
}

pub(crate) const KINDS: [Kind; 7] = [
    Kind::Page,
    Kind::Fragment,
    Kind::Api,
    Kind::Export,
    Kind::Stores,
    Kind::BadDate,
    Kind::Upload,
];

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Page => "page /?tab=",
            Kind::Fragment => "fragment /tabs/",
            Kind::Api => "api /api/v1/tabs/",
            Kind::Export => "export /export/",
            Kind::Stores => "stores+uploads list",
            Kind::BadDate => "bad date (400)",
            Kind::Upload => "upload (merge)",
        }
    }
}

/// What an answer must look like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect {
    /// `200`, a non-empty body.
    Html,
    /// `200`, a JSON object or array.
    Json,
    /// `200`, a zip archive.
    Xlsx,
    /// `400`; from the JSON API, with this `error.code`.
    Refused(Option<&'static str>),
}

/// One request to send.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) kind: Kind,
    pub(crate) path: String,
    pub(crate) expect: Expect,
}

impl Plan {
    pub(crate) fn check(&self, answer: &Answer) -> Result<(), String> {
        let want = match self.expect {
            Expect::Refused(_) => 400,
            _ => 200,
        };
        if answer.status != want {
            return Err(format!(
                "{}: status {} (expected {want}): {}",
                self.path,
                answer.status,
                snippet(&answer.body)
            ));
        }
        let body = &answer.body;
        let shape = match self.expect {
            Expect::Html => !body.is_empty(),
            Expect::Json => body.starts_with(b"{") || body.starts_with(b"["),
            Expect::Xlsx => body.starts_with(b"PK"),
            Expect::Refused(None) => true,
            Expect::Refused(Some(code)) => find(body, format!("\"{code}\"").as_bytes()).is_some(),
        };
        if shape {
            Ok(())
        } else {
            Err(format!(
                "{}: status {want} but unexpected body: {}",
                self.path,
                snippet(body)
            ))
        }
    }
}

/// The data the requests choose from.
#[derive(Debug)]
pub(crate) struct Traffic {
    pub(crate) stores: Vec<String>,
    pub(crate) first: NaiveDate,
    pub(crate) days: u32,
}

/// The sortable tables of each tab and some of their columns.
fn tables(tab: &str) -> &'static [(&'static str, &'static [&'static str])] {
    match tab {
        "overview" => &[
            (
                "channels",
                &["channel", "orders", "sales", "profit", "margin_pct"],
            ),
            ("categories", &["category", "sales", "profit", "quantity"]),
        ],
        "products" => &[
            (
                "products",
                &["name", "sales", "profit", "quantity", "margin_pct", "stock"],
            ),
            ("slow_moving", &["name", "quantity", "stock", "sales"]),
            ("out_of_stock", &["name", "quantity", "sales"]),
        ],
        "timeslots" => &[
            ("slots", &["slot", "orders", "sales", "profit"]),
            ("scenes", &["scene", "lines", "sales", "profit"]),
        ],
        "today" => &[
            ("loss_orders", &["store", "order_id", "sales", "profit"]),
            ("high_delivery", &["store", "time", "delivery_net"]),
        ],
        _ => &[],
    }
}

impl Traffic {
    pub(crate) fn day(&self, offset: u32) -> NaiveDate {
        self.first + chrono::Duration::days(i64::from(offset))
    }

    /// The next request: page 10%, fragment 35%, API 30%, export 10%, stores/uploads 10%,
    /// bad date 5%.
    pub(crate) fn next(&self, rng: &mut Rng) -> Plan {
        let roll = rng.below(100);
        let (kind, path, expect) = match roll {
            0..=9 => {
                let tab = rng.pick(&PAGE_TABS);
                let sort = self.sort(rng, tab);
                let path = format!("/?tab={tab}{}{sort}", self.filters(rng));
                (Kind::Page, path, Expect::Html)
            }
            10..=44 => {
                let tab = rng.pick(&PAGE_TABS);
                let sort = self.sort(rng, tab);
                let path = format!("/tabs/{tab}?{}{sort}", self.filters(rng));
                (Kind::Fragment, path.replace("?&", "?"), Expect::Html)
            }
            45..=74 => {
                let tab = rng.pick(&ANALYSIS_TABS);
                let path = format!("/api/v1/tabs/{tab}?{}", self.filters(rng));
                (Kind::Api, path.replace("?&", "?"), Expect::Json)
            }
            75..=84 => {
                let tab = rng.pick(&ANALYSIS_TABS);
                let path = format!("/export/{tab}.xlsx?{}", self.filters(rng));
                (Kind::Export, path.replace("?&", "?"), Expect::Xlsx)
            }
            85..=94 => {
                let path = if rng.chance(70) {
                    "/api/v1/stores"
                } else {
                    "/api/v1/uploads"
                };
                (Kind::Stores, path.to_owned(), Expect::Json)
            }
            _ => {
                let tab = rng.pick(&ANALYSIS_TABS);
                let (bad, code) = *rng.pick(&BAD_DATES);
                match rng.below(3) {
                    0 => (
                        Kind::BadDate,
                        format!("/api/v1/tabs/{tab}?{bad}"),
                        Expect::Refused(Some(code)),
                    ),
                    1 => (
                        Kind::BadDate,
                        format!("/tabs/{tab}?{bad}"),
                        Expect::Refused(None),
                    ),
                    _ => (
                        Kind::BadDate,
                        format!("/export/{tab}.xlsx?{bad}"),
                        Expect::Refused(None),
                    ),
                }
            }
        };
        Plan { kind, path, expect }
    }

    /// `&store=…&from=…&to=…&channel=…`, each part optional.
    fn filters(&self, rng: &mut Rng) -> String {
        let mut q = String::new();
        if rng.chance(60) {
            let store: &String = rng.pick(&self.stores);
            q.push_str(&format!("&store={}", encode(store)));
        }
        let last = self.days - 1;
        let period = match rng.below(100) {
            0..=29 => None,
            30..=49 => Some((last.saturating_sub(6), last)),
            50..=64 => Some((0, last)),
            65..=84 => {
                let d = rng.below(u64::from(self.days)) as u32;
                Some((d, d))
            }
            _ => {
                let from = rng.below(u64::from(self.days)) as u32;
                Some((from, (from + rng.below(14) as u32).min(last)))
            }
        };
        if let Some((from, to)) = period {
            q.push_str(&format!("&from={}&to={}", self.day(from), self.day(to)));
        }
        if rng.chance(30) {
            let channel = *rng.pick(&CHANNELS);
            q.push_str(&format!("&channel={}", encode(channel)));
        }
        q
    }

    /// Sometimes a table's sort (`s_{table}=column.asc|desc`) and page (`p_{table}=2|3`).
    fn sort(&self, rng: &mut Rng, tab: &str) -> String {
        let tables = tables(tab);
        if tables.is_empty() || !rng.chance(40) {
            return String::new();
        }
        let (table, columns) = rng.pick(tables);
        let dir = if rng.chance(50) { "asc" } else { "desc" };
        let mut q = format!("&s_{table}={}.{dir}", rng.pick(columns));
        if rng.chance(50) {
            q.push_str(&format!("&p_{table}={}", 2 + rng.below(2)));
        }
        q
    }
}
