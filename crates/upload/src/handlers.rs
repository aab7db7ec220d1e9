//! The handlers. Parsing and database work run on the blocking pool (`web::block`), so a big
//! upload never stalls the other connections of its worker.

use std::io::BufReader;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::{stream, StreamExt as _, TryStreamExt as _};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use storeboard_auth::Access;

use storeboard_data::read::Format;
use storeboard_data::{ingest, Actor, IngestOptions, Ingested, StoreSummary, UploadRecord};

use crate::error::UploadError;
use crate::multipart::{receive, Received};
use crate::UploadState;

/// Upload history entries returned at most.
const HISTORY: usize = 200;

/// Who made the request, for the audit log: the access-control guard's finding when there is a
/// guard, else just the address.
fn actor(req: &HttpRequest) -> Actor {
    let (who, ip) = Access::who(req);
    Actor { who, ip }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, UploadError> + Send + 'static,
) -> Result<T, UploadError> {
    web::block(f).await.map_err(|_| UploadError::Cancelled)?
}

/// `POST /api/v1/uploads`: every file is parsed first, several at once (one per core); if any
/// is refused nothing is stored. Then each file is applied in its own transaction, in the order
/// sent.
pub(crate) async fn upload(
    state: web::Data<UploadState>,
    req: HttpRequest,
    body: Multipart,
) -> Result<HttpResponse, UploadError> {
    let actor = actor(&req);
    let started = Instant::now();
    let form = receive(body, &state.temp_dir, state.max_upload).await?;
    let received_at = Instant::now();
    let mode = form.mode;
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
    let parsed: Vec<(Received, Ingested)> = stream::iter(form.files)
        .map(|file| parse(file, &state))
        .buffered(parallel)
        .try_collect()
        .await?;
    let parsed_at = Instant::now();
    let store = std::sync::Arc::clone(&state.store);
    let records: Vec<UploadRecord> = blocking(move || {
        let mut records = Vec::new();
        for (received, ingested) in &parsed {
            records.push(store.apply_as(
                ingested,
                &received.name,
                &received.sha256,
                mode,
                &actor,
            )?);
        }
        // The temp files go when `parsed` drops here, whatever happened.
        Ok(records)
    })
    .await?;
    // Where an upload's time went, for the log and the answer: a slow upload says which part.
    let timings = Timings {
        receive_ms: millis(received_at - started),
        parse_ms: millis(parsed_at - received_at),
        apply_ms: millis(parsed_at.elapsed()),
    };
    for r in &records {
        tracing::info!(
            id = r.id,
            file = %r.file_name,
            lines = r.lines,
            rejected = r.report.rejected_lines,
            mode = r.mode.as_str(),
            already = r.already_imported,
            receive_ms = timings.receive_ms,
            parse_ms = timings.parse_ms,
            apply_ms = timings.apply_ms,
            "upload applied"
        );
    }
    Ok(HttpResponse::Ok().json(json!({ "uploads": records, "timings_ms": timings })))
}

/// The wall time of an upload's three steps, in milliseconds: receiving the body (to temp
/// files, hashed), parsing every file (in parallel), applying them (one transaction each).
#[derive(Debug, Clone, Copy, Serialize)]
struct Timings {
    receive_ms: f64,
    parse_ms: f64,
    apply_ms: f64,
}

fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// Parses one received file on the blocking pool; the file comes back with its parse (the temp
/// file lives until the upload is done). An `.xls` or `.ods` first waits for a permit: they are
/// read whole into memory, so only `max_xls_ods_parses` of them at once.
async fn parse(
    received: Received,
    state: &UploadState,
) -> Result<(Received, Ingested), UploadError> {
    let _permit = match Format::from_name(&received.name) {
        Ok(Format::Xls | Format::Ods) => Some(
            Arc::clone(&state.whole_parses)
                .acquire_owned()
                .await
                .map_err(|_| UploadError::Cancelled)?,
        ),
        _ => None,
    };
    let file = received.file.reopen().map_err(UploadError::Temp)?;
    let name = received.name.clone();
    let opts = IngestOptions {
        limits: state.limits,
        ..IngestOptions::default()
    };
    let ingested = blocking(move || Ok(ingest(BufReader::new(file), &name, &opts)?)).await?;
    Ok((received, ingested))
}

/// `GET /api/v1/uploads`: the latest uploads, newest first.
pub(crate) async fn history(state: web::Data<UploadState>) -> Result<HttpResponse, UploadError> {
    let store = std::sync::Arc::clone(&state.store);
    let uploads = blocking(move || Ok(store.uploads(HISTORY)?)).await?;
    Ok(HttpResponse::Ok().json(uploads))
}

/// `GET /api/v1/uploads/{id}/problems.csv`: every problem of one upload.
pub(crate) async fn problems(
    state: web::Data<UploadState>,
    id: web::Path<String>,
) -> Result<HttpResponse, UploadError> {
    let id: i64 = id
        .parse()
        .map_err(|_| UploadError::NotFound(format!("no upload with id {id}")))?;
    let store = std::sync::Arc::clone(&state.store);
    let csv = blocking(move || Ok(store.problems_csv(id)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"upload-{id}-problems.csv\""),
        ))
        .body(csv))
}

