//! The tabs' view models, one folder each (`tabs/<tab>/`: the model, its computation from the
//! aggregates, the reference computation from the raw lines, their tests). The crate root
//! re-exports each module under its old path (`storeboard_analytics::overview`), so callers
//! never name this folder.

pub mod overview;
pub mod pricing;
pub mod product;
pub mod products;
pub mod stores;
pub mod timeslots;
pub mod today;
