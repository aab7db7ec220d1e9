//! The order store: the database plus the live snapshots, and the upload semantics
//! (merge / replace) applied in one transaction each.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{Actor, AuditEntry};
use crate::codec::LineIndex;
use crate::dataset::{Present, Sym};
use crate::db::{Db, StoreSize};
use crate::error::StoreError;
use crate::ingest::Ingested;
use crate::load::{load_stores, load_threads, Progress};
use crate::merge::Replaced;
use crate::report::{problems_csv, IngestReport, StoreSpan};
use crate::snapshot::Registry;
use crate::staged::Staged;
use crate::write::{build_days, swap_merged, StoreJob};

/// How an upload treats a store's existing data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadMode {
    /// The file's days replace the same days of each of its stores; other history stays.
    #[default]
    Merge,
    /// The file replaces all data of each of its stores.
    Replace,
}

impl UploadMode {
    /// `merge` or `replace`.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadMode::Merge => "merge",
            UploadMode::Replace => "replace",
        }
    }
}

impl std::str::FromStr for UploadMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "merge" | "" => Ok(UploadMode::Merge),
            "replace" => Ok(UploadMode::Replace),
            other => Err(format!("unknown mode '{other}': use merge or replace")),
        }
    }
}

/// What one upload did: kept in the database and answered to the uploader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadRecord {
    /// The upload's id.
    pub id: i64,
    /// The file's name as uploaded.
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Merge or replace.
    pub mode: UploadMode,
    /// When it was applied (UTC, RFC 3339).
    pub uploaded_at: String,
    /// The stores it touched with their lines, orders and days.
    pub stores: Vec<StoreSpan>,
    /// Lines stored.
    pub lines: usize,
    /// First day in the file.
    pub first_day: Option<NaiveDate>,
    /// Last day in the file.
    pub last_day: Option<NaiveDate>,
    /// The same file (by SHA-256) had been uploaded before; its data is unchanged by this one.
    pub already_imported: bool,
    /// Who applied it ([`Actor::who`]: `admin (session)`, `open`, `import-dir` for the import
    /// folder, `system`); empty in records from before it was kept.
    #[serde(default)]
    pub actor: String,
    /// The validation report.
    pub report: IngestReport,
}

/// How long a write waits for a start-up load to end before it gives up with
/// [`StoreError::Loading`].
pub const WRITE_WAIT: Duration = Duration::from_secs(60);

/// The database and the snapshots served from memory.
#[derive(Debug)]
pub struct OrderStore {
    db: Mutex<Db>,
    registry: Registry,
    /// The newest upload, kept in memory: every page header shows it, and reading it from the
    /// database would wait behind a long upload transaction.
    last_upload: Mutex<Option<UploadRecord>>,
    /// The stores a start-up load has still to load.
    progress: Progress,
}

