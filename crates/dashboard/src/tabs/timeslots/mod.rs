//! 时段场景: the timeslots tab.

mod charts;
pub(crate) mod columns;
pub(crate) mod export;
mod view;

use serde_json::Value;
use storeboard_tabs::Tab;

use super::{json_view, TabView, ViewFuture};
use crate::export::ExportError;
use crate::query::ViewQuery;
use crate::views::Href;
use crate::DashboardState;

/// The timeslots tab in the registry.
pub(crate) struct Timeslots;

impl TabView for Timeslots {
    fn tab(&self) -> Tab {
        Tab::Timeslots
    }

    fn label(&self) -> &'static str {
        "⏰ 时段场景"
    }

    fn title(&self) -> &'static str {
        "时段场景"
    }

    fn view<'a>(
        &'a self,
        state: &'a DashboardState,
        q: &'a ViewQuery,
        href: Href<'a>,
    ) -> ViewFuture<'a> {
        Box::pin(json_view(state, Tab::Timeslots, q, href, view::timeslots))
    }

    fn workbook(&self, json: &Value) -> Result<Vec<u8>, ExportError> {
        export::workbook(json)
    }
}

#[cfg(test)]
mod tests {
    use storeboard_tabs::Tab;

    use super::columns::*;
    use crate::columns::contract::{assert_fields, assert_picked};
    use crate::export::testkit::rendered_tab;

    #[test]
    fn every_column_names_a_field_of_the_answer() {
        let json = rendered_tab(Tab::Timeslots);
        let rows = |key: &str| json[key].as_array().cloned().unwrap_or_default();
        assert_fields("slots", SLOTS, &rows("slots"));
        assert_fields("scenes", SCENES, &rows("scenes"));
        assert_picked("slots", SLOTS, SLOTS_PAGE);
    }
}
