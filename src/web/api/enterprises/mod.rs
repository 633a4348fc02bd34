//! `/api/v1/enterprises`: the registry of contact-point enterprises. Read by every role;
//! designated, withdrawn and reassigned by admins; profiles edited by admins and by liaison
//! officers of an assigned department.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::actor::{Actor, Role};
use crate::domain::enterprises::list::{self, After, EnterpriseFilter, SortKey};
use crate::domain::enterprises::model::Enterprise;
use crate::domain::enterprises::store;
use crate::domain::error::{AppError, AppResult};
use crate::web::body::{NoParams, StrictQuery, read_json};
use crate::web::pagination::{Page, checked_limit, decode_cursor};
use crate::web::precondition::{etag, if_match_version};
use crate::web::problem::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

mod requests;

pub use requests::{EnterprisePatch, EnterpriseQuery, EnterpriseSort, NewEnterprise};

fn enterprise_response(
    mut builder: actix_web::HttpResponseBuilder,
    e: &Enterprise,
) -> HttpResponse {
    builder.insert_header(etag(e.version)).json(e)
}

/// Designates a contact-point enterprise. Admin only.
#[utoipa::path(
    tag = "enterprises", request_body = NewEnterprise,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (kept 24 h)")),
    responses(
        (status = 201, body = Enterprise, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/enterprises")]
pub async fn create_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let b: NewEnterprise = read_json(&req, payload).await?;
    let draft = b.into_draft();
    let mut conn = state.pool.get().await?;
    let created = store::create(&mut conn, Some(&actor), draft).await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header(("Location", format!("/api/v1/enterprises/{}", created.id)));
    Ok(enterprise_response(builder, &created))
}

/// Lists enterprises with filters, keyset-paginated. Any authenticated caller.
#[utoipa::path(
    tag = "enterprises", params(EnterpriseQuery),
    responses(
        (status = 200, body = Page<Enterprise>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/enterprises")]
pub async fn list_enterprises(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<EnterpriseQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let limit = checked_limit(q.limit)?;
    let sort = q.sort.unwrap_or_default();
    let (key, descending) = sort.key();
    let after = decode_after(key, q.cursor.as_deref())?;
    let filter = EnterpriseFilter {
        q: q.q,
        region_code: q.region_code,
        category: q.category,
        size: q.size,
        status: q.status,
        department: q.department,
        officer: q.officer,
        tag: q.tag,
        designated_from: q.designated_from,
        designated_to: q.designated_to,
    };
    let mut conn = state.pool.get().await?;
    let rows = list::list(&mut conn, filter, key, descending, after, limit).await?;
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
    security(("bearer" = []))
)]
#[get("/enterprises/{id}")]
pub async fn get_enterprise(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let enterprise = store::get(&mut conn, *id).await?;
    Ok(enterprise_response(HttpResponse::Ok(), &enterprise))
}

/// Changes an enterprise (JSON merge patch); honours `If-Match`. Admins change everything;
/// liaison officers of an assigned department change the profile; others get 403.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    request_body(content = EnterprisePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Enterprise, headers(("ETag" = String))),
        UpdateErrors,
    ),
    security(("bearer" = []))
)]
#[patch("/enterprises/{id}")]
pub async fn update_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let p: EnterprisePatch = read_json(&req, payload).await?;
    let (change, touched) = p.into_change()?;
    let expected = if_match_version(&req)?;
    let mut conn = state.pool.get().await?;
    let updated = store::update(&mut conn, &actor, *id, expected, touched, move |d| {
        change.apply(d)
    })
    .await?;
    Ok(enterprise_response(HttpResponse::Ok(), &updated))
}

/// Withdraws an enterprise: it stays readable with status `withdrawn`. Admin only.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being withdrawn"),
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        DeleteErrors,
    ),
    security(("bearer" = []))
)]
#[delete("/enterprises/{id}")]
pub async fn withdraw_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let expected = if_match_version(&req)?;
    let mut conn = state.pool.get().await?;
    store::withdraw(&mut conn, &actor, *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_enterprise)
        .service(list_enterprises)
        .service(get_enterprise)
        .service(update_enterprise)
        .service(withdraw_enterprise);
}
