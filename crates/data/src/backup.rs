//! Backups, restores and the data-directory lock.
//!
//! - [`DataDirLock`]: the exclusive lock on `DATA_DIR/storeboard.lock` that a server holds while it
//!   runs. A second server on the same directory, or a restore into it, is refused.
//! - [`backup`]: a consistent copy of the live database (`VACUUM INTO` on a separate read-only
//!   connection). It is safe while the server serves uploads: the copy is one read transaction.
//! - [`restore`]: validates a backup, keeps the current database as
//!   `storeboard.db.before-restore-<UTC time>` and puts the backup in place atomically.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::db::DB_FILE;

mod lock;
#[cfg(test)]
mod tests;

pub use lock::{DataDirLock, LOCK_FILE};

/// The tables a database must have to be restored.
const REQUIRED_TABLES: [&str; 2] = ["store_days", "uploads"];

/// How long a backup or restore waits for the server's writes to let it read.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a backup, a restore or the data-directory lock failed. Each names the file or directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// Another process holds the data directory's lock.
    #[error("data directory {} is in use by another storeboard{}; stop it first, or use another --data-dir", dir.display(), pid_note(*pid))]
    InUse {
        /// The data directory.
        dir: PathBuf,
        /// The holder's process id, when it could be read from the lock file.
        pid: Option<u32>,
    },
    /// A file operation failed.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done (`read`, `create`, `lock`…).
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The data directory holds no database to back up.
    #[error("{}: no database here (no {DB_FILE}); check --data-dir", dir.display())]
    NoDatabase {
        /// The data directory.
        dir: PathBuf,
    },
    /// The backup's target exists; backups never overwrite.
    #[error("{} already exists; a backup never overwrites a file: choose a new --out name", path.display())]
    OutExists {
        /// The target.
        path: PathBuf,
    },
    /// The file is not a Storeboard database.
    #[error("{}: not a storeboard database: {detail}", path.display())]
    NotADatabase {
        /// The file.
        path: PathBuf,
        /// What is wrong (not SQLite, missing tables…).
        detail: String,
    },
    /// SQLite's integrity check failed.
    #[error("{}: the database is damaged (integrity check: {detail})", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// The first problems the check reported.
        detail: String,
    },
    /// The restore source is the live database itself.
    #[error("{} is the live database itself; restore from a backup file", path.display())]
    SameFile {
        /// The file.
        path: PathBuf,
    },
    /// SQLite said no.
    #[error("{}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

fn pid_note(pid: Option<u32>) -> String {
    pid.map(|pid| format!(" (process {pid})"))
        .unwrap_or_default()
}

fn io(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.to_owned();
    move |source| BackupError::Io {
        path,
        action,
        source,
    }
}

fn sqlite(path: &Path) -> impl FnOnce(rusqlite::Error) -> BackupError {
    let path = path.to_owned();
    move |source| BackupError::Sqlite { path, source }
}

/// What a database holds, as a backup or restore reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// Stores with data.
    pub stores: u64,
    /// Stored store-days (one store's orders of one day each).
    pub days: u64,
    /// The first and last day with data, `YYYY-MM-DD`.
    pub span: Option<(String, String)>,
    /// Uploads in the history.
    pub uploads: u64,
    /// The file's size. In bytes.
    pub bytes: u64,
}

/// Copies the database of `data_dir` to `out`, consistently, while a server may be writing to it.
/// Refuses when `out` exists. Returns what the copy holds, read back from the copy.
pub fn backup(data_dir: &Path, out: &Path) -> Result<Contents, BackupError> {
    let live = data_dir.join(DB_FILE);
    if !live.is_file() {
        return Err(BackupError::NoDatabase {
            dir: data_dir.to_owned(),
        });
    }
    if out.symlink_metadata().is_ok() {
        return Err(BackupError::OutExists {
            path: out.to_owned(),
        });
    }
    let out = std::path::absolute(out).map_err(io(out, "resolve"))?;
    let conn = open_read_only(&live)?;
    if let Err(err) = vacuum_into(&conn, &live, &out) {
        // Nothing was there before: whatever SQLite left is a partial copy.
        let _ = fs::remove_file(&out);
        return Err(err);
    }
    drop(conn);
    let copy = open_read_only(&out)?;
    contents(&copy, &out)
}

