//! The data crate's errors: each names the file and what is wrong with it.

use std::path::PathBuf;

/// Why an upload could not be read. Each variant maps to one HTTP status in the upload crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The extension is not one of the accepted types.
    #[error("{file}: file type '.{extension}' is not supported; upload .xlsx, .xlsm, .xlsb, .xls, .ods or .csv")]
    UnsupportedType {
        /// The file name.
        file: String,
        /// Its extension.
        extension: String,
    },
    /// The content does not match the extension.
    #[error("{file}: the name says one type but the content is {looks_like}")]
    ContentMismatch {
        /// The file name.
        file: String,
        /// What the content looks like.
        looks_like: String,
    },
    /// The file is empty.
    #[error("{file}: the file is empty")]
    Empty {
        /// The file name.
        file: String,
    },
    /// The workbook is damaged (truncated download, not really a workbook…).
    #[error("{file}: the workbook is damaged or not a workbook ({detail})")]
    Corrupt {
        /// The file name.
        file: String,
        /// The reader's message.
        detail: String,
    },
    /// The workbook is password-protected.
    #[error("{file}: the workbook is password-protected; remove the password in Excel and upload it again")]
    Encrypted {
        /// The file name.
        file: String,
    },
    /// A part of the workbook archive would inflate past a safety limit (a zip bomb).
    #[error("{file}: part {entry} of the workbook would unpack to {size} bytes, over the limit of {limit}")]
    TooLargeInside {
        /// The file name.
        file: String,
        /// The archive entry.
        entry: String,
        /// Its declared uncompressed size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The workbook has no worksheet.
    #[error("{file}: the workbook has no worksheet")]
    NoSheet {
        /// The file name.
        file: String,
    },
    /// The named sheet does not exist.
    #[error("{file}: there is no sheet named '{sheet}' (sheets: {})", sheets.join(", "))]
    NoSuchSheet {
        /// The file name.
        file: String,
        /// The sheet asked for.
        sheet: String,
        /// The sheets there are.
        sheets: Vec<String>,
    },
    /// No row holds all required headers.
    #[error("{file}, sheet {sheet}: missing required columns {}; headers found: {}", missing.join(", "), found.join(", "))]
    MissingColumns {
        /// The file name.
        file: String,
        /// The sheet.
        sheet: String,
        /// Required columns not found (canonical names).
        missing: Vec<String>,
        /// The headers of the row that came closest (at most 50).
        found: Vec<String>,
    },
    /// The sheet has a header but no data line.
    #[error("{file}, sheet {sheet}: no order lines below the header (row {header_row})")]
    NoLines {
        /// The file name.
        file: String,
        /// The sheet.
        sheet: String,
        /// The header's Excel row number.
        header_row: u32,
    },
    /// The sheet has no rows at all.
    #[error("{file}, sheet {sheet}: the sheet is empty")]
    EmptySheet {
        /// The file name.
        file: String,
        /// The sheet.
        sheet: String,
    },
    /// More lines than the limit.
    #[error("{file}: more than {limit} order lines; split the export into smaller files")]
    TooManyLines {
        /// The file name.
        file: String,
        /// The limit.
        limit: usize,
    },
    /// A sheet declares or spans more cells than `max_sheet_cells`.
    #[error("{file}, sheet {sheet}: {found} {cells} cells (rows × columns), over the limit of {limit} (setting {setting}); delete the empty rows and columns beyond the data, or split the export")]
    SheetTooLarge {
        /// The file name.
        file: String,
        /// The sheet.
        sheet: String,
        /// What was measured: `declares` (its dimension record) or `spans` (its cells).
        found: &'static str,
        /// The cells counted.
        cells: u64,
        /// The limit.
        limit: u64,
        /// The setting that holds the limit.
        setting: &'static str,
    },
    /// An `.xls` or `.ods` workbook, read whole with every sheet at once, is over
    /// `max_xls_ods_cells`.
    #[error("{file}: .xls and .ods files are read whole, every sheet at once, and this one's sheets span at least {cells} cells (counted up to sheet {sheet}), over the limit of {limit} (setting {setting}); save it as .xlsx or .csv, or delete the unused sheets, rows and columns")]
    WorkbookTooLarge {
        /// The file name.
        file: String,
        /// The sheet at which the count passed the limit.
        sheet: String,
        /// The cells counted.
        cells: u64,
        /// The limit.
        limit: u64,
        /// The setting that holds the limit.
        setting: &'static str,
    },
    /// A CSV field or record is longer than its limit.
    #[error("{file}: record {record} has a {what} longer than {limit} bytes (setting {setting}); is it really a CSV export?")]
    CsvTooLong {
        /// The file name.
        file: String,
        /// The record (1-based; a row unless quoted fields hold line breaks).
        record: u64,
        /// `field` or `record`.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The setting that holds the limit.
        setting: &'static str,
    },
    /// One piece of text or one tag of a workbook's XML is longer than any real sheet holds.
    #[error("{file}: part {entry} holds one piece of text or one tag longer than {limit} bytes")]
    MarkupTooLong {
        /// The file name.
        file: String,
        /// The archive entry.
        entry: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Reading the file failed.
    #[error("cannot read the upload: {0}")]
    Io(#[from] std::io::Error),
}

impl IngestError {
    /// Maps calamine's error to the cause a user can act on.
    pub fn from_calamine(file: &str, err: calamine::Error) -> Self {
        let detail = err.to_string();
        let lower = detail.to_lowercase();
        if lower.contains("password") || lower.contains("encrypt") {
            return IngestError::Encrypted {
                file: file.to_owned(),
            };
        }
        IngestError::Corrupt {
            file: file.to_owned(),
            detail,
        }
    }

    /// A stable machine-readable code for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::UnsupportedType { .. } => "unsupported_type",
            IngestError::ContentMismatch { .. } => "content_mismatch",
            IngestError::Empty { .. } => "empty_file",
            IngestError::Corrupt { .. } => "corrupt_workbook",
            IngestError::Encrypted { .. } => "encrypted_workbook",
            IngestError::TooLargeInside { .. } => "workbook_too_large",
            IngestError::NoSheet { .. } | IngestError::NoSuchSheet { .. } => "no_sheet",
            IngestError::MissingColumns { .. } => "missing_columns",
            IngestError::NoLines { .. } | IngestError::EmptySheet { .. } => "no_lines",
            IngestError::TooManyLines { .. } => "too_many_lines",
            IngestError::SheetTooLarge { .. } => "sheet_too_large",
            IngestError::WorkbookTooLarge { .. } => "workbook_too_large_to_read",
            IngestError::CsvTooLong { .. } => "csv_line_too_long",
            IngestError::MarkupTooLong { .. } => "markup_too_long",
            IngestError::Io(_) => "io_error",
        }
    }

    /// Structured details of a refusal, as the upload's error JSON (`error.details`) and the
    /// import folder's `NAME.report.json` name them: the file, sheet, missing and found columns,
    /// the limit passed…; `null` when the message says it all.
    pub fn details(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            IngestError::MissingColumns {
                file,
                sheet,
                missing,
                found,
            } => json!({ "file": file, "sheet": sheet, "missing": missing, "found": found }),
            IngestError::TooLargeInside {
                file,
                entry,
                size,
                limit,
            } => json!({ "file": file, "entry": entry, "size": size, "limit": limit }),
            IngestError::NoSuchSheet { sheets, .. } => json!({ "sheets": sheets }),
            IngestError::SheetTooLarge {
                file,
                sheet,
                cells,
                limit,
                setting,
                ..
            }
            | IngestError::WorkbookTooLarge {
                file,
                sheet,
                cells,
                limit,
                setting,
            } => {
                json!({ "file": file, "sheet": sheet, "cells": cells, "limit": limit, "setting": setting })
            }
            IngestError::CsvTooLong {
                file,
                record,
                what,
                limit,
                setting,
            } => {
                json!({ "file": file, "record": record, "what": what, "limit": limit, "setting": setting })
            }
            _ => serde_json::Value::Null,
        }
    }
}

