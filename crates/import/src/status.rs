//! The folder's state as the dashboard and `GET /api/v1/import-dir` show it: shared between the
//! watcher thread (which writes it) and the request handlers (which read a snapshot).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Outcomes kept for [`ImportSnapshot::recent`], newest first.
pub const RECENT: usize = 20;

/// How one file ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportResult {
    /// Imported: its lines are stored.
    Imported,
    /// The same file (SHA-256) was imported before: applied again, figures unchanged.
    AlreadyImported,
    /// Refused (or the import failed): nothing stored; see the report.
    Failed,
}

/// A refusal as the upload's error JSON names it: `code`, a message, and `details` (the file,
/// sheet, missing columns…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    /// The stable code (`missing_columns`, `corrupt_workbook`…), as the upload API answers.
    pub code: String,
    /// What is wrong, in Chinese first.
    pub message: String,
    /// Structured details; `null` when the message says it all.
    pub details: Value,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The file's name as it was dropped.
    pub file: String,
    /// When it was finished (UTC, RFC 3339).
    pub at: String,
    /// Imported, already imported, or failed.
    pub result: ImportResult,
    /// Where it is now, relative to the folder (`done/orders.xlsx`, `failed/x (2).csv`).
    pub moved_to: String,
    /// Its report, relative to the folder (`done/orders.xlsx.report.json`).
    pub report: String,
    /// The upload history's id of the import (not for a refusal).
    pub upload_id: Option<i64>,
    /// Lines stored (not for a refusal).
    pub lines: Option<usize>,
    /// Lines rejected by validation (not for a refusal).
    pub rejected_lines: Option<usize>,
    /// Why it was refused (only for a failure).
    pub error: Option<Refusal>,
}

/// The folder's state at one moment (`GET /api/v1/import-dir`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportSnapshot {
    /// Whether an import folder is configured.
    pub enabled: bool,
    /// The folder (`null` when not enabled).
    pub dir: Option<String>,
    /// The watcher thread is running.
    pub watching: bool,
    /// Change events arrive from the OS; false when only the periodic rescan finds files (a
    /// network drive, or no watch could be set).
    pub notify: bool,
    /// Seconds between two rescans of the folder.
    pub rescan_seconds: f64,
    /// Files seen that are waiting to stop growing.
    pub pending: usize,
    /// The newest outcome.
    pub last_import: Option<Outcome>,
    /// Files imported since the server started (already imported ones included).
    pub imported: u64,
    /// Files refused since the server started.
    pub failed: u64,
    /// Why the folder cannot be read now (a network drive gone), if it cannot.
    pub error: Option<String>,
    /// The latest outcomes, newest first (at most 20).
    pub recent: Vec<Outcome>,
}

#[derive(Debug, Default)]
struct Inner {
    dir: Option<PathBuf>,
    watching: bool,
    notify: bool,
    rescan_seconds: f64,
    pending: usize,
    imported: u64,
    failed: u64,
    error: Option<String>,
    recent: VecDeque<Outcome>,
}

/// The shared state: cheap to clone (one `Arc`), written by the watcher, read by handlers. The
/// default is a disabled folder.
#[derive(Debug, Clone, Default)]
pub struct ImportStatus {
    inner: Arc<Mutex<Inner>>,
}

impl ImportStatus {
    /// The state of a server without an import folder.
    pub fn disabled() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Only plain fields are written under the lock: a panic cannot leave them half-set.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The state now.
    pub fn snapshot(&self) -> ImportSnapshot {
        let inner = self.lock();
        ImportSnapshot {
            enabled: inner.dir.is_some(),
            dir: inner.dir.as_ref().map(|d| d.display().to_string()),
            watching: inner.watching,
            notify: inner.notify,
            rescan_seconds: inner.rescan_seconds,
            pending: inner.pending,
            last_import: inner.recent.front().cloned(),
            imported: inner.imported,
            failed: inner.failed,
            error: inner.error.clone(),
            recent: inner.recent.iter().cloned().collect(),
        }
    }

    /// Files imported and refused since the start (for `/metrics`).
    pub fn counts(&self) -> (u64, u64) {
        let inner = self.lock();
        (inner.imported, inner.failed)
    }

    pub(crate) fn configured(&self, dir: PathBuf, rescan_seconds: f64) {
        let mut inner = self.lock();
        inner.dir = Some(dir);
        inner.rescan_seconds = rescan_seconds;
    }

    pub(crate) fn set_watching(&self, watching: bool, notify: bool) {
        let mut inner = self.lock();
        inner.watching = watching;
        inner.notify = notify;
    }

    /// The result of a scan: files waiting to settle, and the folder's read error if any
    /// (`true` when the error changed, so only changes are logged).
    pub(crate) fn scanned(&self, pending: usize, error: Option<String>) -> bool {
        let mut inner = self.lock();
        inner.pending = pending;
        let changed = inner.error != error;
        inner.error = error;
        changed
    }

    pub(crate) fn record(&self, outcome: Outcome) {
        let mut inner = self.lock();
        match outcome.result {
            ImportResult::Failed => inner.failed += 1,
            _ => inner.imported += 1,
        }
        inner.recent.push_front(outcome);
        inner.recent.truncate(RECENT);
    }
}
