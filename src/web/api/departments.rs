//! `/api/v1/departments`: read by everyone authenticated, written by admins.

use actix_web::{HttpResponse, web};
use actix_web::{get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::domain::actor::Actor;
use crate::domain::departments::model::{
    Department, DepartmentChange, DepartmentDraft, DepartmentLevel,
};
use crate::domain::departments::store;
use crate::domain::error::AppResult;
use crate::domain::validation::{department_code, not_blank};
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::Page;
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{CallerErrors, CreateErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/departments`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// 2 to 32 characters: a lower-case letter, then letters, digits or `_`.
    #[validate(required, custom(function = department_code), length(max = 32))]
    #[schema(required = true, value_type = String, example = "sjt", min_length = 2, max_length = 32, pattern = "^[a-z][a-z0-9_]{1,31}$")]
    pub code: Option<String>,
    /// Full name.
    #[validate(required, custom(function = not_blank), length(max = 100))]
    #[schema(required = true, value_type = String, example = "南昌县工业和信息化局", min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// `province` (the default), `city` or `county`.
    pub level: Option<DepartmentLevel>,
    /// Required for a city or county unit: its six-digit region code.
    #[validate(length(max = 6))]
    #[schema(max_length = 6, example = "360121")]
    pub region_code: Option<String>,
    /// Former names, at most 10 of at most 100 characters.
    #[validate(length(max = 10), custom(function = short_names))]
    #[schema(max_items = 10)]
    pub aliases: Option<Vec<String>>,
}

/// Body of `PATCH /api/v1/departments/{code}` (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    /// New full name (the old one is worth keeping in `aliases`).
    #[validate(custom(function = not_blank), length(max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// Former names, replacing the list; at most 10 of at most 100 characters.
    #[validate(length(max = 10), custom(function = short_names))]
    #[schema(max_items = 10)]
    pub aliases: Option<Vec<String>>,
    /// `false`: the department takes no new demands (its users and history stay).
    pub active: Option<bool>,
}

/// Each name at most 100 characters.
fn short_names(names: &[String]) -> Result<(), validator::ValidationError> {
    if names.iter().any(|n| n.chars().count() > 100) {
        let mut error = validator::ValidationError::new("too_long");
        error.message = Some("each name at most 100 characters".into());
        return Err(error);
    }
    Ok(())
}

/// Lists every department. Any authenticated caller.
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, body = Page<Department>),
        CallerErrors,
    ),
)]
#[get("/departments")]
pub async fn list_departments(
    _actor: Actor,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(Page::all(store::list(&mut conn).await?)))
}

/// Reads one department. Any authenticated caller.
#[utoipa::path(
    tag = "admin",
    params(("code" = String, Path, description = "Department code")),
    responses(
        (status = 200, body = Department, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/departments/{code}")]
pub async fn get_department(
    _actor: Actor,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let department = store::get(&mut conn, &code).await?;
    Ok(current(department.version, &department))
}

/// Adds a department. Admin only.
#[utoipa::path(
    tag = "admin", request_body = NewDepartment,
    params(IdempotencyKey),
    responses(
        (status = 201, body = Department, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/departments")]
pub async fn create_department(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let body: NewDepartment = body.read().await?;
    let draft = DepartmentDraft {
        code: body.code.unwrap_or_default(),
        name: body.name.unwrap_or_default(),
        level: body.level.unwrap_or(DepartmentLevel::Province),
        region_code: body.region_code,
        aliases: body.aliases.unwrap_or_default(),
    };
    let mut conn = state.pool.get().await?;
    let department = store::create(&mut conn, Some(&actor), draft).await?;
    let location = format!("/api/v1/departments/{}", department.code);
    Ok(created(location, department.version, &department))
}

/// Renames a department, changes its former names, or (de)activates it; honours `If-Match`.
/// Admin only.
#[utoipa::path(
    tag = "admin",
    params(
        ("code" = String, Path, description = "Department code"),
        IfMatch,
    ),
    request_body(content = DepartmentPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Department, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/departments/{code}")]
pub async fn update_department(
    actor: Actor,
    state: web::Data<AppState>,
    code: web::Path<String>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let patch: DepartmentPatch = body.read().await?;
    let change = DepartmentChange {
        name: patch.name,
        aliases: patch.aliases,
        active: patch.active,
    };
    let mut conn = state.pool.get().await?;
    let department = store::update(&mut conn, &actor, &code, change, if_match.version).await?;
    Ok(current(department.version, &department))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_departments)
        .service(get_department)
        .service(create_department)
        .service(update_department);
}
