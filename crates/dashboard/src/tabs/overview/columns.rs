//! The overview's columns, each declared once for the page and the workbook.

use crate::columns::{col, same, Column, Kind};

/// The KPIs under `kpis`, in display order (page label, sheet label).
pub(crate) const KPIS: &[Column] = &[
    col("orders", "订单总数", "订单数", Kind::Int),
    col("sales", "商品实收额", "销售额", Kind::Money),
    col("profit", "总利润", "利润", Kind::Money),
    col("avg_order_value", "平均客单价", "客单价", Kind::Money),
    col("profit_margin_pct", "总利润率", "利润率(%)", Kind::Pct),
    col("active_products", "动销商品数", "动销商品数", Kind::Int),
    col("gmv", "GMV", "GMV", Kind::Money),
    col(
        "marketing_rate_pct",
        "营销成本率",
        "营销成本率(%)",
        Kind::Pct,
    ),
];

/// `channels` (`storeboard_analytics::overview::ChannelRow`), in the sheet's order.
pub(crate) const CHANNELS: &[Column] = &[
    same("channel", "渠道", Kind::Text).channel(),
    same("orders", "订单数", Kind::Int),
    same("sales", "销售额", Kind::Money),
    col("share_pct", "销售占比", "销售额占比(%)", Kind::Pct),
    same("profit", "利润", Kind::Money),
    same("avg_order_value", "客单价", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    same("profit_per_order", "单均利润", Kind::Money),
    col(
        "marketing_per_order",
        "单均营销",
        "单均营销成本",
        Kind::Money,
    ),
    col(
        "delivery_per_order",
        "单均配送",
        "单均配送净成本",
        Kind::Money,
    ),
    same("cost_rates.product_cost", "商品成本率(%)", Kind::Pct),
    same("cost_rates.consumables", "耗材成本率(%)", Kind::Pct),
    same("cost_rates.product_discount", "商品减免率(%)", Kind::Pct),
    same("cost_rates.subsidy", "活动补贴率(%)", Kind::Pct),
    same("cost_rates.delivery", "配送成本率(%)", Kind::Pct),
    same("cost_rates.commission", "佣金率(%)", Kind::Pct),
];

/// The channel columns the page shows (the cost rates are in the workbook only).
pub(crate) const CHANNELS_PAGE: &[&str] = &[
    "channel",
    "orders",
    "sales",
    "share_pct",
    "profit",
    "margin_pct",
    "avg_order_value",
    "profit_per_order",
    "marketing_per_order",
    "delivery_per_order",
];

/// `daily` (the page draws it as a chart).
pub(crate) const DAILY: &[Column] = &[
    same("date", "日期", Kind::Date),
    same("orders", "订单数", Kind::Int),
    same("sales", "销售额", Kind::Money),
    same("profit", "利润", Kind::Money),
    same("margin_pct", "利润率(%)", Kind::Pct),
];

/// `aov_bands` (a chart on the page).
pub(crate) const AOV_BANDS: &[Column] = &[
    same("label", "客单价区间", Kind::Text),
    same("orders", "订单数", Kind::Int),
    same("share_pct", "订单占比(%)", Kind::Pct),
    same("sales", "销售额", Kind::Money),
    same("margin_pct", "利润率(%)", Kind::Pct),
];

/// `categories`, on the page and in the workbook.
pub(crate) const CATEGORIES: &[Column] = &[
    same("category", "一级分类", Kind::Text),
    same("sales", "销售额", Kind::Money),
    col("profit", "利润", "利润额", Kind::Money),
    col("margin_pct", "利润率", "利润率(%)", Kind::Pct),
    same("quantity", "销量", Kind::Qty),
];

/// `profit_buckets` (a chart on the page).
// The 12-sheet workbook has no 订单利润分布 sheet: the page draws it from the JSON, and the
// contract test checks these keys.
#[cfg(test)]
pub(crate) const PROFIT_BUCKETS: &[Column] = &[
    same("label", "订单利润区间", Kind::Text),
    same("orders", "订单数", Kind::Int),
    same("share_pct", "订单占比(%)", Kind::Pct),
    same("sales", "销售额", Kind::Money),
    same("margin_pct", "利润率(%)", Kind::Pct),
];

/// 渠道表现 (the workbook): every card column, the total cost rate, the previous period and 环比.
pub(crate) const CHANNELS_MORE: &[Column] = &[
    same("total_cost_rate", "总成本率(%)", Kind::Pct),
    same("previous.orders", "上期订单数", Kind::Int),
    same("previous.sales", "上期销售额", Kind::Money),
    same("previous.profit", "上期利润", Kind::Money),
    same("previous.margin_pct", "上期利润率(%)", Kind::Pct),
    same("change.orders", "订单数环比(%)", Kind::Change),
    same("change.sales", "销售额环比(%)", Kind::Change),
    same("change.profit", "利润环比(%)", Kind::Change),
    same("change.margin_pct", "利润率环比(百分点)", Kind::Num),
];

/// `aov_bands`' columns beyond [`AOV_BANDS`]: cost rate and the previous period.
pub(crate) const AOV_MORE: &[Column] = &[
    same("cost_rate", "成本率(%)", Kind::Pct),
    same("previous_orders", "上期订单数", Kind::Int),
    same("previous_margin_pct", "上期利润率(%)", Kind::Pct),
    same("orders_change", "订单数环比(%)", Kind::Change),
];

/// `cost_structure.by_category`.
pub(crate) const COST_BY_CATEGORY: &[Column] = &[
    same("category", "一级分类", Kind::Text),
    col("cost", "商品成本", "商品成本", Kind::Money),
    same("sales", "销售额", Kind::Money),
    col("cost_rate", "成本率", "成本率(%)", Kind::Pct),
    col("share_pct", "成本占比", "成本占比(%)", Kind::Pct),
];

/// 成本结构's amounts: (field of `cost_structure`, label, field of `cost_structure.rates`).
pub(crate) const COSTS: &[(&str, &str, &str)] = &[
    ("product_cost", "商品成本", "product_cost"),
    ("consumables", "耗材", "consumables"),
    ("delivery_net", "配送净成本", "delivery_net"),
    ("platform_fee", "平台服务费", "platform_fee"),
    ("marketing_total", "商家活动(营销成本)", "marketing_total"),
    ("total_cost", "总成本", "total"),
];

/// The seven marketing columns, as keyed in `cost_structure.marketing`.
pub(crate) const MARKETING: [&str; 7] = [
    "满减金额",
    "商品减免金额",
    "商家代金券",
    "商家承担部分券",
    "满赠金额",
    "商家其他优惠",
    "新客减免金额",
];

/// The product TOP50 sheets' columns (rows of the products tab).
pub(crate) const PRODUCT_TOP: &[Column] = &[
    same("key", "店内码", Kind::Text),
    same("name", "商品名称", Kind::Text),
    same("category", "一级分类", Kind::Text),
    same("quantity", "销量", Kind::Qty),
    same("orders", "订单数", Kind::Int),
    same("sales", "销售额", Kind::Money),
    same("cost", "成本", Kind::Money),
    same("profit", "利润额", Kind::Money),
    same("margin_pct", "利润率(%)", Kind::Pct),
];
