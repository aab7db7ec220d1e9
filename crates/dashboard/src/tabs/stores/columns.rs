//! The store comparison's columns, each declared once for the page and the workbook. The
//! rows are the answer's `stores` flattened ([`super::view::rows`]): each figure, its 环比 as
//! `<figure>_change`, the previous period's as `previous_<figure>`, and the flags as text.

use crate::columns::{col, same, Column, Kind};

/// One row per store, in the sheet's order.
pub(crate) const STORES: &[Column] = &[
    same("rank", "排名", Kind::Int),
    col("store", "门店", "门店名称", Kind::Text).store(),
    same("orders", "订单数", Kind::Int),
    col("orders_change", "订单环比", "订单数环比(%)", Kind::Change),
    same("sales", "商品实收额", Kind::Money),
    col(
        "sales_change",
        "实收环比",
        "商品实收额环比(%)",
        Kind::Change,
    ),
    same("profit", "总利润", Kind::Money),
    col("profit_change", "利润环比", "总利润环比(%)", Kind::Change),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    col(
        "margin_pct_change",
        "利润率环比",
        "利润率环比(百分点)",
        Kind::Points,
    ),
    same("avg_order_value", "客单价", Kind::Money),
    col(
        "avg_order_value_change",
        "客单价环比",
        "客单价环比(%)",
        Kind::Change,
    ),
    same("gmv", "GMV", Kind::Money),
    col("gmv_change", "GMV环比", "GMV环比(%)", Kind::Change),
    same("marketing_cost", "营销成本", Kind::Money),
    col(
        "marketing_rate_pct",
        "营销成本率",
        "营销成本率(%)",
        Kind::Pct,
    ),
    col(
        "marketing_rate_pct_change",
        "营销率环比",
        "营销成本率环比(百分点)",
        Kind::Points,
    ),
    same("delivery_net", "配送净成本", Kind::Money),
    col(
        "delivery_cost_rate_pct",
        "配送成本率",
        "配送成本率(%)",
        Kind::Pct,
    ),
    col(
        "delivery_cost_rate_pct_change",
        "配送率环比",
        "配送成本率环比(百分点)",
        Kind::Points,
    ),
    same("active_products", "动销商品数", Kind::Int),
    col(
        "active_products_change",
        "动销环比",
        "动销商品数环比(%)",
        Kind::Change,
    ),
    col(
        "flags_text",
        "预警",
        "预警(中位数 ± 1.5×IQR 之外)",
        Kind::Text,
    ),
];

/// The columns the page shows (the workbook has every one).
pub(crate) const STORES_PAGE: &[&str] = &[
    "rank",
    "store",
    "orders",
    "sales",
    "sales_change",
    "profit",
    "margin_pct",
    "margin_pct_change",
    "avg_order_value",
    "gmv",
    "marketing_rate_pct",
    "marketing_rate_pct_change",
    "delivery_cost_rate_pct",
    "active_products",
    "flags_text",
];

/// The previous period's figures, in the workbook.
pub(crate) const PREVIOUS: &[Column] = &[
    col("store", "门店", "门店名称", Kind::Text),
    col("previous_orders", "订单数", "上期订单数", Kind::Int),
    col(
        "previous_sales",
        "商品实收额",
        "上期商品实收额",
        Kind::Money,
    ),
    col("previous_profit", "总利润", "上期总利润", Kind::Money),
    col("previous_margin_pct", "利润率", "上期利润率(%)", Kind::Pct),
    col(
        "previous_avg_order_value",
        "客单价",
        "上期客单价",
        Kind::Money,
    ),
    col("previous_gmv", "GMV", "上期GMV", Kind::Money),
    col(
        "previous_marketing_cost",
        "营销成本",
        "上期营销成本",
        Kind::Money,
    ),
    col(
        "previous_marketing_rate_pct",
        "营销成本率",
        "上期营销成本率(%)",
        Kind::Pct,
    ),
    col(
        "previous_delivery_net",
        "配送净成本",
        "上期配送净成本",
        Kind::Money,
    ),
    col(
        "previous_delivery_cost_rate_pct",
        "配送成本率",
        "上期配送成本率(%)",
        Kind::Pct,
    ),
    col(
        "previous_active_products",
        "动销商品数",
        "上期动销商品数",
        Kind::Int,
    ),
];

/// One row per flag (a store beyond a fence), in the workbook.
pub(crate) const FLAGS: &[Column] = &[
    col("store", "门店", "门店名称", Kind::Text),
    col("label", "指标", "指标", Kind::Text),
    col("value", "门店值", "门店值", Kind::Num),
    col("median", "连锁中位数", "连锁中位数", Kind::Num),
    col("fence", "预警线", "预警线", Kind::Num),
    col("side_text", "方向", "方向", Kind::Text),
    col("bad_text", "是否不利", "是否不利", Kind::Text),
];

/// The chain's median and fences per figure, in the workbook.
pub(crate) const SPREADS: &[Column] = &[
    col("label", "指标", "指标", Kind::Text),
    col("median", "中位数", "连锁中位数", Kind::Num),
    col("low", "下预警线", "下预警线", Kind::Num),
    col("high", "上预警线", "上预警线", Kind::Num),
];
