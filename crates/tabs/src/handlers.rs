//! `GET /api/v1/tabs/{tab}`: resolve the request's own filters, answer from the cache, or compute
//! the tab on the blocking pool (`web::block`) and cache its JSON.

use std::sync::Arc;

use actix_web::http::header::{CacheControl, CacheDirective, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::Bytes;
use storeboard_data::StoreSnapshot;

use crate::cache::CacheKey;
use crate::error::TabsError;
use crate::query::TabQuery;
use crate::tab::Tab;
use crate::TabsState;

/// The response header telling whether the answer came from the cache (`hit`) or not (`miss`).
pub const CACHE_HEADER: &str = "x-storeboard-cache";

pub(crate) async fn tab(
    state: web::Data<TabsState>,
    name: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, TabsError> {
    let tab: Tab = name.parse()?;
    let query = web::Query::<TabQuery>::from_query(req.query_string())
        .map_err(|e| TabsError::BadQuery(e.to_string()))?
        .into_inner();
    let answer = state.answer(tab, &query).await?;
    Ok(respond(
        answer.json,
        if answer.hit { "hit" } else { "miss" },
    ))
}

/// One computed (or cached) tab: its JSON and the filters it was computed with.
#[derive(Debug, Clone)]
pub struct TabAnswer {
    /// The tab's JSON, exactly as `GET /api/v1/tabs/{tab}` answers it.
    pub json: Bytes,
    /// The request's resolved filters (default period filled in).
    pub filters: storeboard_analytics::Filters,
    /// True when it came from the cache.
    pub hit: bool,
}

impl TabsState {
    /// The tab for `query`: from the cache, or computed on the blocking pool (`web::block`)
    /// and cached. The JSON API and any HTML view of a tab share this, so both show the same
    /// numbers.
    pub async fn answer(&self, tab: Tab, query: &TabQuery) -> Result<TabAnswer, TabsError> {
        let snaps = selected(self, query.store().as_deref());
        let today = chrono::Local::now().date_naive();
        let filters = query.resolve(&snaps, today)?;
        let key = CacheKey::new(tab, &snaps, &filters, self.fingerprint);
        if let Some(json) = self.cache.get(&key) {
            return Ok(TabAnswer {
                json,
                filters,
                hit: true,
            });
        }
        let business = Arc::clone(&self.business);
        let computed = filters.clone();
        let json = web::block(move || tab.render(&snaps, &computed, &business))
            .await
            .map_err(|_| TabsError::Cancelled)??;
        self.cache.insert(key, json.clone());
        Ok(TabAnswer {
            json,
            filters,
            hit: false,
        })
    }
}

/// The snapshots a request looks at: the named store's (none when unknown), or every store's.
fn selected(state: &TabsState, store: Option<&str>) -> Vec<Arc<StoreSnapshot>> {
    let registry = state.store.registry();
    match store {
        Some(name) => registry.get(name).into_iter().collect(),
        None => registry.all(),
    }
}

fn respond(json: Bytes, cache: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .insert_header((CACHE_HEADER, cache))
        .body(json)
}
