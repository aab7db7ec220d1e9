//! The product page's tables, each column declared once.

use crate::columns::{col, same, Column, Kind};

/// Every day of the period.
pub(crate) const DAILY: &[Column] = &[
    same("day", "日期", Kind::Date),
    same("quantity", "销量", Kind::Qty),
    same("unit_price", "实收单价", Kind::Money),
    same("sales", "销售额", Kind::Money),
    col("cost", "成本", "商品成本", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    same("orders", "订单数", Kind::Int),
    col("stock", "库存", "剩余库存", Kind::Qty),
];

/// Per channel.
pub(crate) const CHANNELS: &[Column] = &[
    same("channel", "渠道", Kind::Text).channel(),
    same("quantity", "销量", Kind::Qty),
    same("sales", "销售额", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    same("orders", "订单数", Kind::Int),
    col("sales_share_pct", "销售占比", "销售占比(%)", Kind::Pct),
];

/// Per time slot.
pub(crate) const SLOTS: &[Column] = &[
    same("slot", "时段", Kind::Text),
    same("orders", "订单数", Kind::Int),
    same("quantity", "销量", Kind::Qty),
    same("sales", "销售额", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
];

/// The marked price changes.
pub(crate) const CHANGES: &[Column] = &[
    same("day", "日期", Kind::Date),
    col("from_price", "原单价", "调整前实收单价", Kind::Money),
    col("to_price", "新单价", "调整后实收单价", Kind::Money),
    col("change_pct", "变化", "变化(%)", Kind::Change),
];

/// The orders it appeared in.
pub(crate) const ORDERS: &[Column] = &[
    same("time", "下单时间", Kind::DateTime),
    same("store", "门店", Kind::Text).store(),
    same("order_id", "订单ID", Kind::Text),
    same("channel", "渠道", Kind::Text).channel(),
    same("quantity", "销量", Kind::Qty),
    same("unit_price", "实收单价", Kind::Money),
    col("sales", "本品金额", "本品实收金额", Kind::Money),
    col("profit", "本品利润", "本品利润额", Kind::Money),
    col("order_sales", "订单金额", "商品实收额", Kind::Money),
    col("order_profit", "订单利润", "订单实际利润", Kind::Money),
];
