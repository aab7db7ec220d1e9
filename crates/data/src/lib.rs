//! # storeboard-data
//!
//! Order exports in, store snapshots out. No actix, no async: a plain library.
//!
//! - [`ingest::ingest`] reads an upload (`.xlsx .xlsm .xlsb .xls .ods .csv`), finds the header
//!   (title rows above it allowed), maps aliases ([`schema::Column`]), validates every row and
//!   returns the lines as a compact [`staged::Staged`] with an [`report::IngestReport`].
//! - [`cell`] reads one cell as text, number or date-time.
//! - [`store::OrderStore`] keeps the data in one SQLite file ([`db`]) and serves immutable
//!   per-store [`snapshot::StoreSnapshot`]s (columnar [`dataset::Dataset`]s) from a
//!   [`snapshot::Registry`]; each upload is applied in one transaction with merge or replace
//!   semantics.
//! - [`plans`] keeps saved pricing plans (智能调价) in the same database.

pub mod audit;
pub mod backup;
pub mod cell;
mod chunked;
pub mod codec;
mod column;
pub mod dataset;
pub mod db;
pub mod error;
mod header;
pub mod ingest;
pub mod limits;
pub mod lineage;
mod load;
mod merge;
pub mod plans;
pub mod read;
mod record;
pub mod report;
pub mod schema;
pub mod sessions;
pub mod snapshot;
pub mod staged;
pub mod store;
mod strings;
mod varint;
mod write;

pub use audit::{Actor, AuditEntry, AuditKind};
pub use backup::{BackupError, DataDirLock};
pub use error::{IngestError, StoreError};
pub use ingest::{ingest, IngestOptions, Ingested};
pub use limits::ParseLimits;
pub use lineage::Lineage;
pub use plans::{NewPlan, Plan, PlanSummary};
pub use snapshot::{Registry, StoreSnapshot, StoreSummary};
pub use store::{OrderStore, UploadMode, UploadRecord};
