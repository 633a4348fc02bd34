//! `/api/v1/reference/*`: read by anyone authenticated.

use actix_web::get;
use actix_web::{HttpResponse, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::actor::Actor;
use crate::domain::error::AppResult;
use crate::domain::reference::store::{self, Category, Region};
use crate::web::body::{NoParams, StrictQuery};
use crate::web::pagination::Page;
use crate::web::problem::CallerErrors;
use crate::web::state::AppState;

/// Jiangxi's 11 prefecture-level cities and known counties. Any authenticated caller.
#[utoipa::path(
    tag = "reference",
    responses(
        (status = 200, body = Page<Region>),
        CallerErrors,
    ),
)]
#[get("/reference/regions")]
pub async fn list_regions(
    _actor: Actor,
    state: web::Data<AppState>,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(Page::all(store::regions(&mut conn).await?)))
}

/// The four emergency-industry categories with subcategories. Any authenticated caller.
#[utoipa::path(
    tag = "reference",
    responses(
        (status = 200, body = Page<Category>),
        CallerErrors,
    ),
)]
#[get("/reference/categories")]
pub async fn list_categories(
    _actor: Actor,
    state: web::Data<AppState>,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(Page::all(store::categories(&mut conn).await?)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_regions).service(list_categories);
}