/// One store as `GET /api/v1/stores` lists it.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    summary: StoreSummary,
    /// Only while the store's history is still loading after a start (`true`; its figures are
    /// zero until then): the entries of loaded stores are unchanged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    loading: bool,
}

/// `GET /api/v1/stores`: stores with stored lines, distinct orders and first/last day; right
/// after a start, the stores whose history is still loading too, with `"loading": true`.
pub(crate) async fn stores(state: web::Data<UploadState>) -> HttpResponse {
    // In this order: a store leaves `loading` only after it is in the registry, so none is
    // missed in between.
    let loading = state.store.loading();
    let loaded = state.store.registry().summaries();
    HttpResponse::Ok().json(listing(loading, loaded))
}

/// Loaded stores as they are, and stores still loading (and not loaded meanwhile) with zero
/// figures and `"loading": true`, by name.
fn listing(loading: Vec<String>, loaded: Vec<StoreSummary>) -> Vec<Listed> {
    let mut listed: Vec<Listed> = loading
        .into_iter()
        .filter(|name| !loaded.iter().any(|s| &s.name == name))
        .map(|name| Listed {
            summary: StoreSummary {
                name,
                lines: 0,
                orders: 0,
                first_day: None,
                last_day: None,
            },
            loading: true,
        })
        .collect();
    listed.extend(loaded.into_iter().map(|summary| Listed {
        summary,
        loading: false,
    }));
    listed.sort_by(|a, b| a.summary.name.cmp(&b.summary.name));
    listed
}

/// `DELETE /api/v1/stores/{name}`: removes one store's data.
pub(crate) async fn delete_store(
    state: web::Data<UploadState>,
    req: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse, UploadError> {
    let actor = actor(&req);
    let name = name.into_inner();
    let store = std::sync::Arc::clone(&state.store);
    let target = name.clone();
    let existed = blocking(move || Ok(store.delete_store_as(&target, &actor)?)).await?;
    if !existed {
        return Err(UploadError::NotFound(format!("no store named '{name}'")));
    }
    tracing::info!(store = %name, "store deleted");
    Ok(HttpResponse::Ok().json(json!({ "deleted": name })))
}

/// `GET /api/v1/import-dir`: the import folder's state (`{"enabled": false, …}` without one).
pub(crate) async fn import_dir(state: web::Data<UploadState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(state.import_status().snapshot())
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::time::Duration;

    use storeboard_data::OrderStore;

    use super::*;

    fn received(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Received {
        let mut file = tempfile::NamedTempFile::new_in(dir).expect("a temp file");
        file.write_all(bytes).expect("written");
        Received {
            name: name.to_owned(),
            sha256: String::new(),
            file,
        }
    }

    #[tokio::test]
    async fn an_xls_or_ods_waits_for_the_one_parse_permit_while_a_csv_does_not() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Arc::new(OrderStore::open(dir.path()).expect("the store opens"));
        let state = UploadState::new(store, dir.path().to_owned(), 1 << 20);
        let held = Arc::clone(&state.whole_parses)
            .acquire_owned()
            .await
            .expect("the one permit");
        let csv = "订单ID,下单时间,门店名称,商品名称,销量\n1,2026-11-01 09:00,一号店,可乐,1\n";
        let wait = Duration::from_millis(300);
        for name in ["a.xls", "b.ods"] {
            let waiting = received(dir.path(), name, csv.as_bytes());
            let outcome = tokio::time::timeout(wait, parse(waiting, &state)).await;
            assert!(outcome.is_err(), "{name} was parsed without the permit");
        }
        let streamed = received(dir.path(), "c.csv", csv.as_bytes());
        let outcome = tokio::time::timeout(Duration::from_secs(30), parse(streamed, &state)).await;
        assert!(matches!(outcome, Ok(Ok(_))), "a CSV does not wait");
        drop(held);
        let waiting = received(dir.path(), "a.xls", csv.as_bytes());
        let outcome = tokio::time::timeout(Duration::from_secs(30), parse(waiting, &state)).await;
        // Parsed (and refused: it is no workbook) once the permit is free.
        assert!(
            matches!(outcome, Ok(Err(UploadError::Ingest(_)))),
            "the .xls runs once the permit is free"
        );
    }

    fn summary(name: &str, lines: usize) -> StoreSummary {
        StoreSummary {
            name: name.to_owned(),
            lines,
            orders: 1,
            first_day: None,
            last_day: None,
        }
    }

    #[test]
    fn stores_still_loading_are_listed_with_a_loading_field_and_the_others_unchanged() {
        let listed = listing(
            vec!["二号店".to_owned(), "一号店".to_owned()],
            vec![summary("一号店", 5), summary("三号店", 7)],
        );
        let json = serde_json::to_value(&listed).expect("serialises");
        assert_eq!(
            json,
            json!([
                {"name": "一号店", "lines": 5, "orders": 1, "first_day": null, "last_day": null},
                {"name": "三号店", "lines": 7, "orders": 1, "first_day": null, "last_day": null},
                {"name": "二号店", "lines": 0, "orders": 0, "first_day": null, "last_day": null,
                 "loading": true},
            ])
        );
    }
}
