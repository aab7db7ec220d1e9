//! What the 智能调价 template gets: the scenario chips, the form's current values, the plan's
//! totals and table, the saved plans; or one saved plan against what happened.

use serde_json::{json, Value};

use super::columns as c;

use crate::charts::{base as chart_base, merge, money_axis, num, text, PROFIT, SALES};
use crate::columns::pick;
use crate::format;
use crate::query::ViewQuery;
use crate::views::{arr, chart, table, Href};

/// Products in the predicted-against-actual chart at most (the largest predicted first).
const CHART_ITEMS: usize = 20;

fn f(v: &Value, key: &str) -> Option<f64> {
    crate::export::book::lookup(v, key).and_then(Value::as_f64)
}

/// The choices of a select: value, label, selected.
fn choices(current: Option<&str>, default: &str, options: &[(&str, &str)]) -> Vec<Value> {
    let current = current.unwrap_or(default);
    options
        .iter()
        .map(
            |(value, label)| json!({"value": value, "label": label, "selected": *value == current}),
        )
        .collect()
}

/// The page URL of 智能调价 with `q` (what a link's `href` holds: a new tab or a bookmark opens
/// the whole page; htmx fetches the fragment of its `hx-get`).
fn page_url(base: &str, q: &ViewQuery) -> String {
    format!("{base}?{}", q.with("tab", super::NAME).encode())
}

/// `url` with one more parameter whose value the page's script appends (`…plan=` + id).
fn open_param(url: &str, key: &str) -> String {
    format!("{url}{}{key}=", if url.contains('?') { '&' } else { '?' })
}

/// The plan the parameters give, with the saved plans.
pub(super) fn pricing(
    p: &Value,
    plans: &Value,
    q: &ViewQuery,
    base: &str,
    can_edit: bool,
    href: Href<'_>,
) -> Value {
    let scenario = text(&p["request"], "scenario");
    let chips: Vec<Value> = arr(p, "scenarios")
        .iter()
        .map(|s| {
            let code = s["scenario"].as_str().unwrap_or("free");
            let next = q.with("scenario", code).with("p_items", "");
            json!({"label": s["label"], "count": s["count"], "active": s["scenario"] == scenario,
                   "href": page_url(base, &next), "hx": href.to(&next)})
        })
        .collect();
    let t = &p["total"];
    let totals = json!([
        {"label": "商品数", "class": "", "value": format::int(f(t, "items")), "hint": format!("调价 {} 个 · 锁定 {} 个", format::int(f(t, "changed")), format::int(f(t, "locked")))},
        {"label": "当前日利润", "class": "", "value": format::money(f(t, "daily_profit")), "hint": "扣平台费与营销后"},
        {"label": "预计日利润", "class": "", "value": format::money(f(t, "predicted_daily_profit")), "hint": ""},
        {"label": "日利润变化", "value": format::money(f(t, "daily_profit_change")),
         "class": if f(t, "daily_profit_change").unwrap_or(0.0) >= 0.0 { "good" } else { "bad" },
         "hint": format!("月度约 {}", format::money(f(t, "daily_profit_change").map(|v| v * 30.0)))},
        {"label": "日销售额变化", "class": "", "value": format::money(f(t, "daily_sales_change")), "hint": ""},
    ]);
    let query = q.encode();
    let hidden: Vec<Value> = ["store", "channel", "from", "to"]
        .iter()
        .filter_map(|k| q.get(k).map(|v| json!({"name": k, "value": v})))
        .collect();
    json!({
        "as_of": p["as_of"],
        "store": p["store"],
        "channel": p["channel"],
        "channel_factor": p["channel_factor"],
        "scenario": scenario,
        "chips": chips,
        "form": {
            "action": href.to(&ViewQuery::parse("")),
            "direction": choices(q.get("direction"), p["direction"].as_str().unwrap_or("up"), &[("up", "涨价"), ("down", "降价")]),
            "level": choices(q.get("level"), "medium", &[("light", "轻 3%"), ("medium", "中 6%"), ("heavy", "重 10%")]),
            "rounding": choices(q.get("rounding"), "jiao", &[("jiao", "到角 (¥0.1)"), ("nine", "尾数 .9")]),
            "target_margin": q.get("target_margin").unwrap_or(""),
            "max_change": q.get("max_change").unwrap_or(""),
            "keys": q.get("keys").unwrap_or(""),
            "unlock": q.get("unlock").unwrap_or(""),
            "hidden": hidden,
        },
        "totals": totals,
        "items": table("items", &pick(c::ITEMS, c::ITEMS_PAGE), arr(p, "items"), q, href),
        "plans": plan_rows(plans, base, q, href),
        "export": format!("{base}export/pricing.xlsx{}", if query.is_empty() { String::new() } else { format!("?{query}") }),
        "save_url": format!("{base}api/v1/pricing/plans"),
        "params": query,
        "plan_href": open_param(&href.to(&q.filters_only()), "plan"),
        "can_edit": can_edit,
        "has_items": !arr(p, "items").is_empty(),
    })
}

