//! `/api/v1/stats/demands` and `/stats/coverage`: the figures leaders read at the monthly
//! 调度会 (督办 performance and visit coverage, by department, city, category or officer). Read
//! by every role; computed at most `LIAISON_STATS_CACHE_SECS` ago. Definitions in the README and
//! in `domain/stats/{demands,coverage}.rs`.

use actix_web::get;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::actor::Actor;
use crate::domain::error::AppResult;
use crate::domain::stats::coverage::{self, CoverageRules, CoverageStats};
use crate::domain::stats::demands::{self, DemandStats};
use crate::domain::stats::groups::{Grouping, Period};
use crate::domain::stats::window_days;
use crate::web::body::StrictQuery;
use crate::web::problem::ListErrors;
use crate::web::state::AppState;

/// Query of the demand figures.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DemandStatsQuery {
    /// First day of the period (default: the first day of this month, China time).
    pub from: Option<NaiveDate>,
    /// Last day of the period, included (default: today); at most 3660 days after `from`.
    pub to: Option<NaiveDate>,
    /// `department` (default: the assigned one), `city`, `category` or `officer` (the raising
    /// one).
    pub group_by: Option<Grouping>,
}

/// Raised, resolved, closed, 办结率, 按期办结率, overdue, mean handling days, 回访 and 满意率 of
/// a period, per group and in total. Any role.
#[utoipa::path(
    tag = "statistics", params(DemandStatsQuery),
    responses((status = 200, body = DemandStats), ListErrors),
)]
#[get("/stats/demands")]
pub async fn stats_demands(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<DemandStatsQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let today = state.clock.today();
    let from = q.from.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let period = Period::new(from, q.to.unwrap_or(today), today)?;
    let grouping = q.group_by.unwrap_or_default();
    let key = format!(
        "demands/{}/{}/{}/{grouping:?}",
        period.from, period.to, period.as_of
    );
    state
        .stats
        .json(key, async || {
            let mut conn = state.pool.get().await?;
            let stats: DemandStats = demands::compute(&mut conn, period, grouping).await?;
            Ok(stats)
        })
        .await
}

/// Query of the coverage figures.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// Days counted back from today, 1 to 3650 (default 90).
    #[param(minimum = 1, maximum = 3650)]
    pub window_days: Option<i64>,
    /// `department` (default: assigned departments), `city`, `category` or `officer`
    /// (liaison officers).
    pub group_by: Option<Grouping>,
}

/// Active enterprises, those visited within the window, coverage, and those past their visit
/// cadence, per group. Any role.
#[utoipa::path(
    tag = "statistics", params(CoverageQuery),
    responses((status = 200, body = CoverageStats), ListErrors),
)]
#[get("/stats/coverage")]
pub async fn stats_coverage(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<CoverageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let rules = CoverageRules {
        today: state.clock.today(),
        window_days: window_days("window_days", q.window_days.unwrap_or(90))?,
        unvisited_days: i64::from(state.config.alert_unvisited_days),
    };
    let grouping = q.group_by.unwrap_or_default();
    let key = format!(
        "coverage/{}/{}/{grouping:?}",
        rules.today, rules.window_days
    );
    state
        .stats
        .json(key, async || {
            let mut conn = state.pool.get().await?;
            let stats: CoverageStats = coverage::compute(&mut conn, rules, grouping).await?;
            Ok(stats)
        })
        .await
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(stats_demands).service(stats_coverage);
}
