//! # storeboard-import
//!
//! The import folder (`--import-dir DIR`): the order system drops its daily exports into a
//! directory, and they are imported with the upload's rules, no click needed. No actix, no
//! async: one thread of its own.
//!
//! - [`ImportDir`] starts the watcher thread: OS change events ([`notify`]) wake it, and a
//!   periodic rescan ([`ImportConfig::rescan`]) catches what network drives never report. It
//!   stops when told or dropped.
//! - [`Settle`] is the stable-size rule: a file is taken only once two looks at least
//!   [`ImportConfig::settle`] apart saw the same size and modification time.
//! - [`is_candidate`] is the name filter: the upload's types, never Excel's `~$` lock files or
//!   hidden `.` files.
//! - A taken file moves to `DIR/.importing/` first (so a crash mid-import leaves it there, to be
//!   imported again at the next start), is imported in merge mode in one transaction, audited
//!   as [`ACTOR`], then moves to `DIR/done/` or `DIR/failed/` with `NAME.report.json` beside
//!   it.
//! - [`ImportStatus`] is the state the dashboard and `/api/v1/import-dir` read
//!   ([`ImportSnapshot`]).

mod error;
mod importer;
mod names;
mod settle;
mod status;
mod watcher;

pub use error::ImportError;
pub use names::{free_name, is_candidate, DONE, FAILED, IMPORTING, REPORT_SUFFIX};
pub use settle::{Look, Settle};
pub use status::{ImportResult, ImportSnapshot, ImportStatus, Outcome, Refusal};
pub use watcher::{ImportConfig, ImportDir, DEFAULT_RESCAN, DEFAULT_SETTLE};

/// Who the audit log and the upload history name for the folder's imports.
pub const ACTOR: &str = "import-dir";
