//! # storeboard
//!
//! The Storeboard (门店看板) binary's library half: configuration loading ([`config`], [`cli`]),
//! the run [`mode`] (production or debug), and the application the engine serves ([`app`]):
//! the status page, `/healthz` and `/metrics` ([`status`]), assets ([`assets`]), debug
//! mode's detailed error pages ([`debug_pages`]), and the business rules of the `[business]`
//! table ([`business`]) the tabs API (`storeboard-tabs`) computes with, and the process's log
//! with its non-blocking writer ([`logging`]), and access control as the binary sets it up:
//! sessions kept in the database, the audit log of logins ([`access`]), and the import folder
//! started beside the engine ([`import`]).

pub mod access;
pub mod allocator;
pub mod assets;
pub mod business;
pub mod cli;
pub mod config;
pub mod debug_pages;
pub mod import;
pub mod logging;
pub mod mode;
pub mod ops;
pub mod status;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpResponse};
use storeboard_auth::AuthState;
use storeboard_dashboard::{DashboardState, Sources};
use storeboard_tabs::TabsState;

use crate::assets::Assets;
use crate::mode::Mode;

/// The application one worker serves, for `mode`, with no passwords (see [`app_with_auth`]).
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
    app_with_auth(mode, upload, tabs, AuthState::open())
}

/// The application one worker serves, for `mode`: the dashboard at `/` (with the upload API on
/// `upload`'s store and the tabs API on `tabs`), the engine status page at `/status`,
/// `/healthz`, `/metrics`, and `/login`/`/logout`; all behind `auth`'s access control, same-origin
/// check and security headers. Clone one state of each into every worker.
pub fn app_with_auth(
    mode: Mode,
    upload: storeboard_upload::UploadState,
    tabs: TabsState,
    auth: AuthState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let sources = if mode.is_debug() {
        Sources::source_tree()
    } else {
        Sources::embedded()
    };
    let dashboard = DashboardState::new(tabs, upload, sources);
    // Session cookies are parsed and loaded only where something reads them, and the guard
    // runs only where a role is needed: one middleware for both.
    let access = auth.access_gate();
    App::new()
        .app_data(web::Data::new(Assets::new(mode)))
        .app_data(web::Data::new(mode))
        .wrap(Condition::new(
            mode.is_debug(),
            from_fn(debug_pages::detailed_errors),
        ))
        .configure(status::configure)
        .configure(|cfg| storeboard_auth::configure(cfg, auth))
        .configure(|cfg| storeboard_dashboard::configure(cfg, dashboard))
        .default_service(web::to(not_found))
        // Outermost last: headers on every answer, then the session and the guard that reads it.
        .wrap(access)
        .wrap(storeboard_auth::security_headers())
}

/// Every route [`app_with_auth`] mounts, from the same tables the crates register from: the
/// complete list an access-control test walks (debug mode also serves the assets from disk
/// under the same paths).
pub fn endpoints() -> Vec<storeboard_routes::Endpoint> {
    [
        status::ROUTES,
        storeboard_auth::ROUTES,
        &storeboard_dashboard::all_routes(),
    ]
    .concat()
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("页面不存在 / not found")
}
