//! The HTTP side of 智能调价: query strings and bodies in, JSON out (see [`crate::pricing`]).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use storeboard_auth::Access;
use storeboard_data::Actor;

use crate::error::TabsError;
use crate::handlers::json_response;
use crate::pricing::PricingParams;
use crate::TabsState;

/// Who made the request, for the audit log: the access guard's finding, else the address.
fn actor(req: &HttpRequest) -> Actor {
    let (who, ip) = Access::who(req);
    Actor { who, ip }
}

fn params(query_string: &str) -> Result<PricingParams, TabsError> {
    web::Query::<PricingParams>::from_query(query_string)
        .map(web::Query::into_inner)
        .map_err(|e| TabsError::BadQuery(e.to_string()))
}

/// `GET /api/v1/pricing`.
pub(crate) async fn pricing(
    state: web::Data<TabsState>,
    req: HttpRequest,
) -> Result<HttpResponse, TabsError> {
    let answer = state.pricing(&params(req.query_string())?).await?;
    json_response(&answer)
}

/// The body of `POST /api/v1/pricing/plans`: a name and the pricing parameters.
#[derive(Debug, Deserialize)]
struct SaveBody {
    #[serde(default)]
    name: String,
    #[serde(flatten)]
    params: PricingParams,
}

/// `POST /api/v1/pricing/plans` (JSON or form body; the plan is priced again on the server,
/// so what is saved is what the server computes, never what a client claims).
pub(crate) async fn save(
    state: web::Data<TabsState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, TabsError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let parsed: SaveBody = if json {
        serde_json::from_slice(&body).map_err(|e| {
            TabsError::BadPlan(format!(
                "请求体不是有效的 JSON (the body is not valid JSON): {e}"
            ))
        })?
    } else {
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| TabsError::BadPlan(format!("表单无法解析 (malformed form body): {e}")))?
    };
    let summary = state
        .save_plan(parsed.name, parsed.params, actor(&req))
        .await?;
    let location = format!("{}/{}", req.path().trim_end_matches('/'), summary.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(summary))
}

/// `GET /api/v1/pricing/plans`.
pub(crate) async fn list(state: web::Data<TabsState>) -> Result<HttpResponse, TabsError> {
    let plans = state.plans().await?;
    json_response(&json!({ "plans": plans }))
}

fn plan_id(raw: &str) -> Result<i64, TabsError> {
    raw.parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| TabsError::BadParam {
            param: "id",
            value: raw.to_owned(),
            expected: "a plan number from 1 (e.g. 3)".to_owned(),
        })
}

/// `GET /api/v1/pricing/plans/{id}`.
pub(crate) async fn open(
    state: web::Data<TabsState>,
    id: web::Path<String>,
) -> Result<HttpResponse, TabsError> {
    let answer = state.plan(plan_id(&id)?).await?;
    json_response(&answer)
}

/// `DELETE /api/v1/pricing/plans/{id}`.
pub(crate) async fn delete(
    state: web::Data<TabsState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, TabsError> {
    let id = plan_id(&id)?;
    state.delete_plan(id, actor(&req)).await?;
    json_response(&json!({ "deleted": id }))
}
