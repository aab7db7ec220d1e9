//! The page, the tab fragments, the exports and the upload template.

use std::sync::Arc;

use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage as _, HttpRequest, HttpResponse};
use minijinja::Value as Ctx;
use serde_json::{json, Value};
use storeboard_analytics::Filters;
use storeboard_auth::{Access, Role};

use crate::links::{self, PageFilters};
use crate::page::{self, Controls, TabInfo};
use crate::query::ViewQuery;
use crate::views::Href;
use crate::{data_tab, errors, export, pricing, tabs, DashboardState};

/// The dashboard's mount point for this request, ending in `/` (`/` or `/dashboard/`).
pub(crate) fn base(req: &HttpRequest) -> String {
    let path = req
        .url_for_static(page::INDEX)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| "/".to_owned());
    if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    }
}

/// A rendered tab: its HTML, the filters it was computed with, and the status to answer with.
struct Rendered {
    html: String,
    resolved: Option<Filters>,
    status: StatusCode,
}

/// Who is looking, from the access-control guard (when there is one): a role pill and a logout
/// button when passwords are in force, and whether edit controls are shown.
pub(crate) fn user(req: &HttpRequest) -> Value {
    match req.extensions().get::<Access>() {
        Some(a) => json!({
            "auth": a.auth_enabled,
            "role": match a.role { Some(Role::Admin) => "管理员", Some(Role::Viewer) => "查看者", None => "" },
            "can_edit": a.can_edit(),
        }),
        None => json!({"auth": false, "role": "", "can_edit": true}),
    }
}

async fn render_tab(
    state: &DashboardState,
    info: TabInfo,
    q: &ViewQuery,
    base: &str,
    user: &Value,
) -> Rendered {
    let today = chrono::Local::now().date_naive();
    let controls = Controls {
        base,
        current: info,
        query: q,
        resolved: None,
        today,
        route: None,
    };
    let fragment = |next: &ViewQuery| controls.fragment_url(info.name, next);
    let can_edit = user["can_edit"].as_bool().unwrap_or(false);
    let result = match tabs::find(info.name) {
        Some(tab) => tab.view(state, q, Href::new(base, &fragment)).await,
        None if info.name == pricing::NAME => {
            pricing::render(state, q, base, can_edit, Href::new(base, &fragment))
                .await
                .map(|v| (v, None))
        }
        None => data_tab::render(state, q, base, can_edit)
            .await
            .map(|v| (v, None)),
    };
    let (view, resolved, status) = match result {
        Ok((view, resolved)) => (view, resolved, StatusCode::OK),
        Err((status, message)) => (json!({"error": message}), None, status),
    };
    let ctx = json!({"base": base, "tab": info.name, "label": info.label, "view": view,
                     "filters": resolved});
    let template = format!("tabs/{}.html", info.name);
    match state
        .sources
        .templates
        .render(&template, Ctx::from_serialize(&ctx))
    {
        Ok(html) => Rendered {
            html,
            resolved,
            status,
        },
        Err(err) => Rendered {
            html: error_html(state, &err.to_string()),
            resolved,
            status: StatusCode::INTERNAL_SERVER_ERROR,
        },
    }
}

pub(crate) fn error_html(state: &DashboardState, message: &str) -> String {
    let detail = if state.sources.debug { message } else { "" };
    tracing::error!("dashboard template failed: {message}");
    format!(
        "<div class=\"alert error\">页面渲染失败,请刷新重试。{}</div>",
        minijinja::HtmlEscape(detail)
    )
}

pub(crate) async fn header(state: &DashboardState) -> (page::Status, Vec<String>, Vec<String>) {
    let store = Arc::clone(state.tabs.store());
    web::block(move || {
        let (stores, channels) = page::choices(&store);
        (page::status(&store), stores, channels)
    })
    .await
    .unwrap_or_else(|_| (page::status_empty(), Vec::new(), Vec::new()))
}

pub(crate) fn assets(state: &DashboardState, base: &str) -> Value {
    let url = |name: &str| format!("{base}{}", state.sources.assets.url(name));
    json!({
        "css": url("dashboard.css"),
        "js": url("dashboard.js"),
        "htmx": url("vendor/htmx/htmx.min.js"),
        "echarts": url("vendor/echarts/echarts.min.js"),
    })
}

