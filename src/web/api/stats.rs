//! `/api/v1/stats/*`: read by every role.

use actix_web::get;
use actix_web::{HttpResponse, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult};
use crate::domain::stats::alerts::{self, Alert, AlertRules};
use crate::domain::stats::officers::{self, OfficerCoverage};
use crate::domain::stats::overview::{self, Overview};
use crate::domain::stats::window_days;
use crate::domain::stats::workbench::{self, Workbench};
use crate::web::body::StrictQuery;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::problem::{CallerErrors, ListErrors};
use crate::web::state::AppState;

/// Query of the overview.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// Visit window in days (default 90).
    #[param(minimum = 1, maximum = 3650)]
    pub window_days: Option<i64>,
}

/// Enterprises, visit coverage, demands, money and benefits at a glance (computed at most
/// `LIAISON_STATS_CACHE_SECS` ago). Any role.
#[utoipa::path(
    tag = "statistics", params(OverviewQuery),
    responses(
        (status = 200, body = Overview),
        ListErrors,
    ),
)]
#[get("/stats/overview")]
pub async fn stats_overview(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<OverviewQuery>,
) -> AppResult<HttpResponse> {
    let window = window_days("window_days", query.0.window_days.unwrap_or(90))?;
    state
        .stats
        .json(format!("overview/{window}"), async || {
            let overview: Overview =
                overview::compute(&state.pool, state.clock.today(), window).await?;
            Ok(overview)
        })
        .await
}

/// Query of the alerts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Not visited within this many days (default `LIAISON_ALERT_UNVISITED_DAYS`, 90).
    #[param(minimum = 1, maximum = 3650)]
    pub window_days: Option<i64>,
    /// A year-on-year revenue fall larger than this share, e.g. `0.2` for 20 % (default
    /// `LIAISON_ALERT_REVENUE_DROP`).
    #[param(value_type = Option<f64>, minimum = 0, maximum = 1, example = 0.2)]
    pub revenue_drop: Option<String>,
    /// Only enterprises assigned to this department.
    pub department: Option<String>,
    /// Only enterprises this liaison officer is assigned to (a user id).
    pub officer: Option<Uuid>,
    /// Only enterprises of this city (its counties included) or county.
    #[param(max_length = 6, example = "360100")]
    pub region_code: Option<String>,
}

/// Active enterprises that need attention, each with its reasons, by name. Any role.
#[utoipa::path(
    tag = "statistics", params(AlertQuery, PageParams),
    responses(
        (status = 200, body = Page<Alert>),
        ListErrors,
    ),
)]
#[get("/stats/alerts")]
pub async fn stats_alerts(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<AlertQuery>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let q = &query.filter;
    let unvisited_days = window_days(
        "window_days",
        q.window_days
            .unwrap_or(i64::from(state.config.alert_unvisited_days)),
    )?;
    let revenue_drop = match q.revenue_drop.as_deref() {
        None => state.config.alert_revenue_drop,
        Some(text) => text
            .parse::<Decimal>()
            .ok()
            .filter(|d| *d >= Decimal::ZERO && *d <= Decimal::ONE)
            .ok_or_else(|| {
                AppError::invalid(
                    "revenue_drop",
                    "range",
                    "revenue_drop is a share from 0 to 1, e.g. 0.2",
                )
            })?,
    };
    if q.region_code
        .as_deref()
        .is_some_and(|c| c.chars().count() > 6)
    {
        return Err(AppError::invalid(
            "region_code",
            "too_long",
            "a six-digit region code",
        ));
    }
    let after = query.after::<Alert>()?;
    let rules = AlertRules {
        today: state.clock.today(),
        unvisited_days,
        use_cadence: q.window_days.is_none(),
        revenue_drop,
        department: q.department.clone(),
        officer: q.officer,
        region_code: q.region_code.clone(),
    };
    let mut conn = state.pool.get().await?;
    let rows = alerts::list(&mut conn, &rules, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// The caller's day in one call: the enterprises whose `liaison_officers` include the caller,
/// each with its last visit, next visit due, open and overdue demands and alerts; the demands the
/// caller raised that await a follow-up (回访); the department's overdue demands and those due
/// within 7 days. Each list holds at most 200 items. Any role (a list is empty when nothing is
/// the caller's).
#[utoipa::path(
    tag = "statistics",
    responses((status = 200, body = Workbench), CallerErrors),
)]
#[get("/me/workbench")]
pub async fn my_workbench(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let rules = AlertRules {
        today: state.clock.today(),
        unvisited_days: i64::from(state.config.alert_unvisited_days),
        use_cadence: true,
        revenue_drop: state.config.alert_revenue_drop,
        department: None,
        officer: None,
        region_code: None,
    };
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(workbench::of(&mut conn, &actor, rules).await?))
}

/// Query of the officers' coverage.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OfficersQuery {
    /// Only this department's officers.
    #[param(max_length = 32)]
    pub department: Option<String>,
    /// Days counted back from today, 1 to 3650 (default 90).
    #[param(minimum = 1, maximum = 3650)]
    pub window_days: Option<i64>,
}

/// The officers' coverage.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OfficersReport {
    pub window_days: i64,
    pub items: Vec<OfficerCoverage>,
}

/// Each liaison officer's coverage of the enterprises assigned to them (企业特派员): visits,
/// enterprises visited and not, demands raised and still open, over the last `window_days`
/// days (definitions in the README). Any authenticated caller.
#[utoipa::path(
    tag = "statistics", params(OfficersQuery),
    responses((status = 200, body = OfficersReport), ListErrors),
)]
#[get("/stats/officers")]
pub async fn stats_officers(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<OfficersQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let window_days = window_days("window_days", q.window_days.unwrap_or(90))?;
    if q.department
        .as_ref()
        .is_some_and(|d| d.chars().count() > 32)
    {
        return Err(AppError::invalid(
            "department",
            "too_long",
            "at most 32 characters",
        ));
    }
    let mut conn = state.pool.get().await?;
    let items =
        officers::coverage(&mut conn, q.department, state.clock.today(), window_days).await?;
    Ok(HttpResponse::Ok().json(OfficersReport { window_days, items }))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(my_workbench)
        .service(stats_officers)
        .service(stats_overview)
        .service(stats_alerts);
}
