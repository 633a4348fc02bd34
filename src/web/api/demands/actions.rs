//! The follow-up loop's actions on a demand: progress notes, deadline extensions and their
//! decision, urges (催办) and follow-ups (回访). Each answers with the demand (or the record it
//! made) and is in the demand's events and the audit trail.

use actix_web::{HttpResponse, web};
use actix_web::{get, post};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::{Actor, Role};
use crate::domain::demands::follow_ups::{self, FollowUp, FollowUpMethod, NewFollowUp};
use crate::domain::demands::model::{Demand, Extension, Satisfaction};
use crate::domain::demands::{store, supervision, views};
use crate::domain::error::AppResult;
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::Page;
use crate::web::problem::{ActionErrors, ReadErrors};
use crate::web::state::AppState;

use super::shown;

/// Body of `POST /api/v1/demands/{id}/progress` and `…/urges`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[validate(required, length(max = 4000))]
    #[schema(required = true, value_type = String, max_length = 4000, example = "已与自然资源厅对接，用地预审材料补齐中")]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/demands/{id}/extensions`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// Later than the current due date and than today.
    #[validate(required)]
    #[schema(required = true, value_type = NaiveDate)]
    pub new_due_on: Option<NaiveDate>,
    #[validate(required, length(max = 4000))]
    #[schema(required = true, value_type = String, max_length = 4000, example = "需省级部门联合审查，申请延期10个工作日")]
    pub reason: Option<String>,
}

/// Body of `POST /api/v1/demands/{id}/extensions/{extension_id}/decision`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    #[validate(required)]
    #[schema(required = true, value_type = bool)]
    pub approve: Option<bool>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/demands/{id}/follow-ups`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    #[validate(required)]
    #[schema(required = true, value_type = FollowUpMethod)]
    pub method: Option<FollowUpMethod>,
    /// A contact person of the demand's enterprise.
    pub contact_id: Option<Uuid>,
    #[validate(required)]
    #[schema(required = true, value_type = Satisfaction)]
    pub rating: Option<Satisfaction>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
}

/// A decided or requested extension with the demand after it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExtensionOutcome {
    pub extension: Extension,
    pub demand: Demand,
}

/// A follow-up with the demand after it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowUpOutcome {
    pub follow_up: FollowUp,
    pub demand: Demand,
}

/// Notes progress (进展) without a move. The assigned or a co-handling department, the raising
/// officer, a supervisor or an admin.
#[utoipa::path(
    tag = "demands", request_body = NoteBody,
    params(IdempotencyKey, ("id" = Uuid, Path, description = "Demand id")),
    responses((status = 200, body = Demand, headers(("ETag" = String))), ActionErrors),
)]
#[post("/demands/{id}/progress")]
pub async fn note_progress(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison, Role::Supervisor])?;
    let b: NoteBody = body.read().await?;
    let mut conn = state.pool.get().await?;
    let row =
        supervision::note_progress(&mut conn, &actor, *id, b.note.unwrap_or_default()).await?;
    shown(&mut conn, row, state.clock.today()).await
}

/// Urges (催办) the assigned department on an open or accepted demand. A supervisor or an admin.
#[utoipa::path(
    tag = "demands", request_body = NoteBody,
    params(IdempotencyKey, ("id" = Uuid, Path, description = "Demand id")),
    responses((status = 200, body = Demand, headers(("ETag" = String))), ActionErrors),
)]
#[post("/demands/{id}/urges")]
pub async fn urge_demand(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Supervisor])?;
    let b: NoteBody = body.read().await?;
    let mut conn = state.pool.get().await?;
    let row = supervision::urge(&mut conn, &actor, *id, b.note.unwrap_or_default()).await?;
    shown(&mut conn, row, state.clock.today()).await
}

/// Asks for a later due date (延期); it is `pending` until a supervisor decides. The assigned
/// department, or an admin.
#[utoipa::path(
    tag = "demands", request_body = ExtensionRequest,
    params(IdempotencyKey, ("id" = Uuid, Path, description = "Demand id")),
    responses((status = 201, body = ExtensionOutcome), ActionErrors),
)]
#[post("/demands/{id}/extensions")]
pub async fn request_extension(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let b: ExtensionRequest = body.read().await?;
    let (new_due_on, reason) = (
        b.new_due_on.unwrap_or_default(),
        b.reason.unwrap_or_default(),
    );
    let mut conn = state.pool.get().await?;
    let (row, extension) =
        supervision::request_extension(&mut conn, &actor, *id, new_due_on, reason).await?;
    let demand = views::of_row(&mut conn, row, state.clock.today()).await?;
    Ok(HttpResponse::Created().json(ExtensionOutcome { extension, demand }))
}

/// Approves (the due date moves) or refuses a pending extension. A supervisor or an admin.
#[utoipa::path(
    tag = "demands", request_body = ExtensionDecision,
    params(
        IdempotencyKey,
        ("id" = Uuid, Path, description = "Demand id"),
        ("extension_id" = Uuid, Path, description = "Extension id"),
    ),
    responses((status = 200, body = ExtensionOutcome), ActionErrors),
)]
#[post("/demands/{id}/extensions/{extension_id}/decision")]
pub async fn decide_extension(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Supervisor])?;
    let b: ExtensionDecision = body.read().await?;
    let (id, extension_id) = *path;
    let approve = b.approve.unwrap_or_default();
    let mut conn = state.pool.get().await?;
    let (row, extension) =
        supervision::decide_extension(&mut conn, &actor, id, extension_id, approve, b.note).await?;
    let demand = views::of_row(&mut conn, row, state.clock.today()).await?;
    Ok(HttpResponse::Ok().json(ExtensionOutcome { extension, demand }))
}

/// Records a follow-up (回访) on a resolved or rejected demand: 满意 or 基本满意 closes it,
/// 不满意 sends a resolved one back to `accepted` (重办). The raising side (the officer who
/// raised it or another liaison of that department), a supervisor or an admin — never the
/// handling department grading its own work, unless it raised the demand itself.
#[utoipa::path(
    tag = "demands", request_body = FollowUpRequest,
    params(IdempotencyKey, ("id" = Uuid, Path, description = "Demand id")),
    responses((status = 201, body = FollowUpOutcome), ActionErrors),
)]
#[post("/demands/{id}/follow-ups")]
pub async fn create_follow_up(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison, Role::Supervisor])?;
    let b: FollowUpRequest = body.read().await?;
    let new = NewFollowUp {
        method: b.method.unwrap_or(FollowUpMethod::Phone),
        contact_id: b.contact_id,
        rating: b.rating.unwrap_or(Satisfaction::Unsatisfied),
        comment: b.comment,
    };
    let mut conn = state.pool.get().await?;
    let (row, follow_up) = follow_ups::record(&mut conn, &actor, *id, new).await?;
    let demand = views::of_row(&mut conn, row, state.clock.today()).await?;
    Ok(HttpResponse::Created().json(FollowUpOutcome { follow_up, demand }))
}

/// Every follow-up of a demand, oldest first. Any authenticated caller.
#[utoipa::path(
    tag = "demands",
    params(("id" = Uuid, Path, description = "Demand id")),
    responses((status = 200, body = Page<FollowUp>), ReadErrors),
)]
#[get("/demands/{id}/follow-ups")]
pub async fn list_follow_ups(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    store::get(&mut conn, *id).await?;
    Ok(HttpResponse::Ok().json(Page::all(follow_ups::list(&mut conn, *id).await?)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(note_progress)
        .service(urge_demand)
        .service(request_extension)
        .service(decide_extension)
        .service(create_follow_up)
        .service(list_follow_ups);
}
