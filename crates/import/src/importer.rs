//! One file's way through the folder: into `.importing/`, parsed and applied like an HTTP
//! upload (merge mode, one transaction, audited as [`ACTOR`]), then into `done/` or `failed/`
//! with its report beside it.

use std::fs::File;
use std::io::{BufReader, Read as _};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use storeboard_data::{
    ingest, Actor, IngestError, IngestOptions, OrderStore, StoreError, UploadMode, UploadRecord,
};

use crate::names::{free_name, DONE, FAILED, IMPORTING, REPORT_SUFFIX};
use crate::status::{ImportResult, ImportStatus, Outcome, Refusal};
use crate::{ImportError, ACTOR};

/// What is written to `NAME.report.json`: the outcome, and for an import the upload record
/// the HTTP upload would have answered (its validation report with the first problems).
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    outcome: &'a Outcome,
    already_imported: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    upload: Option<&'a UploadRecord>,
}

/// Imports the files of one folder into one store.
pub(crate) struct Importer {
    dir: PathBuf,
    store: Arc<OrderStore>,
    options: IngestOptions,
    status: ImportStatus,
}

impl Importer {
    pub(crate) fn new(
        dir: PathBuf,
        store: Arc<OrderStore>,
        options: IngestOptions,
        status: ImportStatus,
    ) -> Self {
        Self {
            dir,
            store,
            options,
            status,
        }
    }

    /// Creates the folder and its `done/`, `failed/` and `.importing/` when missing.
    pub(crate) fn create_dirs(dir: &Path) -> Result<(), ImportError> {
        for sub in [
            dir.to_owned(),
            dir.join(DONE),
            dir.join(FAILED),
            dir.join(IMPORTING),
        ] {
            std::fs::create_dir_all(&sub)
                .map_err(|source| ImportError::Dir { path: sub, source })?;
        }
        Ok(())
    }

