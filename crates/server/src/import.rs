//! The import folder (`--import-dir`) as the binary runs it: its watcher thread
//! (`storeboard-import`) is started beside the engine when the setting is given, reports to the
//! status the upload API and the dashboard show, and is stopped after the engine.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use storeboard_data::OrderStore;
use storeboard_import::{ImportConfig, ImportDir, ImportError, ImportStatus};

use crate::config::ServerSettings;

/// How long a stop waits for the file being imported: longer ones are finished at the next
/// start (they wait in `.importing/`), so a stop is never held up by a big file.
pub const STOP_WAIT: Duration = Duration::from_secs(5);

/// Starts the watcher when `settings` name an import folder: the status to hand to
/// `UploadState::with_import_status`, and the running watcher to stop after the engine (`None`
/// without a folder; the status then says `enabled: false`).
pub fn start(
    settings: &ServerSettings,
    store: Arc<OrderStore>,
) -> Result<(ImportStatus, Option<ImportDir>), ImportError> {
    let status = ImportStatus::disabled();
    let Some(dir) = &settings.import_dir else {
        return Ok((status, None));
    };
    let config = ImportConfig {
        limits: settings.parse.limits,
        ..ImportConfig::new(dir.clone())
    };
    let watcher = ImportDir::start(config, store, status.clone())?;
    Ok((status, Some(watcher)))
}

/// Appends the import folder's counters to `/metrics` (when a folder is watched).
pub fn render_metrics(out: &mut String, status: &ImportStatus) {
    let snapshot = status.snapshot();
    if !snapshot.enabled {
        return;
    }
    let metrics = [
        (
            "import_dir_imported_total",
            "counter",
            "Files of the import folder imported (already imported ones included) since the start.",
            snapshot.imported,
        ),
        (
            "import_dir_failed_total",
            "counter",
            "Files of the import folder refused (moved to failed/) since the start.",
            snapshot.failed,
        ),
        (
            "import_dir_pending",
            "gauge",
            "Files of the import folder waiting to stop growing.",
            snapshot.pending as u64,
        ),
        (
            "import_dir_watching",
            "gauge",
            "1 while the import folder is watched.",
            u64::from(snapshot.watching),
        ),
    ];
    for (name, kind, help, value) in metrics {
        let _ = writeln!(out, "# HELP storeboard_{name} {help}\n# TYPE storeboard_{name} {kind}\nstoreboard_{name} {value}");
    }
}
