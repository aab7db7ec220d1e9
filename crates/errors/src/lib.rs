//! # storeboard-errors
//!
//! The one JSON error envelope of every Storeboard crate:
//!
//! ```json
//! {"error": {"code": "bad_date", "message": "日期格式应为 YYYY-MM-DD: …", "details": {…}}}
//! ```
//!
//! A crate's error implements [`ApiError`] (status, `code`, details) and answers with
//! [`respond`], which:
//! - says the message in Chinese first, chosen by the error's `code` ([`zh`]), with the English
//!   text of the error after it;
//! - keeps internals out of a `500`: the message is generic and the details empty, and the error
//!   itself is logged, once, here (a `503` such as `shutting_down` or `loading` says why);
//! - marks the response [`Deliberate`], so the engine passes the body on instead of replacing
//!   it with its generic text for errors that nobody shaped for a client.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// An error that a Storeboard crate answers a request with.
pub trait ApiError: std::fmt::Display {
    /// The HTTP status.
    fn status(&self) -> StatusCode;

    /// The stable, machine-readable code (`bad_date`, `shutting_down`): clients and the
    /// Chinese messages key on it.
    fn code(&self) -> &'static str;

    /// Structured details (the parameter and value refused, the missing columns…); `null` when
    /// there is nothing to add.
    fn details(&self) -> Value {
        Value::Null
    }
}

/// Marker in a response's extensions: this error body was built for the client (by
/// [`respond`]) and holds no internals, so the engine keeps it even for a 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deliberate;

/// Whether `res` carries a [`Deliberate`] error body.
pub fn is_deliberate(res: &HttpResponse) -> bool {
    res.extensions().contains::<Deliberate>()
}

/// The Chinese message for `code`, else for `status` (a code of its own crate, e.g. one of the
/// importer's many refusals, reads by its status).
pub fn zh(code: &str, status: StatusCode) -> &'static str {
    match code {
        "unknown_tab" => "未找到该页签",
        "bad_date" => "日期格式应为 YYYY-MM-DD",
        "bad_period" => "开始日期晚于结束日期",
        "bad_parameter" => "分页或排序参数有误",
        "loading" => "数据正在加载,请稍后再试",
        "shutting_down" => "服务正在停止",
        "sheet_too_large" => "工作表的行列范围超出上限",
        "workbook_too_large_to_read" => "xls/ods 文件的单元格总数超出上限,请另存为 xlsx 或 csv",
        "csv_line_too_long" => "CSV 中有一行或一个字段太长",
        "markup_too_long" => "文件中有一段文本过长",
        _ => match status {
            StatusCode::PAYLOAD_TOO_LARGE => "文件太大",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "不支持的文件类型",
            StatusCode::UNPROCESSABLE_ENTITY => "文件无法导入",
            StatusCode::NOT_FOUND => "未找到",
            StatusCode::BAD_REQUEST => "请求有误",
            _ => "服务器错误",
        },
    }
}

/// The envelope of `err` as a JSON value (what [`respond`] sends).
pub fn envelope(err: &dyn ApiError) -> Value {
    let (status, code) = (err.status(), err.code());
    let zh = zh(code, status);
    // A 500 is a bug or a failed database: what went wrong is for the log, not the LAN.
    let (message, details) = if status == StatusCode::INTERNAL_SERVER_ERROR {
        (format!("{zh}: internal server error"), Value::Null)
    } else {
        (format!("{zh}: {err}"), err.details())
    };
    json!({ "error": { "code": code, "message": message, "details": details } })
}

/// The response for `err`: its status, the [`envelope`], marked [`Deliberate`]. A 5xx is logged
/// here (with its internals), once; a refusal (4xx) only at debug level.
pub fn respond(err: &dyn ApiError) -> HttpResponse {
    let status = err.status();
    let code = err.code();
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), code, "request failed: {err}");
    } else {
        tracing::debug!(status = status.as_u16(), code, "request refused: {err}");
    }
    let mut res = HttpResponse::build(status).json(envelope(err));
    res.extensions_mut().insert(Deliberate);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failed(&'static str, StatusCode, &'static str);

    impl std::fmt::Display for Failed {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl ApiError for Failed {
        fn status(&self) -> StatusCode {
            self.1
        }
        fn code(&self) -> &'static str {
            self.2
        }
        fn details(&self) -> Value {
            json!({"secret": self.0})
        }
    }

    #[test]
    fn a_refusal_says_why_in_chinese_then_english_with_its_details() {
        let err = Failed("'from' must be a day", StatusCode::BAD_REQUEST, "bad_date");
        let e = &envelope(&err)["error"];
        assert_eq!(e["code"], "bad_date");
        assert_eq!(
            e["message"],
            "日期格式应为 YYYY-MM-DD: 'from' must be a day"
        );
        assert_eq!(e["details"]["secret"], "'from' must be a day");
    }

    #[test]
    fn a_500_keeps_its_internals_out_of_the_body_and_is_deliberate() {
        let err = Failed(
            "disk full at /srv/x",
            StatusCode::INTERNAL_SERVER_ERROR,
            "db",
        );
        let res = respond(&err);
        assert!(is_deliberate(&res));
        let e = &envelope(&err)["error"];
        assert_eq!(e["message"], "服务器错误: internal server error");
        assert_eq!(e["details"], Value::Null);
    }

    #[test]
    fn a_503_says_why() {
        let err = Failed(
            "the server is shutting down",
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
        );
        let e = &envelope(&err)["error"];
        assert_eq!(e["message"], "服务正在停止: the server is shutting down");
    }

    #[test]
    fn unknown_codes_read_by_their_status() {
        assert_eq!(zh("too_large", StatusCode::PAYLOAD_TOO_LARGE), "文件太大");
        assert_eq!(zh("bad_multipart", StatusCode::BAD_REQUEST), "请求有误");
        assert_eq!(
            zh("database_error", StatusCode::INTERNAL_SERVER_ERROR),
            "服务器错误"
        );
    }
}
