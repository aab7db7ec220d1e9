//! The to-do cards' columns, each declared once for the page and the workbook.

use crate::columns::{col, same, Column, Kind};

/// 亏损订单, 高配送费 (`storeboard_analytics::today::OrderRow`), on the page and in the sheets.
pub(crate) const ORDER_ROWS: &[Column] = &[
    same("store", "门店", Kind::Text),
    same("order_id", "订单ID", Kind::Text),
    same("channel", "渠道", Kind::Text),
    same("time", "下单时间", Kind::DateTime),
    col("sales", "实收", "商品实收额", Kind::Money),
    col("profit", "利润", "订单实际利润", Kind::Money),
    same("delivery_net", "配送净成本", Kind::Money),
    col("distance_km", "距离km", "配送距离(km)", Kind::Qty),
];

/// 价格异常 (`storeboard_analytics::today::PriceRow`), in the sheet's order.
pub(crate) const PRICE_ROWS: &[Column] = &[
    same("store", "门店", Kind::Text),
    same("order_id", "订单ID", Kind::Text),
    col("day", "日期", "下单日期", Kind::Date),
    same("channel", "渠道", Kind::Text),
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text),
    same("quantity", "销量", Kind::Qty),
    same("actual_price", "实收价格", Kind::Money),
    same("unit_cost", "单位成本", Kind::Money),
    col("gap_pct", "价差", "低于成本(%)", Kind::Pct),
    col("loss", "损失", "低于成本金额", Kind::Money),
    col("severity", "程度", "严重程度", Kind::Text),
];

/// The price columns the page shows.
pub(crate) const PRICE_ROWS_PAGE: &[&str] = &[
    "store",
    "order_id",
    "name",
    "quantity",
    "actual_price",
    "unit_cost",
    "gap_pct",
    "loss",
    "severity",
];

/// A product card's rows (`storeboard_analytics::today::ProductCardRow`), in the sheet's
/// order; a sheet heads some of them for its card's window (see the export).
pub(crate) const PRODUCT_ROWS: &[Column] = &[
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text),
    col("category", "分类", "一级分类", Kind::Text),
    same("quantity", "销量", Kind::Qty),
    col("previous_quantity", "前期销量", "对比期销量", Kind::Qty),
    same("sales", "销售额", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    same("previous_margin_pct", "对比期利润率(%)", Kind::Pct),
    col("change_pct", "变化", "变化(%)", Kind::Change),
    col("stock", "库存", "剩余库存", Kind::Qty),
    same("last_sale", "最后销售日", Kind::Date),
    same("days_since_sale", "未售天数", Kind::Int),
    col("amount", "金额", "涉及金额", Kind::Money),
    col("tier", "级别", "级别", Kind::Text),
];

/// The product columns the page shows.
pub(crate) const PRODUCT_ROWS_PAGE: &[&str] = &[
    "name",
    "category",
    "quantity",
    "previous_quantity",
    "change_pct",
    "sales",
    "profit",
    "margin_pct",
    "stock",
    "days_since_sale",
    "amount",
    "tier",
];
