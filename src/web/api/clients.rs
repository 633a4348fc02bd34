//! `/api/v1/clients` (admin only): credentials for other systems.

use actix_web::{HttpResponse, web};
use actix_web::{get, patch, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::{Actor, ActorKind, Role};
use crate::domain::clients::store::{self, ApiClient, ClientChange};
use crate::domain::error::{AppError, AppResult, FieldError};
use crate::domain::validation;
use crate::web::body::{JsonBody, NoParams};
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::present;
use crate::web::precondition::{IfMatch, current, etag};
use crate::web::problem::{CreateErrors, Forbidden, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/clients`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientRequest {
    /// What the system is, e.g. 省财政厅预算一体化系统.
    #[validate(required, custom(function = validation::not_blank), length(max = 100))]
    #[schema(required = true, value_type = String, min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// Department code the client acts for.
    #[validate(required, length(max = 32))]
    #[schema(required = true, value_type = String, example = "czt", max_length = 32)]
    pub department: Option<String>,
    /// At least one role.
    #[validate(required, custom(function = validation::non_empty_roles), length(max = 4))]
    #[schema(required = true, value_type = Vec<Role>, min_items = 1, max_items = 4)]
    pub roles: Option<Vec<Role>>,
}

/// A new client with its secret, shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedClient {
    pub id: Uuid,
    pub client_id: String,
    /// Shown only in this response; store it now. Null when an `Idempotency-Key` replays the
    /// creation: the secret is never kept in clear, see `client_secret_note`.
    pub client_secret: Option<String>,
    /// Only on a replay: how to get a new secret
    /// (`POST /api/v1/clients/{id}/rotate-secret`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_note: Option<String>,
    pub name: String,
    pub department: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

/// Body of `PATCH /api/v1/clients/{id}` (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 100)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Role>, min_items = 1, max_items = 4)]
    #[validate(length(max = 4))]
    pub roles: Option<Option<Vec<Role>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub disabled: Option<Option<bool>>,
}

fn check_patch(patch: &ClientPatch) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let null = |field: &str| FieldError::new(field, "null", "may not be null");
    match &patch.name {
        Some(None) => errors.push(null("name")),
        Some(Some(name)) if name.trim().is_empty() => errors.push(FieldError::new(
            "name",
            "blank",
            "may not be empty or blank",
        )),
        Some(Some(name)) if name.chars().count() > 100 => errors.push(FieldError::new(
            "name",
            "too_long",
            "at most 100 characters",
        )),
        _ => {}
    }
    match &patch.roles {
        Some(None) => errors.push(null("roles")),
        Some(Some(roles)) if roles.is_empty() => {
            errors.push(FieldError::new("roles", "required", "at least one role"))
        }
        _ => {}
    }
    if matches!(patch.disabled, Some(None)) {
        errors.push(null("disabled"));
    }
    errors
}

/// Creates a client and shows its secret once. Admin only.
#[utoipa::path(
    tag = "admin", request_body = NewClientRequest,
    params(IdempotencyKey),
    responses(
        (status = 201, body = CreatedClient, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/clients")]
pub async fn create_client(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let body: NewClientRequest = body.read().await?;
    let (name, department, roles) = (
        body.name.unwrap_or_default(),
        body.department.unwrap_or_default(),
        body.roles.unwrap_or_default(),
    );
    let mut conn = state.pool.get().await?;
    let (client, secret) =
        store::create(&mut conn, Some(&actor), &name, &department, &roles).await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header(("Location", format!("/api/v1/clients/{}", client.id)));
    Ok(shown_once(builder, client, secret))
}

/// A response showing a client with its secret: never cached on the way.
fn shown_once(
    mut builder: actix_web::HttpResponseBuilder,
    c: ApiClient,
    client_secret: String,
) -> HttpResponse {
    builder
        .insert_header(etag(c.version))
        .insert_header(actix_web::http::header::ContentEncoding::Identity)
        .insert_header(("Cache-Control", "no-store"))
        .json(CreatedClient {
            id: c.id,
            client_id: c.client_id,
            client_secret: Some(client_secret),
            client_secret_note: None,
            name: c.name,
            department: c.department,
            roles: c.roles,
            disabled: c.disabled,
            created_at: c.created_at,
            version: c.version,
        })
}

/// Gives the client a new secret, shown in this response only; the old one stops working at
/// once. Admin only. This is how a lost secret is replaced.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "Client id")),
    responses(
        (status = 200, body = CreatedClient, headers(("ETag" = String))),
        ReadErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[post("/clients/{id}/rotate-secret")]
pub async fn rotate_client_secret(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    let (client, secret) = store::rotate_secret(&mut conn, &actor, *id).await?;
    Ok(shown_once(HttpResponse::Ok(), client, secret))
}

/// Lists clients, oldest first. Admin only.
#[utoipa::path(
    tag = "admin", params(PageParams),
    responses(
        (status = 200, body = Page<ApiClient>),
        ListErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/clients")]
pub async fn list_clients(
    actor: Actor,
    state: web::Data<AppState>,
    query: Listing<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let limit = query.limit()?;
    let after = query.after::<ApiClient>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, after, limit).await?;
    let clients = rows.into_iter().map(ApiClient::from).collect();
    Ok(HttpResponse::Ok().json(Page::of(clients, limit)))
}

/// Reads one client. Admin only.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "Client id (not `client_id`)")),
    responses(
        (status = 200, body = ApiClient, headers(("ETag" = String))),
        ReadErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/clients/{id}")]
pub async fn get_client(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    let client = ApiClient::from(store::get(&mut conn, *id).await?);
    Ok(current(client.version, &client))
}

/// Changes a client (`name`, `roles`, `disabled`); honours `If-Match`. Admin only.
#[utoipa::path(
    tag = "admin",
    params(
        ("id" = Uuid, Path, description = "Client id"),
        IfMatch,
    ),
    request_body(content = ClientPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = ApiClient, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let patch: ClientPatch = body.read().await?;
    let errors = check_patch(&patch);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let expected = if_match.version;
    let change = ClientChange {
        name: patch.name.flatten(),
        roles: patch.roles.flatten(),
        disabled: patch.disabled.flatten(),
    };
    let mut conn = state.pool.get().await?;
    let client = store::update(&mut conn, &actor, *id, change, expected).await?;
    state.standing.forget(ActorKind::Client, client.id);
    Ok(current(client.version, &client))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_client)
        .service(list_clients)
        .service(get_client)
        .service(rotate_client_secret)
        .service(update_client);
}
