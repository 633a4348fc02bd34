//! `/api/v1/reference/*`: read by anyone authenticated.

use actix_web::{HttpResponse, web};

use crate::domain::actor::Actor;
use crate::domain::error::AppResult;
use crate::domain::reference::store::{self, Category, Region};
use crate::web::body::{NoParams, StrictQuery};
use crate::web::pagination::Page;
use crate::web::state::AppState;

/// Jiangxi's 11 prefecture-level cities and known counties. Any authenticated caller.
#[utoipa::path(
    get, path = "/api/v1/reference/regions", tag = "reference",
    responses(
        (status = 200, body = Page<Region>),
        (status = 400, response = crate::web::problem::BadRequest),
        (status = 401, response = crate::web::problem::Unauthorized),
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
        (status = 400, response = crate::web::problem::BadRequest),
        (status = 401, response = crate::web::problem::Unauthorized),
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
