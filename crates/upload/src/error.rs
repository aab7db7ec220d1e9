//! Upload errors and their one mapping to HTTP: status, code and details here, the envelope
//! `{"error": {"code", "message", "details"}}` from `storeboard-errors` (as every crate's).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Value};
use storeboard_data::{IngestError, StoreError};
use storeboard_errors::ApiError;

/// Why an upload or a data-management request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The file could not be read or validated.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request body is over the limit.
    #[error("upload exceeds max_request_body_size ({limit} bytes)")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The request carried no `file` part.
    #[error("no file in the upload: send one or more multipart parts named 'file'")]
    NoFile,
    /// The multipart body is malformed.
    #[error("malformed multipart body: {0}")]
    Multipart(String),
    /// The `mode` field is neither `merge` nor `replace`.
    #[error("{0}")]
    BadMode(String),
    /// The temp file could not be written.
    #[error("cannot store the upload temporarily: {0}")]
    Temp(std::io::Error),
    /// Nothing by that name or id.
    #[error("{0}")]
    NotFound(String),
    /// The blocking pool is gone (the server is stopping).
    #[error("the server is shutting down")]
    Cancelled,
}

impl UploadError {
    /// The stored history is still loading after a start (try again shortly).
    fn is_loading(&self) -> bool {
        matches!(self, UploadError::Store(StoreError::Loading { .. }))
    }
}

impl ApiError for UploadError {
    fn status(&self) -> StatusCode {
        self.status_code()
    }

    fn code(&self) -> &'static str {
        match self {
            UploadError::Ingest(e) => e.code(),
            UploadError::Store(StoreError::NoUpload(_)) => "not_found",
            UploadError::Store(StoreError::Loading { .. }) => "loading",
            UploadError::Store(StoreError::LoadFailed { .. }) => "load_failed",
            UploadError::Store(_) => "database_error",
            UploadError::TooLarge { .. } => "too_large",
            UploadError::NoFile => "no_file",
            UploadError::Multipart(_) => "bad_multipart",
            UploadError::BadMode(_) => "bad_mode",
            UploadError::Temp(_) => "temp_file_error",
            UploadError::NotFound(_) => "not_found",
            UploadError::Cancelled => "shutting_down",
        }
    }

    fn details(&self) -> Value {
        match self {
            UploadError::Ingest(e) => e.details(),
            UploadError::TooLarge { limit } => json!({ "limit": limit }),
            UploadError::Store(StoreError::Loading { stores }) => json!({ "loading": stores }),
            _ => Value::Null,
        }
    }
}

impl ResponseError for UploadError {
    fn status_code(&self) -> StatusCode {
        match self {
            UploadError::Ingest(IngestError::UnsupportedType { .. }) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            UploadError::Ingest(
                IngestError::TooManyLines { .. }
                | IngestError::SheetTooLarge { .. }
                | IngestError::WorkbookTooLarge { .. }
                | IngestError::CsvTooLong { .. }
                | IngestError::MarkupTooLong { .. },
            ) => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::Ingest(IngestError::Io(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            UploadError::Ingest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::NoFile | UploadError::Multipart(_) | UploadError::BadMode(_) => {
                StatusCode::BAD_REQUEST
            }
            UploadError::NotFound(_) | UploadError::Store(StoreError::NoUpload(_)) => {
                StatusCode::NOT_FOUND
            }
            UploadError::Store(StoreError::Loading { .. }) | UploadError::Cancelled => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            UploadError::Store(_) | UploadError::Temp(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = storeboard_errors::respond(self);
        if self.is_loading() {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody as _;

    #[test]
    fn a_write_during_loading_is_a_503_loading_with_retry_after() {
        let err = UploadError::Store(StoreError::Loading {
            stores: vec!["一号店".to_owned()],
        });
        assert_eq!(err.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let response = err.error_response();
        assert_eq!(
            response
                .headers()
                .get(actix_web::http::header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"5"[..])
        );
        let body = response.into_body().try_into_bytes().expect("a full body");
        let json: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(json["error"]["code"], "loading");
        assert_eq!(json["error"]["details"]["loading"], json!(["一号店"]));
        let message = json["error"]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("数据正在加载"), "{message}");
    }

    #[test]
    fn a_failed_start_up_load_refuses_writes_as_a_server_error() {
        let err = UploadError::Store(StoreError::LoadFailed {
            detail: "damaged".to_owned(),
        });
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(err.code(), "load_failed");
    }
}