impl OrderStore {
    /// Opens the database in `dir` and loads every store before returning (stores spread over
    /// the cores). See [`OrderStore::open_in_background`] to serve while they load.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let store = Self::open_empty(dir)?;
        let sizes = store.db().store_sizes()?;
        store.progress.start(&sizes);
        let outcome = store.load_all(&sizes);
        store.progress.finish(&outcome);
        outcome.map(|()| store)
    }

    /// Opens the database in `dir` and returns at once; every store is loaded on background
    /// threads, appearing in the registry as soon as it is built. [`OrderStore::loading`]
    /// lists the stores not loaded yet; writes wait for the load ([`WRITE_WAIT`] at most,
    /// then [`StoreError::Loading`]) and are refused if it failed
    /// ([`OrderStore::wait_loaded`] tells).
    pub fn open_in_background(dir: &Path) -> Result<Arc<Self>, StoreError> {
        let store = Arc::new(Self::open_empty(dir)?);
        let sizes = store.db().store_sizes()?;
        store.progress.start(&sizes);
        let loader = Arc::clone(&store);
        let spawned = std::thread::Builder::new()
            .name("store-load".to_owned())
            .spawn(move || {
                let load = std::panic::AssertUnwindSafe(|| loader.load_all(&sizes));
                let outcome = std::panic::catch_unwind(load).unwrap_or_else(|_| {
                    Err(StoreError::LoadFailed {
                        detail: "the loading thread panicked".to_owned(),
                    })
                });
                if let Err(err) = &outcome {
                    tracing::error!("loading the order store failed: {err}");
                }
                loader.progress.finish(&outcome);
            });
        if let Err(err) = spawned {
            let outcome = Err(StoreError::LoadFailed {
                detail: format!("cannot start the loading thread: {err}"),
            });
            store.progress.finish(&outcome);
            outcome?;
        }
        Ok(store)
    }

    /// The database open, no store loaded yet.
    fn open_empty(dir: &Path) -> Result<Self, StoreError> {
        let db = Db::open(dir)?;
        let last = db
            .uploads(1)?
            .into_iter()
            .find_map(|(_, json)| serde_json::from_str(&json).ok());
        Ok(Self {
            db: Mutex::new(db),
            registry: Registry::default(),
            last_upload: Mutex::new(last),
            progress: Progress::default(),
        })
    }

    /// Loads the stores of `sizes` into the registry, largest first, spread over the cores.
    fn load_all(&self, sizes: &[StoreSize]) -> Result<(), StoreError> {
        let started = Instant::now();
        let reader = self.db().reader()?;
        let version = self.registry.next_version();
        let threads = load_threads(sizes.len());
        load_stores(&reader, sizes, version, threads, &|snapshot| {
            let name = snapshot.name.clone();
            self.registry.swap(snapshot);
            // The registry's version changes with every store that arrives, so whoever watches
            // it (the aggregates' warmer) sees each one.
            self.registry.next_version();
            self.progress.loaded(&name);
        })?;
        tracing::info!(
            stores = sizes.len(),
            threads,
            ms = started.elapsed().as_millis() as u64,
            "order store ready: {}",
            reader.path().display()
        );
        Ok(())
    }

    /// The stores a start-up load has not loaded yet, by name: empty once every store is
    /// loaded (or the load failed: see [`OrderStore::wait_loaded`]).
    pub fn loading(&self) -> Vec<String> {
        self.progress.pending()
    }

    /// Waits up to `timeout` for the start-up load: `Ok` once every store is loaded,
    /// [`StoreError::Loading`] while it still runs, [`StoreError::LoadFailed`] if it failed.
    pub fn wait_loaded(&self, timeout: Duration) -> Result<(), StoreError> {
        self.progress.wait(timeout)
    }

    /// Why the start-up load failed, if it did.
    pub fn load_failure(&self) -> Option<String> {
        self.progress.failure()
    }

    /// The newest upload, if any (from memory: never waits for the database).
    pub fn last_upload(&self) -> Option<UploadRecord> {
        self.last_upload
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The live snapshots.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        // A panic while holding the lock cannot leave the database half-written (writes are
        // transactions), so a poisoned lock is safe to keep using.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Applies a parsed upload in one transaction, then swaps in the affected stores' snapshots
    /// (recorded in the audit log as done by the system; see [`OrderStore::apply_as`]).
    pub fn apply(
        &self,
        upload: &Ingested,
        file_name: &str,
        sha256: &str,
        mode: UploadMode,
    ) -> Result<UploadRecord, StoreError> {
        self.apply_as(upload, file_name, sha256, mode, &Actor::system())
    }

    /// [`OrderStore::apply`], with `actor` in the audit log entry written in the same
    /// transaction.
    pub fn apply_as(
        &self,
        upload: &Ingested,
        file_name: &str,
        sha256: &str,
        mode: UploadMode,
        actor: &Actor,
    ) -> Result<UploadRecord, StoreError> {
        let data = &upload.data;
        let stores = store_syms(data);
        let mut record = UploadRecord {
            id: 0,
            file_name: file_name.to_owned(),
            sha256: sha256.to_owned(),
            mode,
            uploaded_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            stores: upload.report.stores.clone(),
            lines: data.line_count(),
            first_day: upload.report.stores.iter().map(|s| s.first_day).min(),
            last_day: upload.report.stores.iter().map(|s| s.last_day).max(),
            already_imported: false,
            actor: actor.who.clone(),
            report: upload.report.clone(),
        };
        self.progress.wait(WRITE_WAIT)?;
        let mut db = self.db();
        record.already_imported = db.seen(sha256)?;
        let writer = db.transaction()?;
        let index = LineIndex::new(data);
        let sizes = store_sizes(data);
        let jobs: Vec<StoreJob> = stores
            .iter()
            .map(|(sym, span)| {
                let (orders, lines) = sizes.get(sym).copied().unwrap_or_default();
                StoreJob {
                    sym: *sym,
                    name: span.name.clone(),
                    replaced: match mode {
                        UploadMode::Merge => Replaced::Range(span.first_day, span.last_day),
                        UploadMode::Replace => Replaced::All,
                    },
                    orders,
                    lines,
                }
            })
            .collect();
        for job in &jobs {
            let range = match job.replaced {
                Replaced::Range(from, to) => Some((from, to)),
                Replaced::All => None,
            };
            writer.delete_days(&job.name, range)?;
        }
        // Each day is written as soon as it is built (on the cores' worker threads), and kept
        // as columns to merge into the store's snapshot after the commit.
        let threads = load_threads(jobs.len());
        let present = data.present.bits();
        let built = build_days(data, &index, &jobs, threads, |job, day| {
            writer.put_blob(&job.name, day, present)
        })?;
        let bits = writer.present_bits()?;
        let present: Vec<Present> = jobs
            .iter()
            .map(|job| Present::from_bits(bits.get(&job.name).copied().unwrap_or_default()))
            .collect();
        let csv = problems_csv(&upload.problems);
        let json = serde_json::to_string(&record).unwrap_or_default();
        record.id = writer.record_upload(
            file_name,
            sha256,
            mode.as_str(),
            &record.uploaded_at,
            &json,
            &csv,
        )?;
        writer.update_record(
            record.id,
            &serde_json::to_string(&record).unwrap_or_default(),
        )?;
        writer.audit(
            if mode == UploadMode::Replace {
                "replace"
            } else {
                "upload"
            },
            actor,
            &record
                .stores
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            &upload_detail(&record),
        )?;
        writer.commit()?;
        // The live snapshots become the stored data plus this upload: merged into them, never
        // read back from the database.
        let version = self.registry.next_version();
        swap_merged(&self.registry, &jobs, built, &present, version, threads);
        // Once more now that every snapshot is in place: a watcher that read the version above
        // while the swaps were under way (the aggregates' warmer) comes back for the stores it
        // did not see yet, instead of leaving them to the first request.
        self.registry.next_version();
        drop(db);
        *self
            .last_upload
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(record.clone());
        Ok(record)
    }

    /// Deletes one store's data; false when there was none.
    pub fn delete_store(&self, name: &str) -> Result<bool, StoreError> {
        self.delete_store_as(name, &Actor::system())
    }

    /// [`OrderStore::delete_store`], with `actor` in the audit log (when there was data).
    pub fn delete_store_as(&self, name: &str, actor: &Actor) -> Result<bool, StoreError> {
        self.progress.wait(WRITE_WAIT)?;
        let mut db = self.db();
        let writer = db.transaction()?;
        let removed = writer.delete_days(name, None)?;
        if removed > 0 {
            writer.audit("delete", actor, name, &format!("{removed} days"))?;
        }
        writer.commit()?;
        let existed = self.registry.remove(name);
        Ok(removed > 0 || existed)
    }

    /// Adds an audit entry on its own (logins, logouts).
    pub fn audit(
        &self,
        action: &str,
        actor: &Actor,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut db = self.db();
        let writer = db.transaction()?;
        writer.audit(action, actor, target, detail)?;
        writer.commit()
    }

    /// The latest `limit` audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.db().audit_log(limit)
    }

    /// The latest uploads, newest first.
    pub fn uploads(&self, limit: usize) -> Result<Vec<UploadRecord>, StoreError> {
        let rows = self.db().uploads(limit)?;
        Ok(rows
            .into_iter()
            .filter_map(|(_, json)| serde_json::from_str(&json).ok())
            .collect())
    }

    /// Every problem of one upload, as CSV.
    pub fn problems_csv(&self, id: i64) -> Result<String, StoreError> {
        self.db().problems(id)
    }
}

