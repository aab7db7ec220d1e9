//! What the product page's template gets, from the product's JSON answer.

use serde_json::{json, Value};

use super::{chart, columns as c};
use crate::format;
use crate::query::ViewQuery;
use crate::table::Table;
use crate::views::{arr, chart as attr, sized_table, Href, PAGE_SIZE};

/// A fact of the header: label, value as shown, and a hint.
fn fact(label: &str, value: String, hint: &str) -> Value {
    json!({"label": label, "value": value, "hint": hint})
}

fn f(v: &Value, path: &str) -> Option<f64> {
    crate::export::book::lookup(v, path).and_then(Value::as_f64)
}

/// The header's facts: the period's sums and the pricing basis.
fn facts(p: &Value) -> Vec<Value> {
    let rate = f(p, "marketing_rate").map(|r| r * 100.0);
    let elasticity = p.get("elasticity").filter(|e| !e.is_null());
    vec![
        fact("销量", format::quantity(f(p, "totals.quantity")), ""),
        fact(
            "销售额",
            format::money(f(p, "totals.sales")),
            "Σ 实收价格 × 销量",
        ),
        fact("利润", format::money(f(p, "totals.profit")), "Σ 利润额"),
        fact("利润率", format::pct(f(p, "totals.margin_pct")), ""),
        fact("订单数", format::int(f(p, "totals.orders")), ""),
        fact(
            "实收单价",
            format::money(f(p, "totals.unit_price")),
            "销售额 / 销量",
        ),
        fact(
            "单品成本",
            format::money(f(p, "totals.unit_cost")),
            "Σ 采购成本 / 销量",
        ),
        fact(
            "真实保本价",
            format::money(f(p, "break_even_price")),
            &format!(
                "单品成本 / (1 − 8% 平台费 − 营销费率 {})",
                format::pct(rate)
            ),
        ),
        fact(
            "高光利润率",
            format::pct(f(p, "highlight_margin_pct")),
            "历史最高的单日利润率",
        ),
        fact(
            "价格弹性",
            elasticity
                .and_then(|e| e.get("value"))
                .and_then(Value::as_f64)
                .map_or_else(|| format::MISSING.to_owned(), |e| format!("{e:.2}")),
            elasticity
                .and_then(|e| e.get("label"))
                .and_then(Value::as_str)
                .unwrap_or(""),
        ),
    ]
}

