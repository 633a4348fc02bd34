//! `/api/v1/departments`: read by everyone authenticated, written by admins.

use actix_web::{HttpResponse, web};
use actix_web::{get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::domain::actor::Actor;
use crate::domain::departments::store::{self, Department};
use crate::domain::error::AppResult;
use crate::domain::validation::{department_code, not_blank};
use crate::web::body::{JsonBody, NoParams, StrictQuery};
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
    #[schema(required = true, value_type = String, example = "sjt", max_length = 32)]
    pub code: Option<String>,
    /// Full name.
    #[validate(required, custom(function = not_blank), length(max = 100))]
    #[schema(required = true, value_type = String, example = "省司法厅", max_length = 100)]
    pub name: Option<String>,
}

/// Body of `PATCH /api/v1/departments/{code}` (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    /// New full name.
    #[validate(custom(function = not_blank), length(max = 100))]
    #[schema(max_length = 100)]
    pub name: Option<String>,
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
    _q: StrictQuery<NoParams>,
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
    _q: StrictQuery<NoParams>,
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
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let body: NewDepartment = body.read().await?;
    let (code, name) = (body.code.unwrap_or_default(), body.name.unwrap_or_default());
    let mut conn = state.pool.get().await?;
    let department = store::create(&mut conn, Some(&actor), &code, &name).await?;
    let location = format!("/api/v1/departments/{}", department.code);
    Ok(created(location, department.version, &department))
}

/// Renames a department; honours `If-Match`. Admin only.
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
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let patch: DepartmentPatch = body.read().await?;
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    let department = match patch.name {
        Some(name) => store::rename(&mut conn, &actor, &code, &name, expected).await?,
        None => {
            let current = store::get(&mut conn, &code).await?;
            crate::domain::error::check_version(expected, current.version)?;
            current
        }
    };
    Ok(current(department.version, &department))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_departments)
        .service(get_department)
        .service(create_department)
        .service(update_department);
}
