//! Upload errors and their one mapping to HTTP: `{"error": {"code", "message", "details"}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Value};
use storeboard_data::{IngestError, StoreError};

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
    fn code(&self) -> &'static str {
        match self {
            UploadError::Ingest(e) => e.code(),
            UploadError::Store(StoreError::NoUpload(_)) => "not_found",
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
            UploadError::Ingest(IngestError::MissingColumns {
                file,
                sheet,
                missing,
                found,
            }) => {
                json!({ "file": file, "sheet": sheet, "missing": missing, "found": found })
            }
            UploadError::Ingest(IngestError::TooLargeInside {
                file,
                entry,
                size,
                limit,
            }) => {
                json!({ "file": file, "entry": entry, "size": size, "limit": limit })
            }
            UploadError::Ingest(IngestError::NoSuchSheet { sheets, .. }) => {
                json!({ "sheets": sheets })
            }
            UploadError::TooLarge { limit } => json!({ "limit": limit }),
            _ => Value::Null,
        }
    }

    /// A message in Chinese first, with the English detail after it.
    fn message(&self) -> String {
        let zh = match self.status_code() {
            StatusCode::PAYLOAD_TOO_LARGE => "文件太大",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "不支持的文件类型",
            StatusCode::UNPROCESSABLE_ENTITY => "文件无法导入",
            StatusCode::NOT_FOUND => "未找到",
            StatusCode::BAD_REQUEST => "请求有误",
            _ => "服务器错误",
        };
        format!("{zh}: {self}")
    }
}

impl ResponseError for UploadError {
    fn status_code(&self) -> StatusCode {
        match self {
            UploadError::Ingest(IngestError::UnsupportedType { .. }) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            UploadError::Ingest(IngestError::TooManyLines { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::Ingest(IngestError::Io(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            UploadError::Ingest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::NoFile | UploadError::Multipart(_) | UploadError::BadMode(_) => {
                StatusCode::BAD_REQUEST
            }
            UploadError::NotFound(_) | UploadError::Store(StoreError::NoUpload(_)) => {
                StatusCode::NOT_FOUND
            }
            UploadError::Store(_) | UploadError::Temp(_) => StatusCode::INTERNAL_SERVER_ERROR,
            UploadError::Cancelled => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!("upload request failed: {self}");
        } else {
            tracing::info!("upload refused: {self}");
        }
        HttpResponse::build(status).json(json!({
            "error": { "code": self.code(), "message": self.message(), "details": self.details() }
        }))
    }
}
