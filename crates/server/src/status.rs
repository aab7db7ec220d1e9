//! The engine's own pages: `GET /healthz`, `GET /metrics` (Prometheus text) and `GET /status`,
//! a status page with the settings in force, open channels and counters.

use std::fmt::Write as _;
use std::time::SystemTime;

use actix_web::body::BoxBody;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde::Serialize;
use storeboard_engine::{EngineInfo, Settings, StatsSnapshot};
use storeboard_routes::{register, Endpoint};

use crate::assets::Assets;
use crate::mode::Mode;

/// Every route of this module (registered from this table: it is the complete list).
pub const ROUTES: &[Endpoint] = &[
    Endpoint::get("/status", || web::get().to(status_page)),
    Endpoint::get("/healthz", || web::get().to(healthz)),
    Endpoint::get("/metrics", || web::get().to(metrics)),
    Endpoint::get("/static/{name}", || {
        web::get().to(crate::assets::serve_static)
    }),
];

/// Mounts the engine's pages on an app: `/status`, `/healthz`, `/metrics`, `/static/{name}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    register(cfg, ROUTES);
}

async fn healthz() -> HttpResponse {
    // Static header values, set on the response directly (no builder): monitors and load
    // balancers call this often, and parsing the same two strings on every call showed in its
    // profile.
    let mut res = HttpResponse::with_body(StatusCode::OK, BoxBody::new("ok"));
    // A new response has no headers: appending is inserting, without `insert`'s returned (and
    // dropped) old value.
    let headers = res.headers_mut();
    headers.append(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    headers.append(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// Counters with their Prometheus names, help texts and Chinese labels, in display order.
fn counters(s: &StatsSnapshot) -> [(&'static str, &'static str, &'static str, u64); 10] {
    [
        (
            "accepted",
            "已接受连接",
            "Connections accepted.",
            s.accepted,
        ),
        (
            "reclaimed",
            "回收的空闲连接",
            "Idle channels closed to admit a newcomer at the limit.",
            s.reclaimed,
        ),
        (
            "refused",
            "拒绝 (503)",
            "Connections answered 503 at the limit.",
            s.refused,
        ),
        (
            "reaped",
            "超时清理",
            "Channels closed for idling past channel_timeout.",
            s.reaped,
        ),
        (
            "header_timeouts",
            "请求头超时 (408)",
            "Channels cut by header_read_timeout.",
            s.header_timeouts,
        ),
        (
            "requests",
            "请求数",
            "Requests handed to the application.",
            s.requests,
        ),
        (
            "bytes_in",
            "接收字节",
            "Bytes read from clients.",
            s.bytes_in,
        ),
        (
            "bytes_out",
            "发送字节",
            "Bytes written to clients.",
            s.bytes_out,
        ),
        (
            "socket_errors",
            "套接字错误",
            "Read or write errors on client sockets.",
            s.socket_errors,
        ),
        (
            "accept_errors",
            "accept 错误",
            "Errors from accept().",
            s.accept_errors,
        ),
    ]
}

/// Renders the engine stats and the log's dropped lines in the Prometheus text exposition format.
pub fn render_metrics(info: &EngineInfo) -> String {
    let stats = info.stats.snapshot();
    let mut out = String::with_capacity(2048);
    out.push_str("# HELP storeboard_open_channels Open client channels per worker.\n");
    out.push_str("# TYPE storeboard_open_channels gauge\n");
    for (worker, open) in stats.open_channels.iter().enumerate() {
        let _ = writeln!(
            out,
            "storeboard_open_channels{{worker=\"{worker}\"}} {open}"
        );
    }
    let gauges = [
        (
            "connection_limit",
            "Configured connection_limit.",
            info.settings.connection_limit as u64,
        ),
        (
            "workers",
            "Worker actors (threads).",
            info.settings.threads as u64,
        ),
        (
            "uptime_seconds",
            "Seconds since the engine started.",
            uptime(info).as_secs(),
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(out, "# HELP storeboard_{name} {help}\n# TYPE storeboard_{name} gauge\nstoreboard_{name} {value}");
    }
    for (name, _, help, value) in counters(&stats) {
        let _ = writeln!(out, "# HELP storeboard_{name}_total {help}\n# TYPE storeboard_{name}_total counter\nstoreboard_{name}_total {value}");
    }
    // Not an engine counter: the log writer's, shown here so a full queue (lines lost rather
    // than requests slowed) can be alerted on.
    let _ = writeln!(
        out,
        "# HELP storeboard_log_lines_dropped_total Log lines dropped because the log's buffer was full (its output stalled or fell behind).\n\
         # TYPE storeboard_log_lines_dropped_total counter\n\
         storeboard_log_lines_dropped_total {}",
        crate::logging::dropped_lines()
    );
    out
}

async fn metrics(
    info: EngineInfo,
    tabs: Option<web::Data<storeboard_tabs::TabsState>>,
    upload: Option<web::Data<storeboard_upload::UploadState>>,
) -> HttpResponse {
    let mut text = render_metrics(&info);
    if let Some(tabs) = tabs {
        render_cache(&mut text, &tabs.cache_stats());
    }
    if let Some(upload) = upload {
        crate::import::render_metrics(&mut text, upload.import_status());
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text)
}

/// Appends the tab cache's counters.
fn render_cache(out: &mut String, cache: &storeboard_tabs::CacheStats) {
    let counters = [
        (
            "tab_cache_hits_total",
            "counter",
            "Tab requests answered from the cache.",
            cache.hits,
        ),
        (
            "tab_cache_misses_total",
            "counter",
            "Tab requests that computed their figures.",
            cache.misses,
        ),
        (
            "tab_cache_joined_total",
            "counter",
            "Tab cache misses that waited for the same computation started by another request.",
            cache.joined,
        ),
        (
            "tab_cache_evictions_total",
            "counter",
            "Tab cache entries dropped to stay within capacity.",
            cache.evictions,
        ),
        (
            "tab_cache_bytes",
            "gauge",
            "Bytes the tab cache holds (values and keys, as its byte limit counts them).",
            cache.bytes as u64,
        ),
        (
            "tab_cache_entries",
            "gauge",
            "Tab cache entries held.",
            cache.entries as u64,
        ),
    ];
    for (name, kind, help, value) in counters {
        let _ = writeln!(out, "# HELP storeboard_{name} {help}\n# TYPE storeboard_{name} {kind}\nstoreboard_{name} {value}");
    }
}

fn uptime(info: &EngineInfo) -> std::time::Duration {
    SystemTime::now()
        .duration_since(info.started_at)
        .unwrap_or_default()
}

#[derive(Serialize)]
struct Row {
    key: &'static str,
    label: &'static str,
    value: String,
}

fn settings_rows(settings: &Settings) -> Vec<Row> {
    Settings::FIELDS
        .iter()
        .map(|spec| Row {
            key: spec.key,
            label: "",
            value: settings.get(spec.key).unwrap_or_default(),
        })
        .collect()
}

fn human_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    format!(
        "{}天 {:02}:{:02}:{:02}",
        s / 86_400,
        s / 3600 % 24,
        s / 60 % 60,
        s % 60
    )
}

async fn status_page(
    info: EngineInfo,
    assets: web::Data<Assets>,
    mode: web::Data<Mode>,
) -> HttpResponse {
    match render_status(&info, &assets, **mode) {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html),
        Err(err) => HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body(format!("状态页渲染失败 / status page failed: {err:#}")),
    }
}

/// Renders the status page (HTML-escaped by minijinja's auto-escaping for `.html` templates).
pub fn render_status(info: &EngineInfo, assets: &Assets, mode: Mode) -> anyhow::Result<String> {
    let template = assets.template("status.html")?;
    let mut env = minijinja::Environment::new();
    env.add_template("status.html", &template)?;
    let stats = info.stats.snapshot();
    let counters: Vec<Row> = counters(&stats)
        .into_iter()
        .map(|(key, label, _, value)| Row {
            key,
            label,
            value: value.to_string(),
        })
        .collect();
    let mode_label = match mode {
        Mode::Production => "🚀 生产模式",
        Mode::Debug => "🐛 调试模式 (请勿用于生产环境)",
    };
    let html = env
        .get_template("status.html")?
        .render(minijinja::context! {
            mode_label,
            uptime => human_duration(uptime(info)),
            open_total => stats.open_total(),
            open_channels => stats.open_channels,
            connection_limit => info.settings.connection_limit,
            counters,
            local_addrs => info.local_addrs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            settings => settings_rows(&info.settings),
        })?;
    Ok(html)
}
