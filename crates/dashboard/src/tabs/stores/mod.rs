//! 🏬 门店对比: every store side by side for an area manager.

mod charts;
pub(crate) mod columns;
mod export;
mod view;

use storeboard_tabs::Tab;

use super::JsonTab;

/// The store comparison tab in the registry.
pub(crate) static TAB: JsonTab = JsonTab {
    tab: Tab::Stores,
    label: "🏬 门店对比",
    title: "门店对比",
    view: view::stores,
    workbook: export::workbook,
};

#[cfg(test)]
mod tests {
    use storeboard_tabs::Tab;

    use super::columns::*;
    use crate::columns::contract::{assert_fields, assert_picked};
    use crate::export::testkit::rendered_tab;

    #[test]
    fn every_column_names_a_field_of_the_flattened_rows() {
        let json = rendered_tab(Tab::Stores);
        let rows = super::view::rows(&json);
        assert!(!rows.is_empty(), "the rendered answer lists its stores");
        assert_fields("stores", STORES, &rows);
        assert_fields("previous", PREVIOUS, &rows);
        assert_picked("stores", STORES, STORES_PAGE);
        assert!(json["medians"].get("marketing_rate_pct").is_some());
    }
}
