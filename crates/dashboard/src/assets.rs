//! The dashboard's static files (our CSS and JS, the vendored htmx and ECharts).
//!
//! Production: embedded in the binary and served under content-hashed names
//! (`assets/htmx.min.3f2a9c1b07.js`) with a one-year `immutable` cache, so a browser fetches each
//! version once and a new release can never be mixed with a cached old file. Debug: served from
//! disk by actix-files under their plain names, never cached, so an edit shows on reload.

use std::path::PathBuf;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};
use storeboard_routes::{register, Endpoint};

/// One file shipped with the binary.
struct Embedded {
    /// Path below `static/`.
    name: &'static str,
    bytes: &'static [u8],
}

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(Embedded {
            name: $name,
            bytes: include_bytes!(concat!("../static/", $name)),
        }),*]
    };
}

const FILES: &[Embedded] = embed!(
    "dashboard.css",
    "dashboard.js",
    "vendor/htmx/htmx.min.js",
    "vendor/echarts/echarts.min.js",
);

/// The embedded files' route (debug mode serves the same paths from disk with actix-files).
pub const ASSET_ROUTE: Endpoint =
    Endpoint::get("/assets/{name:.+}", || web::get().to(serve_embedded));

/// Where the static files come from.
#[derive(Debug, Clone)]
pub enum AssetSource {
    /// Compiled into the binary (production).
    Embedded,
    /// Read from this `static/` directory on every request (debug mode, hot reload).
    Disk(PathBuf),
}

impl AssetSource {
    /// The crate's own `static/` directory in the source tree, for debug mode.
    pub fn source_tree() -> Self {
        AssetSource::Disk(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static"))
    }

    /// The URL path (below the dashboard's base) of a static file: hashed when embedded.
    pub fn url(&self, name: &str) -> String {
        match self {
            AssetSource::Embedded => match hashed_names().iter().find(|(n, _)| n == name) {
                Some((_, hashed)) => format!("assets/{hashed}"),
                None => format!("assets/{name}"),
            },
            AssetSource::Disk(_) => format!("assets/{name}"),
        }
    }

    /// Mounts `GET /assets/...` for this source.
    pub(crate) fn mount(&self, cfg: &mut web::ServiceConfig) {
        match self {
            AssetSource::Embedded => {
                register(cfg, &[ASSET_ROUTE]);
            }
            AssetSource::Disk(dir) => {
                // Debug mode: never cached, so an edit shows on the next reload.
                cfg.service(
                    web::scope("/assets")
                        .wrap(
                            actix_web::middleware::DefaultHeaders::new()
                                .add((header::CACHE_CONTROL, "no-store")),
                        )
                        .service(actix_files::Files::new("", dir).prefer_utf8(true)),
                );
            }
        }
    }
}

/// `(plain name, hashed name)` of every embedded file, computed once.
fn hashed_names() -> &'static [(String, String)] {
    static NAMES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        FILES
            .iter()
            .map(|f| (f.name.to_owned(), hashed(f.name, f.bytes)))
            .collect()
    })
}

/// `vendor/htmx/htmx.min.js` → `vendor/htmx/htmx.min.<10 hex digits of SHA-256>.js`.
fn hashed(name: &str, bytes: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(bytes));
    let short = &digest[..10];
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
        None => format!("{name}.{short}"),
    }
}

async fn serve_embedded(name: web::Path<String>) -> HttpResponse {
    let name = name.into_inner();
    let found = hashed_names()
        .iter()
        .position(|(_, hashed)| *hashed == name)
        .and_then(|i| FILES.get(i));
    match found {
        Some(file) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, content_type(file.name)))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(file.bytes),
        // An unhashed or stale name: never answer it with today's bytes under a forever-cache.
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body("未找到该文件 / not found"),
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_change_with_the_content_and_keep_the_extension() {
        let a = hashed("dashboard.js", b"one");
        let b = hashed("dashboard.js", b"two");
        assert_ne!(a, b);
        assert!(a.starts_with("dashboard.") && a.ends_with(".js"), "{a}");
        assert_eq!(a.len(), "dashboard..js".len() + 10);
    }

    #[test]
    fn embedded_urls_are_hashed_and_disk_urls_are_plain() {
        let embedded = AssetSource::Embedded.url("vendor/htmx/htmx.min.js");
        assert!(embedded.starts_with("assets/vendor/htmx/htmx.min."));
        assert_ne!(embedded, "assets/vendor/htmx/htmx.min.js");
        let disk = AssetSource::source_tree().url("vendor/htmx/htmx.min.js");
        assert_eq!(disk, "assets/vendor/htmx/htmx.min.js");
    }

    #[test]
    fn every_embedded_file_is_the_file_on_disk() {
        let AssetSource::Disk(dir) = AssetSource::source_tree() else {
            unreachable!()
        };
        for f in FILES {
            let disk = std::fs::read(dir.join(f.name)).expect("file on disk");
            assert_eq!(disk, f.bytes, "{}", f.name);
        }
    }
}
