//! The timeslots tab's columns, each declared once for the page and the workbook.

use crate::columns::{col, same, Column, Kind};

/// `slots` (`storeboard_analytics::timeslots::SlotRow`), in the sheet's order.
pub(crate) const SLOTS: &[Column] = &[
    same("slot", "时段", Kind::Text),
    same("start_hour", "开始(时)", Kind::Int),
    same("end_hour", "结束(时)", Kind::Int),
    same("default_scene", "默认场景", Kind::Text),
    same("orders", "订单数", Kind::Int),
    col("lines", "商品行", "商品行数", Kind::Int),
    same("sales", "销售额", Kind::Money),
    same("avg_order_value", "客单价", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
];

/// The slot columns the page shows (the hours are in the slot's name).
pub(crate) const SLOTS_PAGE: &[&str] = &[
    "slot",
    "default_scene",
    "orders",
    "lines",
    "sales",
    "avg_order_value",
    "profit",
    "margin_pct",
];

/// `scenes` (`storeboard_analytics::timeslots::SceneRow`), on the page and in the workbook.
pub(crate) const SCENES: &[Column] = &[
    same("scene", "场景", Kind::Text),
    col("lines", "商品行", "商品行数", Kind::Int),
    same("orders", "订单数", Kind::Int),
    same("avg_order_value", "客单价", Kind::Money),
    same("quantity", "销量", Kind::Qty),
    same("sales", "销售额", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
];

/// `delivery.cells` (`storeboard_analytics::timeslots::delivery::DeliveryCell`), on the page
/// and in the workbook.
pub(crate) const DELIVERY: &[Column] = &[
    col("bucket", "距离", "配送距离", Kind::Text),
    same("slot", "时段", Kind::Text),
    same("orders", "订单数", Kind::Int),
    col("delivery_net", "配送净成本", "配送净成本合计", Kind::Money),
    same("delivery_net_per_order", "单均配送净成本", Kind::Money),
    col("over_alert", "超预警订单", "超预警订单数", Kind::Int),
    col("over_alert_pct", "超预警占比", "超预警占比(%)", Kind::Pct),
    col("flagged", "预警", "预警(>15%)", Kind::Text),
];

/// 商品 × 场景: `product_scenes[].products[]` flattened, each row with its `scene`
/// ([`super::view::scene_product_rows`]), on the page and in the workbook.
pub(crate) const SCENE_PRODUCTS: &[Column] = &[
    same("scene", "场景", Kind::Text),
    same("name", "商品名称", Kind::Text).product(),
    col("category", "分类", "一级分类名", Kind::Text),
    same("orders", "订单数", Kind::Int),
    same("quantity", "销量", Kind::Qty),
    same("sales", "销售额", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
];
