//! Tables: rows of a tab's JSON, sorted and paginated on the server (a product list can have
//! thousands of rows; the browser gets one page), with headers that link to the other order.

use std::cmp::Ordering;

use serde::Serialize;
use serde_json::Value;

use crate::format;
use crate::links::{CellLink, Targets};
use crate::query::ViewQuery;
use crate::views::Href;

pub(crate) use crate::columns::{Column, Kind};

/// How a value of `kind` reads on the page.
fn show(kind: Kind, v: &Value) -> String {
    let n = v.as_f64();
    match kind {
        Kind::Text | Kind::Date => match v {
            Value::String(s) => s.clone(),
            Value::Null => format::MISSING.to_owned(),
            Value::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
            Value::Array(items) => format::list(items),
            other => other.to_string(),
        },
        Kind::DateTime => v
            .as_str()
            .map(|s| s.replacen('T', " ", 1).chars().take(16).collect())
            .unwrap_or_else(|| format::MISSING.to_owned()),
        Kind::Money => format::money(n),
        Kind::Int => format::int(n),
        Kind::Qty | Kind::Num => format::quantity(n),
        Kind::Pct => format::pct(n),
        Kind::Change => format::signed_pct(n),
        Kind::Points => n.map_or_else(
            || format::MISSING.to_owned(),
            |p| format!("{p:+.1} 个百分点"),
        ),
    }
}

/// A table to render: its id (unique on the page; names its query parameters), columns, rows.
#[derive(Debug)]
pub struct Table<'a> {
    /// `products` → parameters `s_products`, `p_products`, element `#t-products`.
    pub id: &'a str,
    /// Columns in display order.
    pub columns: &'a [Column],
    /// Row objects (for [`Table::windowed`], only the page shown).
    pub rows: &'a [Value],
    /// Rows per page.
    pub page_size: usize,
}

#[derive(Debug, Serialize)]
struct Header {
    label: &'static str,
    numeric: bool,
    sorted: &'static str,
    href: String,
}

#[derive(Debug, Serialize)]
struct CellView {
    text: String,
    class: &'static str,
    /// The names in the cell and their pages when its column links them (else empty: the
    /// cell shows `text`).
    links: Vec<CellLink>,
}

/// What the `table` macro of `macros.html` renders.
#[derive(Debug, Serialize)]
pub struct TableView {
    id: String,
    headers: Vec<Header>,
    rows: Vec<Vec<CellView>>,
    total: usize,
    page: usize,
    pages: usize,
    first: usize,
    last: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
}

