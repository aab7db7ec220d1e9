//! The host application of the embedding example: someone else's actix-web app with its own
//! routes, and the whole store dashboard mounted under `/dashboard` with one `configure` call.
//! (The end-to-end tests include this file too, so the example is what is tested.)

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App, HttpResponse};
use storeboard_dashboard::DashboardState;

/// The host's home page links to the dashboard.
async fn home() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body("<!doctype html><title>我的系统</title><h1>我的系统</h1><p><a href=\"/dashboard/\">门店看板</a></p>")
}

/// The host's own API.
async fn ping() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "host": "ok" }))
}

/// The host app: `/` and `/api/ping` are the host's; everything under `/dashboard` is the
/// dashboard's (page, fragments, exports, assets, upload and tabs APIs).
pub fn host_app(
    dashboard: DashboardState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .route("/", web::get().to(home))
        .route("/api/ping", web::get().to(ping))
        .service(
            web::scope("/dashboard")
                .configure(move |cfg| storeboard_dashboard::configure(cfg, dashboard)),
        )
}
