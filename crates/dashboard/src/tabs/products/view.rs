//! 📦 商品分析: the quadrant chart, the rankings and the paginated product and warning tables.

use serde_json::{json, Value};
use storeboard_analytics::products::page::{window, Paging, Sort, SortKey};
use storeboard_analytics::products::{ProductRow, Products};

use super::{charts, columns as c, depth};
use crate::columns::{pick, Column};
use crate::links::{product_url_parts, Targets};
use crate::query::ViewQuery;
use crate::table::{Kind, Table};
use crate::views::{chart, show, Href, PAGE_SIZE};

/// Rows per page of the stock-warning tables (three side by side: keep them short).
const WARNING_PAGE_SIZE: usize = 10;

/// Points of the quadrant chart at most: the best-selling products (a chain's year has tens
/// of thousands, which no scatter shows legibly and no page should ship).
pub const CHART_POINTS: usize = 1000;

/// A product table (`id`): the rows sorted and cut to the page the query asks for
/// ([`window`]), so only that page becomes JSON.
pub(super) fn product_table(
    id: &str,
    columns: &[Column],
    rows: &[ProductRow],
    page_size: usize,
    q: &ViewQuery,
    href: Href<'_>,
) -> Value {
    let shape = Table {
        id,
        columns,
        rows: &[],
        page_size,
    };
    let sort = shape.sort(q).and_then(|(column, descending)| {
        SortKey::from_name(column.key).map(|key| Sort { key, descending })
    });
    let paging = Paging {
        limit: page_size,
        page: shape.page(q, rows.len()),
        sort,
    };
    let page: Vec<Value> = window(rows, &paging)
        .into_iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    let view = Table {
        rows: &page,
        ..shape
    }
    .windowed(q, href, rows.len());
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// 商品四象限 of the [`CHART_POINTS`] best-selling products (a subtitle says so when cut); a
/// click on a point opens its product's page (`to` makes the URLs).
fn quadrant_chart(p: &Products, to: &Targets<'_>) -> Value {
    let shown = &p.products[..p.products.len().min(CHART_POINTS)];
    let points: Vec<Value> = shown
        .iter()
        .map(|r| json!({"key": r.key, "name": r.name, "quantity": r.quantity, "activity": r.activity, "margin_pct": r.margin_pct, "quadrant": r.quadrant}))
        .collect();
    let mut option = charts::quadrants(&json!({"quadrants": p.quadrants, "products": points}));
    let (prefix, suffix) = product_url_parts(to.base, &to.filters);
    option["sbLink"] = json!({"prefix": prefix, "suffix": suffix});
    if p.products.len() > CHART_POINTS {
        let all = p.products.len();
        option["title"]["subtext"] = json!(format!("销售额前 {CHART_POINTS} 个商品(共 {all} 个)"));
    }
    option
}

/// 📦 商品分析, from the computed tab: the tables sorted and paginated as the query asks.
pub(crate) fn products(p: &Products, q: &ViewQuery, href: Href<'_>) -> Value {
    let warn = &p.inventory_warnings;
    let r = &p.rankings;
    let to = href.targets(q);
    let top = |rows: &[ProductRow], value: fn(&ProductRow) -> Option<f64>, kind: Kind| {
        rows.iter()
            .take(10)
            .map(|r| {
                let v = value(r).filter(|v| v.is_finite());
                json!({"name": r.name, "href": to.product(&r.key), "value": show(kind, v)})
            })
            .collect::<Vec<Value>>()
    };
    let warning_columns = pick(c::PRODUCT, c::WARNINGS_PAGE);
    let product_columns = pick(c::PRODUCT, c::PRODUCTS_PAGE);
    let warning = |id: &str, rows: &[ProductRow]| {
        product_table(id, &warning_columns, rows, WARNING_PAGE_SIZE, q, href)
    };
    let (quadrant_filter, filtered) = depth::quadrant_filter(p, q, href);
    let listed = if quadrant_filter["active"] == "" {
        &p.products[..]
    } else {
        &filtered[..]
    };
    json!({
        "chart": chart(quadrant_chart(p, &to)),
        "quadrants": p.quadrants,
        "quadrant_filter": quadrant_filter,
        "ranking": depth::ranking(p, q, href),
        "inventory_export_query": q.filters_only().with("book", "inventory").suffix(),
        "depth": depth::sections(p, q, href, &to),
        "products": product_table("products", &product_columns, listed, PAGE_SIZE, q, href),
        "rankings": [
            {"title": "销售额 TOP10", "rows": top(&r.by_sales, |r| Some(r.sales), Kind::Money)},
            {"title": "利润 TOP10", "rows": top(&r.by_profit, |r| Some(r.profit), Kind::Money)},
            {"title": "利润率 TOP10", "rows": top(&r.by_margin, |r| r.margin_pct, Kind::Pct)},
            {"title": "销量 TOP10", "rows": top(&r.by_quantity, |r| Some(r.quantity), Kind::Qty)},
        ],
        "warnings": [
            {"title": "缺货(库存为 0)", "table": warning("out_of_stock", &warn.out_of_stock)},
            {"title": "滞销(有库存、近期无销量)", "table": warning("slow_moving", &warn.slow_moving)},
            {"title": "热销低库存", "table": warning("hot_low_stock", &warn.hot_low_stock)},
        ],
    })
}

#[cfg(test)]
mod tests;
