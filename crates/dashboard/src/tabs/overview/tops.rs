//! The eight product TOP50 lists of the 经营分析报告, from the products tab's rows for the same
//! filters (docs/metrics.md, 订单数据概览 › 经营分析报告).

use std::cmp::Ordering;

use serde_json::{json, Map, Value};
use storeboard_analytics::products::ProductRow;

/// Rows per list.
pub(crate) const TOP: usize = 50;

/// How one list picks and orders its rows.
struct List {
    /// Sheet name.
    sheet: &'static str,
    /// Field under `product_tops`.
    key: &'static str,
    /// Which rows may be in it.
    keep: fn(&ProductRow) -> bool,
    /// The order, first the row to list first.
    order: fn(&ProductRow, &ProductRow) -> Ordering,
}

fn margin(r: &ProductRow) -> f64 {
    r.margin_pct.unwrap_or(0.0)
}

fn any(_: &ProductRow) -> bool {
    true
}

fn with_sales(r: &ProductRow) -> bool {
    r.sales > 0.0 && r.margin_pct.is_some()
}

/// The eight lists, in the workbook's order. Ties follow the product key.
const LISTS: [List; 8] = [
    List {
        sheet: "销量TOP50",
        key: "quantity",
        keep: any,
        order: |a, b| b.quantity.total_cmp(&a.quantity),
    },
    List {
        sheet: "销售额TOP50",
        key: "sales",
        keep: any,
        order: |a, b| b.sales.total_cmp(&a.sales),
    },
    List {
        sheet: "利润额TOP50",
        key: "profit",
        keep: any,
        order: |a, b| b.profit.total_cmp(&a.profit),
    },
    List {
        sheet: "利润率TOP50",
        key: "margin",
        keep: with_sales,
        order: |a, b| margin(b).total_cmp(&margin(a)),
    },
    List {
        sheet: "滞销TOP50",
        key: "slow",
        keep: any,
        order: |a, b| a.quantity.total_cmp(&b.quantity),
    },
    List {
        sheet: "低销售额TOP50",
        key: "low_sales",
        keep: any,
        order: |a, b| a.sales.total_cmp(&b.sales),
    },
    List {
        sheet: "亏损TOP50",
        key: "loss",
        keep: |r| r.profit < 0.0,
        order: |a, b| a.profit.total_cmp(&b.profit),
    },
    List {
        sheet: "低利润率TOP50",
        key: "low_margin",
        keep: with_sales,
        order: |a, b| margin(a).total_cmp(&margin(b)),
    },
];

/// (sheet name, field under `product_tops`) of each list, in the workbook's order.
pub(crate) fn sheets() -> impl Iterator<Item = (&'static str, &'static str)> {
    LISTS.iter().map(|l| (l.sheet, l.key))
}

/// `{"quantity": [...], "sales": [...], ...}`: each list's first [`TOP`] rows, serialised as
/// the products tab serialises them.
pub(crate) fn product_tops(rows: &[ProductRow]) -> Value {
    let mut out = Map::new();
    for list in &LISTS {
        let mut picked: Vec<&ProductRow> = rows.iter().filter(|r| (list.keep)(r)).collect();
        let order = |a: &&ProductRow, b: &&ProductRow| (list.order)(a, b).then(a.key.cmp(&b.key));
        if picked.len() > TOP {
            picked.select_nth_unstable_by(TOP - 1, order);
            picked.truncate(TOP);
        }
        picked.sort_by(order);
        let rows: Vec<Value> = picked
            .iter()
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
            .collect();
        out.insert(list.key.to_owned(), json!(rows));
    }
    Value::Object(out)
}
