//! `/api/v1/stats/indicators` and `/stats/indicators/completeness`: quarterly figures summed by
//! group with comparable (同口径) year-on-year growth, and who has not reported. Any role.

use actix_web::get;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::quarter::Quarter;
use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult, FieldError};
use crate::domain::indicators::model::parse_quarter;
use crate::domain::stats::completeness::{self, MissingReport, Scope};
use crate::domain::stats::indicators::{self, GroupBy, IndicatorQuery, IndicatorStats};
use crate::domain::stats::ratio;
use crate::web::body::StrictQuery;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::problem::ListErrors;
use crate::web::state::AppState;

/// Query of the indicator statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorStatsQuery {
    /// The quarter, `YYYY-Qn` (default: the last complete quarter).
    #[param(value_type = Option<String>, pattern = r"^[0-9]{4}-Q[1-4]$", example = "2026-Q3")]
    pub quarter: Option<String>,
    /// `category` (default), `region` (by city) or `size`.
    pub group_by: Option<GroupBy>,
    /// Year to date (累计): the year's quarters up to `quarter`, against the same quarters a
    /// year earlier.
    pub ytd: Option<bool>,
    /// Only enterprises of this city (its counties included) or county.
    #[param(pattern = r"^[0-9]{6}$", example = "360100")]
    pub region_code: Option<String>,
    /// Only enterprises of this industry category.
    #[param(max_length = 32, example = "rescue_disposal")]
    pub category: Option<String>,
}

/// The last complete quarter when none is asked for.
fn quarter_or_last(text: Option<&str>, state: &AppState) -> AppResult<Quarter> {
    match text {
        Some(text) => parse_quarter("quarter", text),
        None => Ok(Quarter::of(state.clock.today()).previous()),
    }
}

/// Every problem of the optional region and category filters, at once.
fn check_filters(region_code: Option<&str>, category: Option<&str>) -> AppResult<()> {
    let mut errors = Vec::new();
    if region_code.is_some_and(|r| r.len() != 6 || !r.bytes().all(|b| b.is_ascii_digit())) {
        errors.push(FieldError::new(
            "region_code",
            "invalid",
            "a six-digit region code",
        ));
    }
    if category.is_some_and(|c| c.is_empty() || c.chars().count() > 32) {
        errors.push(FieldError::new("category", "invalid", "a category code"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Sums of a quarter's indicators (or of the year to it) by group, with year-on-year growth over
/// the enterprises that reported in both periods (同口径). Any role.
#[utoipa::path(
    tag = "statistics", params(IndicatorStatsQuery),
    responses((status = 200, body = IndicatorStats), ListErrors),
)]
#[get("/stats/indicators")]
pub async fn stats_indicators(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<IndicatorStatsQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    check_filters(q.region_code.as_deref(), q.category.as_deref())?;
    let asked = IndicatorQuery {
        quarter: quarter_or_last(q.quarter.as_deref(), &state)?,
        ytd: q.ytd.unwrap_or(false),
        group_by: q.group_by.unwrap_or_default(),
        region_code: q.region_code,
        category: q.category,
    };
    state
        .stats
        .json(format!("indicators/{asked:?}"), async || {
            let mut conn = state.pool.get().await?;
            let stats: IndicatorStats = indicators::compute(&mut conn, asked.clone()).await?;
            Ok(stats)
        })
        .await
}

/// Filters of the completeness report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompletenessFilter {
    /// The quarter, `YYYY-Qn` (default: the last complete quarter).
    #[param(value_type = Option<String>, pattern = r"^[0-9]{4}-Q[1-4]$", example = "2026-Q3")]
    pub quarter: Option<String>,
    /// Only enterprises assigned to this department.
    #[param(max_length = 32)]
    pub department: Option<String>,
    /// Only enterprises of this city (its counties included) or county.
    #[param(pattern = r"^[0-9]{6}$", example = "360100")]
    pub region_code: Option<String>,
}

/// Who has reported a quarter, and a page of those who have not.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Completeness {
    #[schema(value_type = String, example = "2026-Q3")]
    pub quarter: Quarter,
    /// Active enterprises designated by the quarter's last day.
    pub expected: i64,
    /// Of those, the ones with figures for the quarter.
    pub reported: i64,
    /// `reported` / `expected`; null when none was expected.
    pub rate: Option<f64>,
    /// Those that have not reported, by name.
    pub items: Vec<MissingReport>,
    /// Pass as `cursor` for the next page of `items`; null on the last page.
    pub next_cursor: Option<String>,
}

/// Whether every expected enterprise has reported the quarter's indicators (报送完整率), and which
/// have not. Any role.
#[utoipa::path(
    tag = "statistics", params(CompletenessFilter, PageParams),
    responses((status = 200, body = Completeness), ListErrors),
)]
#[get("/stats/indicators/completeness")]
pub async fn indicator_completeness(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<CompletenessFilter>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<MissingReport>()?;
    let f = &query.filter;
    check_filters(f.region_code.as_deref(), None)?;
    if f.department
        .as_ref()
        .is_some_and(|d| d.chars().count() > 32)
    {
        return Err(AppError::invalid(
            "department",
            "too_long",
            "at most 32 characters",
        ));
    }
    let scope = Scope {
        quarter: quarter_or_last(f.quarter.as_deref(), &state)?,
        department: f.department.clone(),
        region_code: f.region_code.clone(),
    };
    let mut conn = state.pool.get().await?;
    let (expected, reported) = completeness::counts(&mut conn, &scope).await?;
    let rows = completeness::missing(&mut conn, &scope, after, limit).await?;
    let page = Page::of(rows, limit);
    Ok(HttpResponse::Ok().json(Completeness {
        quarter: scope.quarter,
        expected,
        reported,
        rate: ratio(reported.into(), expected.into()),
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(indicator_completeness)
        .service(stats_indicators);
}