/// One view of the dashboard: the tab rendered for the request, and the context the page and the
/// fragment share (status, who is looking, the header's controls). Also the page URL it shows.
async fn view(
    state: &DashboardState,
    req: &HttpRequest,
    info: TabInfo,
) -> (Value, StatusCode, String) {
    let q = ViewQuery::parse(req.query_string());
    let base = base(req);
    let user = user(req);
    let rendered = render_tab(state, info, &q, &base, &user).await;
    let (status, stores, channels) = header(state).await;
    let controls = Controls {
        base: &base,
        current: info,
        query: &q,
        resolved: rendered.resolved.as_ref(),
        today: chrono::Local::now().date_naive(),
        route: None,
    };
    let page_url = controls.page_url(info.name, &q);
    // 数据管理 is about files, not a store or a channel: no breadcrumbs there.
    let crumbs = match tabs::find(info.name) {
        Some(_) => links::crumbs_in(&base, info.name, &PageFilters::of(&q), None),
        None => Vec::new(),
    };
    let ctx = json!({
        "base": base,
        "status": status,
        "user": user,
        "controls": controls.context(stores, channels),
        "crumbs": crumbs,
        "content": rendered.html,
    });
    (ctx, rendered.status, page_url)
}

/// `GET /`: the whole page with the selected tab already in it (bookmarks and reloads work
/// without a second request).
pub(crate) async fn index(state: web::Data<DashboardState>, req: HttpRequest) -> HttpResponse {
    let q = ViewQuery::parse(req.query_string());
    let info = q.get("tab").and_then(page::tab).unwrap_or_else(page::first);
    let (mut ctx, status, _) = view(&state, &req, info).await;
    ctx["debug"] = json!(state.sources.debug);
    ctx["assets"] = assets(&state, &base(&req));
    html(&state, "page.html", &ctx, status, None)
}

/// `GET` on the mount point without its slash: a redirect to the page.
pub(crate) async fn to_index(req: HttpRequest) -> HttpResponse {
    let q = req.query_string();
    let target = if q.is_empty() {
        base(&req)
    } else {
        format!("{}?{q}", base(&req))
    };
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, target))
        .finish()
}

/// `GET /tabs/{tab}`: one tab's HTML, plus the header (tab bar, filters, status) swapped
/// out-of-band so it always shows what the tab was computed with; `HX-Push-Url` puts the page
/// URL of this view into the address bar.
pub(crate) async fn fragment(
    state: web::Data<DashboardState>,
    name: web::Path<String>,
    req: HttpRequest,
) -> HttpResponse {
    let Some(info) = page::tab(&name) else {
        let message = format!("没有名为“{}”的标签页", minijinja::HtmlEscape(&name));
        return HttpResponse::NotFound()
            .content_type("text/html; charset=utf-8")
            .body(format!("<div class=\"alert error\">{message}</div>"));
    };
    let (mut ctx, status, page_url) = view(&state, &req, info).await;
    ctx["oob"] = json!(true);
    html(&state, "filters.html", &ctx, status, Some(page_url))
}

pub(crate) fn html(
    state: &DashboardState,
    template: &str,
    ctx: &Value,
    status: StatusCode,
    push: Option<String>,
) -> HttpResponse {
    let (body, status) = match state
        .sources
        .templates
        .render(template, Ctx::from_serialize(ctx))
    {
        Ok(body) => (body, status),
        Err(err) => (
            error_html(state, &err.to_string()),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    };
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "HX-Request"));
    if let Some(url) = push {
        res.insert_header(("HX-Push-Url", url));
    }
    res.body(body)
}

/// `GET /export/{tab}.xlsx`: the tab's tables as a workbook, named after store, tab and period.
pub(crate) async fn export(
    state: web::Data<DashboardState>,
    file: web::Path<String>,
    req: HttpRequest,
) -> HttpResponse {
    if file.as_str() == "pricing.xlsx" {
        return pricing_export(&state, &req).await;
    }
    let tab = file
        .strip_suffix(".xlsx")
        .and_then(tabs::find)
        .map(|view| view.tab());
    let Some(tab) = tab else {
        return plain(
            StatusCode::NOT_FOUND,
            &format!("没有可导出的标签页: {file}"),
        );
    };
    let q = ViewQuery::parse(req.query_string());
    let answer = match state.tabs.answer(tab, &q.tab_query()).await {
        Ok(answer) => answer,
        Err(err) => {
            let (status, message) = errors::refused(&err);
            return plain(status, &message);
        }
    };
    let mut name = export::file_name(tab, &answer.filters);
    let mut json: Value = serde_json::from_slice(&answer.json).unwrap_or(Value::Null);
    // 今日必做's per-card workbook (`card=loss_orders`): the summary and that card's every row.
    if let Some(key) = q.get("card").filter(|_| tab == storeboard_tabs::Tab::Today) {
        match one_card(&mut json, key) {
            Some(title) => name = name.replacen(".xlsx", &format!("_{title}.xlsx"), 1),
            None => {
                return plain(
                    StatusCode::NOT_FOUND,
                    &format!("今日必做没有这张卡片: {key}"),
                )
            }
        }
    }
    if tab == storeboard_tabs::Tab::Overview {
        let tops = tabs::overview::add_product_tops(&state.tabs, &q.tab_query(), &mut json).await;
        if let Err(err) = tops {
            let (status, message) = errors::refused(&err);
            return plain(status, &message);
        }
    }
    // 商品分析's inventory workbook (`book=inventory`): 缺货, 滞销, 低周转, 畅销缺货, 全部.
    let inventory = tab == storeboard_tabs::Tab::Products && q.get("book") == Some("inventory");
    if inventory {
        name = name.replacen(".xlsx", "_库存.xlsx", 1);
    }
    let built = web::block(move || {
        if inventory {
            crate::tabs::products::export::inventory_workbook(&json)
        } else {
            export::workbook(tab, &json)
        }
        .map_err(|e| e.to_string())
    })
    .await;
    match built {
        Ok(Ok(bytes)) => xlsx(bytes, &name),
        Ok(Err(message)) => plain(StatusCode::INTERNAL_SERVER_ERROR, &message),
        Err(_) => plain(StatusCode::SERVICE_UNAVAILABLE, "导出被中断,请重试"),
    }
}

