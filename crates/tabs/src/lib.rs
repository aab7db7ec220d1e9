//! # storeboard-tabs
//!
//! The dashboard's tabs as JSON, mounted into any actix-web app:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # fn demo(store: Arc<storeboard_data::OrderStore>) {
//! use storeboard_tabs::{configure, TabsState};
//! let state = TabsState::new(store, storeboard_analytics::Business::default(), 512);
//! let app = actix_web::App::new().configure(|cfg| configure(cfg, state.clone()));
//! # }
//! ```
//!
//! Route: `GET /api/v1/tabs/{tab}?store=&from=&to=&channel=` ([`Tab::NAMES`]).
//!
//! - [`TabQuery`] — the query string, resolved into each request's own
//!   [`Filters`](storeboard_analytics::Filters): nothing about a request is kept globally.
//! - [`TabCache`] — the JSON bytes of computed tabs, keyed by [`CacheKey`] (the selected
//!   snapshots' versions, tab, filters and business configuration), LRU-bounded.
//! - [`TabsError`] — 404 for an unknown tab, 400 for bad dates, as
//!   `{"error": {"code", "message", "details"}}`.

mod cache;
mod error;
mod handlers;
mod query;
mod tab;

use std::sync::Arc;

use actix_web::web;
use storeboard_analytics::Business;
use storeboard_data::OrderStore;
use storeboard_routes::{register, Endpoint};

pub use cache::{fingerprint, CacheKey, CacheStats, TabCache, DEFAULT_CAPACITY};
pub use error::TabsError;
pub use handlers::{TabAnswer, CACHE_HEADER};
pub use query::{TabQuery, DEFAULT_DAYS};
pub use tab::Tab;

/// What the handlers need: the store, the business rules and the cache (shared by clones).
#[derive(Debug, Clone)]
pub struct TabsState {
    store: Arc<OrderStore>,
    business: Arc<Business>,
    fingerprint: u64,
    cache: Arc<TabCache>,
}

impl TabsState {
    /// Tabs over `store` under `business`, caching at most `cache_capacity` answers
    /// ([`DEFAULT_CAPACITY`] is a good default; 0 caches nothing). Build it once and clone it
    /// into every worker, so they share the cache.
    pub fn new(store: Arc<OrderStore>, business: Business, cache_capacity: usize) -> Self {
        Self {
            store,
            fingerprint: fingerprint(&business),
            business: Arc::new(business),
            cache: Arc::new(TabCache::new(cache_capacity)),
        }
    }

    /// The order store the tabs read.
    pub fn store(&self) -> &Arc<OrderStore> {
        &self.store
    }

    /// The business rules the tabs are computed with.
    pub fn business(&self) -> &Business {
        &self.business
    }

    /// The cache's hit and miss counters and size.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }
}

/// Every route of this crate (registered from this table: it is the complete list).
pub const ROUTES: &[Endpoint] = &[Endpoint::get("/api/v1/tabs/{tab}", || {
    web::get().to(handlers::tab)
})];

/// Mounts `GET /api/v1/tabs/{tab}` with its state.
pub fn configure(cfg: &mut web::ServiceConfig, state: TabsState) {
    cfg.app_data(web::Data::new(state));
    register(cfg, ROUTES);
}
