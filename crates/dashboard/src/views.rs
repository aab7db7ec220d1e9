//! The kit of the tabs' views (what each analysis tab's template gets): tables sorted and
//! paginated on the server, chart options as attributes, values as the page shows them. It knows
//! no tab: each tab's view is in its folder (`tabs/<tab>/view.rs`).

use serde_json::Value;

use crate::columns::Column;
use crate::format;
use crate::query::ViewQuery;
use crate::table::{Kind, Table};

/// Rows per page of long tables.
pub const PAGE_SIZE: usize = 50;

/// Builds links for a tab's tables: a changed query → a URL.
pub type Href<'a> = &'a dyn Fn(&ViewQuery) -> String;

/// The array under `key` (empty when missing or not an array).
pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A table of [`PAGE_SIZE`] rows per page.
pub(crate) fn table(
    id: &str,
    columns: &[Column],
    rows: &[Value],
    q: &ViewQuery,
    href: Href<'_>,
) -> Value {
    sized_table(id, columns, rows, PAGE_SIZE, q, href)
}

/// A table (`id` names its query parameters), sorted and cut to the page the query asks for.
pub(crate) fn sized_table(
    id: &str,
    columns: &[Column],
    rows: &[Value],
    page_size: usize,
    q: &ViewQuery,
    href: Href<'_>,
) -> Value {
    let view = Table {
        id,
        columns,
        rows,
        page_size,
    }
    .view(q, href);
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// A chart option as the `data-chart` attribute carries it.
pub(crate) fn chart(option: Value) -> String {
    option.to_string()
}

/// A number as a value of `kind` shows it (`—` when missing).
pub(crate) fn show(kind: Kind, v: Option<f64>) -> String {
    match kind {
        Kind::Money => format::money(v),
        Kind::Pct => format::pct(v),
        Kind::Qty => format::quantity(v),
        _ => format::int(v),
    }
}

/// `good`, `bad` or `flat`: the colour of a change, where a rise is bad news when
/// `rise_is_bad` (more loss orders) and good news otherwise (more sales).
pub(crate) fn trend_class(rise_is_bad: bool, change: Option<f64>) -> &'static str {
    match change {
        Some(c) if (c > 0.0) != rise_is_bad && c != 0.0 => "good",
        Some(c) if c != 0.0 => "bad",
        _ => "flat",
    }
}
