//! What each analysis tab's template gets: its JSON (exactly the tabs API's), with tables
//! sorted and paginated and chart options built. The products tab is read as computed (it can
//! hold tens of thousands of rows): only the rows shown become JSON.

use serde_json::{json, Value};
use storeboard_analytics::products::page::{window, Paging, Sort, SortKey};
use storeboard_analytics::products::{ProductRow, Products};

use crate::charts;
use crate::format;
use crate::query::ViewQuery;
use crate::table::{col, Column, Kind, Table};

/// Rows per page of long tables.
pub const PAGE_SIZE: usize = 50;

/// Builds links for a tab's tables: a changed query → a URL.
pub type Href<'a> = &'a dyn Fn(&ViewQuery) -> String;

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn table(id: &str, columns: &[Column], rows: &[Value], q: &ViewQuery, href: Href<'_>) -> Value {
    sized_table(id, columns, rows, PAGE_SIZE, q, href)
}

fn sized_table(
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

fn chart(option: Value) -> String {
    option.to_string()
}

const KPIS: [(&str, &str, Kind); 6] = [
    ("orders", "订单总数", Kind::Int),
    ("sales", "商品实收额", Kind::Money),
    ("profit", "总利润", Kind::Money),
    ("avg_order_value", "平均客单价", Kind::Money),
    ("profit_margin_pct", "总利润率", Kind::Pct),
    ("active_products", "动销商品数", Kind::Int),
];

fn show(kind: Kind, v: Option<f64>) -> String {
    match kind {
        Kind::Money => format::money(v),
        Kind::Pct => format::pct(v),
        _ => format::int(v),
    }
}

fn kpis(overview: &Value) -> Vec<Value> {
    let k = overview.get("kpis").unwrap_or(&Value::Null);
    KPIS.iter()
        .map(|(key, label, kind)| {
            let kpi = k.get(key).unwrap_or(&Value::Null);
            let f = |name: &str| kpi.get(name).and_then(Value::as_f64);
            let change = f("change");
            // The margin's change is in percentage points, the others in percent.
            let change_text = match (key, change) {
                (_, None) => format::MISSING.to_owned(),
                (&"profit_margin_pct", Some(c)) => format!("{c:+.1} 个百分点"),
                (_, c) => format::signed_pct(c),
            };
            json!({
                "key": key,
                "label": label,
                "value": show(*kind, f("value")),
                "previous": show(*kind, f("previous")),
                "change": change_text,
                "trend": trend_class("", change),
                "last_week": f("last_week").map(|v| show(*kind, Some(v))),
            })
        })
        .collect()
}

const CHANNEL_COLUMNS: &[Column] = &[
    col("channel", "渠道", Kind::Text),
    col("orders", "订单数", Kind::Int),
    col("sales", "销售额", Kind::Money),
    col("share_pct", "销售占比", Kind::Pct),
    col("profit", "利润", Kind::Money),
    col("margin_pct", "利润率", Kind::Pct),
    col("avg_order_value", "客单价", Kind::Money),
    col("profit_per_order", "单均利润", Kind::Money),
    col("marketing_per_order", "单均营销", Kind::Money),
    col("delivery_per_order", "单均配送", Kind::Money),
];

const CATEGORY_COLUMNS: &[Column] = &[
    col("category", "一级分类", Kind::Text),
    col("sales", "销售额", Kind::Money),
    col("profit", "利润", Kind::Money),
    col("margin_pct", "利润率", Kind::Pct),
    col("quantity", "销量", Kind::Qty),
];

/// 📊 订单数据概览.
pub fn overview(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    json!({
        "kpis": kpis(json),
        "charts": {
            "daily": chart(charts::daily(json)),
            "channels": chart(charts::channels(json)),
            "aov": chart(charts::bands("客单价分布", arr(json, "aov_bands"))),
            "categories": chart(charts::categories(json)),
            "profit": chart(charts::bands("订单利润分布", arr(json, "profit_buckets"))),
        },
        "channels": table("channels", CHANNEL_COLUMNS, arr(json, "channels"), q, href),
        "categories": table("categories", CATEGORY_COLUMNS, arr(json, "categories"), q, href),
    })
}

const PRODUCT_COLUMNS: &[Column] = &[
    col("name", "商品名称", Kind::Text),
    col("category", "分类", Kind::Text),
    col("quadrant", "象限", Kind::Text),
    col("sales", "销售额", Kind::Money),
    col("profit", "利润", Kind::Money),
    col("margin_pct", "利润率", Kind::Pct),
    col("quantity", "销量", Kind::Qty),
    col("orders", "订单数", Kind::Int),
    col("avg_price", "均价", Kind::Money),
    col("stock", "库存", Kind::Qty),
];

const WARNING_COLUMNS: &[Column] = &[
    col("name", "商品名称", Kind::Text),
    col("category", "分类", Kind::Text),
    col("quantity", "销量", Kind::Qty),
    col("recent_quantity", "近期销量", Kind::Qty),
    col("stock", "库存", Kind::Qty),
    col("sales", "销售额", Kind::Money),
];

/// Rows per page of the stock-warning tables (three side by side: keep them short).
const WARNING_PAGE_SIZE: usize = 10;

/// Points of the quadrant chart at most: the best-selling products (a chain's year has tens
/// of thousands, which no scatter shows legibly and no page should ship).
pub const CHART_POINTS: usize = 1000;

/// A product table (`id`): the rows sorted and cut to the page the query asks for
/// ([`window`]), so only that page becomes JSON.
fn product_table(
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

/// 商品四象限 of the [`CHART_POINTS`] best-selling products (a subtitle says so when cut).
fn quadrant_chart(p: &Products) -> Value {
    let shown = &p.products[..p.products.len().min(CHART_POINTS)];
    let points: Vec<Value> = shown
        .iter()
        .map(|r| json!({"name": r.name, "quantity": r.quantity, "margin_pct": r.margin_pct, "quadrant": r.quadrant}))
        .collect();
    let mut option = charts::quadrants(&json!({"quadrants": p.quadrants, "products": points}));
    if p.products.len() > CHART_POINTS {
        let all = p.products.len();
        option["title"]["subtext"] = json!(format!("销售额前 {CHART_POINTS} 个商品(共 {all} 个)"));
    }
    option
}

/// 📦 商品分析, from the computed tab: the tables sorted and paginated as the query asks.
pub fn products(p: &Products, q: &ViewQuery, href: Href<'_>) -> Value {
    let warn = &p.inventory_warnings;
    let r = &p.rankings;
    let top = |rows: &[ProductRow], value: fn(&ProductRow) -> Option<f64>, kind: Kind| {
        rows.iter()
            .take(10)
            .map(|r| {
                let v = value(r).filter(|v| v.is_finite());
                json!({"name": r.name, "value": show_kind(kind, v)})
            })
            .collect::<Vec<Value>>()
    };
    let warning = |id: &str, rows: &[ProductRow]| {
        product_table(id, WARNING_COLUMNS, rows, WARNING_PAGE_SIZE, q, href)
    };
    json!({
        "chart": chart(quadrant_chart(p)),
        "quadrants": p.quadrants,
        "products": product_table("products", PRODUCT_COLUMNS, &p.products, PAGE_SIZE, q, href),
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

fn show_kind(kind: Kind, v: Option<f64>) -> String {
    match kind {
        Kind::Money => format::money(v),
        Kind::Pct => format::pct(v),
        Kind::Qty => format::quantity(v),
        _ => format::int(v),
    }
}

const SLOT_COLUMNS: &[Column] = &[
    col("slot", "时段", Kind::Text),
    col("default_scene", "默认场景", Kind::Text),
    col("orders", "订单数", Kind::Int),
    col("lines", "商品行", Kind::Int),
    col("sales", "销售额", Kind::Money),
    col("avg_order_value", "客单价", Kind::Money),
    col("profit", "利润", Kind::Money),
    col("margin_pct", "利润率", Kind::Pct),
];

const SCENE_COLUMNS: &[Column] = &[
    col("scene", "场景", Kind::Text),
    col("lines", "商品行", Kind::Int),
    col("quantity", "销量", Kind::Qty),
    col("sales", "销售额", Kind::Money),
    col("profit", "利润", Kind::Money),
    col("margin_pct", "利润率", Kind::Pct),
];

/// ⏰ 时段场景.
pub fn timeslots(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    json!({
        "charts": {"slots": chart(charts::slots(json)), "heatmap": chart(charts::heatmap(json))},
        "slots": table("slots", SLOT_COLUMNS, arr(json, "slots"), q, href),
        "scenes": table("scenes", SCENE_COLUMNS, arr(json, "scenes"), q, href),
    })
}

const ORDER_ROW_COLUMNS: &[Column] = &[
    col("store", "门店", Kind::Text),
    col("order_id", "订单ID", Kind::Text),
    col("channel", "渠道", Kind::Text),
    col("time", "下单时间", Kind::Time),
    col("sales", "实收", Kind::Money),
    col("profit", "利润", Kind::Money),
    col("delivery_net", "配送净成本", Kind::Money),
];

const PRICE_ROW_COLUMNS: &[Column] = &[
    col("store", "门店", Kind::Text),
    col("order_id", "订单ID", Kind::Text),
    col("name", "商品名称", Kind::Text),
    col("quantity", "销量", Kind::Qty),
    col("actual_price", "实收价格", Kind::Money),
    col("unit_cost", "单位成本", Kind::Money),
    col("gap_pct", "价差", Kind::Pct),
    col("severity", "程度", Kind::Text),
];

const PRODUCT_ROW_COLUMNS: &[Column] = &[
    col("name", "商品名称", Kind::Text),
    col("category", "分类", Kind::Text),
    col("quantity", "销量", Kind::Qty),
    col("previous_quantity", "前期销量", Kind::Qty),
    col("change_pct", "变化", Kind::Change),
    col("sales", "销售额", Kind::Money),
    col("profit", "利润", Kind::Money),
    col("margin_pct", "利润率", Kind::Pct),
    col("stock", "库存", Kind::Qty),
    col("days_since_sale", "未售天数", Kind::Int),
];

/// The columns of a card's rows, told apart by their fields (the JSON rows are untagged).
fn card_columns(rows: &[Value]) -> &'static [Column] {
    match rows.first() {
        Some(r) if r.get("actual_price").is_some() => PRICE_ROW_COLUMNS,
        Some(r) if r.get("order_id").is_some() => ORDER_ROW_COLUMNS,
        _ => PRODUCT_ROW_COLUMNS,
    }
}

/// Rows per page of a to-do card (ten cards on one page: keep each short).
const CARD_PAGE_SIZE: usize = 10;

/// To-do cards where a rise is bad news (more loss orders, more price anomalies, …) and shows
/// red; on the other cards and on every KPI a rise is good news.
const BAD_WHEN_UP: [&str; 7] = [
    "loss_orders",
    "high_delivery",
    "hot_out_of_stock",
    "price_anomaly",
    "sales_drop",
    "margin_drop",
    "slow_movers",
];

/// `good`, `bad` or `flat`: the colour of a change of the KPI or card `key`.
fn trend_class(key: &str, change: Option<f64>) -> &'static str {
    let rise_is_bad = BAD_WHEN_UP.contains(&key);
    match change {
        Some(c) if (c > 0.0) != rise_is_bad && c != 0.0 => "good",
        Some(c) if c != 0.0 => "bad",
        _ => "flat",
    }
}

/// ✅ 今日必做.
pub fn today(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let cards: Vec<Value> = arr(json, "cards")
        .iter()
        .map(|card| {
            let rows = arr(card, "rows");
            let key = card.get("key").and_then(Value::as_str).unwrap_or("card");
            let trend = card
                .get("trend")
                .and_then(|t| t.get("change_pct"))
                .and_then(Value::as_f64);
            json!({
                "key": key,
                "title": card.get("title"),
                "count": card.get("count"),
                "total_rows": card.get("total_rows"),
                "shown_rows": rows.len(),
                "trend": trend.map(|t| format::signed_pct(Some(t))),
                "trend_class": trend_class(key, trend),
                "table": sized_table(key, card_columns(rows), rows, CARD_PAGE_SIZE, q, href),
            })
        })
        .collect();
    json!({"yesterday": json.get("yesterday"), "cards": cards})
}

#[cfg(test)]
mod tests;