/// Checks that `file` can be restored: an SQLite database with Storeboard's tables that passes
/// `PRAGMA integrity_check`. Returns what it holds.
pub fn validate(file: &Path) -> Result<Contents, BackupError> {
    let conn = open_valid(file)?;
    contents(&conn, file)
}

/// What [`restore`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// What the restored database holds.
    pub contents: Contents,
    /// Where the database it replaced was kept; `None` when there was none.
    pub kept: Option<PathBuf>,
}

/// Replaces the database of `data_dir` by the backup `file`. Refused while a server holds the
/// directory ([`BackupError::InUse`]) and when `file` fails [`validate`]; the database is then
/// left as it was.
/// Otherwise the current database (its WAL folded in) is kept as
/// `storeboard.db.before-restore-<UTC time>`, and a copy of `file` staged in the directory and
/// synced replaces it in one rename. The next start loads the restored data.
pub fn restore(data_dir: &Path, file: &Path) -> Result<Restored, BackupError> {
    fs::create_dir_all(data_dir).map_err(io(data_dir, "create the data directory"))?;
    let lock = DataDirLock::acquire(data_dir)?;
    let live = data_dir.join(DB_FILE);
    same_owner(lock.path(), &[&live, data_dir]);
    if let (Ok(a), Ok(b)) = (fs::canonicalize(file), fs::canonicalize(&live)) {
        if a == b {
            return Err(BackupError::SameFile { path: a });
        }
    }
    let source = open_valid(file)?;
    let contents = contents(&source, file)?;
    let staged = data_dir.join(format!("{DB_FILE}.restore-tmp"));
    let staged = std::path::absolute(&staged).map_err(io(&staged, "resolve"))?;
    remove_with_sidecars(&staged)?;
    let result = vacuum_into(&source, file, &staged)
        .and_then(|()| {
            same_owner(&staged, &[&live, data_dir]);
            drop_and_keep(source, &live)
        })
        .and_then(|kept| {
            fs::rename(&staged, &live).map_err(io(&live, "replace the database"))?;
            Ok(kept)
        });
    match result {
        Ok(kept) => {
            sync_dir(data_dir);
            Ok(Restored { contents, kept })
        }
        Err(err) => {
            let _ = remove_with_sidecars(&staged);
            Err(err)
        }
    }
}

/// Closes the source connection, then keeps the live database (if any) under a new name.
fn drop_and_keep(source: Connection, live: &Path) -> Result<Option<PathBuf>, BackupError> {
    drop(source);
    keep_current(live)
}

/// Writes a consistent copy of `conn`'s database to `target` (which must not exist) and syncs it.
fn vacuum_into(conn: &Connection, from: &Path, target: &Path) -> Result<(), BackupError> {
    let Some(name) = target.to_str() else {
        let err = std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path is not UTF-8");
        return Err(io(target, "write")(err));
    };
    conn.execute("VACUUM INTO ?1", [name])
        .map_err(|source| match source.sqlite_error_code() {
            Some(ErrorCode::CannotOpen) => {
                let err = std::io::Error::other("SQLite cannot create it (does the folder exist?)");
                io(target, "write")(err)
            }
            _ => sqlite(from)(source),
        })?;
    OpenOptions::new()
        .write(true)
        .open(target)
        .and_then(|f| f.sync_all())
        .map_err(io(target, "sync"))
}

/// Keeps the live database as `storeboard.db.before-restore-<UTC time>`: its WAL is checkpointed
/// into it first, and any `-wal`/`-shm` left (a damaged database) move along with it.
fn keep_current(live: &Path) -> Result<Option<PathBuf>, BackupError> {
    if !live.exists() {
        // No database, so no WAL that could be replayed onto the restored one either.
        remove_with_sidecars(live)?;
        return Ok(None);
    }
    checkpoint(live)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{DB_FILE}.before-restore-{stamp}");
    let dir = live.parent().unwrap_or(Path::new("."));
    let kept = (1..)
        .map(|n| match n {
            1 => dir.join(&base),
            n => dir.join(format!("{base}-{n}")),
        })
        .find(|p| p.symlink_metadata().is_err())
        .unwrap_or_else(|| dir.join(&base));
    // A link (or copy) so the live name is replaced by the restored file in one rename.
    if fs::hard_link(live, &kept).is_err() {
        fs::copy(live, &kept)
            .and_then(|_| OpenOptions::new().write(true).open(&kept))
            .and_then(|f| f.sync_all())
            .map_err(io(&kept, "keep the current database as"))?;
    }
    for suffix in ["-wal", "-shm"] {
        let side = sidecar(live, suffix);
        if side.exists() {
            fs::rename(&side, sidecar(&kept, suffix)).map_err(io(&side, "move"))?;
        }
    }
    Ok(Some(kept))
}

