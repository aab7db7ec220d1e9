//! The audit log: who uploaded, replaced, deleted, saved or deleted a pricing plan, or logged in,
//! from where, and when. It lives in the database beside the data, and a change's entry is
//! written in the same transaction as the change itself, so the log and the data never disagree.
//!
//! Failed logins are aggregated: one row per address per window, with a count (a guesser would
//! otherwise push every upload and delete out of sight), and rows older than the keeping period
//! are pruned ([`crate::OrderStore::prune_audit`]).

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::db::{Db, Writer};
use crate::error::StoreError;
use crate::store::OrderStore;

/// The table (created with the rest of the schema).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    ip      TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    detail  TEXT    NOT NULL,
    count   INTEGER NOT NULL DEFAULT 1
);
";

/// After [`SCHEMA`]: a database from before failed logins were aggregated gets its `count`
/// column, then the index the aggregation looks rows up by.
pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let has_count = conn
        .prepare("SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'count'")?
        .exists([])?;
    if !has_count {
        conn.execute_batch("ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;")?;
    }
    conn.execute_batch("CREATE INDEX IF NOT EXISTS audit_log_by_ip ON audit_log (ip, action, id);")
}

/// The actions that change data (uploads, store deletes, saved pricing plans); every other one is
/// about logins.
const CHANGES: &str = "('upload', 'replace', 'delete', 'plan_save', 'plan_delete')";

/// Which part of the log to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    /// Uploads, replacements, deletes, and pricing plans saved or deleted.
    Changes,
    /// Logins, failed logins and logouts.
    Logins,
}

/// Who did something: a description of the credentials (`admin (session)`) and the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// `admin (session)`, `viewer (token)`, `open`, `system`, …
    pub who: String,
    /// The client's address (empty for the system itself).
    pub ip: String,
}