/// The product page's view: facts, quadrant, the chart, and every table (the orders come one
/// page at a time from the server: `total` counts them all).
pub(crate) fn product(p: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let table =
        |id: &str, columns, rows: &[Value]| sized_table(id, columns, rows, PAGE_SIZE, q, href);
    let orders_total = p.get("orders_total").and_then(Value::as_u64).unwrap_or(0);
    let orders = Table {
        id: "orders",
        columns: c::ORDERS,
        rows: arr(p, "orders"),
        page_size: PAGE_SIZE,
    }
    .windowed(q, href, usize::try_from(orders_total).unwrap_or(usize::MAX));
    json!({
        "key": p.get("key"),
        "name": p.get("name"),
        "category": p.get("category"),
        "facts": facts(p),
        "quadrant": p.get("quadrant"),
        "chart": attr(chart::daily(p)),
        "threshold": p.get("price_change_threshold_pct"),
        "daily": table("daily", c::DAILY, arr(p, "daily")),
        "channels": table("channels", c::CHANNELS, arr(p, "channels")),
        "slots": table("slots", c::SLOTS, arr(p, "slots")),
        "changes": table("changes", c::CHANGES, arr(p, "price_changes")),
        "orders": serde_json::to_value(orders).unwrap_or(Value::Null),
        "orders_total": orders_total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::contract::assert_fields;

    fn sample() -> Value {
        json!({
            "key": "P", "name": "可乐", "category": "饮料",
            "totals": {"quantity": 7.0, "sales": 70.97, "profit": 22.0, "margin_pct": 31.0, "orders": 4,
                       "unit_price": 10.14, "unit_cost": 7.0, "cost": 48.97},
            "daily": [{"day": "2026-11-01", "quantity": 2.0, "unit_price": 10.0, "sales": 20.0, "cost": 14.0,
                       "profit": 6.0, "margin_pct": 30.0, "orders": 1, "stock": 50.0}],
            "channels": [{"channel": "收银机订单", "quantity": 2.0, "sales": 20.0, "profit": 6.0,
                          "margin_pct": 30.0, "orders": 1, "sales_share_pct": 100.0}],
            "slots": [{"slot": "上午", "start_hour": 9, "end_hour": 12, "orders": 1, "quantity": 2.0, "sales": 20.0, "profit": 6.0}],
            "price_changes": [{"day": "2026-11-03", "from_price": 10.0, "to_price": 10.5, "change_pct": 5.0}],
            "quadrant": {"now": "明星", "previous": null, "emoji": "🌟", "advice": "保证库存", "previous_period": null},
            "elasticity": {"value": -1.2, "source": "category", "label": "品类默认 (饮料)", "changes": 0},
            "break_even_price": 8.2, "highlight_margin_pct": 33.3, "marketing_rate": 0.05,
            "orders": [{"time": "2026-11-01T09:30:00", "store": "一号店", "order_id": "o1", "channel": "收银机订单",
                        "quantity": 2.0, "unit_price": 10.0, "sales": 20.0, "profit": 6.0, "order_sales": 25.0, "order_profit": 8.0}],
            "orders_total": 1,
        })
    }

    #[test]
    fn every_table_column_is_a_field_of_the_products_json() {
        let p = sample();
        assert_fields("daily", c::DAILY, arr(&p, "daily"));
        assert_fields("channels", c::CHANNELS, arr(&p, "channels"));
        assert_fields("slots", c::SLOTS, arr(&p, "slots"));
        assert_fields("price_changes", c::CHANGES, arr(&p, "price_changes"));
        assert_fields("orders", c::ORDERS, arr(&p, "orders"));
    }

    #[test]
    fn the_header_shows_the_break_even_and_where_the_elasticity_comes_from() {
        let v = product(&sample(), &ViewQuery::parse(""), Href::encoded());
        let facts = v["facts"].as_array().cloned().unwrap_or_default();
        let find = |label: &str| {
            facts
                .iter()
                .find(|f| f["label"] == label)
                .cloned()
                .unwrap_or(Value::Null)
        };
        assert_eq!(find("真实保本价")["value"], "¥8.20");
        assert_eq!(find("价格弹性")["value"], "-1.20");
        assert_eq!(find("价格弹性")["hint"], "品类默认 (饮料)");
        assert!(find("真实保本价")["hint"]
            .as_str()
            .unwrap_or("")
            .contains("5.0%"));
    }

    #[test]
    fn the_product_page_renders_its_facts_chart_and_tables() {
        let mut v = product(&sample(), &ViewQuery::parse(""), Href::encoded());
        v["pricing_href"] = json!("/?tab=pricing&keys=P");
        let ctx = json!({"base": "/", "view": v, "filters": {"from": "2026-11-01", "to": "2026-11-04", "store": null, "channel": null}});
        let html = crate::templates::TemplateSource::Embedded
            .render("product.html", minijinja::Value::from_serialize(&ctx))
            .expect("renders");
        assert!(
            html.contains("真实保本价") && html.contains("¥8.20"),
            "{html}"
        );
        assert!(html.contains("data-chart="));
        assert!(html.contains("共 1 单"));
        assert!(html.contains("收银机订单"));
        let error = json!({"base": "/", "view": {"error": "没有销售"}, "filters": null});
        let html = crate::templates::TemplateSource::Embedded
            .render("product.html", minijinja::Value::from_serialize(&error))
            .expect("renders");
        assert!(html.contains("没有销售"));
    }
}