/// `file.xlsx: 1,234 lines, 2026-11-01..2026-11-07` (and `(already imported)`).
fn upload_detail(record: &UploadRecord) -> String {
    let days = match (record.first_day, record.last_day) {
        (Some(a), Some(b)) => format!(", {a}..{b}"),
        _ => String::new(),
    };
    let again = if record.already_imported {
        " (already imported)"
    } else {
        ""
    };
    format!("{}: {} lines{days}{again}", record.file_name, record.lines)
}

/// Each store of a parsed upload: its string id and its span from the report.
fn store_syms(data: &Staged) -> Vec<(Sym, StoreSpan)> {
    let spans = crate::report::store_spans(data);
    let mut syms: Vec<Sym> = data.order_stores().to_vec();
    syms.sort_unstable();
    syms.dedup();
    spans
        .into_iter()
        .filter_map(|span| {
            let sym = syms
                .iter()
                .copied()
                .find(|&s| data.strings.get(s) == span.name)?;
            Some((sym, span))
        })
        .collect()
}

/// Each store's orders and lines in a parsed upload, by the store's string id.
fn store_sizes(data: &Staged) -> HashMap<Sym, (usize, usize)> {
    let mut sizes: HashMap<Sym, (usize, usize)> = HashMap::new();
    for (&store, &lines) in data.order_stores().iter().zip(data.order_line_counts()) {
        let size = sizes.entry(store).or_default();
        size.0 += 1;
        size.1 += lines as usize;
    }
    sizes
}