/// The saved plans as the list shows them, each opening its page with the page's filters.
fn plan_rows(plans: &Value, base: &str, q: &ViewQuery, href: Href<'_>) -> Vec<Value> {
    plans
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|p| {
            let scenario = scenario_label(&p["scenario"]);
            let open = q.filters_only().with("plan", &p["id"].to_string());
            json!({"id": p["id"], "name": p["name"], "author": p["author"],
                   "created_at": saved_at(&p["created_at"]), "scenario": scenario,
                   "store": p["store"], "channel": p["channel"],
                   "effective_from": p["effective_from"], "item_count": p["item_count"],
                   "href": href.to(&open), "page": page_url(base, &open)})
        })
        .collect()
}

/// 预计 vs 实际 daily profit of the plan's largest products.
fn outcome_chart(items: &[Value]) -> Value {
    let mut shown: Vec<&Value> = items.iter().collect();
    shown.sort_by(|a, b| {
        f(b, "predicted_daily_profit")
            .unwrap_or(0.0)
            .abs()
            .total_cmp(&f(a, "predicted_daily_profit").unwrap_or(0.0).abs())
    });
    shown.truncate(CHART_ITEMS);
    merge(
        chart_base("预计与实际日利润"),
        json!({
            "xAxis": {"type": "category", "data": shown.iter().map(|i| text(i, "name")).collect::<Vec<_>>(),
                      "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": money_axis("日利润"),
            "series": [
                {"name": "预计", "sbFormat": "money", "type": "bar", "color": SALES, "data": shown.iter().map(|i| num(i, "predicted_daily_profit")).collect::<Vec<_>>()},
                {"name": "实际", "sbFormat": "money", "type": "bar", "color": PROFIT, "data": shown.iter().map(|i| num(i, "actual_daily_profit")).collect::<Vec<_>>()},
            ],
        }),
    )
}

/// When a plan was saved (RFC 3339, UTC) in local time, as the header's last upload.
fn saved_at(at: &Value) -> String {
    at.as_str()
        .map_or_else(|| format::MISSING.to_owned(), format::local_time)
}

/// A scenario's label (`loss_stop` → 亏损止血), `—` for none.
fn scenario_label(code: &Value) -> &'static str {
    code.as_str()
        .and_then(|s| s.parse::<storeboard_analytics::pricing::Scenario>().ok())
        .map_or("—", |s| s.label())
}

