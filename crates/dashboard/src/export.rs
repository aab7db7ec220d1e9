//! xlsx exports of the tabs, written from each tab's JSON exactly as `GET /api/v1/tabs/{tab}`
//! answers it, so that every number in a workbook is the API's number (display formats round,
//! the stored values never are).
//!
//! - [`workbook`] — the workbook of one tab: one sheet per section or card.
//! - [`file_name`] — `{门店}_{标签}_{from}_{to}.xlsx`, safe on Windows.
//! - [`template_workbook`] — an upload template with every column the importer knows.
//! - [`ExportError`] — a JSON that lacks a field the sheets need, or a write that failed.
//!
//! Strings from user data (product, store, channel names) are always written as strings, never as
//! formulas: a product named `=HYPERLINK(...)` stays text. Workbooks carry a fixed creation time,
//! so the same JSON always gives the same bytes.

pub(crate) mod book;
pub(crate) mod sheet;
mod template;
#[cfg(test)]
pub(crate) mod testkit;

use rust_xlsxwriter::XlsxError;
use serde_json::Value;
use storeboard_analytics::Filters;
use storeboard_tabs::Tab;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// rust_xlsxwriter refused a cell, a sheet or the saving of the workbook.
    #[error("could not write the workbook ({context}): {source}")]
    Xlsx {
        /// What was being written (`sheet 渠道`, `saving the workbook`).
        context: String,
        /// The writer's error.
        #[source]
        source: XlsxError,
    },
    /// The tab's JSON lacks a field the sheets need, or holds a value of the wrong type: the
    /// analytics and the export disagree about the shape.
    #[error("the {tab} JSON does not have the expected shape: {detail}")]
    Shape {
        /// The tab's URL name (`overview`).
        tab: &'static str,
        /// Which field, where, and what was wrong (`channels[2].cost_rates.subsidy is missing`).
        detail: String,
    },
    /// A tab this version cannot export (the tab enum grew).
    #[error("the {tab} tab has no export")]
    UnsupportedTab {
        /// The tab's URL name.
        tab: &'static str,
    },
}

impl ExportError {
    /// Wraps a writer error with what was being written.
    pub(crate) fn xlsx(context: impl Into<String>) -> impl FnOnce(XlsxError) -> ExportError {
        let context = context.into();
        move |source| ExportError::Xlsx { context, source }
    }
}

/// The workbook for `tab` (storeboard_tabs::Tab: Today, Overview, Products, Timeslots) from its
/// JSON, as the bytes of an `.xlsx` file.
///
/// `json` is the tab's answer from the JSON API (`storeboard_tabs::Tab::render`), parsed. Sheets:
/// - overview (经营分析报告): the 12 sheets of docs/metrics.md: 经营概览 (title, period, store,
///   channel, the KPI table, 利润, 成本结构, 品类成本, 利润率概览), 渠道表现, 客单价分析, eight product
///   TOP50 lists (from the products tab, added by the handler), 日趋势数据;
/// - products: 商品明细, one sheet per ranking, 四象限, 库存预警;
/// - timeslots: 时段, 场景, 热力图 (slots × scenes, sales);
/// - today: 汇总 (each card's count and trend), then one sheet per card named after its title.
///
/// Money has two decimals, percentages are percent numbers with one decimal and `%` in the
/// header, dates are Excel dates; `null` becomes an empty cell, never 0.
///
/// # Errors
/// [`ExportError::Shape`] when the JSON lacks a field, [`ExportError::Xlsx`] when writing fails,
/// [`ExportError::UnsupportedTab`] for a tab without an export.
pub fn workbook(tab: Tab, json: &Value) -> Result<Vec<u8>, ExportError> {
    match crate::tabs::of(tab) {
        Some(view) => view.workbook(json),
        // A tab the API knows but the dashboard does not register has no sheets to guess.
        None => Err(ExportError::UnsupportedTab { tab: tab.name() }),
    }
}

/// `{门店}_{tab}_{from}_{to}.xlsx`: 门店 is the store name or 全部门店; tab is the Chinese tab label
/// (今日必做, 经营分析报告 for the overview, 商品分析, 时段场景); from/to YYYY-MM-DD. Characters not
/// allowed in Windows file names (\ / : * ? " < > |) and control chars replaced by `_`;
/// invisible ones left out (see [`clean_file_name`]).
pub fn file_name(tab: Tab, filters: &Filters) -> String {
    let store = filters
        .store
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(ALL_STORES);
    let name = format!(
        "{store}_{}_{}_{}.xlsx",
        tab_label(tab),
        filters.from.format("%Y-%m-%d"),
        filters.to.format("%Y-%m-%d"),
    );
    clean_file_name(&name)
}

