//! `/api/v1/policy-benefits`: recorded by admins and liaison officers of an assigned
//! department, moved by the responsible department, read by every role.

use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::db::money::Money;
use crate::domain::actor::{Actor, Role};
use crate::domain::benefits::model::{BenefitEvent, BenefitStatus, PolicyBenefit};
use crate::domain::benefits::store::{self, BenefitFilter, BenefitMove, NewBenefit};
use crate::domain::error::AppResult;
use crate::web::body::{NoParams, StrictQuery, read_json};
use crate::web::pagination::{Page, checked_limit, cursor_of};
use crate::web::precondition::etag;
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
    #[validate(required)]
    #[schema(required = true, value_type = String, example = "czt")]
    pub responsible_department: Option<String>,
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$", example = "300000.00")]
    pub expected_amount: Option<Money>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// Body of `POST /api/v1/policy-benefits/{id}/transitions`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitTransitionBody {
    pub to: BenefitStatus,
    /// Required for `rejected`.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Required for `realized`.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub realized_amount: Option<Money>,
    /// Required for `realized`.
    pub realized_on: Option<NaiveDate>,
}

/// Query of the benefit list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BenefitQuery {
    pub enterprise_id: Option<Uuid>,
    pub policy_id: Option<Uuid>,
    pub responsible_department: Option<String>,
    pub status: Option<BenefitStatus>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn benefit_response(
    mut builder: actix_web::HttpResponseBuilder,
    b: &PolicyBenefit,
) -> HttpResponse {
    builder.insert_header(etag(b.version)).json(b)
}

/// Records a benefit the enterprise should receive (status `identified`). Admins and liaison
/// officers of an assigned department; one open benefit per enterprise and policy (409).
#[utoipa::path(
    tag = "policies", request_body = NewBenefitRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (kept 24 h)")),
    responses(
        (status = 201, body = PolicyBenefit, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/policy-benefits")]
pub async fn create_benefit(
    actor: Actor,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let b: NewBenefitRequest = read_json(&req, payload).await?;
    let new = NewBenefit {
        enterprise_id: b.enterprise_id.unwrap_or_default(),
        policy_id: b.policy_id.unwrap_or_default(),
        responsible_department: b.responsible_department.unwrap_or_default(),
        expected_amount: b.expected_amount,
        notes: b.notes,
    };
    let mut conn = state.pool.get().await?;
    let benefit = store::create(&mut conn, &actor, new).await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header((
        "Location",
        format!("/api/v1/policy-benefits/{}", benefit.id),
    ));
    Ok(benefit_response(builder, &benefit))
}

/// Lists benefits, newest first. Any authenticated caller.
#[utoipa::path(
    tag = "policies", params(BenefitQuery),
    responses(
        (status = 200, body = Page<PolicyBenefit>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/policy-benefits")]
pub async fn list_benefits(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<BenefitQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let limit = checked_limit(q.limit)?;
    let after = cursor_of::<PolicyBenefit>(q.cursor.as_deref())?;
    let filter = BenefitFilter {
        enterprise_id: q.enterprise_id,
        policy_id: q.policy_id,
        responsible_department: q.responsible_department,
        status: q.status,
    };
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, filter, after, limit).await?;
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
    security(("bearer" = []))
)]
#[get("/policy-benefits/{id}")]
pub async fn get_benefit(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(benefit_response(
        HttpResponse::Ok(),
        &store::get(&mut conn, *id).await?,
    ))
}

/// Moves a benefit through its status machine (409 when not allowed). Liaison or finance staff
/// of the responsible department, or an admin.
#[utoipa::path(
    tag = "policies",
    params(
        ("id" = Uuid, Path, description = "Benefit id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (kept 24 h)"),
    ),
    request_body = BenefitTransitionBody,
    responses(
        (status = 200, body = PolicyBenefit, headers(("ETag" = String))),
        ActionErrors,
    ),
    security(("bearer" = []))
)]
#[post("/policy-benefits/{id}/transitions")]
pub async fn transition_benefit(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison, Role::Finance])?;
    let b: BenefitTransitionBody = read_json(&req, payload).await?;
    let m = BenefitMove {
        to: b.to,
        note: b.note,
        realized_amount: b.realized_amount,
        realized_on: b.realized_on,
    };
    let mut conn = state.pool.get().await?;
    let benefit = store::transition(&mut conn, &actor, *id, m).await?;
    Ok(benefit_response(HttpResponse::Ok(), &benefit))
}

/// The benefit's events, oldest first; the first is its creation. Any authenticated caller.
#[utoipa::path(
    tag = "policies",
    params(("id" = Uuid, Path, description = "Benefit id")),
    responses(
        (status = 200, body = Page<BenefitEvent>),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[get("/policy-benefits/{id}/events")]
pub async fn list_benefit_events(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _q: StrictQuery<NoParams>,
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
