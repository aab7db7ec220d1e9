//! The to-do cards' columns, each declared once for the page and the workbook.

use crate::columns::{col, same, Column, Kind};

/// 亏损订单, 高配送费 (`storeboard_analytics::today::OrderRow`), on the page and in the sheets.
pub(crate) const ORDER_ROWS: &[Column] = &[
    same("store", "门店", Kind::Text).store(),
    same("order_id", "订单ID", Kind::Text),
    same("channel", "渠道", Kind::Text).channel(),
    same("time", "下单时间", Kind::DateTime),
    col("sales", "实收", "商品实收额", Kind::Money),
    col("profit", "利润", "订单实际利润", Kind::Money),
    same("delivery_net", "配送净成本", Kind::Money),
    col("distance_km", "距离km", "配送距离(km)", Kind::Qty),
];

/// 价格异常 (`storeboard_analytics::today::PriceRow`), in the sheet's order.
pub(crate) const PRICE_ROWS: &[Column] = &[
    same("store", "门店", Kind::Text).store(),
    same("order_id", "订单ID", Kind::Text),
    col("day", "日期", "下单日期", Kind::Date),
    same("channel", "渠道", Kind::Text).channel(),
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text).product(),
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
    same("name", "商品名称", Kind::Text).product(),
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

/// 客户流失预警 (`storeboard_analytics::today::churn::ChurnRow`).
pub(crate) const CUSTOMER_ROWS: &[Column] = &[
    same("store", "门店", Kind::Text).store(),
    col("customer", "顾客(地址)", "顾客(标准化收货地址)", Kind::Text),
    col("orders", "订单", "近30天订单数", Kind::Int),
    col("sales", "消费额", "近30天消费额", Kind::Money),
    col("last_order", "最后下单", "最后下单日", Kind::Date),
    col("days_since", "未下单天数", "未下单天数", Kind::Int),
    col("reason", "原因", "流失原因", Kind::Text),
    col("reason_product", "原因商品", "原因商品", Kind::Text).product_keys("reason_product_key"),
    col("products", "常购商品", "常购商品(前三)", Kind::Text).product_keys("product_keys"),
    col("high_value", "高价值", "高价值顾客", Kind::Text),
];

/// 客单价异常 (`storeboard_analytics::today::AovRow`).
pub(crate) const AOV_ROWS: &[Column] = &[
    col("kind", "类型", "类型", Kind::Text),
    col("name", "对象", "对象", Kind::Text).product(),
    col("previous", "前7天", "前7天", Kind::Qty),
    col("current", "近7天", "近7天", Kind::Qty),
    col("change_pct", "变化", "变化(%)", Kind::Change),
    col("level", "程度", "程度", Kind::Text),
    col("lost_sales", "损失销售额", "损失销售额", Kind::Money),
];

/// 价格弹性 (`storeboard_analytics::today::ElasticityRow`).
pub(crate) const ELASTICITY_ROWS: &[Column] = &[
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text).product(),
    col("category", "分类", "一级分类", Kind::Text),
    col("previous_price", "前周单价", "前7天实收单价", Kind::Money),
    col("price", "近周单价", "近7天实收单价", Kind::Money),
    col("price_change_pct", "价格变化", "价格变化(%)", Kind::Change),
    col("previous_quantity", "前周销量", "前7天销量", Kind::Qty),
    col("quantity", "近周销量", "近7天销量", Kind::Qty),
    col(
        "quantity_change_pct",
        "销量变化",
        "销量变化(%)",
        Kind::Change,
    ),
    col("elasticity", "弹性", "价格弹性", Kind::Qty),
    col("level", "弹性级别", "弹性级别", Kind::Text),
];
