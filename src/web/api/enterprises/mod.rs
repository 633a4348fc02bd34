//! `/api/v1/enterprises`: the registry of contact-point enterprises. Read by every role;
//! designated, withdrawn and reassigned by admins; profiles edited by admins and by liaison
//! officers of an assigned department.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::actor::{Actor, Role};
use crate::domain::enterprises::designations;
use crate::domain::enterprises::list::{self, After, EnterpriseFilter, SortKey};
use crate::domain::enterprises::model::Enterprise;
use crate::domain::enterprises::store;
use crate::domain::error::{AppError, AppResult};
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams, decode_cursor};
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{
    CreateErrors, DeleteErrors, ListErrors, ReadErrors, Unprocessable, UnsupportedMediaType,
    UpdateErrors,
};
use crate::web::state::AppState;

mod requests;

pub use requests::{
    EnterprisePatch, EnterpriseSort, EnterpriseSortParam, NewEnterprise, WithdrawalRequest,
};

/// Designates a contact-point enterprise. Admin only.
#[utoipa::path(
    tag = "enterprises", request_body = NewEnterprise,
    params(IdempotencyKey),
    responses(
        (status = 201, body = Enterprise, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/enterprises")]
pub async fn create_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let b: NewEnterprise = body.read().await?;
    let batch = b.designation_batch_id;
    let draft = b.into_draft();
    let mut conn = state.pool.get().await?;
    let enterprise = store::create(&mut conn, Some(&actor), draft, batch).await?;
    Ok(created(
        format!("/api/v1/enterprises/{}", enterprise.id),
        enterprise.version,
        &enterprise,
    ))
}

/// Lists enterprises with filters, keyset-paginated. Any authenticated caller.
#[utoipa::path(
    tag = "enterprises", params(EnterpriseFilter, EnterpriseSortParam, PageParams),
    responses(
        (status = 200, body = Page<Enterprise>),
        ListErrors,
    ),
)]
#[get("/enterprises")]
pub async fn list_enterprises(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<EnterpriseFilter, EnterpriseSort>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let (key, descending) = query.sort.unwrap_or_default().key();
    let after = decode_after(key, query.cursor())?;
    let mut conn = state.pool.get().await?;
    let rows = list::list(&mut conn, query.filter, key, descending, after, limit).await?;
    let page = Page::from_rows(rows, limit, |e: &Enterprise| match key {
        SortKey::Name => serde_json::json!(["name", e.name, e.id]),
        SortKey::DesignatedOn => serde_json::json!(["designated_on", e.designated_on, e.id]),
        SortKey::UpdatedAt => serde_json::json!(["updated_at", e.updated_at, e.id]),
    });
    Ok(HttpResponse::Ok().json(page))
}

/// Reads a cursor made for the same sort key.
fn decode_after(key: SortKey, cursor: Option<&str>) -> AppResult<Option<After>> {
    let Some((name, value, id)) = decode_cursor::<(String, serde_json::Value, Uuid)>(cursor)?
    else {
        return Ok(None);
    };
    let bad = || {
        AppError::BadRequest(
            "the cursor is not valid for this sort order; start again without it".into(),
        )
    };
    let after = match (key, name.as_str()) {
        (SortKey::Name, "name") => After::Name(
            serde_json::from_value::<String>(value).map_err(|_| bad())?,
            id,
        ),
        (SortKey::DesignatedOn, "designated_on") => After::DesignatedOn(
            serde_json::from_value::<NaiveDate>(value).map_err(|_| bad())?,
            id,
        ),
        (SortKey::UpdatedAt, "updated_at") => After::UpdatedAt(
            serde_json::from_value::<DateTime<Utc>>(value).map_err(|_| bad())?,
            id,
        ),
        _ => return Err(bad()),
    };
    Ok(Some(after))
}

/// Reads one enterprise (withdrawn ones too). Any authenticated caller.
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Enterprise id")),
    responses(
        (status = 200, body = Enterprise, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/enterprises/{id}")]
pub async fn get_enterprise(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let enterprise = store::get(&mut conn, *id).await?;
    Ok(current(enterprise.version, &enterprise))
}

/// Changes an enterprise (JSON merge patch); honours `If-Match`. Admins change everything;
/// liaison officers of an assigned department change the profile; others get 403.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        IfMatch,
    ),
    request_body(content = EnterprisePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Enterprise, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/enterprises/{id}")]
pub async fn update_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let p: EnterprisePatch = body.read().await?;
    let (change, touched) = p.into_change()?;
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    let updated = store::update(&mut conn, &actor, *id, expected, touched, move |d| {
        change.apply(d)
    })
    .await?;
    Ok(current(updated.version, &updated))
}

/// Withdraws an enterprise (撤销认定): it stays readable with status `withdrawn`, and keeps the
/// optional body's reason, date and 文号. Admin only.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        IfMatch,
    ),
    request_body(content = Option<WithdrawalRequest>, description = "Why, when, under which 文号 (optional)"),
    responses(
        (status = 204, description = "Withdrawn"),
        DeleteErrors,
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    ),
)]
#[delete("/enterprises/{id}")]
pub async fn withdraw_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let w = body.read_optional::<WithdrawalRequest>().await?;
    let w = w
        .map(WithdrawalRequest::into_withdrawal)
        .unwrap_or_default();
    let today = state.clock.today();
    let mut conn = state.pool.get().await?;
    designations::withdraw(&mut conn, &actor, *id, if_match.version, w, today).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Withdraws an enterprise (撤销认定) with its reason, date and 文号, and answers the withdrawn
/// record. Admin only.
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Enterprise id"), IfMatch),
    request_body = WithdrawalRequest,
    responses(
        (status = 200, body = Enterprise, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[post("/enterprises/{id}/withdrawal")]
pub async fn record_withdrawal(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let w = body.read::<WithdrawalRequest>().await?.into_withdrawal();
    if w.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(AppError::invalid(
            "reason",
            "required",
            "撤销须写明原因 (a withdrawal states why)",
        ));
    }
    let today = state.clock.today();
    let mut conn = state.pool.get().await?;
    let e = designations::withdraw(&mut conn, &actor, *id, if_match.version, w, today).await?;
    Ok(current(e.version, &e))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_enterprise)
        .service(list_enterprises)
        .service(get_enterprise)
        .service(update_enterprise)
        .service(withdraw_enterprise)
        .service(record_withdrawal);
}
