//! The overview's charts: 每日趋势, 渠道对比, the two band charts and 品类结构.

use serde_json::{json, Value};

use crate::charts::{
    arr, base, merge, money_axis, num, pct_axis, text, MARGIN, ORDERS, PROFIT, SALES,
};

/// 每日趋势: sales and profit bars, margin on a second axis, orders on a third.
pub(crate) fn daily(overview: &Value) -> Value {
    let days = arr(overview, "daily");
    merge(
        base("每日趋势"),
        json!({
            "xAxis": {"type": "category", "data": days.iter().map(|d| text(d, "date")).collect::<Vec<_>>()},
            "grid": {"left": 16, "right": 72, "top": 44, "bottom": 36, "containLabel": true},
            "yAxis": [money_axis("金额"), pct_axis("利润率"),
                      {"type": "value", "name": "订单数", "position": "right", "offset": 56, "splitLine": {"show": false}}],
            "series": [
                {"name": "销售额", "sbFormat": "money", "type": "bar", "color": SALES, "data": days.iter().map(|d| num(d, "sales")).collect::<Vec<_>>()},
                {"name": "利润", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": days.iter().map(|d| num(d, "profit")).collect::<Vec<_>>()},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": MARGIN, "smooth": true,
                 "data": days.iter().map(|d| num(d, "margin_pct")).collect::<Vec<_>>()},
                {"name": "订单数", "sbFormat": "int", "type": "line", "yAxisIndex": 2, "color": ORDERS,
                 "data": days.iter().map(|d| num(d, "orders")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// 渠道对比: sales and profit per channel, margin on a second axis.
pub(crate) fn channels(overview: &Value) -> Value {
    let rows = arr(overview, "channels");
    merge(
        base("渠道对比"),
        json!({
            "xAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "channel")).collect::<Vec<_>>()},
            "yAxis": [money_axis("金额"), pct_axis("利润率")],
            "series": [
                {"name": "销售额", "sbFormat": "money", "type": "bar", "color": SALES, "data": rows.iter().map(|r| num(r, "sales")).collect::<Vec<_>>()},
                {"name": "利润", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": rows.iter().map(|r| num(r, "profit")).collect::<Vec<_>>()},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": MARGIN,
                 "data": rows.iter().map(|r| num(r, "margin_pct")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// Orders per band (客单价分布, 订单利润分布) with the band's margin on a second axis.
pub(crate) fn bands(title: &str, rows: &[Value]) -> Value {
    merge(
        base(title),
        json!({
            "xAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "label")).collect::<Vec<_>>(),
                      "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": [{"type": "value", "name": "订单数"}, pct_axis("利润率")],
            "series": [
                {"name": "订单数", "sbFormat": "int", "type": "bar", "color": ORDERS, "data": rows.iter().map(|r| num(r, "orders")).collect::<Vec<_>>()},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": MARGIN,
                 "data": rows.iter().map(|r| num(r, "margin_pct")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// 品类结构: sales and profit per category, largest at the top.
pub(crate) fn categories(overview: &Value) -> Value {
    let rows: Vec<&Value> = arr(overview, "categories").iter().rev().collect();
    merge(
        base("品类销售"),
        json!({
            "grid": {"left": 16, "right": 32, "top": 44, "bottom": 36, "containLabel": true},
            "xAxis": money_axis(""),
            "yAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "category")).collect::<Vec<_>>()},
            "series": [
                {"name": "销售额", "sbFormat": "money", "type": "bar", "color": SALES, "data": rows.iter().map(|r| num(r, "sales")).collect::<Vec<_>>()},
                {"name": "利润", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": rows.iter().map(|r| num(r, "profit")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// 客单价分布: [`bands`] with the previous period's orders beside this period's and the
/// band's cost rate on the percent axis.
pub(crate) fn aov(overview: &Value) -> Value {
    let rows = arr(overview, "aov_bands");
    let mut option = bands("客单价分布", rows);
    if let Some(series) = option["series"].as_array_mut() {
        series.push(json!({"name": "上期订单数", "sbFormat": "int", "type": "bar", "color": "#9ca3af",
                           "data": rows.iter().map(|r| num(r, "previous_orders")).collect::<Vec<_>>()}));
        series.push(json!({"name": "成本率", "sbFormat": "pct", "type": "line", "yAxisIndex": 1, "color": SALES,
                           "data": rows.iter().map(|r| num(r, "cost_rate")).collect::<Vec<_>>()}));
    }
    option
}

/// 品类成本: purchase cost per category, largest at the top.
pub(crate) fn cost_categories(overview: &Value) -> Value {
    let by = overview.get("cost_structure").unwrap_or(&Value::Null);
    let rows: Vec<&Value> = arr(by, "by_category").iter().rev().collect();
    merge(
        base("品类成本"),
        json!({
            "grid": {"left": 16, "right": 32, "top": 44, "bottom": 36, "containLabel": true},
            "xAxis": money_axis(""),
            "yAxis": {"type": "category", "data": rows.iter().map(|r| text(r, "category")).collect::<Vec<_>>()},
            "series": [
                {"name": "商品成本", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": rows.iter().map(|r| num(r, "cost")).collect::<Vec<_>>()},
            ],
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_chart_has_one_point_per_day_in_each_series() {
        let overview = json!({"daily": [
            {"date": "2026-11-01", "orders": 3, "sales": 10.0, "profit": 2.0, "margin_pct": 20.0},
            {"date": "2026-11-02", "orders": 4, "sales": 12.345, "profit": -1.0, "margin_pct": null},
        ]});
        let chart = daily(&overview);
        assert_eq!(chart["xAxis"]["data"], json!(["2026-11-01", "2026-11-02"]));
        assert_eq!(chart["series"][0]["data"], json!([10.0, 12.35]));
        assert_eq!(chart["series"][2]["data"], json!([20.0, null]));
        assert_eq!(chart["series"][2]["yAxisIndex"], json!(1));
        assert_eq!(chart["series"][3]["name"], json!("订单数"));
        assert_eq!(chart["series"][3]["yAxisIndex"], json!(2));
    }

    #[test]
    fn the_aov_chart_sets_the_previous_orders_beside_this_periods() {
        let overview = json!({"aov_bands": [
            {"label": "¥0-10", "orders": 3, "margin_pct": 10.0, "previous_orders": 5, "cost_rate": 80.0},
        ]});
        let chart = aov(&overview);
        let names: Vec<&Value> = chart["series"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| &s["name"])
            .collect();
        assert_eq!(
            names,
            [
                &json!("订单数"),
                &json!("利润率"),
                &json!("上期订单数"),
                &json!("成本率")
            ]
        );
        assert_eq!(chart["series"][2]["data"], json!([5.0]));
        assert_eq!(chart["series"][3]["data"], json!([80.0]));
    }
}
