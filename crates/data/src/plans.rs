//! Saved pricing plans (智能调价): a plan a user computed (products with their old and new price
//! and the predicted effect) kept under a name, with who saved it and when, so its page can later
//! compare the prediction with what happened.
//!
//! The plan's parameters and items are JSON this crate keeps as they come (the pricing tool owns
//! their shape); it only checks the name, that the items are a list of 1 to [`MAX_ITEMS`]
//! entries and that the whole is at most [`MAX_JSON_BYTES`]. The table lives in the database
//! beside the data, so plans survive restarts and come along in backups; store deletes and
//! uploads never touch it. Saving and deleting a plan are data changes: each writes its audit
//! entry (`plan_save`, `plan_delete`) in the same transaction.

use chrono::NaiveDate;
use rusqlite::types::Type;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::Actor;
use crate::db::Writer;
use crate::error::StoreError;
use crate::store::OrderStore;

#[cfg(test)]
mod tests;

/// The table (created with the rest of the schema). `item_count` is the length of `items`, kept
/// so that listing plans never parses their JSON; the large columns come last.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS pricing_plans (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL,
    author         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    store          TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    scenario       TEXT    NOT NULL,
    effective_from TEXT    NOT NULL,
    item_count     INTEGER NOT NULL,
    params         TEXT    NOT NULL,
    items          TEXT    NOT NULL
);
";

/// The longest name a plan may have, in characters (after trimming).
pub const MAX_NAME_CHARS: usize = 80;

/// The most items (products) a plan may hold.
pub const MAX_ITEMS: usize = 5_000;

/// The most bytes of JSON a plan may hold: its params and items plus its name, store, channel and
/// scenario (2 MiB).
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// A plan to save, as the pricing tool computed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPlan {
    /// The name the user gave it (trimmed; 1 to [`MAX_NAME_CHARS`] characters).
    pub name: String,
    /// The store it was computed for; `None` (or empty) for all stores.
    #[serde(default)]
    pub store: Option<String>,
    /// The channel it was computed for; `None` (or empty) for all channels.
    #[serde(default)]
    pub channel: Option<String>,
    /// The pricing scenario (the tool's own key for it).
    pub scenario: String,
    /// The first day the new prices apply (the day after the data's last day when saved).
    pub effective_from: NaiveDate,
    /// The tool's parameters (any JSON).
    pub params: Value,
    /// The products with old and new price and predicted effect: a JSON array of 1 to
    /// [`MAX_ITEMS`] entries.
    pub items: Value,
}

/// A saved plan as listed: everything but its parameters and items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Increasing id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Who saved it ([`Actor::who`], e.g. `admin (session)`).
    pub author: String,
    /// When it was saved (UTC, RFC 3339, whole seconds).
    pub created_at: String,
    /// The store it was computed for; `None` for all stores.
    pub store: Option<String>,
    /// The channel it was computed for; `None` for all channels.
    pub channel: Option<String>,
    /// The pricing scenario.
    pub scenario: String,
    /// The first day the new prices apply.
    pub effective_from: NaiveDate,
    /// How many items (products) it holds.
    pub item_count: usize,
}

/// A saved plan, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// What the list shows.
    pub summary: PlanSummary,
    /// The tool's parameters, as saved.
    pub params: Value,
    /// The items, as saved (a JSON array).
    pub items: Value,
}

/// A [`NewPlan`] that passed the checks, ready to store.
struct Checked {
    name: String,
    store: Option<String>,
    channel: Option<String>,
    scenario: String,
    effective_from: NaiveDate,
    item_count: usize,
    params: String,
    items: String,
}

impl Checked {
    fn summary(self, id: i64, author: &str, created_at: String) -> PlanSummary {
        PlanSummary {
            id,
            name: self.name,
            author: author.to_owned(),
            created_at,
            store: self.store,
            channel: self.channel,
            scenario: self.scenario,
            effective_from: self.effective_from,
            item_count: self.item_count,
        }
    }
}

fn bad(problem: String) -> StoreError {
    StoreError::BadPlan(problem)
}

/// Trimmed; `None` when empty ("all").
fn scope(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks `plan`: its name, its items and its size. The error names the problem.
fn check(plan: NewPlan) -> Result<Checked, StoreError> {
    let name = plan.name.trim().to_owned();
    let chars = name.chars().count();
    if chars == 0 {
        return Err(bad("the plan's name is empty".to_owned()));
    }
    if chars > MAX_NAME_CHARS {
        return Err(bad(format!(
            "the plan's name has {chars} characters, over the limit of {MAX_NAME_CHARS}"
        )));
    }
    let item_count = match &plan.items {
        Value::Array(items) => items.len(),
        other => {
            return Err(bad(format!(
                "the plan's items must be a JSON array, not {}",
                json_kind(other)
            )))
        }
    };
    if item_count == 0 {
        return Err(bad(
            "the plan's items are empty: it holds no product".to_owned()
        ));
    }
    if item_count > MAX_ITEMS {
        return Err(bad(format!(
            "the plan holds {item_count} items, over the limit of {MAX_ITEMS}"
        )));
    }
    let json = |value: &Value| {
        serde_json::to_string(value).map_err(|e| bad(format!("the plan's JSON: {e}")))
    };
    let (params, items) = (json(&plan.params)?, json(&plan.items)?);
    let (store, channel) = (scope(plan.store), scope(plan.channel));
    let scenario = plan.scenario.trim().to_owned();
    let bytes = [params.len(), items.len(), name.len(), scenario.len()]
        .into_iter()
        .chain(store.as_ref().map(String::len))
        .chain(channel.as_ref().map(String::len))
        .sum::<usize>();
    if bytes > MAX_JSON_BYTES {
        return Err(bad(format!(
            "the plan is {bytes} bytes of JSON, over the limit of {MAX_JSON_BYTES} (2 MiB)"
        )));
    }
    Ok(Checked {
        name,
        store,
        channel,
        scenario,
        effective_from: plan.effective_from,
        item_count,
        params,
        items,
    })
}

/// The columns of a [`PlanSummary`], in [`summary`]'s order.
const SUMMARY_COLUMNS: &str =
    "id, name, author, created_at, store, channel, scenario, effective_from, item_count";

/// A stored value that does not read back (a damaged row) as SQLite's conversion error.
fn damaged(column: usize, err: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(err))
}

