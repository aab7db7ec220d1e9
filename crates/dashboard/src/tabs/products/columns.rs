//! The products tab's columns, each declared once for the page and the workbook.

use crate::columns::{col, same, Column, Kind};

/// A product row (`storeboard_analytics::products::ProductRow`), in the sheet's order: every
/// list of the tab (products, rankings, warnings) has these rows.
pub(crate) const PRODUCT: &[Column] = &[
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text).product(),
    col("category", "分类", "一级分类", Kind::Text),
    same("sales", "销售额", Kind::Money),
    same("cost", "商品成本", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    same("quantity", "销量", Kind::Qty),
    col("recent_quantity", "近期销量", "近7天销量", Kind::Qty),
    same("orders", "订单数", Kind::Int),
    col("stock", "库存", "剩余库存", Kind::Qty),
    col("avg_price", "均价", "平均售价", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    same("quadrant", "象限", Kind::Text),
    same("activity", "动销指数", Kind::Qty),
    col("days_sold", "动销天数", "售出天数", Kind::Int),
    same("turnover_days", "周转天数", Kind::Qty),
    col("abc", "ABC", "ABC分类", Kind::Text),
];

/// The columns of the page's product table.
pub(crate) const PRODUCTS_PAGE: &[&str] = &[
    "name",
    "category",
    "quadrant",
    "sales",
    "profit",
    "margin_pct",
    "quantity",
    "orders",
    "avg_price",
    "stock",
];

/// The columns of the page's three stock-warning tables.
pub(crate) const WARNINGS_PAGE: &[&str] = &[
    "name",
    "category",
    "quantity",
    "recent_quantity",
    "stock",
    "sales",
];

/// The columns of the page's ranking table.
pub(crate) const RANKING_PAGE: &[&str] = &[
    "name",
    "category",
    "sales",
    "profit",
    "margin_pct",
    "quantity",
    "orders",
    "quadrant",
];

/// The columns of the page's 低周转 table.
pub(crate) const TURNOVER_PAGE: &[&str] = &[
    "name",
    "category",
    "stock",
    "quantity",
    "turnover_days",
    "activity",
];
