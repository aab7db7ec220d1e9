//! `GET /api/v1/tabs/{tab}`: the request's filters (and, for the products, its paging) → the
//! tab's JSON from [`TabsState`], with a header telling whether it came from the cache.

use actix_web::http::header::{CacheControl, CacheDirective, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::Bytes;

use crate::error::TabsError;
use crate::paging::{parse_paging, parse_row_limit};
use crate::query::TabQuery;
use crate::tab::Tab;
use crate::TabsState;

/// The response header telling whether the answer came from the cache (`hit`) or not (`miss`:
/// computed for this request, or by another request for the same key at the same time).
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
    let answer = match tab {
        Tab::Products => {
            let paging = parse_paging(req.query_string())?;
            state.products_page(&query, paging).await?
        }
        Tab::Today => {
            let limit = parse_row_limit(req.query_string())?;
            state.today_page(&query, limit).await?
        }
        Tab::Overview | Tab::Timeslots | Tab::Stores => state.answer(tab, &query).await?,
    };
    Ok(respond(
        answer.json,
        if answer.hit { "hit" } else { "miss" },
    ))
}

fn respond(json: Bytes, cache: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .insert_header((CACHE_HEADER, cache))
        .body(json)
}

/// A JSON answer that is never cached by the browser (every click asks the server).
pub(crate) fn json_response<T: serde::Serialize>(value: &T) -> Result<HttpResponse, TabsError> {
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .body(serde_json::to_vec(value)?))
}
