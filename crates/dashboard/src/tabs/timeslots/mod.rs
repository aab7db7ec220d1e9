//! 时段场景: the timeslots tab.

mod charts;
pub(crate) mod columns;
pub(crate) mod export;
mod view;

use storeboard_tabs::Tab;

use super::JsonTab;

/// The timeslots tab in the registry.
pub(crate) static TAB: JsonTab = JsonTab {
    tab: Tab::Timeslots,
    label: "⏰ 时段场景",
    title: "时段场景",
    view: view::timeslots,
    workbook: export::workbook,
};

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
        let cells = json["delivery"]["cells"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(cells.len(), 64, "8 buckets × 8 slots");
        assert_fields("delivery.cells", DELIVERY, &cells);
        assert!(json.get("scene_coverage_pct").is_some());
        let flat = super::view::scene_product_rows(&json);
        assert!(
            !flat.is_empty(),
            "the rendered answer lists products per scene"
        );
        assert_fields("product_scenes[].products", SCENE_PRODUCTS, &flat);
        assert_picked("slots", SLOTS, SLOTS_PAGE);
    }
}
