//! Where a name leads: the one place that builds the URLs of a product's page, a store's
//! overview and a channel's view, and the breadcrumbs above them.
//!
//! Every URL starts at the dashboard's mount point (`base`: `/` or `/dashboard/`) and carries
//! the filters of the page it is on (store, period, channel), so following a link keeps what
//! the reader was looking at, and the back button walks the levels back.
//!
//! - [`product_url`]: `{base}products/{key}?store=&from=&to=&channel=`, the key one path segment
//!   with every character outside RFC 3986's unreserved set percent-encoded (`a/b` → `a%2Fb`).
//! - [`store_url`]: the page at `tab=overview&store=S`, same period and channel.
//! - [`channel_url`]: the page at `tab=overview&channel=C`, same store and period.
//! - [`crumbs`]: 全部门店 → 门店 → 渠道 (→ 商品), each a link but the last.

use serde::Serialize;
use serde_json::Value;

use crate::columns::Link;
use crate::query::ViewQuery;

/// The tab that store and channel links open.
const OVERVIEW: &str = "overview";

/// The label of the breadcrumbs' first level.
const ALL_STORES: &str = "全部门店";

/// The filters a link carries: each one set or not (an empty value is not set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageFilters {
    /// `store`: one store, or every store.
    pub store: Option<String>,
    /// `from`: the period's first day (`YYYY-MM-DD`), or the default period.
    pub from: Option<String>,
    /// `to`: the period's last day.
    pub to: Option<String>,
    /// `channel`: one channel, or every channel.
    pub channel: Option<String>,
}

impl PageFilters {
    /// The filters of a query string (`store=…&from=…`); other parameters are ignored.
    pub fn parse(query_string: &str) -> Self {
        Self::of(&ViewQuery::parse(query_string))
    }

    /// The filters of a parsed request.
    pub(crate) fn of(q: &ViewQuery) -> Self {
        let get = |k: &str| q.get(k).map(str::to_owned);
        Self {
            store: get("store"),
            from: get("from"),
            to: get("to"),
            channel: get("channel"),
        }
    }

    /// Only the period (the breadcrumbs' first level).
    fn period(&self) -> Self {
        Self {
            from: self.from.clone(),
            to: self.to.clone(),
            ..Self::default()
        }
    }

    /// The parameters that are set, in a fixed order (the same filters, the same URL).
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("store", &self.store),
            ("from", &self.from),
            ("to", &self.to),
            ("channel", &self.channel),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect()
    }
}

/// `base` with exactly one trailing slash, whether it came with one or not.
fn root(base: &str) -> String {
    format!("{}/", base.trim_end_matches('/'))
}

/// `?a=1&b=2` form-encoded, or the empty string.
fn suffix(pairs: &[(&str, &str)]) -> String {
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if q.is_empty() {
        q
    } else {
        format!("?{q}")
    }
}

/// `text` as one path segment: RFC 3986's unreserved characters (`A–Z a–z 0–9 - . _ ~`) as
/// they are, every other byte of its UTF-8 as `%XX`, so `/`, `?`, `#`, `%` and spaces never
/// end or split the segment.
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The page of tab `tab` under `base` with `filters`: `{base}?tab=…&store=…`.
pub(crate) fn page_url(base: &str, tab: &str, filters: &PageFilters) -> String {
    let mut pairs = vec![("tab", tab)];
    pairs.extend(filters.pairs());
    format!("{}{}", root(base), suffix(&pairs))
}

/// What goes before and after a product's encoded key in its URL: a chart that holds only the
/// keys builds each URL as `prefix + encode_segment(key) + suffix` (see `dashboard.js`).
pub fn product_url_parts(base: &str, filters: &PageFilters) -> (String, String) {
    (format!("{}products/", root(base)), suffix(&filters.pairs()))
}

/// The product page of `key` (店内码, else 条码, else 商品名称) with `filters`.
pub fn product_url(base: &str, key: &str, filters: &PageFilters) -> String {
    let (prefix, suffix) = product_url_parts(base, filters);
    format!("{prefix}{}{suffix}", encode_segment(key))
}

/// The overview of `store`, keeping the period and channel of `filters`.
pub fn store_url(base: &str, store: &str, filters: &PageFilters) -> String {
    let next = PageFilters {
        store: Some(store.to_owned()),
        ..filters.clone()
    };
    page_url(base, OVERVIEW, &next)
}

/// The overview of `channel`, keeping the store and period of `filters`.
pub fn channel_url(base: &str, channel: &str, filters: &PageFilters) -> String {
    let next = PageFilters {
        channel: Some(channel.to_owned()),
        ..filters.clone()
    };
    page_url(base, OVERVIEW, &next)
}

