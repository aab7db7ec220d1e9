//! Tab errors and their one mapping to HTTP: status, code and details here, the envelope
//! `{"error": {"code", "message", "details"}}` from `storeboard-errors` (as every crate's).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use chrono::NaiveDate;
use serde_json::{json, Value};
use storeboard_errors::ApiError;

/// Why a tab request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TabsError {
    /// No tab by that name.
    #[error("no tab '{tab}': the tabs are {}", crate::tab::Tab::NAMES.join(", "))]
    UnknownTab {
        /// The name asked for.
        tab: String,
    },
    /// A date parameter that is not `YYYY-MM-DD`.
    #[error("'{param}' must be a day as YYYY-MM-DD (e.g. 2026-11-05), not '{value}'")]
    BadDate {
        /// `from` or `to`.
        param: &'static str,
        /// The text given.
        value: String,
    },
    /// The period ends before it starts.
    #[error(
        "'from' ({from}) is after 'to' ({to}): the period must start on or before its last day"
    )]
    FromAfterTo {
        /// The first day given.
        from: NaiveDate,
        /// The last day given.
        to: NaiveDate,
    },
    /// The period asked for is longer than the server's `max_period_days`.
    #[error(
        "the period {from} – {to} is {days} days long, more than the {max} days this server \
         answers (setting max_period_days)"
    )]
    PeriodTooLong {
        /// The first day given.
        from: NaiveDate,
        /// The last day given.
        to: NaiveDate,
        /// Days in the period asked for.
        days: i64,
        /// The limit (`max_period_days`).
        max: i64,
    },
    /// The query string does not parse (e.g. a parameter given twice).
    #[error("malformed query string: {0}")]
    BadQuery(String),
    /// A paging parameter (`limit`, `page`, `sort`) with a value it cannot take.
    #[error("'{param}' must be {expected}, not '{value}'")]
    BadParam {
        /// The parameter's name.
        param: &'static str,
        /// The text given.
        value: String,
        /// What it takes.
        expected: String,
    },
    /// The product sold nothing in the selection.
    #[error(
        "商品 '{key}' 在所选门店、期间和渠道没有销售 (product '{key}' has no sale in {scope} {from} – {to})"
    )]
    NoProduct {
        /// The key asked for.
        key: String,
        /// The stores and channel, as words.
        scope: String,
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// No saved pricing plan by that id.
    #[error("调价方案 #{0} 不存在 (no saved pricing plan #{0})")]
    NoPlan(i64),
    /// A pricing plan that cannot be saved as sent.
    #[error("{0}")]
    BadPlan(String),
    /// The database failed.
    #[error("the database failed: {0}")]
    Store(String),
    /// The figures could not be serialised (a bug).
    #[error("cannot serialise the tab: {0}")]
    Serialise(#[from] serde_json::Error),
    /// The blocking pool is gone (the server is stopping).
    #[error("the server is shutting down")]
    Cancelled,
    /// The computation failed or panicked (a bug); every request that waited for it gets this.
    #[error("the tab could not be computed: {0}")]
    Failed(String),
}

impl ApiError for TabsError {
    fn status(&self) -> StatusCode {
        match self {
            TabsError::UnknownTab { .. } | TabsError::NoProduct { .. } | TabsError::NoPlan(_) => {
                StatusCode::NOT_FOUND
            }
            TabsError::BadPlan(_) => StatusCode::BAD_REQUEST,
            TabsError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            TabsError::BadDate { .. }
            | TabsError::FromAfterTo { .. }
            | TabsError::PeriodTooLong { .. }
            | TabsError::BadQuery(_)
            | TabsError::BadParam { .. } => StatusCode::BAD_REQUEST,
            TabsError::Serialise(_) | TabsError::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
            TabsError::Cancelled => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            TabsError::UnknownTab { .. } => "unknown_tab",
            TabsError::NoProduct { .. } => "no_product",
            TabsError::NoPlan(_) => "no_plan",
            TabsError::BadPlan(_) => "bad_plan",
            TabsError::Store(_) => "database_error",
            TabsError::BadDate { .. } => "bad_date",
            TabsError::FromAfterTo { .. } => "bad_period",
            TabsError::PeriodTooLong { .. } => "period_too_long",
            TabsError::BadQuery(_) => "bad_query",
            TabsError::BadParam { .. } => "bad_parameter",
            TabsError::Serialise(_) | TabsError::Failed(_) => "internal_error",
            TabsError::Cancelled => "shutting_down",
        }
    }

    fn details(&self) -> Value {
        match self {
            TabsError::UnknownTab { tab } => {
                json!({ "tab": tab, "tabs": crate::tab::Tab::NAMES })
            }
            TabsError::BadDate { param, value } => {
                json!({ "param": param, "value": value, "expected": "YYYY-MM-DD" })
            }
            TabsError::FromAfterTo { from, to } => json!({ "from": from, "to": to }),
            TabsError::NoProduct { key, from, to, .. } => {
                json!({ "key": key, "from": from, "to": to })
            }
            TabsError::NoPlan(id) => json!({ "id": id }),
            TabsError::PeriodTooLong {
                from,
                to,
                days,
                max,
            } => json!({
                "from": from, "to": to, "days": days,
                "max_period_days": max, "setting": "max_period_days",
            }),
            TabsError::BadParam {
                param,
                value,
                expected,
            } => json!({ "param": param, "value": value, "expected": expected }),
            TabsError::BadQuery(_)
            | TabsError::BadPlan(_)
            | TabsError::Store(_)
            | TabsError::Serialise(_)
            | TabsError::Cancelled
            | TabsError::Failed(_) => Value::Null,
        }
    }
}

impl ResponseError for TabsError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        storeboard_errors::respond(self)
    }
}

impl From<storeboard_data::StoreError> for TabsError {
    fn from(e: storeboard_data::StoreError) -> Self {
        match e {
            storeboard_data::StoreError::BadPlan(m) => TabsError::BadPlan(m),
            storeboard_data::StoreError::NoPlan(id) => TabsError::NoPlan(id),
            other => TabsError::Store(other.to_string()),
        }
    }
}