/// Why the store database failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite said no.
    #[error("database {}: {source}", path.display())]
    Db {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A stored day could not be decoded (a damaged database).
    #[error("database {}: stored data for store '{store}' day {day} is damaged: {detail}", path.display())]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// The store.
        store: String,
        /// The day.
        day: String,
        /// The decoder's message.
        detail: String,
    },
    /// The data directory cannot be used.
    #[error("data directory {}: {source}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// No such upload.
    #[error("no upload with id {0}")]
    NoUpload(i64),
    /// A pricing plan to save was refused; the text names the problem (an empty or too long
    /// name, items that are not a list of 1 to 5,000 products, too much JSON). A client error:
    /// HTTP 400.
    #[error("the pricing plan cannot be saved: {0}")]
    BadPlan(String),
    /// No saved pricing plan with this id: HTTP 404. The store's own reads answer `None` or
    /// `false` for a missing plan; a caller that needs an error raises this one.
    #[error("no pricing plan with id {0}")]
    NoPlan(i64),
    /// The stored history is still being loaded after a start: writes wait for it, and give up
    /// with this after a while.
    #[error("the stored history is still loading ({} stores left: {}); try again in a moment", stores.len(), stores.join(", "))]
    Loading {
        /// The stores not loaded yet.
        stores: Vec<String>,
    },
    /// Loading the stored history at start-up failed: nothing is written until a restart.
    #[error("loading the stored history failed, so no change is accepted: {detail}")]
    LoadFailed {
        /// Why.
        detail: String,
    },
}
