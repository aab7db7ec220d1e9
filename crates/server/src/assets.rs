//! Templates and static files: embedded in the binary in production, read from disk on every
//! request in debug mode (edit, reload the page, see the change; no restart).

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::mode::{source_dir, Mode};

/// A file shipped with the binary: its path below the crate directory and its embedded bytes.
struct Embedded {
    path: &'static str,
    bytes: &'static [u8],
}

const TEMPLATES: &[Embedded] = &[Embedded {
    path: "templates/status.html",
    bytes: include_bytes!("../templates/status.html"),
}];

const STATIC: &[Embedded] = &[Embedded {
    path: "static/storeboard.css",
    bytes: include_bytes!("../static/storeboard.css"),
}];

/// Why an asset could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssetError {
    /// No asset of that name ships with the binary.
    #[error("no asset named {0}")]
    Unknown(String),
    /// Debug mode could not read the file from disk.
    #[error("cannot read {path} from disk: {source}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{0} is not UTF-8 text")]
    NotText(String),
}

/// Serves templates and static files for one mode.
#[derive(Debug, Clone, Copy)]
pub struct Assets {
    mode: Mode,
}

impl Assets {
    /// Assets as the mode wants them.
    pub fn new(mode: Mode) -> Self {
        Self { mode }
    }

    fn load(self, table: &[Embedded], path: &str) -> Result<Cow<'static, [u8]>, AssetError> {
        let entry = table
            .iter()
            .find(|e| e.path == path)
            .ok_or_else(|| AssetError::Unknown(path.to_owned()))?;
        if self.mode.is_debug() {
            let file = source_dir().join(entry.path);
            return std::fs::read(&file)
                .map(Cow::Owned)
                .map_err(|source| AssetError::Read {
                    path: file.display().to_string(),
                    source,
                });
        }
        Ok(Cow::Borrowed(entry.bytes))
    }

    /// A template's text (`status.html`).
    pub fn template(self, name: &str) -> Result<Cow<'static, str>, AssetError> {
        let path = format!("templates/{name}");
        match self.load(TEMPLATES, &path)? {
            Cow::Borrowed(b) => std::str::from_utf8(b)
                .map(Cow::Borrowed)
                .map_err(|_| AssetError::NotText(path)),
            Cow::Owned(v) => String::from_utf8(v)
                .map(Cow::Owned)
                .map_err(|_| AssetError::NotText(path)),
        }
    }

    /// A static file's bytes (`storeboard.css`).
    pub fn static_file(self, name: &str) -> Result<Cow<'static, [u8]>, AssetError> {
        self.load(STATIC, &format!("static/{name}"))
    }
}

/// `GET /static/{name}`: long-cached in production, never cached in debug mode.
pub async fn serve_static(assets: web::Data<Assets>, name: web::Path<String>) -> HttpResponse {
    let name = name.into_inner();
    match assets.static_file(&name) {
        Ok(bytes) => {
            let cache = if assets.mode.is_debug() {
                "no-store"
            } else {
                "public, max-age=86400"
            };
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, content_type(&name)))
                .insert_header((header::CACHE_CONTROL, cache))
                .body(bytes.into_owned())
        }
        Err(AssetError::Unknown(_)) => HttpResponse::NotFound().body("未找到该文件 / not found"),
        Err(err) => HttpResponse::InternalServerError().body(err.to_string()),
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_and_disk_templates_are_the_same_file() {
        let embedded = Assets::new(Mode::Production)
            .template("status.html")
            .expect("embedded");
        let disk = Assets::new(Mode::Debug)
            .template("status.html")
            .expect("on disk");
        assert_eq!(embedded, disk);
    }

    #[test]
    fn unknown_asset_is_an_error_not_a_panic() {
        let assets = Assets::new(Mode::Production);
        assert!(matches!(
            assets.static_file("../Cargo.toml"),
            Err(AssetError::Unknown(_))
        ));
    }
}