/// One saved plan (`storeboard_tabs::PlanAnswer`: the summary's fields beside `params`,
/// `items` and `outcome`): what it proposed and, once days after it exist, what happened.
pub(super) fn plan(p: &Value, q: &ViewQuery, base: &str, can_edit: bool, href: Href<'_>) -> Value {
    let s = p;
    let o = &p["outcome"];
    let items = arr(o, "items");
    json!({
        "plan": {"id": s["id"], "name": s["name"], "author": s["author"], "created_at": saved_at(&s["created_at"]),
                 "scenario": scenario_label(&s["scenario"]), "store": s["store"], "channel": s["channel"],
                 "effective_from": s["effective_from"], "item_count": s["item_count"]},
        "outcome": {"from": o["from"], "to": o["to"], "days": o["days"], "feeds_back": o["feeds_back"],
                    "predicted": format::money(f(o, "predicted_daily_profit")),
                    "actual": format::money(f(o, "actual_daily_profit"))},
        "chart": (!items.is_empty() && f(o, "days").unwrap_or(0.0) > 0.0).then(|| chart(outcome_chart(items))),
        "proposed": table("items", &pick(c::ITEMS, c::ITEMS_PAGE), arr(p, "items"), q, href),
        "compared": table("outcome", c::OUTCOME, items, q, href),
        "export": format!("{base}export/pricing.xlsx?plan={}", s["id"]),
        "delete_url": format!("{base}api/v1/pricing/plans/"),
        "back": href.to(&q.filters_only()),
        "back_page": page_url(base, &q.filters_only()),
        "can_edit": can_edit,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::templates::TemplateSource;
    use crate::views::Href;

    fn item() -> Value {
        json!({"key": "K/1", "name": "大米", "category": "粮油调味", "quadrant": "明星",
               "current_price": 15.0, "new_price": 15.9, "change_pct": 6.0, "unit_cost": 12.0,
               "break_even_price": 13.04, "margin_pct": 20.0, "new_margin_pct": 24.5,
               "highlight_margin_pct": 20.0, "elasticity": -0.5, "elasticity_label": "品类默认 (粮油调味)",
               "note": "", "stock": null, "stock_days": null, "idle_days": 10, "locked": false,
               "current": {"daily_qty": 0.67, "daily_profit": 1.2},
               "predicted": {"qty_change_pct": -3.0, "daily_qty": 0.65, "daily_profit": 1.7, "daily_profit_change": 0.5}})
    }

    fn render(view: &Value) -> String {
        let ctx = json!({"base": "/", "tab": "pricing", "view": view, "filters": null});
        TemplateSource::Embedded
            .render("tabs/pricing.html", minijinja::Value::from_serialize(&ctx))
            .expect("renders")
    }

    #[test]
    fn the_pricing_view_renders_its_chips_items_and_saved_plans() {
        let priced = json!({
            "store": null, "channel": null, "as_of": "2026-11-30", "channel_factor": 1.0,
            "request": {"scenario": "raise_opportunity"}, "direction": "up", "change_pct": 6.0,
            "scenarios": [{"scenario": "loss_stop", "label": "亏损止血", "count": 3},
                          {"scenario": "raise_opportunity", "label": "涨价机会", "count": 1}],
            "items": [item()],
            "total": {"items": 1, "changed": 1, "locked": 0, "daily_sales": 10.0, "predicted_daily_sales": 10.3,
                      "daily_profit": 1.2, "predicted_daily_profit": 1.7, "daily_profit_change": 0.5, "daily_sales_change": 0.3},
        });
        let plans = json!([{"id": 4, "name": "周末", "author": "admin (session)", "created_at": "2026-12-01T08:00:00Z",
                            "store": null, "channel": null, "scenario": "loss_stop", "effective_from": "2026-12-01", "item_count": 2}]);
        let q = ViewQuery::parse("scenario=raise_opportunity");
        let v = pricing(&priced, &plans, &q, "/", true, Href::encoded());
        let html = render(&v);
        assert!(html.contains("亏损止血 <b>3</b>"), "{html}");
        assert!(html.contains("大米"));
        assert!(
            html.contains("products&#x2f;K%2F1"),
            "the product links to its page"
        );
        assert!(html.contains("周末") && html.contains("亏损止血"));
        assert!(html.contains("data-save-plan"));
        let viewer = render(&pricing(&priced, &plans, &q, "/", false, Href::encoded()));
        assert!(!viewer.contains("data-save-plan"), "viewers cannot save");
    }

    #[test]
    fn a_saved_plan_renders_before_and_after_its_days_exist() {
        // As `storeboard_tabs::PlanAnswer` serializes.
        let saved = json!({
            "id": 3, "name": "周末", "author": "admin (session)", "created_at": "2026-12-01T08:00:00Z",
            "store": null, "channel": null, "scenario": "free", "effective_from": "2026-12-01", "item_count": 1,
            "params": {"scenario": "free", "keys": "K/1"},
            "items": [item()],
            "outcome": {"from": "2026-12-01", "to": null, "days": 0, "feeds_back": false, "items": [],
                        "predicted_daily_profit": 0.0, "actual_daily_profit": 0.0},
        });
        let html = render(&plan(
            &saved,
            &ViewQuery::parse("plan=3"),
            "/",
            true,
            Href::encoded(),
        ));
        assert!(html.contains("生效后还没有数据"), "{html}");
        assert!(html.contains("data-delete-plan=\"3\""));
        assert!(html.contains("调价方案 #3 · 周末"), "{html}");
        assert!(html.contains("场景 自由调价"), "{html}");
        assert!(html.contains("2026-12-01"));
        assert!(html.contains("pricing.xlsx?plan=3"));
    }
}
