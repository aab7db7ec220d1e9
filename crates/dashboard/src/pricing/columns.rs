//! 智能调价's tables, each column declared once for the page and the workbook.

use crate::columns::{col, same, Column, Kind};

/// One product of a plan (`storeboard_analytics::pricing::Item`).
pub(crate) const ITEMS: &[Column] = &[
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text).product(),
    col("category", "分类", "一级分类", Kind::Text),
    same("quadrant", "象限", Kind::Text),
    col("current_price", "现价", "当前实收单价", Kind::Money),
    col("new_price", "建议价", "建议价格", Kind::Money),
    col("change_pct", "调幅", "调价幅度(%)", Kind::Change),
    same("unit_cost", "单品成本", Kind::Money),
    same("break_even_price", "真实保本价", Kind::Money),
    col("margin_pct", "利润率", "当前利润率(%)", Kind::Pct),
    col("new_margin_pct", "新利润率", "调价后毛利率(%)", Kind::Pct),
    col(
        "highlight_margin_pct",
        "高光利润率",
        "高光利润率(%)",
        Kind::Pct,
    ),
    col("elasticity", "弹性", "价格弹性", Kind::Num),
    same("elasticity_label", "弹性来源", Kind::Text),
    col("note", "约束", "价格约束", Kind::Text),
    col("stock", "库存", "剩余库存", Kind::Qty),
    col("stock_days", "可售天数", "库存可售天数", Kind::Num),
    col("idle_days", "未动销天", "未动销天数", Kind::Int),
    col("current.daily_qty", "日销量", "当前日均销量", Kind::Qty),
    col(
        "predicted.qty_change_pct",
        "销量变化",
        "预计销量变化(%)",
        Kind::Change,
    ),
    col(
        "predicted.daily_qty",
        "预计日销量",
        "预计日均销量",
        Kind::Qty,
    ),
    col("current.daily_profit", "日利润", "当前日利润", Kind::Money),
    col(
        "predicted.daily_profit",
        "预计日利润",
        "预计日利润",
        Kind::Money,
    ),
    col(
        "predicted.daily_profit_change",
        "日利润变化",
        "预计日利润变化",
        Kind::Money,
    ),
];

/// The columns of the page's plan table.
pub(crate) const ITEMS_PAGE: &[&str] = &[
    "name",
    "quadrant",
    "current_price",
    "new_price",
    "change_pct",
    "unit_cost",
    "break_even_price",
    "margin_pct",
    "new_margin_pct",
    "elasticity",
    "elasticity_label",
    "note",
    "current.daily_qty",
    "predicted.qty_change_pct",
    "predicted.daily_profit_change",
];

/// One product of a saved plan against what happened.
pub(crate) const OUTCOME: &[Column] = &[
    same("key", "商品编码", Kind::Text),
    same("name", "商品名称", Kind::Text).product(),
    col("new_price", "方案价", "方案价格", Kind::Money),
    col("actual_price", "实际单价", "实际实收单价", Kind::Money),
    col(
        "predicted_daily_qty",
        "预计日销量",
        "预计日均销量",
        Kind::Qty,
    ),
    col("actual_daily_qty", "实际日销量", "实际日均销量", Kind::Qty),
    same("predicted_daily_profit", "预计日利润", Kind::Money),
    same("actual_daily_profit", "实际日利润", Kind::Money),
    col("measured_elasticity", "实测弹性", "实测价格弹性", Kind::Num),
];
