//! `/api/v1/reference/*`: read by anyone authenticated; the demand time limits and the holiday
//! calendar are edited by admins.

use actix_web::{HttpResponse, web};
use actix_web::{get, put};
use chrono::Datelike;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::domain::actor::Actor;
use crate::domain::demands::time_limits::{self, TimeLimit};
use crate::domain::error::{AppError, AppResult};
use crate::domain::reference::calendar::{self, CalendarYear};
use crate::domain::reference::store::{self, Category, Region};
use crate::web::body::{JsonBody, StrictQuery};
use crate::web::pagination::Page;
use crate::web::problem::{CallerErrors, Unprocessable, UpdateErrors};
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
pub async fn list_regions(_actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
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
pub async fn list_categories(_actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(Page::all(store::categories(&mut conn).await?)))
}

/// Body of `PUT /api/v1/reference/demand-time-limits`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeLimitsBody {
    /// The limits to set (others stay); at most one per category and urgency.
    #[validate(length(max = 40))]
    #[schema(max_items = 40)]
    pub items: Vec<TimeLimit>,
}

/// The time limits (限时办结) of demands, in working days, by category and urgency. Any
/// authenticated caller.
#[utoipa::path(
    tag = "reference",
    responses((status = 200, body = Page<TimeLimit>), CallerErrors),
)]
#[get("/reference/demand-time-limits")]
pub async fn list_time_limits(
    _actor: Actor,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(Page::all(time_limits::list(&mut conn).await?)))
}

/// Sets time limits (others stay as they are); audited. Admin only.
#[utoipa::path(
    tag = "reference", request_body = TimeLimitsBody,
    responses((status = 200, body = Page<TimeLimit>), UpdateErrors),
)]
#[put("/reference/demand-time-limits")]
pub async fn put_time_limits(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let b: TimeLimitsBody = body.read().await?;
    let mut conn = state.pool.get().await?;
    let limits = time_limits::put(&mut conn, &actor, b.items).await?;
    Ok(HttpResponse::Ok().json(Page::all(limits)))
}

/// Query of the calendar.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The year (default: this year, China time).
    #[param(minimum = 1949, maximum = 2099)]
    pub year: Option<i32>,
}

/// A year of the State Council's holiday calendar: public holidays and the weekend days worked
/// instead. A working day is a Monday to Friday not in `holidays`, or a day in `workdays`. Any
/// authenticated caller.
#[utoipa::path(
    tag = "reference", params(CalendarQuery),
    responses((status = 200, body = CalendarYear), CallerErrors, (status = 422, response = Unprocessable)),
)]
#[get("/reference/calendar")]
pub async fn get_calendar(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<CalendarQuery>,
) -> AppResult<HttpResponse> {
    let year = query.0.year.unwrap_or_else(|| state.clock.today().year());
    if !(1949..=2099).contains(&year) {
        return Err(AppError::invalid("year", "out_of_range", "1949 to 2099"));
    }
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(calendar::year(&mut conn, year).await?))
}

/// Replaces a year of the calendar (entering the State Council's notice); audited. Admin only.
#[utoipa::path(
    tag = "reference", request_body = CalendarYear,
    responses((status = 200, body = CalendarYear), UpdateErrors),
)]
#[put("/reference/calendar")]
pub async fn put_calendar(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let year: CalendarYear = body.read().await?;
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(calendar::replace_year(&mut conn, Some(&actor), year).await?))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_regions)
        .service(list_categories)
        .service(list_time_limits)
        .service(put_time_limits)
        .service(get_calendar)
        .service(put_calendar);
}
