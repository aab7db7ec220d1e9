//! # storeboard-upload
//!
//! The upload and data-management API, mounted into any actix-web app:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # fn demo(store: Arc<storeboard_data::OrderStore>) {
//! use storeboard_upload::{configure, UploadState};
//! let state = UploadState::new(store, "./data".into(), 100 << 20);
//! let app = actix_web::App::new().configure(|cfg| configure(cfg, state.clone()));
//! # }
//! ```
//!
//! Routes: `POST /api/v1/uploads` (multipart `file` parts, optional `mode=merge|replace`),
//! `GET /api/v1/uploads`, `GET /api/v1/uploads/{id}/problems.csv`, `GET /api/v1/stores`,
//! `DELETE /api/v1/stores/{name}`, `GET /api/v1/import-dir` (the import folder's state, see
//! [`UploadState::with_import_status`]). Errors answer `{"error": {"code", "message", "details"}}`.

mod error;
mod handlers;
mod multipart;

use std::path::PathBuf;
use std::sync::Arc;

use actix_web::web;
use storeboard_data::{OrderStore, ParseLimits};
use storeboard_routes::{register, Endpoint};

pub use error::UploadError;
/// The import folder's state as the dashboard reads it through [`UploadState::import_status`].
pub use storeboard_import::{
    ImportResult, ImportSnapshot, ImportStatus, Outcome as ImportOutcome, ACTOR as IMPORT_ACTOR,
};

/// Setting: how many `.xls`/`.ods` files are parsed at once.
pub const MAX_XLS_ODS_PARSES: &str = "max_xls_ods_parses";
/// Default of [`MAX_XLS_ODS_PARSES`]: one. calamine reads these formats whole (up to
/// `max_xls_ods_cells` cells, ~260 MB by default), so two at once would double the peak;
/// `.xlsx` and `.csv` are streamed and not limited here.
pub const DEFAULT_MAX_XLS_ODS_PARSES: usize = 1;

/// What the handlers need: the store, where to put temp files, and the limits.
#[derive(Debug, Clone)]
pub struct UploadState {
    store: Arc<OrderStore>,
    temp_dir: PathBuf,
    max_upload: u64,
    limits: ParseLimits,
    /// One permit per `.xls`/`.ods` parse that may run at once.
    whole_parses: Arc<tokio::sync::Semaphore>,
    /// The import folder's state (disabled unless the server watches one).
    import: ImportStatus,
}

impl UploadState {
    /// Uploads go to `data_dir/tmp` while they arrive, at most `max_upload` bytes each request.
    /// Temp files left there by a crash (a killed process never removes its own) are removed now,
    /// so build the state once, at start-up.
    pub fn new(store: Arc<OrderStore>, data_dir: PathBuf, max_upload: u64) -> Self {
        let temp_dir = data_dir.join("tmp");
        remove_stale_uploads(&temp_dir);
        Self {
            store,
            temp_dir,
            max_upload,
            limits: ParseLimits::default(),
            whole_parses: Arc::new(tokio::sync::Semaphore::new(DEFAULT_MAX_XLS_ODS_PARSES)),
            import: ImportStatus::disabled(),
        }
    }

    /// The same state parsing within `limits`, at most `max_xls_ods_parses` `.xls`/`.ods`
    /// files at once (at least one).
    pub fn with_parse_limits(mut self, limits: ParseLimits, max_xls_ods_parses: usize) -> Self {
        self.limits = limits;
        self.whole_parses = Arc::new(tokio::sync::Semaphore::new(max_xls_ods_parses.max(1)));
        self
    }

    /// The same state showing the import folder that reports to `status` (the one handed to
    /// `storeboard_import::ImportDir::start`).
    pub fn with_import_status(mut self, status: ImportStatus) -> Self {
        self.import = status;
        self
    }

    /// The order store.
    pub fn store(&self) -> &Arc<OrderStore> {
        &self.store
    }

    /// The import folder's state (disabled when there is none).
    pub fn import_status(&self) -> &ImportStatus {
        &self.import
    }
}

fn remove_stale_uploads(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("upload-") {
            let path = entry.path();
            match std::fs::remove_file(&path) {
                Ok(()) => tracing::info!(
                    "removed temp file of an interrupted upload: {}",
                    path.display()
                ),
                Err(err) => tracing::warn!("cannot remove {}: {err}", path.display()),
            }
        }
    }
}

/// Every route of this crate (registered from this table: it is the complete list).
pub const ROUTES: &[Endpoint] = &[
    Endpoint::post("/api/v1/uploads", || web::post().to(handlers::upload)),
    Endpoint::get("/api/v1/uploads", || web::get().to(handlers::history)),
    Endpoint::get("/api/v1/uploads/{id}/problems.csv", || {
        web::get().to(handlers::problems)
    }),
    Endpoint::get("/api/v1/stores", || web::get().to(handlers::stores)),
    Endpoint::delete("/api/v1/stores/{name}", || {
        web::delete().to(handlers::delete_store)
    }),
    Endpoint::get("/api/v1/import-dir", || web::get().to(handlers::import_dir)),
];

/// Mounts the upload and data-management routes with their state.
pub fn configure(cfg: &mut web::ServiceConfig, state: UploadState) {
    cfg.app_data(web::Data::new(state));
    register(cfg, ROUTES);
}