/// Reads a [`PlanSummary`] from a row selected with [`SUMMARY_COLUMNS`] first.
fn summary(r: &Row<'_>) -> rusqlite::Result<PlanSummary> {
    let all = |v: String| Some(v).filter(|v| !v.is_empty());
    let day: String = r.get(7)?;
    Ok(PlanSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        author: r.get(2)?,
        created_at: r.get(3)?,
        store: all(r.get(4)?),
        channel: all(r.get(5)?),
        scenario: r.get(6)?,
        effective_from: NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|e| damaged(7, e))?,
        item_count: r.get(8)?,
    })
}

/// Reads a JSON column.
fn json_at(r: &Row<'_>, column: usize) -> rusqlite::Result<Value> {
    let text: String = r.get(column)?;
    serde_json::from_str(&text).map_err(|e| damaged(column, e))
}

impl Writer<'_> {
    /// Stores a checked plan inside this transaction; returns its id.
    fn insert_plan(&self, plan: &Checked, author: &str, at: &str) -> Result<i64, StoreError> {
        self.tx
            .execute(
                "INSERT INTO pricing_plans (name, author, created_at, store, channel, scenario, \
                 effective_from, item_count, params, items) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    plan.name,
                    author,
                    at,
                    plan.store.as_deref().unwrap_or_default(),
                    plan.channel.as_deref().unwrap_or_default(),
                    plan.scenario,
                    plan.effective_from.format("%Y-%m-%d").to_string(),
                    plan.item_count,
                    plan.params,
                    plan.items,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Deletes one plan inside this transaction; its name and item count, `None` when there was
    /// no such plan.
    fn delete_plan(&self, id: i64) -> Result<Option<(String, usize)>, StoreError> {
        let found: Option<(String, usize)> = self
            .tx
            .query_row(
                "SELECT name, item_count FROM pricing_plans WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if found.is_some() {
            self.tx
                .execute("DELETE FROM pricing_plans WHERE id = ?1", [id])
                .map_err(|e| self.err(e))?;
        }
        Ok(found)
    }
}

impl OrderStore {
    /// Saves a pricing plan as `actor` (its author is [`Actor::who`], its time now), with the
    /// audit entry `plan_save` (target the name, detail `id=N items=M`) in the same transaction.
    /// Refused with [`StoreError::BadPlan`], naming the problem, when the name is empty or over
    /// [`MAX_NAME_CHARS`] characters, the items are not a JSON array of 1 to [`MAX_ITEMS`]
    /// entries, or the whole is over [`MAX_JSON_BYTES`]; nothing is written then.
    pub fn save_plan_as(&self, plan: NewPlan, actor: &Actor) -> Result<PlanSummary, StoreError> {
        let plan = check(plan)?;
        let at = crate::audit::now();
        let mut db = self.db();
        let writer = db.transaction()?;
        let id = writer.insert_plan(&plan, &actor.who, &at)?;
        let detail = format!("id={id} items={}", plan.item_count);
        writer.audit("plan_save", actor, &plan.name, &detail)?;
        writer.commit()?;
        Ok(plan.summary(id, &actor.who, at))
    }

    /// The latest `limit` saved plans, newest first, without their parameters and items.
    pub fn plans(&self, limit: usize) -> Result<Vec<PlanSummary>, StoreError> {
        let db = self.db();
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM pricing_plans ORDER BY id DESC LIMIT ?1");
        let mut stmt = db.conn.prepare_cached(&sql).map_err(|e| db.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let plans = stmt
            .query_map([limit], summary)
            .and_then(Iterator::collect)
            .map_err(|e| db.err(e));
        plans
    }

    /// One saved plan, whole; `None` when there is no plan with this id.
    pub fn plan(&self, id: i64) -> Result<Option<Plan>, StoreError> {
        let db = self.db();
        let sql =
            format!("SELECT {SUMMARY_COLUMNS}, params, items FROM pricing_plans WHERE id = ?1");
        db.conn
            .query_row(&sql, [id], |r| {
                Ok(Plan {
                    summary: summary(r)?,
                    params: json_at(r, 9)?,
                    items: json_at(r, 10)?,
                })
            })
            .optional()
            .map_err(|e| db.err(e))
    }

    /// Deletes one saved plan as `actor`, with the audit entry `plan_delete` (target the name,
    /// detail `id=N items=M`) in the same transaction. False when there was no such plan, and
    /// then nothing is audited.
    pub fn delete_plan_as(&self, id: i64, actor: &Actor) -> Result<bool, StoreError> {
        let mut db = self.db();
        let writer = db.transaction()?;
        let Some((name, items)) = writer.delete_plan(id)? else {
            return Ok(false);
        };
        writer.audit(
            "plan_delete",
            actor,
            &name,
            &format!("id={id} items={items}"),
        )?;
        writer.commit()?;
        Ok(true)
    }
}