impl Table<'_> {
    /// Sorted and paginated as `query` asks; `href` turns a changed query into a link.
    pub fn view(&self, query: &ViewQuery, href: Href<'_>) -> TableView {
        let sort = self.sort(query);
        let mut order: Vec<&Value> = self.rows.iter().collect();
        if let Some((column, desc)) = sort {
            order.sort_by(|a, b| compare(column, a, b, desc));
        }
        let total = order.len();
        let page = self.page(query, total);
        let start = (page - 1) * self.page_size.max(1);
        order.drain(..start.min(total));
        order.truncate(self.page_size.max(1));
        self.assemble(query, href, total, page, &order)
    }

    /// The view when the caller has already sorted and cut the rows: `rows` is the page that
    /// [`sort`](Table::sort) and [`page`](Table::page) ask for, out of `total` rows.
    pub fn windowed(&self, query: &ViewQuery, href: Href<'_>, total: usize) -> TableView {
        let rows: Vec<&Value> = self.rows.iter().take(self.page_size.max(1)).collect();
        self.assemble(query, href, total, self.page(query, total), &rows)
    }

    /// The column and direction (`true`: descending) that `query` sorts by, if any.
    pub fn sort(&self, query: &ViewQuery) -> Option<(&Column, bool)> {
        query
            .get(&format!("s_{}", self.id))
            .and_then(|s| self.parse_sort(s))
    }

    /// The page of `total` rows that `query` asks for: from 1, at most the last page.
    pub fn page(&self, query: &ViewQuery, total: usize) -> usize {
        let pages = total.div_ceil(self.page_size.max(1)).max(1);
        query
            .get(&format!("p_{}", self.id))
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, pages)
    }

    fn assemble(
        &self,
        query: &ViewQuery,
        href: Href<'_>,
        total: usize,
        page: usize,
        rows: &[&Value],
    ) -> TableView {
        let sort_param = format!("s_{}", self.id);
        let page_param = format!("p_{}", self.id);
        let size = self.page_size.max(1);
        let pages = total.div_ceil(size).max(1);
        let start = (page - 1) * size;
        let page_link = |n: usize| href.to(&query.with(&page_param, &n.to_string()));
        let targets = href.targets(query);
        TableView {
            id: self.id.to_owned(),
            headers: self.headers(query, self.sort(query), &sort_param, &page_param, href),
            rows: rows.iter().map(|row| self.cells(row, &targets)).collect(),
            total,
            page,
            pages,
            first: if total == 0 { 0 } else { start + 1 },
            last: (start + size).min(total),
            prev_href: (page > 1).then(|| page_link(page - 1)),
            next_href: (page < pages).then(|| page_link(page + 1)),
        }
    }

    fn parse_sort(&self, param: &str) -> Option<(&Column, bool)> {
        let (key, dir) = param.rsplit_once('.').unwrap_or((param, "desc"));
        let column = self.columns.iter().find(|c| c.key == key)?;
        Some((column, dir != "asc"))
    }

    fn headers(
        &self,
        query: &ViewQuery,
        sort: Option<(&Column, bool)>,
        sort_param: &str,
        page_param: &str,
        href: Href<'_>,
    ) -> Vec<Header> {
        self.columns
            .iter()
            .map(|c| {
                let current = sort.filter(|(s, _)| s.key == c.key).map(|(_, desc)| desc);
                // First click: numbers largest first, text A→Z; a second click reverses.
                let next_desc = match current {
                    Some(desc) => !desc,
                    None => c.kind.numeric(),
                };
                let dir = if next_desc { "desc" } else { "asc" };
                let next = query
                    .with(sort_param, &format!("{}.{dir}", c.key))
                    .with(page_param, "");
                Header {
                    label: c.label,
                    numeric: c.kind.numeric(),
                    sorted: match current {
                        Some(true) => "desc",
                        Some(false) => "asc",
                        None => "",
                    },
                    href: href.to(&next),
                }
            })
            .collect()
    }

    fn cells(&self, row: &Value, targets: &Targets<'_>) -> Vec<CellView> {
        self.columns
            .iter()
            .map(|c| {
                let v = field(row, c.key);
                let negative = c.kind.numeric() && v.as_f64().is_some_and(|n| n < 0.0);
                CellView {
                    text: show(c.kind, v),
                    class: match (c.kind.numeric(), negative) {
                        (true, true) => "num neg",
                        (true, false) => "num",
                        _ => "",
                    },
                    links: targets.cell(c.link, row, v),
                }
            })
            .collect()
    }
}

/// The value of column `key` in `row`: a field, or a nested one (`predicted.daily_qty`), as the
/// workbook reads it; `null` when missing.
fn field<'v>(row: &'v Value, key: &str) -> &'v Value {
    crate::export::book::lookup(row, key).unwrap_or(&Value::Null)
}