/// Folds the live database's WAL into it and leaves WAL mode, so it is one self-contained file.
/// A database SQLite cannot read is left as it is (its sidecars are then moved with it); one that
/// another program has open refuses the restore.
fn checkpoint(live: &Path) -> Result<(), BackupError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let result = Connection::open_with_flags(live, flags).and_then(|conn| {
        conn.busy_timeout(Duration::from_secs(2))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        conn.close().map_err(|(_, err)| err)
    });
    match result {
        Ok(()) => Ok(()),
        Err(err) if is_busy(&err) => Err(sqlite(live)(err)),
        Err(err) => {
            tracing::warn!(
                "{}: cannot checkpoint ({err}); moving it as it is",
                live.display()
            );
            Ok(())
        }
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes a database file and its `-wal`, `-shm` and `-journal` files, whichever exist.
fn remove_with_sidecars(db: &Path) -> Result<(), BackupError> {
    for path in ["", "-wal", "-shm", "-journal"].map(|s| sidecar(db, s)) {
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&path, "remove")(e)),
        }
    }
    Ok(())
}

/// Gives `path` the owner of the first of `like` that exists, so that a restore run as root
/// leaves files the service's user can write (Unix; on Windows the directory's ACL is inherited).
/// Without the right to change owners, the file keeps its owner.
fn same_owner(path: &Path, like: &[&Path]) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let Some(meta) = like.iter().find_map(|p| fs::metadata(p).ok()) {
            let _ = std::os::unix::fs::chown(path, Some(meta.uid()), Some(meta.gid()));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, like);
}

/// Makes the renames in `dir` durable (Unix; NTFS journals its metadata itself).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(err) = fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!("{}: cannot sync the directory: {err}", dir.display());
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn open_read_only(path: &Path) -> Result<Connection, BackupError> {
    let path = std::path::absolute(path).map_err(io(path, "resolve"))?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&path, flags).map_err(sqlite(&path))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite(&path))?;
    Ok(conn)
}

/// Opens `file` read-only after checking it is a whole Storeboard database.
fn open_valid(file: &Path) -> Result<Connection, BackupError> {
    let meta = fs::metadata(file).map_err(io(file, "read"))?;
    let not_db = |detail: String| BackupError::NotADatabase {
        path: file.to_owned(),
        detail,
    };
    if !meta.is_file() {
        return Err(not_db("not a file".to_owned()));
    }
    let conn = open_read_only(file)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(|err| match err.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => not_db("not an SQLite database".to_owned()),
            _ => sqlite(file)(err),
        })?;
    let missing: Vec<&str> = REQUIRED_TABLES
        .into_iter()
        .filter(|t| !tables.iter().any(|have| have == t))
        .collect();
    if !missing.is_empty() {
        return Err(not_db(format!("no table {}", missing.join(", "))));
    }
    let report: Vec<String> = conn
        .prepare("PRAGMA integrity_check(10)")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(sqlite(file))?;
    if report != ["ok"] {
        return Err(BackupError::Damaged {
            path: file.to_owned(),
            detail: report.join("; "),
        });
    }
    Ok(conn)
}

fn contents(conn: &Connection, path: &Path) -> Result<Contents, BackupError> {
    let (stores, days, first, last): (u64, u64, Option<String>, Option<String>) = conn
        .query_row(
            "SELECT COUNT(DISTINCT store), COUNT(*), MIN(day), MAX(day) FROM store_days",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .map_err(sqlite(path))?;
    let uploads = conn
        .query_row("SELECT COUNT(*) FROM uploads", [], |r| r.get(0))
        .map_err(sqlite(path))?;
    let bytes = fs::metadata(path).map_err(io(path, "read"))?.len();
    Ok(Contents {
        stores,
        days,
        span: first.zip(last),
        uploads,
        bytes,
    })
}