    /// The files an interrupted run left in `.importing/`, by name.
    pub(crate) fn interrupted(&self) -> Result<Vec<PathBuf>, ImportError> {
        let dir = self.dir.join(IMPORTING);
        let entries = std::fs::read_dir(&dir).map_err(|source| ImportError::Dir {
            path: dir.clone(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .collect();
        files.sort();
        Ok(files)
    }

    /// Moves `path` (a stable file of the folder) into `.importing/`, then imports it. A file
    /// that cannot be moved (still open in a program that locks it) stays and is tried again.
    pub(crate) fn take(&self, path: &Path) -> Result<Outcome, ImportError> {
        let name = file_name(path);
        let importing = self.dir.join(IMPORTING);
        let to = importing.join(free_name(&importing, &name));
        std::fs::rename(path, &to).map_err(|source| ImportError::Move {
            from: path.to_owned(),
            to: to.clone(),
            source,
        })?;
        self.finish(&to)
    }

    /// Imports a file of `.importing/` and moves it to `done/` or `failed/` with its report.
    /// If the server stops before the move, the file is still in `.importing/` and the next
    /// start runs this again: the import was one transaction and its SHA-256 is known, so the
    /// second run changes no figure and its report says `already_imported`.
    pub(crate) fn finish(&self, importing: &Path) -> Result<Outcome, ImportError> {
        let name = file_name(importing);
        let applied = panic::catch_unwind(AssertUnwindSafe(|| self.apply(importing, &name)))
            .unwrap_or_else(|panic| {
                tracing::error!(file = %name, "import panicked: {}", panic_text(&*panic));
                Err(refusal(
                    "internal_error",
                    "导入时出错",
                    &panic_text(&*panic),
                    Value::Null,
                ))
            });
        let sub = if applied.is_ok() { DONE } else { FAILED };
        let target = self.dir.join(sub);
        let final_name = free_name(&target, &name);
        let to = target.join(&final_name);
        std::fs::rename(importing, &to).map_err(|source| ImportError::Move {
            from: importing.to_owned(),
            to: to.clone(),
            source,
        })?;
        let report_name = format!("{final_name}{REPORT_SUFFIX}");
        let outcome = outcome(&name, sub, &final_name, &report_name, &applied);
        let report = Report {
            outcome: &outcome,
            already_imported: applied.as_ref().is_ok_and(|r| r.already_imported),
            upload: applied.as_ref().ok(),
        };
        let report_path = target.join(&report_name);
        let text = serde_json::to_vec_pretty(&report).unwrap_or_default();
        if let Err(err) = std::fs::write(&report_path, text) {
            tracing::warn!("cannot write {}: {err}", report_path.display());
        }
        log(&outcome);
        self.status.record(outcome.clone());
        Ok(outcome)
    }

    /// Parses and applies one file as an HTTP upload would (merge mode), audited as [`ACTOR`].
    fn apply(&self, path: &Path, name: &str) -> Result<UploadRecord, Refusal> {
        let sha256 = sha256_of(path).map_err(|e| ingest_refusal(&IngestError::Io(e)))?;
        let file = File::open(path).map_err(|e| ingest_refusal(&IngestError::Io(e)))?;
        let ingested =
            ingest(BufReader::new(file), name, &self.options).map_err(|e| ingest_refusal(&e))?;
        let actor = Actor {
            who: ACTOR.to_owned(),
            ip: String::new(),
        };
        self.store
            .apply_as(&ingested, name, &sha256, UploadMode::Merge, &actor)
            .map_err(|e| store_refusal(&e))
    }
}

/// The outcome of a file finished as `applied`, now at `sub/final_name`.
fn outcome(
    name: &str,
    sub: &str,
    final_name: &str,
    report_name: &str,
    applied: &Result<UploadRecord, Refusal>,
) -> Outcome {
    let (result, record, error) = match applied {
        Ok(r) if r.already_imported => (ImportResult::AlreadyImported, Some(r), None),
        Ok(r) => (ImportResult::Imported, Some(r), None),
        Err(refusal) => (ImportResult::Failed, None, Some(refusal.clone())),
    };
    Outcome {
        file: name.to_owned(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        result,
        moved_to: format!("{sub}/{final_name}"),
        report: format!("{sub}/{report_name}"),
        upload_id: record.map(|r| r.id),
        lines: record.map(|r| r.lines),
        rejected_lines: record.map(|r| r.report.rejected_lines),
        error,
    }
}

fn log(outcome: &Outcome) {
    match &outcome.error {
        None => tracing::info!(
            file = %outcome.file,
            lines = outcome.lines.unwrap_or_default(),
            already = outcome.result == ImportResult::AlreadyImported,
            "import folder: imported, moved to {}",
            outcome.moved_to
        ),
        Some(e) => tracing::warn!(
            file = %outcome.file,
            code = %e.code,
            "import folder: refused, moved to {} ({})",
            outcome.moved_to,
            e.message
        ),
    }
}

fn refusal(code: &str, zh: &str, text: &str, details: Value) -> Refusal {
    Refusal {
        code: code.to_owned(),
        message: format!("{zh}: {text}"),
        details,
    }
}

/// A refused file, named as the upload's error JSON names it.
fn ingest_refusal(err: &IngestError) -> Refusal {
    let zh = match err {
        IngestError::UnsupportedType { .. } => "不支持的文件类型",
        IngestError::Io(_) => "文件读取失败",
        _ => "文件无法导入",
    };
    refusal(err.code(), zh, &err.to_string(), err.details())
}

/// The database refused the import: not the file's fault, but nothing was stored, so the file
/// goes to `failed/` to be dropped in again once the cause is fixed.
fn store_refusal(err: &StoreError) -> Refusal {
    let code = match err {
        StoreError::Loading { .. } => "loading",
        _ => "database_error",
    };
    refusal(code, "数据库写入失败", &err.to_string(), Value::Null)
}

/// The last component of `path` as text (a name that is not UTF-8 keeps its readable part).
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// SHA-256 of a file, hex, as the upload computes it while receiving.
fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// A panic's message, when it has one.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}