/// Numbers by value (missing last either way), text by its characters.
fn compare(column: &Column, a: &Value, b: &Value, desc: bool) -> Ordering {
    let (a, b) = (field(a, column.key), field(b, column.key));
    if column.kind.numeric() {
        match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if desc => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    } else {
        let (x, y) = (a.as_str().unwrap_or(""), b.as_str().unwrap_or(""));
        if desc {
            y.cmp(x)
        } else {
            x.cmp(y)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::same;
    use serde_json::json;

    const COLUMNS: &[Column] = &[
        same("name", "商品", Kind::Text),
        same("sales", "销售额", Kind::Money),
    ];

    fn rows() -> Vec<Value> {
        (1..=7)
            .map(|i| json!({"name": format!("P{i}"), "sales": if i == 4 { Value::Null } else { json!(i as f64 * 10.0) }}))
            .collect()
    }

    fn names(view: &TableView) -> Vec<&str> {
        view.rows.iter().map(|r| r[0].text.as_str()).collect()
    }

    #[test]
    fn rows_sort_by_the_requested_column_with_missing_values_last() {
        let rows = rows();
        let table = Table {
            id: "t",
            columns: COLUMNS,
            rows: &rows,
            page_size: 10,
        };
        let view = table.view(&ViewQuery::parse("s_t=sales.desc"), Href::encoded());
        assert_eq!(names(&view), ["P7", "P6", "P5", "P3", "P2", "P1", "P4"]);
        let view = table.view(&ViewQuery::parse("s_t=sales.asc"), Href::encoded());
        assert_eq!(names(&view), ["P1", "P2", "P3", "P5", "P6", "P7", "P4"]);
        assert_eq!(view.headers[1].sorted, "asc");
        assert!(view.headers[1].href.contains("s_t=sales.desc"));
    }

    #[test]
    fn pages_hold_page_size_rows_and_link_to_their_neighbours() {
        let rows = rows();
        let table = Table {
            id: "t",
            columns: COLUMNS,
            rows: &rows,
            page_size: 3,
        };
        let view = table.view(&ViewQuery::parse("p_t=2"), Href::encoded());
        assert_eq!(names(&view), ["P4", "P5", "P6"]);
        assert_eq!((view.page, view.pages, view.first, view.last), (2, 3, 4, 6));
        assert_eq!(view.prev_href.as_deref(), Some("p_t=1"));
        assert_eq!(view.next_href.as_deref(), Some("p_t=3"));
        let past_the_end = table.view(&ViewQuery::parse("p_t=99"), Href::encoded());
        assert_eq!(names(&past_the_end), ["P7"]);
    }

    #[test]
    fn a_page_cut_by_the_caller_renders_like_the_same_page_cut_here() {
        let rows = rows();
        let table = Table {
            id: "t",
            columns: COLUMNS,
            rows: &rows,
            page_size: 3,
        };
        for query in ["p_t=2&s_t=sales.asc", "p_t=3", "p_t=99&s_t=name.desc", ""] {
            let q = ViewQuery::parse(query);
            let whole = table.view(&q, Href::encoded());
            // What a caller holding typed rows does: sort and cut, then hand over the page.
            let mut sorted: Vec<Value> = rows.clone();
            if let Some((column, desc)) = table.sort(&q) {
                sorted.sort_by(|a, b| compare(column, a, b, desc));
            }
            let page = table.page(&q, rows.len());
            let cut: Vec<Value> = sorted.into_iter().skip((page - 1) * 3).take(3).collect();
            let windowed = Table {
                rows: &cut,
                ..table
            }
            .windowed(&q, Href::encoded(), rows.len());
            assert_eq!(
                serde_json::to_value(&windowed).expect("JSON"),
                serde_json::to_value(&whole).expect("JSON"),
                "{query}"
            );
        }
    }

    #[test]
    fn product_store_and_channel_columns_link_their_names_with_the_views_filters() {
        const LINKED: &[Column] = &[
            same("name", "商品", Kind::Text).product(),
            same("store", "门店", Kind::Text).store(),
            same("channel", "渠道", Kind::Text).channel(),
            same("sales", "销售额", Kind::Money),
        ];
        let rows = vec![json!({"name": "可乐", "key": "a/b", "store": "一号店",
                               "channel": "抖音", "sales": 1.0})];
        let table = Table {
            id: "t",
            columns: LINKED,
            rows: &rows,
            page_size: 3,
        };
        let q = ViewQuery::parse("from=2026-11-01&to=2026-11-07&s_t=sales.desc");
        let view = table.view(&q, Href::encoded());
        let href = |i: usize| view.rows[0][i].links[0].href.clone().unwrap_or_default();
        assert_eq!(href(0), "/products/a%2Fb?from=2026-11-01&to=2026-11-07");
        assert!(href(1).starts_with("/?tab=overview&store="), "{}", href(1));
        assert!(href(2).contains("&channel="), "{}", href(2));
        assert_eq!(
            view.rows[0][0].text, "可乐",
            "the text stays for sorting and tests"
        );
        assert!(view.rows[0][3].links.is_empty(), "numbers lead nowhere");
    }

    #[test]
    fn a_missing_value_shows_a_dash_and_negative_money_is_marked() {
        let rows = vec![json!({"name": null, "sales": -3.5})];
        let table = Table {
            id: "t",
            columns: COLUMNS,
            rows: &rows,
            page_size: 3,
        };
        let view = table.view(&ViewQuery::default(), Href::encoded());
        assert_eq!(view.rows[0][0].text, "—");
        assert_eq!(view.rows[0][1].text, "-¥3.50");
        assert_eq!(view.rows[0][1].class, "num neg");
    }

    #[test]
    fn nested_fields_show_and_sort_as_the_workbook_reads_them() {
        const NESTED: &[Column] = &[
            same("name", "商品", Kind::Text),
            same("predicted.daily_qty", "预计日销量", Kind::Qty),
        ];
        let rows = vec![
            json!({"name": "A", "predicted": {"daily_qty": 1.5}}),
            json!({"name": "B", "predicted": null}),
            json!({"name": "C", "predicted": {"daily_qty": 2.0}}),
        ];
        let table = Table {
            id: "t",
            columns: NESTED,
            rows: &rows,
            page_size: 10,
        };
        let view = table.view(
            &ViewQuery::parse("s_t=predicted.daily_qty.desc"),
            Href::encoded(),
        );
        assert_eq!(names(&view), ["C", "A", "B"]);
        assert_eq!(view.rows[0][1].text, "2");
        assert_eq!(view.rows[2][1].text, "—");
    }
}