/// `name` fit to offer as a download: characters Windows refuses and control characters become
/// `_`; bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and zero-width
/// characters (U+200B–U+200D, U+2060, U+FEFF) are left out. A store named `a\u{202e}xslx.exe`
/// would otherwise be offered as a file that *reads* `aexe.xlsx`.
pub fn clean_file_name(name: &str) -> String {
    name.chars()
        .filter(|c| !INVISIBLE.contains(c))
        .map(|c| {
            if c.is_control() || WINDOWS_FORBIDDEN.contains(&c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Characters that change how a name reads without being seen.
const INVISIBLE: [char; 17] = [
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', // embeddings, overrides
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', // isolates
    '\u{200e}', '\u{200f}', '\u{061c}', // marks
    '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', // zero-width
];

/// A template workbook for uploads: one sheet 订单明细 with the expected headers and two realistic
/// sample rows.
///
/// The headers are the importer's canonical column names (`storeboard_data::schema::Column`),
/// required ones first; 订单ID and codes are text, 下单时间 a real date-time cell.
///
/// # Errors
/// [`ExportError::Xlsx`] when writing fails.
pub fn template_workbook() -> Result<Vec<u8>, ExportError> {
    template::workbook()
}

/// Shown for the store and channel when the filters select all of them.
const ALL_STORES: &str = "全部门店";
/// Shown for the channel when the filters select every channel.
const ALL_CHANNELS: &str = "全部渠道";

/// Characters Windows refuses in file names (control characters are refused too).
const WINDOWS_FORBIDDEN: [char; 9] = ['\\', '/', ':', '*', '?', '"', '<', '>', '|'];

/// The Chinese label of a tab, as the export's title and file name say it (its registered
/// title; the URL name for a tab the dashboard does not register).
fn tab_label(tab: Tab) -> &'static str {
    crate::tabs::of(tab).map_or(tab.name(), |view| view.title())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::testkit::{num, read, rendered};
    use super::*;

    fn filters(store: Option<&str>) -> Filters {
        Filters {
            store: store.map(str::to_owned),
            from: NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid"),
            to: NaiveDate::from_ymd_opt(2026, 11, 7).expect("valid"),
            channel: None,
            requested: None,
        }
    }

    #[test]
    fn file_name_of_all_stores_says_all_stores_and_the_tab_label() {
        assert_eq!(
            file_name(Tab::Overview, &filters(None)),
            "全部门店_经营分析报告_2026-11-01_2026-11-07.xlsx"
        );
        assert_eq!(
            file_name(Tab::Today, &filters(Some("  "))),
            "全部门店_今日必做_2026-11-01_2026-11-07.xlsx"
        );
    }

    #[test]
    fn file_name_replaces_characters_windows_refuses_in_the_store_name() {
        assert_eq!(
            file_name(Tab::Products, &filters(Some("城东/城西店"))),
            "城东_城西店_商品分析_2026-11-01_2026-11-07.xlsx"
        );
        let name = file_name(
            Tab::Products,
            &filters(Some("a\\b:c*d?e\"f<g>h|i\tj\u{7f}k")),
        );
        assert_eq!(
            name,
            "a_b_c_d_e_f_g_h_i_j_k_商品分析_2026-11-01_2026-11-07.xlsx"
        );
        assert_eq!(
            file_name(Tab::Timeslots, &filters(Some("一号店"))),
            "一号店_时段场景_2026-11-01_2026-11-07.xlsx"
        );
    }

    #[test]
    fn file_names_leave_out_bidi_controls_and_zero_width_characters() {
        let name = file_name(
            Tab::Products,
            &filters(Some("门店\u{202e}xslx.exe\u{200b}\u{2066}\u{feff}\u{061c}")),
        );
        assert_eq!(name, "门店xslx.exe_商品分析_2026-11-01_2026-11-07.xlsx");
        for c in INVISIBLE {
            assert_eq!(
                clean_file_name(&format!("a{c}b")),
                "ab",
                "{:x}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn shape_errors_name_the_tab_and_the_field() {
        let err = workbook(Tab::Overview, &serde_json::json!({})).expect_err("no fields");
        let text = err.to_string();
        let tab = match &err {
            ExportError::Shape { tab, .. } => *tab,
            _ => panic!("not a shape error: {text}"),
        };
        assert_eq!(tab, "overview");
        assert!(text.contains("filters"), "{text}");
    }

    #[test]
    fn every_tab_exports_the_json_the_api_renders() -> Result<(), ExportError> {
        for (tab, mut json) in rendered() {
            if tab == Tab::Overview {
                // The export handler adds the products tab's lists (none here).
                json["product_tops"] = crate::tabs::overview::tops::product_tops(&[]);
            }
            let wb = read(&workbook(tab, &json)?);
            assert!(wb.names().len() >= 3, "{tab}: {:?}", wb.names());
            if tab == Tab::Overview {
                let sales = json["kpis"]["sales"]["value"].as_f64();
                assert_eq!(Some(num(wb.sheet("经营概览"), 7, 1)), sales);
                assert_eq!(sales, Some(65.5), "2 × ¥2.80 + ¥59.90");
            }
        }
        Ok(())
    }
}
