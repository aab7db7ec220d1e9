//! How [`TabsState`] answers: resolve the request's own filters, then take the tab from the
//! cache, from the computation of the same key already in progress, or compute it on the
//! blocking pool (`web::block`) and cache it ([`TabCache::get_or_compute`]).
//!
//! [`TabCache::get_or_compute`]: crate::TabCache::get_or_compute

use std::sync::Arc;

use actix_web::web;
use bytes::Bytes;
use storeboard_analytics::products::page::{page, Paging, DEFAULT_LIMIT};
use storeboard_analytics::{Filters, Products, Today};
use storeboard_data::StoreSnapshot;

use crate::cache::CacheKey;
use crate::error::TabsError;
use crate::flight::Source;
use crate::query::TabQuery;
use crate::tab::{Computed, Tab, FILTERS_HEAD};
use crate::TabsState;

/// One computed (or cached) tab: its JSON and the filters it was computed with.
#[derive(Debug, Clone)]
pub struct TabAnswer {
    /// The tab's JSON: the whole tab ([`TabsState::answer`]) or one page of the products
    /// ([`TabsState::products_page`]).
    pub json: Bytes,
    /// The request's resolved filters (default period filled in).
    pub filters: Filters,
    /// True when it came from the cache.
    pub hit: bool,
}

/// The products tab as computed (every row), shared with the cache.
#[derive(Debug, Clone)]
pub struct ProductsAnswer {
    /// The tab; page it with [`storeboard_analytics::products::page`].
    pub products: Arc<Products>,
    /// The JSON of its default page ([`Paging::default`]), written when it was computed.
    pub first_page: Bytes,
    /// The request's resolved filters (default period filled in).
    pub filters: Filters,
    /// True when it came from the cache.
    pub hit: bool,
}

impl TabsState {
    /// The whole tab for `query` as JSON (every row of every list): what the page's exports
    /// need. The JSON API answers the products tab by pages instead ([`products_page`]).
    ///
    /// [`products_page`]: TabsState::products_page
    pub async fn answer(&self, tab: Tab, query: &TabQuery) -> Result<TabAnswer, TabsError> {
        let (computed, filters, hit) = self.computed(tab, query).await?;
        let json = match computed {
            Computed::Json(json) => json,
            Computed::Today { today, .. } => {
                let asked = filters.clone();
                json_off_worker(move || today_json(&today, asked, 0)).await?
            }
            Computed::Products { products, .. } => {
                json_off_worker(move || serde_json::to_vec(&*products)).await?
            }
        };
        Ok(TabAnswer { json, filters, hit })
    }

    /// The products tab for `query`, unserialised, for a caller that shows a part of it (the
    /// dashboard's tables): no JSON is written or parsed.
    pub async fn products(&self, query: &TabQuery) -> Result<ProductsAnswer, TabsError> {
        match self.computed(Tab::Products, query).await? {
            (
                Computed::Products {
                    products,
                    first_page,
                    ..
                },
                filters,
                hit,
            ) => Ok(ProductsAnswer {
                products,
                first_page,
                filters,
                hit,
            }),
            (Computed::Json(_) | Computed::Today { .. }, ..) => Err(TabsError::Failed(
                "the products tab was cached as JSON".to_owned(),
            )),
        }
    }

    /// One page of the products tab for `query`, as `GET /api/v1/tabs/products` answers it:
    /// the computed tab comes from the cache (paging never recomputes), only the page is
    /// sorted and serialised.
    pub async fn products_page(
        &self,
        query: &TabQuery,
        paging: Paging,
    ) -> Result<TabAnswer, TabsError> {
        let ProductsAnswer {
            products,
            first_page,
            filters,
            hit,
        } = self.products(query).await?;
        if paging == Paging::default() {
            return Ok(TabAnswer {
                json: first_page,
                filters,
                hit,
            });
        }
        // Off the async worker: sorting a year's products is a few milliseconds.
        let json = json_off_worker(move || serde_json::to_vec(&page(&products, &paging))).await?;
        Ok(TabAnswer { json, filters, hit })
    }

