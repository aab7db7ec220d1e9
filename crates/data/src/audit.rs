//! The audit log: who uploaded, replaced, deleted or logged in, from where, and when. It lives in
//! the database beside the data, and a change's entry is written in the same transaction as the
//! change itself, so the log and the data never disagree.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::db::{Db, Writer};
use crate::error::StoreError;

/// The table (created with the rest of the schema).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    ip      TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    detail  TEXT    NOT NULL
);
";

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
    /// `upload`, `replace`, `delete`, `login`, `login_failed`, `logout`.
    pub action: String,
    /// Who ([`Actor::who`]).
    pub actor: String,
    /// From where.
    pub ip: String,
    /// What it touched (store names, a file name).
    pub target: String,
    /// More about it (lines, days, mode).
    pub detail: String,
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
}

impl Db {
    /// The latest `limit` entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, action, actor, ip, target, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
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
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(e))
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
}
