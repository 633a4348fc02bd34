//! `/api/v1/enterprises/{id}/contacts`: read by every role (phone and e-mail masked unless the
//! caller is an admin or a liaison officer of an assigned department), written by admins and
//! liaison officers of an assigned department.

use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{delete, get, patch, post};

use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::{Actor, Role};
use crate::domain::contacts::model::{Contact, ContactFields, contact_view, trimmed};
use crate::domain::contacts::store;
use crate::domain::enterprises::store::{self as enterprises, may_edit};
use crate::domain::error::{AppError, AppResult};
use crate::web::body::{JsonBody, NoParams};
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::present;
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{ActionErrors, DeleteErrors, ReadErrors, Unprocessable, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/enterprises/{id}/contacts`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 100, example = "张伟")]
    pub name: Option<String>,
    #[schema(max_length = 100, example = "总经理")]
    pub title: Option<String>,
    #[schema(max_length = 32, example = "13812345678")]
    pub phone: Option<String>,
    #[schema(max_length = 254, example = "zhang.wei@example.com")]
    pub email: Option<String>,
}

/// Body of `PATCH /api/v1/enterprises/{id}/contacts/{contact_id}` (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 100)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 32)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
}

/// Adds a contact. Admins and liaison officers of an assigned department.
#[utoipa::path(
    tag = "enterprises", request_body = NewContact,
    params(
        IdempotencyKey,
        ("id" = Uuid, Path, description = "Enterprise id")),
    responses(
        (status = 201, body = Contact, headers(("Location" = String), ("ETag" = String))),
        ActionErrors,
    ),
)]
#[post("/enterprises/{id}/contacts")]
pub async fn create_contact(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let body: NewContact = body.read().await?;
    let fields = ContactFields {
        name: body.name.unwrap_or_default().trim().to_owned(),
        title: trimmed(body.title),
        phone: trimmed(body.phone),
        email: trimmed(body.email),
    };
    let mut conn = state.pool.get().await?;
    let row = store::create(&mut conn, Some(&actor), *id, fields).await?;
    let contact = contact_view(row, true);
    Ok(created(
        format!(
            "/api/v1/enterprises/{}/contacts/{}",
            contact.enterprise_id, contact.id
        ),
        contact.version,
        &contact,
    ))
}

/// Lists an enterprise's contacts, oldest first. Any authenticated caller (masked unless admin
/// or liaison officer of an assigned department).
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Enterprise id"), PageParams),
    responses(
        (status = 200, body = Page<Contact>),
        ReadErrors,
        (status = 422, response = Unprocessable),
    ),
)]
#[get("/enterprises/{id}/contacts")]
pub async fn list_contacts(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Listing<NoParams>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<Contact>()?;
    let mut conn = state.pool.get().await?;
    let enterprise = enterprises::get(&mut conn, *id).await?;
    let unmasked = may_edit(&actor, &enterprise);
    let rows = store::list(&mut conn, *id, after, limit).await?;
    let contacts = rows
        .into_iter()
        .map(|r| contact_view(r, unmasked))
        .collect();
    Ok(HttpResponse::Ok().json(Page::of(contacts, limit)))
}

/// Reads one contact (masked as in the list). Any authenticated caller.
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Enterprise id"), ("contact_id" = Uuid, Path, description = "Contact id")),
    responses(
        (status = 200, body = Contact, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/enterprises/{id}/contacts/{contact_id}")]
pub async fn get_contact(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (enterprise_id, contact_id) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let enterprise = enterprises::get(&mut conn, enterprise_id).await?;
    let row = store::get(&mut conn, enterprise_id, contact_id).await?;
    let contact = contact_view(row, may_edit(&actor, &enterprise));
    Ok(current(contact.version, &contact))
}

/// Changes a contact (merge patch); honours `If-Match`. Admins and liaison officers of an
/// assigned department.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("contact_id" = Uuid, Path, description = "Contact id"),
        IfMatch,
    ),
    request_body(content = ContactPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Contact, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/enterprises/{id}/contacts/{contact_id}")]
pub async fn update_contact(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let (enterprise_id, contact_id) = path.into_inner();
    let patch: ContactPatch = body.read().await?;
    if matches!(patch.name, Some(None)) {
        return Err(AppError::invalid("name", "null", "may not be null"));
    }
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    let row = store::update(
        &mut conn,
        &actor,
        enterprise_id,
        contact_id,
        expected,
        move |f| {
            if let Some(Some(name)) = patch.name {
                f.name = name.trim().to_owned();
            }
            if let Some(title) = patch.title {
                f.title = trimmed(title);
            }
            if let Some(phone) = patch.phone {
                f.phone = trimmed(phone);
            }
            if let Some(email) = patch.email {
                f.email = trimmed(email);
            }
        },
    )
    .await?;
    let contact = contact_view(row, true);
    Ok(current(contact.version, &contact))
}

/// Removes a contact. Admins and liaison officers of an assigned department.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("contact_id" = Uuid, Path, description = "Contact id"),
        IfMatch,
    ),
    responses(
        (status = 204, description = "Removed"),
        DeleteErrors,
    ),
)]
#[delete("/enterprises/{id}/contacts/{contact_id}")]
pub async fn delete_contact(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _req: HttpRequest,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let (enterprise_id, contact_id) = path.into_inner();
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    store::delete(&mut conn, &actor, enterprise_id, contact_id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_contact)
        .service(list_contacts)
        .service(get_contact)
        .service(update_contact)
        .service(delete_contact);
}
