//! 经营分析报告: the overview tab.

mod charts;
pub(crate) mod columns;
mod depth;
pub(crate) mod export;
pub(crate) mod tops;
mod view;

/// Adds the products tab's TOP50 lists for the same filters to the overview's JSON, under
/// `product_tops`, for the 经营分析报告's eight product sheets: the products tab comes from its
/// cache (or is computed once and cached), nothing is rescanned.
pub(crate) async fn add_product_tops(
    tabs: &storeboard_tabs::TabsState,
    query: &storeboard_tabs::TabQuery,
    json: &mut serde_json::Value,
) -> Result<(), storeboard_tabs::TabsError> {
    let answer = tabs.products(query).await?;
    json["product_tops"] = tops::product_tops(&answer.products.products);
    Ok(())
}

use storeboard_tabs::Tab;

use super::JsonTab;

/// The overview tab in the registry.
pub(crate) static TAB: JsonTab = JsonTab {
    tab: Tab::Overview,
    label: "📊 订单数据概览",
    title: "经营分析报告",
    view: view::overview,
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
        let json = rendered_tab(Tab::Overview);
        let rows = |key: &str| json[key].as_array().cloned().unwrap_or_default();
        assert_fields("kpis", KPIS, std::slice::from_ref(&json["kpis"]));
        assert_fields("channels", CHANNELS, &rows("channels"));
        assert_fields("daily", DAILY, &rows("daily"));
        assert_fields("aov_bands", AOV_BANDS, &rows("aov_bands"));
        assert_fields("categories", CATEGORIES, &rows("categories"));
        assert_fields("profit_buckets", PROFIT_BUCKETS, &rows("profit_buckets"));
        // `previous` is null when the channel had no order the period before (as here).
        let more: Vec<_> = CHANNELS_MORE
            .iter()
            .filter(|c| !c.key.starts_with("previous."))
            .copied()
            .collect();
        assert_fields("channels", &more, &rows("channels"));
        assert!(rows("channels").iter().all(|c| c.get("previous").is_some()));
        assert_fields("aov_bands", AOV_MORE, &rows("aov_bands"));
        let by_category = json["cost_structure"]["by_category"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_fields("cost_structure.by_category", COST_BY_CATEGORY, &by_category);
        for (field, _, rate) in COSTS {
            assert!(json["cost_structure"][field].is_number(), "{field}");
            assert!(
                json["cost_structure"]["rates"].get(rate).is_some(),
                "{rate}"
            );
        }
        for m in MARKETING {
            assert!(json["cost_structure"]["marketing"][m].is_number(), "{m}");
        }
        for key in ["profitable_orders", "avg_order_profit"] {
            assert!(json["profit_summary"].get(key).is_some(), "{key}");
        }
        for key in ["best", "worst", "anomalies"] {
            assert!(json["days"].get(key).is_some(), "{key}");
        }
        assert_picked("channels", CHANNELS, CHANNELS_PAGE);
    }
}
