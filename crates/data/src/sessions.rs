//! Login sessions kept across restarts: the server-side ids that make a session cookie
//! revocable (see `storeboard-auth`). A logout deletes its row; a restart takes the rows back.

use rusqlite::params;

use crate::error::StoreError;
use crate::store::OrderStore;

/// The table (created with the rest of the schema).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
";

/// One kept session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The random id the cookie carries.
    pub id: String,
    /// `admin` or `viewer`.
    pub role: String,
    /// A keyed fingerprint of the password it was issued under.
    pub fingerprint: String,
    /// When it ends (seconds since the Unix epoch).
    pub expires_at: i64,
}

impl OrderStore {
    /// Every kept session.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        let db = self.db();
        let mut stmt = db
            .conn
            .prepare("SELECT id, role, fingerprint, expires_at FROM sessions")
            .map_err(|e| db.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SessionRow {
                    id: r.get(0)?,
                    role: r.get(1)?,
                    fingerprint: r.get(2)?,
                    expires_at: r.get(3)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(|e| db.err(e));
        rows
    }

    /// Keeps a new session.
    pub fn save_session(&self, row: &SessionRow) -> Result<(), StoreError> {
        let mut db = self.db();
        let writer = db.transaction()?;
        writer
            .tx
            .execute(
                "INSERT OR REPLACE INTO sessions (id, role, fingerprint, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![row.id, row.role, row.fingerprint, row.expires_at],
            )
            .map_err(|e| writer.err(e))?;
        writer.commit()
    }

    /// Ends these sessions (and every expired one: the table does not grow with old logins).
    pub fn delete_sessions(&self, ids: &[String], now: i64) -> Result<(), StoreError> {
        let mut db = self.db();
        let writer = db.transaction()?;
        for id in ids {
            writer
                .tx
                .execute("DELETE FROM sessions WHERE id = ?1", [id])
                .map_err(|e| writer.err(e))?;
        }
        writer
            .tx
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])
            .map_err(|e| writer.err(e))?;
        writer.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, expires_at: i64) -> SessionRow {
        SessionRow {
            id: id.to_owned(),
            role: "viewer".to_owned(),
            fingerprint: "f".to_owned(),
            expires_at,
        }
    }

    #[test]
    fn sessions_are_kept_across_a_reopen_until_deleted_or_expired() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = OrderStore::open(dir.path()).expect("opens");
        store.save_session(&row("a", 100)).expect("saved");
        store.save_session(&row("b", 200)).expect("saved");
        store.save_session(&row("c", 300)).expect("saved");
        drop(store);
        let store = OrderStore::open(dir.path()).expect("reopens");
        assert_eq!(store.sessions().expect("read").len(), 3);
        store
            .delete_sessions(&["c".to_owned()], 150)
            .expect("deleted");
        let left: Vec<String> = store
            .sessions()
            .expect("read")
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(left, ["b"], "c logged out, a expired");
    }
}
