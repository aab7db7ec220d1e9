//! # storeboard-dashboard
//!
//! The store dashboard (门店看板) in the browser, mounted into any actix-web app with one call,
//! at the root or under a path prefix:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # fn demo(store: Arc<storeboard_data::OrderStore>, data_dir: std::path::PathBuf) {
//! use actix_web::{web, App};
//! use storeboard_dashboard::{configure, DashboardState, Sources};
//! use storeboard_tabs::TabsState;
//! use storeboard_upload::UploadState;
//!
//! let tabs = TabsState::new(Arc::clone(&store), Default::default(), 512);
//! let upload = UploadState::new(store, data_dir, 64 << 20);
//! let state = DashboardState::new(tabs, upload, Sources::embedded());
//! let app = App::new().service(web::scope("/dashboard").configure(|cfg| configure(cfg, state.clone())));
//! # }
//! ```
//!
//! Routes (relative to the mount point):
//! - `GET /` — the page (`?tab=&store=&from=&to=&channel=`, bookmarkable).
//! - `GET /tabs/{tab}` — one tab's HTML fragment (htmx swaps it in; `today`, `overview`,
//!   `products`, `timeslots`, `data`).
//! - `GET /export/{tab}.xlsx` — the tab's tables as a workbook; `GET /template.xlsx` — an empty
//!   upload template.
//! - `GET /assets/...` — CSS, JS, htmx and ECharts (embedded, content-hashed, cached for a year).
//! - The JSON APIs it uses: `storeboard-upload`'s `/api/v1/uploads`, `/api/v1/stores` and
//!   `storeboard-tabs`' `/api/v1/tabs/{tab}`, mounted here too so that one `configure` call is all
//!   an embedding app needs.
//!
//! Every URL the page uses is built from the mount point of the request (`base`), so links,
//! fragments, assets and uploads work under any prefix. The links from a product, store or
//! channel name to its page, and the breadcrumbs, are built in one place: [`links`].

mod assets;
mod charts;
mod columns;
mod data_tab;
mod errors;
pub mod export;
mod format;
mod handlers;
pub mod links;
mod page;
mod pricing;
mod product_page;
mod query;
mod table;
mod tabs;
mod templates;
mod views;

use actix_web::web;
use storeboard_routes::{register, Endpoint};
use storeboard_tabs::TabsState;
use storeboard_upload::UploadState;

pub use assets::AssetSource;
pub use templates::{TemplateError, TemplateSource};

/// Where templates and static files come from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Templates.
    pub templates: TemplateSource,
    /// CSS, JS and the vendored libraries.
    pub assets: AssetSource,
    /// Show the "not for production" banner and detailed template errors.
    pub debug: bool,
}

impl Sources {
    /// Everything compiled into the binary (production).
    pub fn embedded() -> Self {
        Self {
            templates: TemplateSource::Embedded,
            assets: AssetSource::Embedded,
            debug: false,
        }
    }

    /// Everything read from the crate's source tree on each request (debug mode: edit a
    /// template or a script, reload the page, see the change).
    pub fn source_tree() -> Self {
        Self {
            templates: TemplateSource::source_tree(),
            assets: AssetSource::source_tree(),
            debug: true,
        }
    }
}

/// What the dashboard needs: the tabs (and their cache), the upload API and where templates and
/// assets come from. Build it once and clone it into every worker.
#[derive(Debug, Clone)]
pub struct DashboardState {
    pub(crate) tabs: TabsState,
    pub(crate) upload: UploadState,
    pub(crate) sources: Sources,
}

impl DashboardState {
    /// The dashboard over `tabs` and `upload` (both on the same order store).
    pub fn new(tabs: TabsState, upload: UploadState, sources: Sources) -> Self {
        Self {
            tabs,
            upload,
            sources,
        }
    }

    /// The tabs state (for `/metrics`' cache counters).
    pub fn tabs(&self) -> &TabsState {
        &self.tabs
    }
}

/// The dashboard's own routes (registered from this table: it is the complete list; the assets
/// route is [`ASSET_ROUTE`], and the JSON APIs are `storeboard_upload::ROUTES` and
/// `storeboard_tabs::ROUTES`).
pub const ROUTES: &[Endpoint] = &[
    Endpoint::get("/", || web::get().to(handlers::index)).named(page::INDEX),
    // Mounted under a prefix, `/dashboard` (no slash) must reach the page too: redirect it so
    // relative URLs resolve under the prefix.
    Endpoint::get("", || web::get().to(handlers::to_index)),
    Endpoint::get("/tabs/{tab}", || web::get().to(handlers::fragment)),
    Endpoint::get("/products/{key}", || web::get().to(product_page::page)),
    Endpoint::get("/export/{file}", || web::get().to(handlers::export)),
    Endpoint::get("/template.xlsx", || web::get().to(handlers::template)),
];

pub use assets::ASSET_ROUTE;

/// Every route `configure` mounts: the dashboard's, its assets' and the JSON APIs'.
pub fn all_routes() -> Vec<Endpoint> {
    [
        ROUTES,
        &[ASSET_ROUTE],
        storeboard_upload::ROUTES,
        storeboard_tabs::ROUTES,
    ]
    .concat()
}

/// Mounts the page, fragments, exports, assets and the JSON APIs they use.
pub fn configure(cfg: &mut web::ServiceConfig, state: DashboardState) {
    state.sources.assets.mount(cfg);
    let upload = state.upload.clone();
    let tabs = state.tabs.clone();
    cfg.app_data(web::Data::new(state));
    register(cfg, ROUTES);
    storeboard_upload::configure(cfg, upload);
    storeboard_tabs::configure(cfg, tabs);
}
