//! The product's days in one chart, one axis per measure: units (销量, 库存), money (sales,
//! profit), 实收单价 (its marked changes as points) and margin. Each axis takes the colour of
//! its measure, two on each side, the outer one 64 px out, so four scales stay readable; 库存,
//! 利润 and 利润率 start hidden (a click on the legend shows them): stock would flatten the
//! day's units on their shared axis.

use serde_json::{json, Value};

use crate::charts::{arr, base, merge, num, text, MARGIN, PROFIT, SALES};

const QUANTITY: &str = "#6366f1";
const STOCK: &str = "#94a3b8";
const PRICE: &str = "#ef4444";

/// How far out the outer axis of a side sits: room for the inner axis's labels (`¥1,000`).
const OUTER: u32 = 64;

/// The axes' names sit this far above the plot: a rise marked at the highest price has its
/// label (about 35 px tall with its arrow) between the plot and the names.
const NAME_GAP: u32 = 42;

/// Where the plot starts: under the title, the axes' names and the marks' labels.
const GRID_TOP: u32 = 100;

fn axis(
    name: &str,
    position: &str,
    offset: u32,
    unit: &str,
    color: &str,
    grid_lines: bool,
) -> Value {
    json!({"type": "value", "name": name, "position": position, "offset": offset,
           "alignTicks": true, "splitLine": {"show": grid_lines}, "nameGap": NAME_GAP,
           "nameTextStyle": {"color": color, "fontWeight": "bold"},
           "axisLine": {"show": true, "lineStyle": {"color": color}},
           "axisTick": {"show": true}, "axisLabel": {"formatter": unit, "color": color}})
}

/// A marked price change: a small arrow above (a rise) or below (a drop) the day's price,
/// with the change beside it, in red or green.
fn price_mark(day: &Value, price: &Value, pct: f64) -> Value {
    let (color, rise) = if pct > 0.0 {
        ("#dc2626", true)
    } else {
        ("#16a34a", false)
    };
    json!({"coord": [day, price], "value": format!("{pct:+.1}%"),
           "symbol": "triangle", "symbolSize": 9,
           "symbolRotate": if rise { 0 } else { 180 },
           "symbolOffset": [0, if rise { -9 } else { 9 }],
           "itemStyle": {"color": color},
           "label": {"show": true, "position": if rise { "top" } else { "bottom" },
                     "color": color, "fontSize": 11, "fontWeight": "bold",
                     "backgroundColor": "rgba(255,255,255,0.85)", "padding": [1, 3], "borderRadius": 3}})
}

/// 每日走势 of a product page's JSON.
pub(crate) fn daily(page: &Value) -> Value {
    let days = arr(page, "daily");
    let series = |key: &str| days.iter().map(|d| num(d, key)).collect::<Vec<_>>();
    let marks: Vec<Value> = arr(page, "price_changes")
        .iter()
        .map(|c| {
            let pct = c.get("change_pct").and_then(Value::as_f64).unwrap_or(0.0);
            price_mark(&text(c, "day"), &num(c, "to_price"), pct)
        })
        .collect();
    let mut option = merge(
        base("每日走势"),
        json!({
            "grid": {"left": 124, "right": 124, "top": GRID_TOP, "bottom": 56},
            "xAxis": {"type": "category", "data": days.iter().map(|d| text(d, "day")).collect::<Vec<_>>()},
            "yAxis": [
                axis("件", "left", 0, "{value}", QUANTITY, true),
                axis("金额", "left", OUTER, "¥{value}", SALES, false),
                axis("单价", "right", 0, "¥{value}", PRICE, false),
                axis("利润率", "right", OUTER, "{value}%", MARGIN, false),
            ],
            "series": [
                {"name": "销量", "sbFormat": "qty", "type": "bar", "yAxisIndex": 0, "color": QUANTITY, "data": series("quantity")},
                {"name": "库存", "sbFormat": "qty", "type": "line", "yAxisIndex": 0, "color": STOCK, "connectNulls": true,
                 "lineStyle": {"type": "dashed"}, "data": series("stock")},
                {"name": "销售额", "sbFormat": "money", "type": "bar", "yAxisIndex": 1, "color": SALES, "data": series("sales")},
                {"name": "利润", "sbFormat": "money", "type": "bar", "yAxisIndex": 1, "color": PROFIT, "data": series("profit")},
                {"name": "实收单价", "sbFormat": "money", "type": "line", "yAxisIndex": 2, "color": PRICE, "connectNulls": true,
                 "data": series("unit_price"),
                 "markPoint": {"data": marks}},
                {"name": "利润率", "sbFormat": "pct", "type": "line", "yAxisIndex": 3, "color": MARGIN, "connectNulls": true,
                 "data": series("margin_pct")},
            ],
        }),
    );
    option["legend"]["selected"] = json!({"库存": false, "利润": false, "利润率": false});
    option
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_has_its_own_axis_and_price_changes_are_marked() {
        let page = json!({
            "daily": [
                {"day": "2026-11-01", "quantity": 2.0, "unit_price": 10.0, "sales": 20.0, "profit": 6.0, "margin_pct": 30.0, "stock": 50.0},
                {"day": "2026-11-02", "quantity": 0.0, "unit_price": null, "sales": 0.0, "profit": 0.0, "margin_pct": null, "stock": null},
                {"day": "2026-11-03", "quantity": 2.0, "unit_price": 10.5, "sales": 21.0, "profit": 7.0, "margin_pct": 33.3, "stock": 40.0},
            ],
            "price_changes": [{"day": "2026-11-03", "from_price": 10.0, "to_price": 10.5, "change_pct": 5.0}],
        });
        let c = daily(&page);
        assert_eq!(c["yAxis"].as_array().map(Vec::len), Some(4));
        assert_eq!(c["series"][4]["data"], json!([10.0, null, 10.5]));
        assert_eq!(c["series"][4]["yAxisIndex"], json!(2));
        assert_eq!(
            c["series"][4]["markPoint"]["data"][0]["value"],
            json!("+5.0%")
        );
        assert_eq!(c["series"][0]["data"], json!([2.0, 0.0, 2.0]));
        let colors: Vec<&Value> = (0..4)
            .map(|i| &c["yAxis"][i]["axisLine"]["lineStyle"]["color"])
            .collect();
        assert_eq!(
            colors,
            [
                &json!(QUANTITY),
                &json!(SALES),
                &json!(PRICE),
                &json!(MARGIN)
            ]
        );
        assert_eq!(
            c["series"][4]["markPoint"]["data"][0]["label"]["position"],
            "top"
        );
    }
}
