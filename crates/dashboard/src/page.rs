//! The parts of the page around a tab: the mount point (`base`), the data status in the header,
//! the tab bar and the filter bar with its quick date ranges.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use serde_json::{json, Value};
use storeboard_analytics::Filters;
use storeboard_data::OrderStore;

use crate::query::ViewQuery;

/// Name of the page's route; its URL is the dashboard's mount point.
pub const INDEX: &str = "storeboard_dashboard_index";

/// One tab of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabInfo {
    /// In URLs: `overview`.
    pub name: &'static str,
    /// On the tab bar.
    pub label: &'static str,
}

/// The data-management tab, after the analysis tabs of the registry.
const DATA: TabInfo = TabInfo {
    name: "data",
    label: "📂 数据管理",
};

/// 智能调价, after the analysis tabs of the registry (it has its own parameters).
const PRICING: TabInfo = TabInfo {
    name: crate::pricing::NAME,
    label: crate::pricing::LABEL,
};

/// The tabs in display order: the registered analysis tabs, 智能调价, then data management.
pub fn tabs() -> impl Iterator<Item = TabInfo> {
    crate::tabs::TABS
        .iter()
        .map(|t| TabInfo {
            name: t.name(),
            label: t.label(),
        })
        .chain([PRICING, DATA])
}

/// The default tab (the registry's first).
pub fn first() -> TabInfo {
    tabs().next().unwrap_or(DATA)
}

/// The tab named `name`.
pub fn tab(name: &str) -> Option<TabInfo> {
    tabs().find(|t| t.name == name)
}

/// The data status in the header.
#[derive(Debug, Serialize)]
pub struct Status {
    stores: usize,
    lines: usize,
    last_upload: Option<Value>,
    /// Stores whose history is still loading after a start (their figures are not in yet).
    loading: Vec<String>,
}

/// Reads the status from memory (the snapshots and the last upload; no database access, so a
/// long upload transaction never delays a page).
pub fn status(store: &OrderStore) -> Status {
    let summaries = store.registry().summaries();
    let last_upload = store
        .last_upload()
        .map(|u| json!({"file": u.file_name, "at": crate::format::local_time(&u.uploaded_at)}));
    Status {
        stores: summaries.len(),
        lines: summaries.iter().map(|s| s.lines).sum(),
        last_upload,
        loading: store.loading(),
    }
}

/// The status when it cannot be read (the blocking pool refused the job).
pub fn status_empty() -> Status {
    Status {
        stores: 0,
        lines: 0,
        last_upload: None,
        loading: Vec::new(),
    }
}

