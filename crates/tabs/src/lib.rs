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
//! Routes: `GET /api/v1/tabs/{tab}?store=&from=&to=&channel=` ([`Tab::NAMES`]); the products
//! tab also takes `limit=&page=&sort=` and answers one page of its long lists.
//! `GET /api/v1/products/{key}` — one product's page (its orders by pages).
//! `GET /api/v1/pricing` — 智能调价; `POST`/`GET /api/v1/pricing/plans`, `GET`/`DELETE
//! /api/v1/pricing/plans/{id}` — saved plans (see the `pricing` module).
//!
//! - [`TabQuery`] — the query string, resolved into each request's own
//!   [`Filters`](storeboard_analytics::Filters): nothing about a request is kept globally.
//! - [`parse_paging`] — `limit` (default 200, `0` = all), `page` (from 1) and `sort` (a
//!   product field, `-` first for descending) of the products tab.
//! - [`TabCache`] — computed tabs keyed by [`CacheKey`] (the selected snapshots' versions, tab,
//!   filters and business configuration), bounded in bytes ([`CacheLimits`], LRU); concurrent
//!   requests for one missing key share one computation ([`TabCache::get_or_compute`]). The
//!   products tab is kept as computed, so every page of it is a slice of the cached rows.
//! - [`TabsError`] — 404 for an unknown tab, 400 for bad dates or paging, as
//!   `{"error": {"code", "message", "details"}}`.

mod answer;
mod cache;
mod error;
mod flight;
mod handlers;
mod paging;
mod pricing;
mod pricing_handlers;
mod product;
mod query;
mod tab;
mod warm;

use std::sync::Arc;

use actix_web::web;
use storeboard_analytics::Business;
use storeboard_data::OrderStore;
use storeboard_routes::{register, Endpoint};

use crate::tab::Computed;

pub use answer::{ProductsAnswer, TabAnswer};
pub use cache::{
    fingerprint, CacheKey, CacheLimits, CacheStats, TabCache, Weigh, DEFAULT_CACHE_BYTES,
    DEFAULT_CAPACITY,
};
pub use error::TabsError;
pub use flight::Source;
pub use handlers::CACHE_HEADER;
pub use paging::{parse_page, parse_paging, parse_row_limit};
pub use pricing::{PlanAnswer, PricingParams};
pub use product::ProductAnswer;
pub use query::{TabQuery, DEFAULT_DAYS, DEFAULT_MAX_PERIOD_DAYS};
pub use tab::Tab;

/// What the handlers need: the store, the business rules and the cache (shared by clones).
#[derive(Debug, Clone)]
pub struct TabsState {
    store: Arc<OrderStore>,
    business: Arc<Business>,
    fingerprint: u64,
    cache: Arc<TabCache<Computed>>,
    /// The longest period a request may ask for (`max_period_days`).
    max_period_days: u32,
}

impl TabsState {
    /// Tabs over `store` under `business`, caching at most `cache_capacity` answers within
    /// [`DEFAULT_CACHE_BYTES`] ([`DEFAULT_CAPACITY`] is a good default; 0 caches nothing).
    /// Build it once and clone it into every worker, so they share the cache.
    pub fn new(store: Arc<OrderStore>, business: Business, cache_capacity: usize) -> Self {
        let limits = CacheLimits {
            max_entries: cache_capacity,
            ..CacheLimits::default()
        };
        Self::with_cache(store, business, limits)
    }

    /// Tabs over `store` under `business`, caching within `limits` (bytes and entries).
    ///
    /// A background thread builds each new snapshot's aggregates as soon as it appears (after an
    /// upload, or while history loads), so requests find them ready; it ends with the store.
    pub fn with_cache(store: Arc<OrderStore>, business: Business, limits: CacheLimits) -> Self {
        let business = Arc::new(business);
        // Without the thread (the OS refused it), the first request of a store builds them.
        let _ = warm::spawn(&store, Arc::clone(&business));
        Self {
            store,
            fingerprint: fingerprint(&business),
            business,
            cache: Arc::new(TabCache::new(limits)),
            max_period_days: DEFAULT_MAX_PERIOD_DAYS,
        }
    }

    /// The same state refusing periods longer than `days` (at least 1) with a 400;
    /// [`DEFAULT_MAX_PERIOD_DAYS`] otherwise.
    pub fn with_max_period_days(mut self, days: u32) -> Self {
        self.max_period_days = days.max(1);
        self
    }

    /// The longest period a request may ask for, in days.
    pub fn max_period_days(&self) -> u32 {
        self.max_period_days
    }

    /// The order store the tabs read.
    pub fn store(&self) -> &Arc<OrderStore> {
        &self.store
    }

    /// The business rules the tabs are computed with.
    pub fn business(&self) -> &Business {
        &self.business
    }

    /// The cache's hit and miss counters and size (entries and bytes).
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }
}

/// Every route of this crate (registered from this table: it is the complete list).
pub const ROUTES: &[Endpoint] = &[
    Endpoint::get("/api/v1/tabs/{tab}", || web::get().to(handlers::tab)),
    Endpoint::get("/api/v1/products/{key}", || web::get().to(product::handler)),
    Endpoint::get("/api/v1/pricing", || {
        web::get().to(pricing_handlers::pricing)
    }),
    Endpoint::post("/api/v1/pricing/plans", || {
        web::post().to(pricing_handlers::save)
    }),
    Endpoint::get("/api/v1/pricing/plans", || {
        web::get().to(pricing_handlers::list)
    }),
    Endpoint::get("/api/v1/pricing/plans/{id}", || {
        web::get().to(pricing_handlers::open)
    }),
    Endpoint::delete("/api/v1/pricing/plans/{id}", || {
        web::delete().to(pricing_handlers::delete)
    }),
];

/// Mounts the tabs, the product page's JSON and 智能调价 with their state.
pub fn configure(cfg: &mut web::ServiceConfig, state: TabsState) {
    cfg.app_data(web::Data::new(state));
    register(cfg, ROUTES);
}
