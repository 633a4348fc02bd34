//! `/api/v1/reference/*`: read by anyone authenticated.

use actix_web::{HttpResponse, web};

use super::store::{self, Category, Region};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::http::body::{NoParams, StrictQuery};
use crate::http::pagination::Page;
use crate::state::AppState;

/// Jiangxi's 11 prefecture-level cities and known counties. Any authenticated caller.
#[utoipa::path(
    get, path = "/api/v1/reference/regions", tag = "reference",
    responses(
        (status = 200, body = Page<Region>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
    ),
    security(("bearer" = []))
)]
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
    get, path = "/api/v1/reference/categories", tag = "reference",
    responses(
        (status = 200, body = Page<Category>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
    ),
    security(("bearer" = []))
)]
pub async fn list_categories(
    _actor: Actor,
    state: web::Data<AppState>,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(Page::all(store::categories(&mut conn).await?)))
}
