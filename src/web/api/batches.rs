//! `/api/v1/designation-batches`: designation batches (认定批次), written by admins, read by
//! every role.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::Actor;
use crate::domain::enterprises::batches::{self, BatchFields, BatchStatus, DesignationBatch};
use crate::domain::error::AppResult;
use crate::web::body::{JsonBody, NoParams};
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::{Merge, present, set_if};
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/designation-batches`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 100, example = "2026年第一批")]
    pub name: Option<String>,
    /// 文号, e.g. 赣工信应急字〔2026〕12号.
    #[schema(max_length = 100)]
    pub document_no: Option<String>,
    pub published_on: Option<NaiveDate>,
    /// Default `candidate`.
    pub status: Option<BatchStatus>,
}

/// Body of `PATCH /api/v1/designation-batches/{id}` (merge patch). `status` moves forward only;
/// `designated` makes the batch's candidate enterprises active.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 100)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub document_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub published_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = BatchStatus)]
    pub status: Option<Option<BatchStatus>>,
}

/// Adds a batch. Admin only.
#[utoipa::path(
    tag = "enterprises", request_body = NewBatch, params(IdempotencyKey),
    responses(
        (status = 201, body = DesignationBatch, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/designation-batches")]
pub async fn create_batch(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let b: NewBatch = body.read().await?;
    let fields = BatchFields {
        name: b.name.unwrap_or_default(),
        document_no: b.document_no,
        published_on: b.published_on,
        status: b.status.unwrap_or(BatchStatus::Candidate),
    };
    let mut conn = state.pool.get().await?;
    let batch = batches::create(&mut conn, &actor, fields).await?;
    let location = format!("/api/v1/designation-batches/{}", batch.id);
    Ok(created(location, batch.version, &batch))
}

/// Lists batches, newest first. Any role.
#[utoipa::path(
    tag = "enterprises", params(PageParams),
    responses((status = 200, body = Page<DesignationBatch>), ListErrors),
)]
#[get("/designation-batches")]
pub async fn list_batches(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<NoParams>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<DesignationBatch>()?;
    let mut conn = state.pool.get().await?;
    let rows = batches::list(&mut conn, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// Reads one batch. Any role.
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Batch id")),
    responses((status = 200, body = DesignationBatch, headers(("ETag" = String))), ReadErrors),
)]
#[get("/designation-batches/{id}")]
pub async fn get_batch(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let batch = batches::get(&mut conn, *id).await?;
    Ok(current(batch.version, &batch))
}

/// Changes a batch (merge patch, `If-Match`); designating it makes its candidates active
/// contact points. Admin only.
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Batch id"), IfMatch),
    request_body(content = BatchPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, body = DesignationBatch, headers(("ETag" = String))), UpdateErrors),
)]
#[patch("/designation-batches/{id}")]
pub async fn update_batch(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let p: BatchPatch = body.read().await?;
    let mut m = Merge::default();
    let name = m.required("name", p.name);
    let status = m.required("status", p.status);
    let document_no = m.nullable("document_no", p.document_no);
    let published_on = m.nullable("published_on", p.published_on);
    m.finish()?;
    let change = move |f: &mut BatchFields| {
        set_if(&mut f.name, name);
        set_if(&mut f.status, status);
        set_if(&mut f.document_no, document_no);
        set_if(&mut f.published_on, published_on);
    };
    let today = state.clock.today();
    let mut conn = state.pool.get().await?;
    let batch = batches::update(&mut conn, &actor, *id, if_match.version, change, today).await?;
    Ok(current(batch.version, &batch))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_batch)
        .service(list_batches)
        .service(get_batch)
        .service(update_batch);
}
