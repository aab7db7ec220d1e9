//! Receiving a multipart upload: each `file` part streamed to a temp file (never buffered whole
//! in memory), hashed as it arrives, within the size limit; the `mode` field read as text.

use std::io::Write;

use actix_multipart::Multipart;
use futures_util::StreamExt as _;
use sha2::{Digest, Sha256};
use storeboard_data::UploadMode;
use tempfile::NamedTempFile;

use crate::error::UploadError;

/// One received file: removed from disk when dropped.
pub(crate) struct Received {
    pub(crate) name: String,
    pub(crate) sha256: String,
    pub(crate) file: NamedTempFile,
}

/// Everything a multipart upload carried.
pub(crate) struct Form {
    pub(crate) files: Vec<Received>,
    pub(crate) mode: UploadMode,
}

/// The `mode` field is a word; more than this is not a mode.
const MAX_FIELD: usize = 64;

pub(crate) async fn receive(
    mut body: Multipart,
    temp_dir: &std::path::Path,
    limit: u64,
) -> Result<Form, UploadError> {
    std::fs::create_dir_all(temp_dir).map_err(UploadError::Temp)?;
    let mut files = Vec::new();
    let mut mode = UploadMode::default();
    let mut total = 0u64;
    while let Some(field) = body.next().await {
        let mut field = field.map_err(|e| multipart_error(e, limit))?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(sanitize);
        match (name.as_str(), file_name) {
            ("file", Some(file_name)) => {
                let mut tmp = tempfile::Builder::new()
                    .prefix("upload-")
                    .tempfile_in(temp_dir)
                    .map_err(UploadError::Temp)?;
                let mut hasher = Sha256::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| multipart_error(e, limit))?;
                    total += chunk.len() as u64;
                    if total > limit {
                        return Err(UploadError::TooLarge { limit });
                    }
                    hasher.update(&chunk);
                    tmp.write_all(&chunk).map_err(UploadError::Temp)?;
                }
                tmp.flush().map_err(UploadError::Temp)?;
                files.push(Received {
                    name: file_name,
                    sha256: hex::encode(hasher.finalize()),
                    file: tmp,
                });
            }
            ("mode", _) => {
                let mut text = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| multipart_error(e, limit))?;
                    text.extend_from_slice(&chunk);
                    if text.len() > MAX_FIELD {
                        return Err(UploadError::BadMode(
                            "mode must be merge or replace".to_owned(),
                        ));
                    }
                }
                mode = String::from_utf8_lossy(&text)
                    .parse()
                    .map_err(UploadError::BadMode)?;
            }
            _ => {
                // Unknown parts are read and dropped so the stream can go on.
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| multipart_error(e, limit))?;
                    total += chunk.len() as u64;
                    if total > limit {
                        return Err(UploadError::TooLarge { limit });
                    }
                }
            }
        }
    }
    if files.is_empty() {
        return Err(UploadError::NoFile);
    }
    Ok(Form { files, mode })
}

/// The engine cuts a body over `max_request_body_size` with an overflow: that is "too large",
/// not "malformed".
fn multipart_error(err: actix_multipart::MultipartError, limit: u64) -> UploadError {
    match err {
        actix_multipart::MultipartError::Payload(actix_web::error::PayloadError::Overflow) => {
            UploadError::TooLarge { limit }
        }
        other => UploadError::Multipart(other.to_string()),
    }
}

/// Keeps only the last path component of a client-supplied file name.
fn sanitize(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.is_empty() {
        "upload".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(sanitize("C:\\Users\\店长\\订单.xlsx"), "订单.xlsx");
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("  "), "upload");
    }
}
