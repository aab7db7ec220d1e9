//! # storeboard
//!
//! The Storeboard (门店看板) binary's library half: configuration loading ([`config`], [`cli`]),
//! the run [`mode`] (production or debug), and the application the engine serves ([`app`]):
//! the status page, `/healthz` and `/metrics` ([`status`]), assets ([`assets`]), debug
//! mode's detailed error pages ([`debug_pages`]), and the business rules of the `[business]`
//! table ([`business`]) the tabs API (`storeboard-tabs`) computes with.

pub mod assets;
pub mod business;
pub mod cli;
pub mod config;
pub mod debug_pages;
pub mod mode;
pub mod status;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpResponse};
use storeboard_tabs::TabsState;

use crate::assets::Assets;
use crate::mode::Mode;

/// The application one worker serves, for `mode`, with the upload API on `upload`'s store and
/// the tabs API (`GET /api/v1/tabs/{tab}`) on `tabs` (clone one state into every worker).
pub fn app(
    mode: Mode,
    upload: storeboard_upload::UploadState,
    tabs: TabsState,
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
        .app_data(web::Data::new(Assets::new(mode)))
        .app_data(web::Data::new(mode))
        .wrap(Condition::new(
            mode.is_debug(),
            from_fn(debug_pages::detailed_errors),
        ))
        .configure(status::configure)
        .configure(|cfg| storeboard_upload::configure(cfg, upload))
        .configure(|cfg| storeboard_tabs::configure(cfg, tabs))
        .default_service(web::to(not_found))
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("页面不存在 / not found")
}