    /// 今日必做 for `query` as `GET /api/v1/tabs/today` answers it: at most `limit` rows per
    /// card (`0`: all), `total_rows` still counting every row. The computed tab comes from the
    /// cache; only the answer is cut and serialised.
    pub async fn today_page(&self, query: &TabQuery, limit: usize) -> Result<TabAnswer, TabsError> {
        let (computed, filters, hit) = self.computed(Tab::Today, query).await?;
        let Computed::Today { today, tail, .. } = computed else {
            return Err(TabsError::Failed(
                "今日必做 was cached as another tab".to_owned(),
            ));
        };
        if limit == DEFAULT_LIMIT {
            // The common answer: the request's filters before the tail written once.
            let filters_json = serde_json::to_vec(&filters)?;
            let mut json = Vec::with_capacity(FILTERS_HEAD.len() + filters_json.len() + tail.len());
            json.extend_from_slice(FILTERS_HEAD.as_bytes());
            json.extend_from_slice(&filters_json);
            json.extend_from_slice(&tail);
            return Ok(TabAnswer {
                json: Bytes::from(json),
                filters,
                hit,
            });
        }
        let asked = filters.clone();
        let json = json_off_worker(move || today_json(&today, asked, limit)).await?;
        Ok(TabAnswer { json, filters, hit })
    }

    /// The computed tab for `query` and whether it was a cache hit.
    async fn computed(
        &self,
        tab: Tab,
        query: &TabQuery,
    ) -> Result<(Computed, Filters, bool), TabsError> {
        // 门店对比 compares every store: its store filter is ignored (its filters say `null`).
        let every_store;
        let query = if tab == Tab::Stores {
            every_store = TabQuery {
                store: None,
                ..query.clone()
            };
            &every_store
        } else {
            query
        };
        let snaps = self.selected(query.store().as_deref());
        let today = chrono::Local::now().date_naive();
        let filters = query.resolve_within(&snaps, today, self.max_period_days())?;
        let window = if tab == Tab::Today {
            query.window()?
        } else {
            0
        };
        // 今日必做 depends on the period only through its "yesterday": computed (and cached) as
        // the period of that one day, so every period ending on the same day shares it. The
        // answer is given the request's own filters back when it is serialised.
        let computed = match tab {
            Tab::Today => storeboard_analytics::today::yesterday(&snaps, &filters, &self.business)
                .map_or_else(
                    || filters.clone(),
                    |y| Filters {
                        from: y,
                        to: y,
                        requested: None,
                        ..filters.clone()
                    },
                ),
            _ => filters.clone(),
        };
        let key = CacheKey::new(tab, &snaps, &computed, self.fingerprint).with_variant(window);
        let business = Arc::clone(&self.business);
        let (value, source) = self
            .cache
            .get_or_compute(key, move || {
                tab.compute(&snaps, &computed, &business, window)
            })
            .await?;
        Ok((value, filters, source == Source::Hit))
    }
}

/// Runs `write` on the blocking pool: serialising (and sorting) a tab can take milliseconds.
async fn json_off_worker(
    write: impl FnOnce() -> serde_json::Result<Vec<u8>> + Send + 'static,
) -> Result<Bytes, TabsError> {
    let json = web::block(write)
        .await
        .map_err(|_| TabsError::Cancelled)??;
    Ok(Bytes::from(json))
}

/// 今日必做 as one request sees it: with the request's own filters (the computation is shared by
/// every period ending on the same day) and at most `limit` rows a card (`0`: all).
fn today_json(today: &Today, asked: Filters, limit: usize) -> serde_json::Result<Vec<u8>> {
    let mut page = today.clone();
    page.filters = asked;
    page.truncate_rows(limit);
    serde_json::to_vec(&page)
}

impl TabsState {
    /// The snapshots a request looks at: the named store's (none when unknown), or every
    /// store's.
    pub(crate) fn selected(&self, store: Option<&str>) -> Vec<Arc<StoreSnapshot>> {
        let registry = self.store.registry();
        match store {
            Some(name) => registry.get(name).into_iter().collect(),
            None => registry.all(),
        }
    }
}