impl Actor {
    /// The server itself (start-up, tests, tools).
    pub fn system() -> Self {
        Self {
            who: "system".to_owned(),
            ip: String::new(),
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increasing id.
    pub id: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// `upload`, `replace`, `delete`, `plan_save`, `plan_delete`, `login`, `login_failed`,
    /// `logout`.
    pub action: String,
    /// Who ([`Actor::who`]).
    pub actor: String,
    /// From where.
    pub ip: String,
    /// What it touched (store names, a file name, a pricing plan's name).
    pub target: String,
    /// More about it (lines, days, mode); for failed logins the time of the latest one.
    pub detail: String,
    /// How many times it happened (failed logins from one address within a window are one
    /// entry).
    #[serde(default = "one")]
    pub count: i64,
}

fn one() -> i64 {
    1
}

/// Now, as the log writes it.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Writer<'_> {
    /// Adds an entry inside this transaction.
    pub fn audit(
        &self,
        action: &str,
        actor: &Actor,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO audit_log (at, action, actor, ip, target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![now(), action, actor.who, actor.ip, target, detail],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Counts a failed login from `actor`'s address: into the entry of the same address begun
    /// within `window`, or a new one. `detail` becomes the time of this failure.
    pub fn audit_failed_login(&self, actor: &Actor, window: Duration) -> Result<(), StoreError> {
        let now = chrono::Utc::now();
        let since = chrono::Duration::from_std(window)
            .ok()
            .and_then(|w| now.checked_sub_signed(w))
            .unwrap_or(now);
        let (now, since) = (stamp(now), stamp(since));
        let within: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM audit_log WHERE ip = ?1 AND action = 'login_failed' AND at >= ?2 \
                 ORDER BY id DESC LIMIT 1",
                params![actor.ip, since],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let done = match within {
            Some(id) => self.tx.execute(
                "UPDATE audit_log SET count = count + 1, detail = ?2 WHERE id = ?1",
                params![id, now],
            ),
            None => self.tx.execute(
                "INSERT INTO audit_log (at, action, actor, ip, target, detail, count) \
                 VALUES (?1, 'login_failed', ?2, ?3, '', ?1, 1)",
                params![now, actor.who, actor.ip],
            ),
        };
        done.map(|_| ()).map_err(|e| self.err(e))
    }

    /// Deletes the entries from before `before`; returns how many.
    pub fn prune_audit(&self, before: chrono::DateTime<chrono::Utc>) -> Result<usize, StoreError> {
        self.tx
            .execute("DELETE FROM audit_log WHERE at < ?1", [stamp(before)])
            .map_err(|e| self.err(e))
    }
}

/// A time as the log writes it (RFC 3339, UTC, whole seconds: text order is time order).
fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Db {
    /// The latest `limit` entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_where("1", limit)
    }

    /// The latest `limit` entries of one `kind`, newest first.
    pub fn audit_log_of(
        &self,
        kind: AuditKind,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let filter = match kind {
            AuditKind::Changes => format!("action IN {CHANGES}"),
            AuditKind::Logins => format!("action NOT IN {CHANGES}"),
        };
        self.audit_where(&filter, limit)
    }

    fn audit_where(&self, filter: &str, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT id, at, action, actor, ip, target, detail, count FROM audit_log \
             WHERE {filter} ORDER BY id DESC LIMIT ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        stmt.query_map([limit], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                action: r.get(2)?,
                actor: r.get(3)?,
                ip: r.get(4)?,
                target: r.get(5)?,
                detail: r.get(6)?,
                count: r.get(7)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(e))
    }
}

impl OrderStore {
    /// Counts a failed login from `actor` (see [`Writer::audit_failed_login`]).
    pub fn audit_failed_login(&self, actor: &Actor, window: Duration) -> Result<(), StoreError> {
        let mut db = self.db();
        let writer = db.transaction()?;
        writer.audit_failed_login(actor, window)?;
        writer.commit()
    }

    /// The latest `limit` audit entries of one `kind`, newest first.
    pub fn audit_log_of(
        &self,
        kind: AuditKind,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.db().audit_log_of(kind, limit)
    }

    /// Deletes the audit entries older than `keep`; returns how many.
    pub fn prune_audit(&self, keep: Duration) -> Result<usize, StoreError> {
        let now = chrono::Utc::now();
        let before = chrono::Duration::from_std(keep)
            .ok()
            .and_then(|k| now.checked_sub_signed(k));
        let Some(before) = before else {
            return Ok(0);
        };
        let mut db = self.db();
        let writer = db.transaction()?;
        let pruned = writer.prune_audit(before)?;
        writer.commit()?;
        Ok(pruned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_kept_in_the_transaction_and_listed_newest_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut db = Db::open(dir.path()).expect("opens");
        let who = Actor {
            who: "admin (session)".into(),
            ip: "192.168.1.20".into(),
        };
        let writer = db.transaction().expect("tx");
        writer.audit("login", &who, "", "").expect("first");
        writer
            .audit("delete", &who, "一号店", "30 days")
            .expect("second");
        writer.commit().expect("commit");
        let uncommitted = db.transaction().expect("tx");
        uncommitted
            .audit("upload", &who, "x", "")
            .expect("written but never committed");
        drop(uncommitted);
        let log = db.audit_log(10).expect("log");
        assert_eq!(log.len(), 2, "a rolled-back entry is not kept: {log:?}");
        assert_eq!(log[0].action, "delete");
        assert_eq!(log[0].target, "一号店");
        assert_eq!(log[1].ip, "192.168.1.20");
    }

    fn from(ip: &str) -> Actor {
        Actor {
            who: "-".into(),
            ip: ip.into(),
        }
    }

    #[test]
    fn failed_logins_from_one_address_within_a_window_are_one_counted_entry() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut db = Db::open(dir.path()).expect("opens");
        let writer = db.transaction().expect("tx");
        let window = Duration::from_secs(900);
        for _ in 0..1000 {
            writer
                .audit_failed_login(&from("10.0.0.9"), window)
                .expect("counted");
        }
        writer
            .audit("upload", &from("10.0.0.1"), "一号店", "")
            .expect("upload");
        writer
            .audit_failed_login(&from("10.0.0.8"), window)
            .expect("another");
        writer
            .audit_failed_login(&from("10.0.0.9"), window)
            .expect("again");
        writer.commit().expect("commit");
        let logins = db.audit_log_of(AuditKind::Logins, 10).expect("log");
        let counts: Vec<_> = logins.iter().map(|e| (e.ip.as_str(), e.count)).collect();
        assert_eq!(counts, [("10.0.0.8", 1), ("10.0.0.9", 1001)], "{logins:?}");
        let changes = db.audit_log_of(AuditKind::Changes, 10).expect("log");
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].action, "upload");
    }

    #[test]
    fn a_failure_after_the_window_starts_a_new_entry_and_old_entries_are_pruned() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut db = Db::open(dir.path()).expect("opens");
        let writer = db.transaction().expect("tx");
        writer
            .tx
            .execute(
                "INSERT INTO audit_log (at, action, actor, ip, target, detail, count) \
                 VALUES ('2020-01-01T00:00:00Z', 'login_failed', '-', '10.0.0.9', '', '', 7)",
                [],
            )
            .expect("an old entry");
        writer
            .audit_failed_login(&from("10.0.0.9"), Duration::from_secs(900))
            .expect("counted");
        let cutoff = chrono::Utc::now() - chrono::Duration::days(30);
        assert_eq!(writer.prune_audit(cutoff).expect("pruned"), 1);
        writer.commit().expect("commit");
        let log = db.audit_log(10).expect("log");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].count, 1, "a new window starts a new entry");
    }

    #[test]
    fn a_log_from_before_counts_gets_its_count_column() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = Connection::open(dir.path().join(crate::db::DB_FILE)).expect("opens");
        conn.execute_batch(
            "CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, \
             action TEXT NOT NULL, actor TEXT NOT NULL, ip TEXT NOT NULL, target TEXT NOT NULL, \
             detail TEXT NOT NULL); \
             INSERT INTO audit_log (at, action, actor, ip, target, detail) \
             VALUES ('2026-01-01T00:00:00Z', 'login', 'admin', '10.0.0.1', '', '');",
        )
        .expect("an old log");
        drop(conn);
        let db = Db::open(dir.path()).expect("migrates");
        let log = db.audit_log(10).expect("log");
        assert_eq!(log[0].count, 1);
    }
}
