//! The kit of the tabs' views (what each analysis tab's template gets): tables sorted and
//! paginated on the server, chart options as attributes, values as the page shows them. It knows
//! no tab: each tab's view is in its folder (`tabs/<tab>/view.rs`).

use serde_json::Value;

use crate::columns::Column;
use crate::format;
use crate::links::{PageFilters, Targets};
use crate::query::ViewQuery;
use crate::table::{Kind, Table};

/// Rows per page of long tables.
pub const PAGE_SIZE: usize = 50;

/// How a tab's view links: its own fragment for a changed query (sorting, paging, filtering
/// its tables), and, from the mount point and the view's filters, the pages of the products,
/// stores and channels it names.
#[derive(Clone, Copy)]
pub struct Href<'a> {
    base: &'a str,
    fragment: &'a dyn Fn(&ViewQuery) -> String,
}

impl<'a> Href<'a> {
    /// Links under the mount point `base`, the view's own fragment built by `fragment`.
    pub fn new(base: &'a str, fragment: &'a dyn Fn(&ViewQuery) -> String) -> Self {
        Self { base, fragment }
    }

    /// The view's fragment for the changed query `q`.
    pub fn to(&self, q: &ViewQuery) -> String {
        (self.fragment)(q)
    }

    /// The whole page of tab `tab` with query `q` (what a chart's click opens: a page, not a
    /// fragment).
    pub(crate) fn page(&self, tab: &str, q: &ViewQuery) -> String {
        format!("{}?{}", self.base, q.with("tab", tab).encode())
    }

    /// Where the names of the view with query `q` lead (its filters carried along).
    pub(crate) fn targets(&self, q: &ViewQuery) -> Targets<'a> {
        Targets {
            base: self.base,
            filters: PageFilters::of(q),
        }
    }
}

#[cfg(test)]
impl Href<'static> {
    /// For tests: under `/`, a fragment "URL" that is the encoded query (`a=1&b=2`).
    pub(crate) fn encoded() -> Self {
        fn encode(q: &ViewQuery) -> String {
            q.encode()
        }
        Self::new("/", &encode)
    }
}

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
