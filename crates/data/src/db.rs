//! The embedded database: one SQLite file in WAL mode under the data directory. Each store's day
//! of orders is one blob; every upload is one transaction, so a crash at any moment leaves the
//! data exactly as before or after that upload.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};

use crate::codec::DayRows;
use crate::error::StoreError;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "storeboard.db";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS store_days (
    store   TEXT    NOT NULL,
    day     TEXT    NOT NULL,
    lines   INTEGER NOT NULL,
    orders  INTEGER NOT NULL,
    present INTEGER NOT NULL,
    data    BLOB    NOT NULL,
    PRIMARY KEY (store, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name   TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    mode        TEXT    NOT NULL,
    uploaded_at TEXT    NOT NULL,
    record      TEXT    NOT NULL,
    problems    TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_sha ON uploads (sha256);
";

/// The open database.
#[derive(Debug)]
pub struct Db {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// One stored store-day.
#[derive(Debug)]
pub struct StoredDay {
    /// The day.
    pub day: NaiveDate,
    /// Optional columns present (bits of `Present`).
    pub present: u64,
    /// Its orders and lines.
    pub rows: DayRows,
}

impl Db {
    /// Opens (creating if needed) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path).map_err(|source| StoreError::Db {
            path: path.clone(),
            source,
        })?;
        let db = Self { conn, path };
        db.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
            )
            .and_then(|()| db.conn.execute_batch(SCHEMA))
            .and_then(|()| db.conn.execute_batch(crate::audit::SCHEMA))
            .and_then(|()| crate::audit::migrate(&db.conn))
            .and_then(|()| db.conn.execute_batch(crate::sessions::SCHEMA))
            .and_then(|()| db.conn.execute_batch(crate::plans::SCHEMA))
            .map_err(|e| db.err(e))?;
        Ok(db)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Db {
            path: self.path.clone(),
            source,
        }
    }

    /// The stores that have data.
    pub fn store_names(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT store FROM store_days ORDER BY store")
            .map_err(|e| self.err(e))?;
        let names = stmt
            .query_map([], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        Ok(names)
    }

    /// Another connection to the database of `self`, read-only, for loading stores on other
    /// threads (WAL lets readers run beside each other and beside a writer).
    pub fn reader(&self) -> Result<Db, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| self.err(e))?;
        conn.execute_batch("PRAGMA busy_timeout = 5000;")
            .map_err(|e| self.err(e))?;
        Ok(Db {
            conn,
            path: self.path.clone(),
        })
    }

    /// Every store with data and its stored orders and lines, most lines first.
    pub fn store_sizes(&self) -> Result<Vec<StoreSize>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT store, SUM(orders), SUM(lines) FROM store_days GROUP BY store \
                 ORDER BY SUM(lines) DESC, store",
            )
            .map_err(|e| self.err(e))?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        let sizes = stmt
            .query_map([], |r| {
                Ok(StoreSize {
                    name: r.get(0)?,
                    orders: count(r.get(1)?),
                    lines: count(r.get(2)?),
                })
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        Ok(sizes)
    }

    /// Hands every stored day of one store to `each` (day, optional columns present, blob),
    /// oldest first, one at a time: the blob is borrowed from SQLite, never copied, and only
    /// one day is in memory at once.
    pub fn for_each_day(
        &self,
        store: &str,
        mut each: impl FnMut(&str, u64, &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT day, present, data FROM store_days WHERE store = ?1 ORDER BY day",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([store]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let day = row
                .get_ref(0)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(|e| self.err(e))?;
            let present: i64 = row.get(1).map_err(|e| self.err(e))?;
            let blob = row
                .get_ref(2)
                .and_then(|v| Ok(v.as_blob()?))
                .map_err(|e| self.err(e))?;
            each(day, present as u64, blob)?;
        }
        Ok(())
    }

    /// Every stored day of one store, oldest first.
    pub fn store_days(&self, store: &str) -> Result<Vec<StoredDay>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT day, present, data FROM store_days WHERE store = ?1 ORDER BY day",
            )
            .map_err(|e| self.err(e))?;
        let raw: Vec<(String, i64, Vec<u8>)> = stmt
            .query_map([store], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        raw.into_iter()
            .map(|(day, present, blob)| {
                let damaged = |detail: String| StoreError::Damaged {
                    path: self.path.clone(),
                    store: store.to_owned(),
                    day: day.clone(),
                    detail,
                };
                let parsed = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|e| damaged(e.to_string()))?;
                let rows = DayRows::decode(&blob).map_err(damaged)?;
                Ok(StoredDay {
                    day: parsed,
                    present: present as u64,
                    rows,
                })
            })
            .collect()
    }

    /// Starts the one transaction of an upload or a delete.
    pub fn transaction(&mut self) -> Result<Writer<'_>, StoreError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|source| StoreError::Db {
            path: path.clone(),
            source,
        })?;
        Ok(Writer { tx, path })
    }

    /// Upload records, newest first: `(id, record JSON)`.
    pub fn uploads(&self, limit: usize) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, record FROM uploads ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The full problem list (CSV) of one upload.
    pub fn problems(&self, id: i64) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT problems FROM uploads WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NoUpload(id))
    }

    /// True when a file with this SHA-256 was uploaded before.
    pub fn seen(&self, sha256: &str) -> Result<bool, StoreError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM uploads WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }
}