/// Every store name, sorted, and every channel seen in the data, sorted.
pub fn choices(store: &OrderStore) -> (Vec<String>, Vec<String>) {
    let snaps = store.registry().all();
    let mut stores: Vec<String> = snaps.iter().map(|s| s.name.clone()).collect();
    stores.sort();
    let mut channels: Vec<String> = snaps
        .iter()
        .flat_map(|s| {
            s.channel_syms()
                .iter()
                .map(|&c| s.data.strings.get(c).to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .collect();
    channels.sort();
    channels.dedup();
    (stores, channels)
}

/// The quick date ranges, relative to `today`: (label, from, to).
pub fn quick_ranges(today: NaiveDate) -> Vec<(&'static str, NaiveDate, NaiveDate)> {
    let yesterday = today - Duration::days(1);
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = today.with_day(1).unwrap_or(today);
    let last_month_end = first - Duration::days(1);
    let last_month_start = last_month_end.with_day(1).unwrap_or(last_month_end);
    vec![
        ("昨日", yesterday, yesterday),
        ("今日", today, today),
        (
            "上周",
            monday - Duration::days(7),
            monday - Duration::days(1),
        ),
        ("本周", monday, today),
        ("上月", last_month_start, last_month_end),
        ("本月", first, today),
        ("过去7天", today - Duration::days(7), yesterday),
        ("过去30天", today - Duration::days(30), yesterday),
    ]
}

/// Everything the header needs for tab `current` under `base` with `query`; `resolved` are the
/// filters the tab was computed with (the default period filled in), when it was computed.
pub struct Controls<'a> {
    /// The dashboard's mount point, ending in `/`.
    pub base: &'a str,
    /// The current tab.
    pub current: TabInfo,
    /// The request's parameters.
    pub query: &'a ViewQuery,
    /// Resolved filters, if the tab computed any.
    pub resolved: Option<&'a Filters>,
    /// Today's date (local).
    pub today: NaiveDate,
    /// A page of its own under `base` (`products/可乐`) that the filters and quick ranges
    /// reload, instead of the current tab's fragment; it has no export link.
    pub route: Option<&'a str>,
}

impl Controls<'_> {
    /// The page URL for tab `name` with `query` (what the address bar shows).
    pub fn page_url(&self, name: &str, query: &ViewQuery) -> String {
        let q = query.with("tab", name).encode();
        format!("{}?{q}", self.base)
    }

    /// The fragment URL for tab `name` with `query` (what htmx fetches).
    pub fn fragment_url(&self, name: &str, query: &ViewQuery) -> String {
        format!("{}tabs/{name}{}", self.base, query.with("tab", "").suffix())
    }

    /// The URL of the current view with `query`: its own page's, else the current tab's
    /// (`fragment`: the fragment URL, else the page URL).
    fn current_url(&self, query: &ViewQuery, fragment: bool) -> String {
        match self.route {
            Some(route) => format!("{}{route}{}", self.base, query.with("tab", "").suffix()),
            None if fragment => self.fragment_url(self.current.name, query),
            None => self.page_url(self.current.name, query),
        }
    }

    /// The header's context: tab bar, filter values, choices, quick ranges, export link.
    pub fn context(&self, stores: Vec<String>, channels: Vec<String>) -> Value {
        let filters = self.query.filters_only();
        let tabs: Vec<Value> = tabs()
            .map(|t| {
                json!({"name": t.name, "label": t.label, "active": t.name == self.current.name,
                       "href": self.page_url(t.name, &filters), "hx": self.fragment_url(t.name, &filters)})
            })
            .collect();
        let from = self
            .resolved
            .map(|f| f.from.to_string())
            .or_else(|| self.query.get("from").map(str::to_owned));
        let to = self
            .resolved
            .map(|f| f.to.to_string())
            .or_else(|| self.query.get("to").map(str::to_owned));
        // A quick range is active when it is the period asked for, also when the view clamped
        // it to the data's days (`requested`: the date inputs show the days computed).
        let asked = self
            .resolved
            .and_then(|f| f.requested)
            .map(|p| (p.from.to_string(), p.to.to_string()));
        let quick: Vec<Value> = quick_ranges(self.today)
            .into_iter()
            .map(|(label, f, t)| {
                let q = filters
                    .with("from", &f.to_string())
                    .with("to", &t.to_string());
                let (f, t) = (f.to_string(), t.to_string());
                let active = match &asked {
                    Some((from, to)) => *from == f && *to == t,
                    None => from.as_deref() == Some(&f) && to.as_deref() == Some(&t),
                };
                json!({"label": label, "title": format!("{f} ~ {t}"), "active": active,
                       "href": self.current_url(&q, false), "hx": self.current_url(&q, true)})
            })
            .collect();
        // 智能调价 exports its plan from the page, with its scenario and level.
        let analysis =
            !matches!(self.current.name, "data" | crate::pricing::NAME) && self.route.is_none();
        let action = match self.route {
            Some(route) => format!("{}{route}", self.base),
            None => format!("{}tabs/{}", self.base, self.current.name),
        };
        json!({
            "tab": self.current.name,
            "tabs": tabs,
            "action": action,
            "store": self.query.get("store").unwrap_or(""),
            "channel": self.query.get("channel").unwrap_or(""),
            "from": from.unwrap_or_default(),
            "to": to.unwrap_or_default(),
            "stores": stores,
            "channels": channels,
            "quick": quick,
            "export": analysis.then(|| format!("{}export/{}.xlsx{}", self.base, self.current.name, filters.suffix())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn quick_ranges_follow_the_calendar() {
        // A Wednesday in March: last month is February of a non-leap year.
        let ranges = quick_ranges(day("2027-03-03"));
        let get = |label: &str| {
            let (_, f, t) = ranges.iter().find(|r| r.0 == label).expect("listed");
            (f.to_string(), t.to_string())
        };
        assert_eq!(get("昨日"), ("2027-03-02".into(), "2027-03-02".into()));
        assert_eq!(get("本周"), ("2027-03-01".into(), "2027-03-03".into()));
        assert_eq!(get("上周"), ("2027-02-22".into(), "2027-02-28".into()));
        assert_eq!(get("上月"), ("2027-02-01".into(), "2027-02-28".into()));
        assert_eq!(get("本月"), ("2027-03-01".into(), "2027-03-03".into()));
        assert_eq!(get("过去7天"), ("2027-02-24".into(), "2027-03-02".into()));
        assert_eq!(get("过去30天").1, "2027-03-02");
    }

    #[test]
    fn links_keep_the_filters_and_live_under_the_base() {
        let query = ViewQuery::parse("store=A&s_products=sales.asc");
        let controls = Controls {
            base: "/dashboard/",
            current: tab("products").expect("registered"),
            query: &query,
            resolved: None,
            today: day("2026-11-23"),
            route: None,
        };
        let ctx = controls.context(vec!["A".into()], vec![]);
        assert_eq!(ctx["tabs"][1]["hx"], "/dashboard/tabs/overview?store=A");
        assert_eq!(ctx["tabs"][1]["href"], "/dashboard/?store=A&tab=overview");
        assert_eq!(ctx["export"], "/dashboard/export/products.xlsx?store=A");
        assert_eq!(ctx["action"], "/dashboard/tabs/products");
        let pricing = Controls {
            current: tab(crate::pricing::NAME).expect("listed"),
            ..controls
        };
        assert_eq!(
            pricing.context(vec![], vec![])["export"],
            Value::Null,
            "the tab exports its own plan"
        );
    }

    #[test]
    fn a_quick_range_clamped_to_the_data_stays_active() {
        let query = ViewQuery::parse("from=2027-02-01&to=2027-02-28");
        let clamped = Filters {
            store: None,
            from: day("2027-02-01"),
            to: day("2027-02-20"),
            channel: None,
            requested: Some(storeboard_analytics::Period {
                from: day("2027-02-01"),
                to: day("2027-02-28"),
            }),
        };
        let controls = Controls {
            base: "/",
            current: tab("products").expect("registered"),
            query: &query,
            resolved: Some(&clamped),
            today: day("2027-03-03"),
            route: None,
        };
        let ctx = controls.context(vec![], vec![]);
        let active: Vec<&Value> = ctx["quick"]
            .as_array()
            .map(|q| {
                q.iter()
                    .filter(|r| r["active"] == true)
                    .map(|r| &r["label"])
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(active, [&json!("上月")]);
        assert_eq!(
            ctx["to"], "2027-02-20",
            "the date inputs show the days computed"
        );
    }
}
