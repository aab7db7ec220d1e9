//! The analysis tabs of the dashboard, registered once.
//!
//! Each tab is a folder (`tabs/<tab>/`: its view, its columns, its charts, its export) and one
//! line in [`TABS`]. The page's tab bar, the fragment and page handlers and the xlsx exports all
//! iterate [`TABS`]: a tab missing from it is a 404, never another tab's view.

pub(crate) mod overview;
pub(crate) mod products;
pub(crate) mod stores;
pub(crate) mod timeslots;
pub(crate) mod today;

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use serde_json::{json, Value};
use storeboard_analytics::Filters;
use storeboard_tabs::Tab;

use crate::export::ExportError;
use crate::query::ViewQuery;
use crate::views::Href;
use crate::DashboardState;

/// A rendered view: the template's context and the filters it was computed with, or the status
/// and the (Chinese) message to show instead.
pub(crate) type TabResult = Result<(Value, Option<Filters>), (StatusCode, String)>;

/// A view being computed (it waits for the tabs' cache; it borrows the request).
pub(crate) type ViewFuture<'a> = Pin<Box<dyn Future<Output = TabResult> + 'a>>;

/// One analysis tab as the dashboard shows and exports it.
pub(crate) trait TabView: Sync {
    /// The API's tab behind it (its name is the name in URLs and templates).
    fn tab(&self) -> Tab;

    /// The label on the tab bar (`📊 订单数据概览`).
    fn label(&self) -> &'static str;

    /// The label of its export: the workbook's title and file name (`经营分析报告`).
    fn title(&self) -> &'static str;

    /// Computes the tab for `q` and builds what its template gets (`href` links its tables).
    fn view<'a>(
        &'a self,
        state: &'a DashboardState,
        q: &'a ViewQuery,
        href: Href<'a>,
    ) -> ViewFuture<'a>;

    /// Its workbook from the tab's JSON as the API answers it.
    fn workbook(&self, json: &Value) -> Result<Vec<u8>, ExportError>;

    /// The name in URLs (`overview`).
    fn name(&self) -> &'static str {
        self.tab().name()
    }
}

/// Every analysis tab, in tab-bar order (the first is the page's default).
pub(crate) static TABS: &[&dyn TabView] = &[
    &today::TAB,
    &overview::TAB,
    &products::Products,
    &timeslots::TAB,
    &stores::TAB,
];

/// A tab whose view is built from its JSON answer: its registry row is data, one per tab.
pub(crate) struct JsonTab {
    /// The API's tab.
    pub tab: Tab,
    /// The tab bar's label.
    pub label: &'static str,
    /// The export's title and file name.
    pub title: &'static str,
    /// The template's context from the tab's JSON.
    pub view: fn(&Value, &ViewQuery, Href<'_>) -> Value,
    /// The workbook from the tab's JSON.
    pub workbook: fn(&Value) -> Result<Vec<u8>, ExportError>,
}

impl TabView for JsonTab {
    fn tab(&self) -> Tab {
        self.tab
    }

    fn label(&self) -> &'static str {
        self.label
    }

    fn title(&self) -> &'static str {
        self.title
    }

    fn view<'a>(
        &'a self,
        state: &'a DashboardState,
        q: &'a ViewQuery,
        href: Href<'a>,
    ) -> ViewFuture<'a> {
        Box::pin(json_view(state, self.tab, q, href, self.view))
    }

    fn workbook(&self, json: &Value) -> Result<Vec<u8>, ExportError> {
        (self.workbook)(json)
    }
}

/// The registered tab named `name`.
pub(crate) fn find(name: &str) -> Option<&'static dyn TabView> {
    TABS.iter().copied().find(|t| t.name() == name)
}

/// The registered view of `tab`.
pub(crate) fn of(tab: Tab) -> Option<&'static dyn TabView> {
    TABS.iter().copied().find(|t| t.tab() == tab)
}

/// The view of a tab answered as JSON: fetches `tab`'s answer (cached) and builds `view` from it,
/// with `empty` set from the answer.
pub(crate) async fn json_view(
    state: &DashboardState,
    tab: Tab,
    q: &ViewQuery,
    href: Href<'_>,
    view: fn(&Value, &ViewQuery, Href<'_>) -> Value,
) -> TabResult {
    let answer = state
        .tabs
        .answer(tab, &q.tab_query())
        .await
        .map_err(|e| crate::errors::refused(&e))?;
    let json: Value = serde_json::from_slice(&answer.json)
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let empty = json.get("empty").and_then(Value::as_bool).unwrap_or(true);
    let mut view = view(&json, q, href);
    view["empty"] = json!(empty);
    Ok((view, Some(answer.filters)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_tab_is_registered_once_in_api_order() {
        let names: Vec<&str> = TABS.iter().map(|t| t.name()).collect();
        assert_eq!(names, Tab::NAMES);
        for tab in Tab::ALL {
            assert_eq!(of(*tab).map(|t| t.tab()), Some(*tab));
        }
    }
}