/// One store's size as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSize {
    /// 门店名称.
    pub name: String,
    /// Stored orders.
    pub orders: usize,
    /// Stored lines.
    pub lines: usize,
}

/// One store-day as it is stored: the blob of its [`DayRows`] and its counts.
#[derive(Debug, Clone)]
pub struct EncodedDay {
    /// The day.
    pub day: NaiveDate,
    /// Its lines.
    pub lines: usize,
    /// Its orders.
    pub orders: usize,
    /// [`DayRows::encode`].
    pub blob: Vec<u8>,
}

impl EncodedDay {
    /// Encodes `rows` of `day`.
    pub fn new(day: NaiveDate, rows: &DayRows) -> Self {
        Self {
            day,
            lines: rows.line_count(),
            orders: rows.order_count(),
            blob: rows.encode(),
        }
    }
}

/// Writes inside one transaction; nothing is visible until [`Writer::commit`].
pub struct Writer<'c> {
    pub(crate) tx: Transaction<'c>,
    path: PathBuf,
}

impl Writer<'_> {
    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Db {
            path: self.path.clone(),
            source,
        }
    }

    /// Deletes a store's days in `from..=to` (all of them when `None`).
    pub fn delete_days(
        &self,
        store: &str,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<usize, StoreError> {
        let n = match range {
            Some((from, to)) => self.tx.execute(
                "DELETE FROM store_days WHERE store = ?1 AND day >= ?2 AND day <= ?3",
                params![store, from.to_string(), to.to_string()],
            ),
            None => self
                .tx
                .execute("DELETE FROM store_days WHERE store = ?1", params![store]),
        };
        n.map_err(|e| self.err(e))
    }

    /// The optional columns any stored day of each store has (bits of `Present`), as written so
    /// far in this transaction. One pass over the table's small columns: a range scan by store
    /// would read every blob of the store (SQLite compares whole index records).
    pub fn present_bits(&self) -> Result<HashMap<String, u64>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT DISTINCT store, present FROM store_days")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut bits: HashMap<String, u64> = HashMap::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let store: String = row.get(0).map_err(|e| self.err(e))?;
            let present: i64 = row.get(1).map_err(|e| self.err(e))?;
            *bits.entry(store).or_default() |= present as u64;
        }
        Ok(bits)
    }

    /// Stores one day of one store.
    pub fn put_day(
        &self,
        store: &str,
        day: NaiveDate,
        present: u64,
        rows: &DayRows,
    ) -> Result<(), StoreError> {
        self.put_blob(store, &EncodedDay::new(day, rows), present)
    }

    /// Stores one day of one store, encoded already.
    pub fn put_blob(&self, store: &str, day: &EncodedDay, present: u64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO store_days (store, day, lines, orders, present, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    store,
                    day.day.to_string(),
                    day.lines as i64,
                    day.orders as i64,
                    present as i64,
                    day.blob
                ])
            })
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records an upload; returns its id.
    pub fn record_upload(
        &self,
        file_name: &str,
        sha256: &str,
        mode: &str,
        at: &str,
        record_json: &str,
        problems_csv: &str,
    ) -> Result<i64, StoreError> {
        self.tx
            .execute(
                "INSERT INTO uploads (file_name, sha256, mode, uploaded_at, record, problems) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![file_name, sha256, mode, at, record_json, problems_csv],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Rewrites an upload's record (to store its own id inside it).
    pub fn update_record(&self, id: i64, record_json: &str) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE uploads SET record = ?2 WHERE id = ?1",
                params![id, record_json],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Makes every write of the transaction durable at once.
    pub fn commit(self) -> Result<(), StoreError> {
        let path = self.path;
        self.tx
            .commit()
            .map_err(|source| StoreError::Db { path, source })
    }
}