/// `GET /export/pricing.xlsx?...`: the plan the parameters give, or a saved plan (`plan=3`)
/// with its outcome.
async fn pricing_export(state: &DashboardState, req: &HttpRequest) -> HttpResponse {
    let q = ViewQuery::parse(req.query_string());
    let (json, name) = match q.get("plan") {
        Some(id) => {
            let Ok(id) = id.parse::<i64>() else {
                return plain(StatusCode::BAD_REQUEST, &format!("方案编号无效: {id}"));
            };
            match state.tabs.plan(id).await {
                Ok(plan) => (
                    serde_json::to_value(&plan),
                    format!("{}_{}.xlsx", pricing::export::TITLE, plan.summary.name),
                ),
                Err(err) => {
                    let (status, message) = errors::refused(&err);
                    return plain(status, &message);
                }
            }
        }
        None => match state.tabs.pricing(&pricing::params(&q)).await {
            Ok(priced) => {
                let store = priced
                    .store
                    .clone()
                    .unwrap_or_else(|| "全部门店".to_owned());
                let day = priced.as_of.map(|d| d.to_string()).unwrap_or_default();
                let name = format!(
                    "{store}_{}_{}_{day}.xlsx",
                    pricing::export::TITLE,
                    priced.request.scenario.label()
                );
                (serde_json::to_value(&priced), name)
            }
            Err(err) => {
                let (status, message) = errors::refused(&err);
                return plain(status, &message);
            }
        },
    };
    let saved = q.get("plan").is_some();
    let built = web::block(move || {
        let json = json.map_err(|e| e.to_string())?;
        let bytes = if saved {
            pricing::export::plan_workbook(&json)
        } else {
            pricing::export::workbook(&json)
        };
        bytes.map_err(|e| e.to_string())
    })
    .await;
    match built {
        Ok(Ok(bytes)) => xlsx(bytes, &name),
        Ok(Err(message)) => plain(StatusCode::INTERNAL_SERVER_ERROR, &message),
        Err(_) => plain(StatusCode::SERVICE_UNAVAILABLE, "导出被中断,请重试"),
    }
}

/// Keeps only the card `key` of a 今日必做 answer, marked so that its workbook leaves out
/// 商品健康; the card's title, or `None` when the
/// answer has no such card.
fn one_card(json: &mut Value, key: &str) -> Option<String> {
    let cards = json.get_mut("cards")?.as_array_mut()?;
    cards.retain(|c| c.get("key").and_then(Value::as_str) == Some(key));
    let title = cards.first()?.get("title")?.as_str()?.to_owned();
    if let Some(all) = json.as_object_mut() {
        all.insert(
            crate::tabs::today::export::ONE_CARD.to_owned(),
            Value::Bool(true),
        );
    }
    Some(export::clean_file_name(&title))
}

/// `GET /template.xlsx`: an upload template with the expected headers and two sample rows.
pub(crate) async fn template() -> HttpResponse {
    match web::block(export::template_workbook).await {
        Ok(Ok(bytes)) => xlsx(bytes, "订单导入模板.xlsx"),
        Ok(Err(err)) => plain(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
        Err(_) => plain(StatusCode::SERVICE_UNAVAILABLE, "生成模板被中断,请重试"),
    }
}

fn xlsx(bytes: Vec<u8>, name: &str) -> HttpResponse {
    // Whoever built the name, no control, bidi or zero-width character reaches the header.
    let name = &export::clean_file_name(name);
    // An ASCII fallback for old clients, the real (Chinese) name as RFC 5987 `filename*`.
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    };
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(disposition)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}

fn plain(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(message.to_owned())
}
