//! `/api/v1/users` (admin only): accounts of the people who use the system.

use actix_web::{HttpResponse, web};
use actix_web::{get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::{Actor, ActorKind, Role};
use crate::domain::auth::secrets;
use crate::domain::error::{AppError, AppResult, FieldError};
use crate::domain::users::directory::{self, DirectoryEntry, DirectoryFilter};
use crate::domain::users::store::{self, NewUser, User, UserChange, UserFilter};
use crate::domain::validation;
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::present;
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{CreateErrors, Forbidden, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/users`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 3 to 64 letters, digits, `.`, `_`, `-`; unique regardless of case.
    #[validate(required, custom(function = validation::username))]
    #[schema(required = true, value_type = String, example = "li.wei", pattern = "^[A-Za-z0-9._-]{3,64}$")]
    pub username: Option<String>,
    /// At least 12 characters. Write-only.
    #[validate(required, custom(function = validation::password))]
    #[schema(required = true, value_type = String, write_only, min_length = 12, max_length = 256)]
    pub password: Option<String>,
    /// Department code.
    #[validate(required, length(max = 32))]
    #[schema(required = true, value_type = String, example = "gxw", max_length = 32)]
    pub department: Option<String>,
    /// At least one role.
    #[validate(required, custom(function = validation::non_empty_roles), length(max = 4))]
    #[schema(required = true, value_type = Vec<Role>, min_items = 1, max_items = 4)]
    pub roles: Option<Vec<Role>>,
    /// Name shown to people, e.g. 李伟.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub display_name: Option<String>,
}

/// Body of `PATCH /api/v1/users/{id}` (merge patch; `display_name: null` clears it).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Role>, min_items = 1, max_items = 4)]
    #[validate(length(max = 4))]
    pub roles: Option<Option<Vec<Role>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 32)]
    #[validate(length(max = 32))]
    pub department: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub disabled: Option<Option<bool>>,
    /// A new password (at least 12 characters); ends the user's logins.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, write_only, min_length = 12, max_length = 256)]
    pub password: Option<Option<String>>,
}

/// Collects the patch's rule violations, all at once.
fn check_patch(patch: &UserPatch) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let null = |field: &str| FieldError::new(field, "null", "may not be null");
    match &patch.display_name {
        Some(Some(name)) if name.chars().count() > 100 => errors.push(FieldError::new(
            "display_name",
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
    if matches!(patch.department, Some(None)) {
        errors.push(null("department"));
    }
    if matches!(patch.disabled, Some(None)) {
        errors.push(null("disabled"));
    }
    match &patch.password {
        Some(None) => errors.push(null("password")),
        Some(Some(p)) => {
            if let Err(e) = validation::password(p) {
                errors.push(FieldError::new(
                    "password",
                    e.code.to_string(),
                    "at least 12 and at most 256 characters",
                ));
            }
        }
        None => {}
    }
    errors
}

/// Creates a user. Admin only.
#[utoipa::path(
    tag = "admin", request_body = NewUserRequest,
    params(IdempotencyKey),
    responses(
        (status = 201, body = User, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/users")]
pub async fn create_user(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let body: NewUserRequest = body.read().await?;
    let password_hash = secrets::hash_password(body.password.unwrap_or_default()).await?;
    let new = NewUser {
        username: body.username.unwrap_or_default(),
        display_name: body.display_name,
        password_hash,
        department: body.department.unwrap_or_default(),
        roles: body.roles.unwrap_or_default(),
    };
    let mut conn = state.pool.get().await?;
    let user = store::create(&mut conn, Some(&actor), new).await?;
    Ok(created(
        format!("/api/v1/users/{}", user.id),
        user.version,
        &user,
    ))
}

/// Lists users by username. Admin only.
#[utoipa::path(
    tag = "admin", params(UserFilter, PageParams),
    responses(
        (status = 200, body = Page<User>),
        ListErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/users")]
pub async fn list_users(
    actor: Actor,
    state: web::Data<AppState>,
    query: Listing<UserFilter>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let limit = query.limit()?;
    let after = query.after::<User>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, query.filter, after, limit).await?;
    let users = rows.into_iter().map(User::from).collect();
    Ok(HttpResponse::Ok().json(Page::of(users, limit)))
}

/// Reads one user. Admin only.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = User, headers(("ETag" = String))),
        ReadErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/users/{id}")]
pub async fn get_user(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    let user = User::from(store::get(&mut conn, *id).await?);
    Ok(current(user.version, &user))
}

/// Changes a user; honours `If-Match`. Admin only; an admin cannot disable or demote itself (409).
#[utoipa::path(
    tag = "admin",
    params(
        ("id" = Uuid, Path, description = "User id"),
        IfMatch,
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = User, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/users/{id}")]
pub async fn update_user(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let patch: UserPatch = body.read().await?;
    let errors = check_patch(&patch);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let expected = if_match.version;
    let password_hash = match patch.password.flatten() {
        Some(p) => Some(secrets::hash_password(p).await?),
        None => None,
    };
    let change = UserChange {
        display_name: patch.display_name,
        roles: patch.roles.flatten(),
        department: patch.department.flatten(),
        disabled: patch.disabled.flatten(),
        password_hash,
    };
    let mut conn = state.pool.get().await?;
    let user = store::update(&mut conn, &actor, *id, change, expected).await?;
    state.standing.forget(ActorKind::User, user.id);
    Ok(current(user.version, &user))
}

/// The directory: every user's name, department and roles, by department. Any authenticated
/// caller (no username, no contact data), so that frontends show officers' names.
#[utoipa::path(
    tag = "admin", params(DirectoryFilter, PageParams),
    responses(
        (status = 200, body = Page<DirectoryEntry>),
        ListErrors,
    ),
)]
#[get("/directory")]
pub async fn list_directory(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<DirectoryFilter>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<DirectoryEntry>()?;
    let mut conn = state.pool.get().await?;
    let people = directory::list(&mut conn, query.filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(people, limit)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_directory)
        .service(create_user)
        .service(list_users)
        .service(get_user)
        .service(update_user);
}