/// One level of the breadcrumbs: its label, and its URL unless it is the current level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crumb {
    /// 全部门店, the store's name, the channel's name or the product's name.
    pub label: String,
    /// Where it leads; `None` for the current level (the last).
    pub url: Option<String>,
}

/// The breadcrumbs of a view with `filters`: 全部门店, then the store when one is selected,
/// then the channel when one is selected, then the product when `product` (its key and name)
/// is given. Each level keeps the period and the levels above it and opens the overview; the
/// last one is the current level and is not a link. The `crumbs` macro of `macros.html`
/// renders them.
pub fn crumbs(base: &str, filters: &PageFilters, product: Option<(&str, &str)>) -> Vec<Crumb> {
    crumbs_in(base, OVERVIEW, filters, product)
}

/// [`crumbs`] whose levels open tab `tab` (the page keeps its tab when the reader goes up).
pub(crate) fn crumbs_in(
    base: &str,
    tab: &str,
    filters: &PageFilters,
    product: Option<(&str, &str)>,
) -> Vec<Crumb> {
    let period = filters.period();
    let mut levels = vec![(ALL_STORES.to_owned(), page_url(base, tab, &period))];
    if let Some(store) = &filters.store {
        let at = PageFilters {
            store: Some(store.clone()),
            ..period.clone()
        };
        levels.push((store.clone(), page_url(base, tab, &at)));
    }
    if let Some(channel) = &filters.channel {
        let at = PageFilters {
            store: filters.store.clone(),
            channel: Some(channel.clone()),
            ..period
        };
        levels.push((channel.clone(), page_url(base, tab, &at)));
    }
    if let Some((key, name)) = product {
        levels.push((name.to_owned(), product_url(base, key, filters)));
    }
    let last = levels.len() - 1;
    levels
        .into_iter()
        .enumerate()
        .map(|(i, (label, url))| Crumb {
            label,
            url: (i < last).then_some(url),
        })
        .collect()
}

/// A name in a table cell and where it leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CellLink {
    /// The name as shown.
    pub text: String,
    /// Its page (`None`: a name of a list that has no page, shown as text).
    pub href: Option<String>,
}

/// The base and filters the links of one rendered view carry.
#[derive(Debug, Clone)]
pub(crate) struct Targets<'a> {
    /// The mount point.
    pub base: &'a str,
    /// The view's filters.
    pub filters: PageFilters,
}

impl Targets<'_> {
    /// The product page of `key`.
    pub(crate) fn product(&self, key: &str) -> String {
        product_url(self.base, key, &self.filters)
    }

    /// The overview of `store`.
    pub(crate) fn store(&self, store: &str) -> String {
        store_url(self.base, store, &self.filters)
    }

    /// The view of `channel`.
    pub(crate) fn channel(&self, channel: &str) -> String {
        channel_url(self.base, channel, &self.filters)
    }

    /// The names of a cell holding `v`, in a column that links as `link`, in `row`, each with
    /// its page: one for a name, one per name for a list of names (`、`-separated on the page).
    /// Empty, and the cell shows as text, when the column does not link or nothing in it has
    /// a page (an empty name; an 客单价异常 row about a channel, whose key is `null`).
    pub(crate) fn cell(&self, link: Link, row: &Value, v: &Value) -> Vec<CellLink> {
        let parts: Vec<CellLink> = match (link, v) {
            (Link::Store, Value::String(s)) => vec![part(s, Some(self.store(s)))],
            (Link::Channel, Value::String(s)) => vec![part(s, Some(self.channel(s)))],
            (Link::Product(field), _) => {
                let keys = row.get(field).unwrap_or(&Value::Null);
                let key = |k: &Value| {
                    k.as_str()
                        .filter(|k| !k.is_empty())
                        .map(|k| self.product(k))
                };
                match (v, keys) {
                    (Value::String(name), _) => vec![part(name, key(keys))],
                    (Value::Array(names), Value::Array(keys)) if names.len() == keys.len() => names
                        .iter()
                        .zip(keys)
                        .map(|(name, k)| part(name.as_str().unwrap_or_default(), key(k)))
                        .collect(),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        let linked = parts.iter().any(|p| p.href.is_some() && !p.text.is_empty());
        if linked {
            parts
        } else {
            Vec::new()
        }
    }
}

fn part(text: &str, href: Option<String>) -> CellLink {
    CellLink {
        text: text.to_owned(),
        href: href.filter(|_| !text.is_empty()),
    }
}

#[cfg(test)]
mod tests;
