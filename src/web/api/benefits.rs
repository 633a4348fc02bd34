//! `/api/v1/policy-benefits`: recorded by admins and liaison officers of an assigned
//! department, moved by the responsible department, read by every role.

use actix_web::{HttpResponse, web};
use actix_web::{get, post};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::db::money::Money;
use crate::domain::actor::{Actor, Role};
use crate::domain::benefits::model::{BenefitEvent, PolicyBenefit};
use crate::domain::benefits::store::{self, BenefitFilter, BenefitMove, NewBenefit};
use crate::domain::error::AppResult;
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::precondition::{created, current};
use crate::web::problem::{ActionErrors, CreateErrors, ListErrors, ReadErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/policy-benefits`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBenefitRequest {
    #[validate(required)]
    #[schema(required = true, value_type = Uuid)]
    pub enterprise_id: Option<Uuid>,
    #[validate(required)]
    #[schema(required = true, value_type = Uuid)]
    pub policy_id: Option<Uuid>,
    #[validate(required, length(max = 32))]
    #[schema(required = true, value_type = String, example = "czt", max_length = 32)]
    pub responsible_department: Option<String>,
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$", example = "300000.00")]
    pub expected_amount: Option<Money>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// Records a benefit the enterprise should receive (status `identified`). Admins and liaison
/// officers of an assigned department; one open benefit per enterprise and policy (409).
#[utoipa::path(
    tag = "policies", request_body = NewBenefitRequest,
    params(IdempotencyKey),
    responses(
        (status = 201, body = PolicyBenefit, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/policy-benefits")]
pub async fn create_benefit(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let b: NewBenefitRequest = body.read().await?;
    let new = NewBenefit {
        enterprise_id: b.enterprise_id.unwrap_or_default(),
        policy_id: b.policy_id.unwrap_or_default(),
        responsible_department: b.responsible_department.unwrap_or_default(),
        expected_amount: b.expected_amount,
        notes: b.notes,
    };
    let mut conn = state.pool.get().await?;
    let benefit = store::create(&mut conn, &actor, new).await?;
    Ok(created(
        format!("/api/v1/policy-benefits/{}", benefit.id),
        benefit.version,
        &benefit,
    ))
}

/// Lists benefits, newest first. Any authenticated caller.
#[utoipa::path(
    tag = "policies", params(BenefitFilter, PageParams),
    responses(
        (status = 200, body = Page<PolicyBenefit>),
        ListErrors,
    ),
)]
#[get("/policy-benefits")]
pub async fn list_benefits(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<BenefitFilter>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<PolicyBenefit>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, query.filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// Reads one benefit. Any authenticated caller.
#[utoipa::path(
    tag = "policies",
    params(("id" = Uuid, Path, description = "Benefit id")),
    responses(
        (status = 200, body = PolicyBenefit, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/policy-benefits/{id}")]
pub async fn get_benefit(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let found = store::get(&mut conn, *id).await?;
    Ok(current(found.version, &found))
}

/// Moves a benefit through its status machine (409 when not allowed). Liaison or finance staff
/// of the responsible department, or an admin.
#[utoipa::path(
    tag = "policies",
    params(
        ("id" = Uuid, Path, description = "Benefit id"),
        IdempotencyKey,
    ),
    request_body = BenefitMove,
    responses(
        (status = 200, body = PolicyBenefit, headers(("ETag" = String))),
        ActionErrors,
    ),
)]
#[post("/policy-benefits/{id}/transitions")]
pub async fn transition_benefit(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison, Role::Finance])?;
    let m: BenefitMove = body.read().await?;
    let mut conn = state.pool.get().await?;
    let benefit = store::transition(&mut conn, &actor, *id, m).await?;
    Ok(current(benefit.version, &benefit))
}

/// The benefit's events, oldest first; the first is its creation. Any authenticated caller.
#[utoipa::path(
    tag = "policies",
    params(("id" = Uuid, Path, description = "Benefit id")),
    responses(
        (status = 200, body = Page<BenefitEvent>),
        ReadErrors,
    ),
)]
#[get("/policy-benefits/{id}/events")]
pub async fn list_benefit_events(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    store::get(&mut conn, *id).await?;
    Ok(HttpResponse::Ok().json(Page::all(store::events(&mut conn, *id).await?)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_benefit)
        .service(list_benefits)
        .service(get_benefit)
        .service(transition_benefit)
        .service(list_benefit_events);
}
