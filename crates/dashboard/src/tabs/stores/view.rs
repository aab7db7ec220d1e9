//! 🏬 门店对比: the chain's medians, the bubble chart 营销成本率 × 利润率, sales by store, the
//! flagged figures, and the table of every store; every store name opens its overview for the
//! same period and channel.

use serde_json::{json, Map, Value};

use super::{charts, columns as c};
use crate::columns::{pick, Kind};
use crate::query::ViewQuery;
use crate::views::{arr, chart, show, table, Href};

/// The compared figures as the page names and shows them, in the answer's order.
pub(super) const FIGURES: &[(&str, &str, Kind)] = &[
    ("orders", "订单数", Kind::Int),
    ("sales", "商品实收额", Kind::Money),
    ("profit", "总利润", Kind::Money),
    ("margin_pct", "利润率", Kind::Pct),
    ("avg_order_value", "客单价", Kind::Money),
    ("gmv", "GMV", Kind::Money),
    ("marketing_cost", "营销成本", Kind::Money),
    ("marketing_rate_pct", "营销成本率", Kind::Pct),
    ("delivery_net", "配送净成本", Kind::Money),
    ("delivery_cost_rate_pct", "配送成本率", Kind::Pct),
    ("active_products", "动销商品数", Kind::Int),
];

fn kind_of(figure: &str) -> Kind {
    FIGURES
        .iter()
        .find(|(k, ..)| *k == figure)
        .map_or(Kind::Num, |(.., kind)| *kind)
}

/// A flag as one phrase: `营销成本率偏高 12.3%(中位 8.1%)`.
pub(super) fn flag_text(flag: &Value) -> String {
    let f = |k: &str| flag.get(k).and_then(Value::as_f64);
    let figure = flag.get("figure").and_then(Value::as_str).unwrap_or("");
    let kind = kind_of(figure);
    let side = if flag.get("side").and_then(Value::as_str) == Some("high") {
        "偏高"
    } else {
        "偏低"
    };
    format!(
        "{}{side} {}(中位 {})",
        flag.get("label").and_then(Value::as_str).unwrap_or(figure),
        show(kind, f("value")),
        show(kind, f("median")),
    )
}

/// The answer's `stores` as flat rows: each figure, `<figure>_change`, `previous_<figure>` and
/// `flags_text` (the page's and the workbook's tables).
pub(crate) fn rows(json: &Value) -> Vec<Value> {
    arr(json, "stores")
        .iter()
        .map(|s| {
            let mut row = Map::new();
            for key in ["store", "rank"] {
                row.insert(key.to_owned(), s.get(key).cloned().unwrap_or(Value::Null));
            }
            for (key, ..) in FIGURES {
                let get = |v: &Value| v.get(*key).cloned().unwrap_or(Value::Null);
                row.insert((*key).to_owned(), get(s));
                let change = s.get("changes").map_or(Value::Null, get);
                row.insert(format!("{key}_change"), change);
                let previous = s.get("previous").map_or(Value::Null, get);
                row.insert(format!("previous_{key}"), previous);
            }
            let flags: Vec<String> = arr(s, "flags").iter().map(flag_text).collect();
            row.insert("flags_text".to_owned(), json!(flags.join(";")));
            Value::Object(row)
        })
        .collect()
}

/// The query with the answer's period written in: a store's overview opens on the same days
/// even when the comparison was asked for the default period.
fn with_period(json: &Value, q: &ViewQuery) -> ViewQuery {
    let day = |k: &str| json["filters"].get(k).and_then(Value::as_str).unwrap_or("");
    q.with("from", day("from")).with("to", day("to"))
}

/// 🏬 门店对比.
pub(crate) fn stores(json: &Value, q: &ViewQuery, href: Href<'_>) -> Value {
    let q = &with_period(json, q);
    let to = href.targets(q);
    let rows = rows(json);
    let medians: Vec<Value> = FIGURES
        .iter()
        .map(|(key, label, kind)| {
            let m = json["medians"].get(*key).and_then(Value::as_f64);
            json!({"key": key, "label": label, "value": show(*kind, m)})
        })
        .collect();
    let flagged: Vec<Value> = arr(json, "stores")
        .iter()
        .filter(|s| !arr(s, "flags").is_empty())
        .map(|s| {
            let name = s.get("store").and_then(Value::as_str).unwrap_or("");
            let flags: Vec<Value> = arr(s, "flags")
                .iter()
                .map(|f| json!({"text": flag_text(f), "bad": f.get("bad") == Some(&json!(true))}))
                .collect();
            json!({"store": name, "href": to.store(name), "flags": flags})
        })
        .collect();
    json!({
        "charts": {
            "bubble": chart(charts::bubble(json, &to)),
            "sales": chart(charts::sales(json, &to)),
        },
        "medians": medians,
        "flagged": flagged,
        "ignored_store": q.get("store"),
        // With fewer stores than `min_stores` no figure has a fence: the page says why.
        "has_fences": json["fences"].as_object().is_some_and(|f| f.values().any(|v| !v.is_null())),
        "min_stores": json["rules"].get("min_stores").cloned().unwrap_or(Value::Null),
        "store_count": rows.len(),
        "stores": table("stores", &pick(c::STORES, c::STORES_PAGE), &rows, q, href),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_reads_as_the_figure_its_side_its_value_and_the_median() {
        let flag = json!({"figure": "marketing_rate_pct", "label": "营销成本率", "value": 12.34,
                          "median": 8.1, "fence": 10.0, "side": "high", "bad": true});
        assert_eq!(flag_text(&flag), "营销成本率偏高 12.3%(中位 8.1%)");
        let low = json!({"figure": "sales", "label": "商品实收额", "value": 100.0, "median": 2500.0,
                         "side": "low"});
        assert_eq!(flag_text(&low), "商品实收额偏低 ¥100.00(中位 ¥2,500.00)");
    }

    #[test]
    fn rows_flatten_changes_previous_figures_and_flags() {
        let json = json!({"stores": [{"store": "一号店", "rank": 1, "sales": 10.0,
            "changes": {"sales": 25.0}, "previous": {"sales": 8.0},
            "flags": [{"figure": "sales", "label": "商品实收额", "value": 10.0, "median": 5.0, "side": "high"}]}]});
        let r = &rows(&json)[0];
        assert_eq!(
            (
                r["sales"].clone(),
                r["sales_change"].clone(),
                r["previous_sales"].clone()
            ),
            (json!(10.0), json!(25.0), json!(8.0))
        );
        assert_eq!(r["margin_pct"], Value::Null);
        assert_eq!(r["flags_text"], "商品实收额偏高 ¥10.00(中位 ¥5.00)");
    }
}
