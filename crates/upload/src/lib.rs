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
//! `DELETE /api/v1/stores/{name}`. Errors answer `{"error": {"code", "message", "details"}}`.

mod error;
mod handlers;
mod multipart;

use std::path::PathBuf;
use std::sync::Arc;

use actix_web::web;
use storeboard_data::OrderStore;

pub use error::UploadError;

/// What the handlers need: the store, where to put temp files, and the size limit.
#[derive(Debug, Clone)]
pub struct UploadState {
    store: Arc<OrderStore>,
    temp_dir: PathBuf,
    max_upload: u64,
}

impl UploadState {
    /// Uploads go to `data_dir/tmp` while they arrive, at most `max_upload` bytes each request.
    pub fn new(store: Arc<OrderStore>, data_dir: PathBuf, max_upload: u64) -> Self {
        Self {
            store,
            temp_dir: data_dir.join("tmp"),
            max_upload,
        }
    }

    /// The order store.
    pub fn store(&self) -> &Arc<OrderStore> {
        &self.store
    }
}

/// Mounts the upload and data-management routes with their state.
pub fn configure(cfg: &mut web::ServiceConfig, state: UploadState) {
    cfg.app_data(web::Data::new(state))
        .service(
            web::resource("/api/v1/uploads")
                .route(web::post().to(handlers::upload))
                .route(web::get().to(handlers::history)),
        )
        .route(
            "/api/v1/uploads/{id}/problems.csv",
            web::get().to(handlers::problems),
        )
        .route("/api/v1/stores", web::get().to(handlers::stores))
        .route(
            "/api/v1/stores/{name}",
            web::delete().to(handlers::delete_store),
        );
}
