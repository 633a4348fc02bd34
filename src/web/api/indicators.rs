//! `/api/v1/enterprises/{id}/indicators`: quarterly figures, read by every role.

use actix_web::{HttpResponse, web};
use actix_web::{get, put};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::db::money::Money;
use crate::domain::actor::{Actor, Role};
use crate::domain::error::AppResult;
use crate::domain::indicators::model::{Figures, Indicator, parse_quarter};
use crate::domain::indicators::store;
use crate::web::body::{JsonBody, StrictQuery};
use crate::web::pagination::Page;
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{ReadErrors, Unprocessable, UpdateErrors};
use crate::web::state::AppState;

/// Body of `PUT /api/v1/enterprises/{id}/indicators/{quarter}`: the quarter's figures. A field
/// left out (or null) is "not reported".
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorReport {
    /// 营业收入 (CNY).
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$", example = "1250000.00")]
    pub revenue: Option<Money>,
    /// 应急产业收入.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub emergency_revenue: Option<Money>,
    /// 工业总产值.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub output_value: Option<Money>,
    /// 利润; negative for a loss.
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$", example = "-20000.00")]
    pub profit: Option<Money>,
    /// 研发投入.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub rd_expense: Option<Money>,
    /// 出口额.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub export_value: Option<Money>,
    /// 从业人数.
    #[schema(minimum = 0, maximum = 10000000)]
    pub employees: Option<i32>,
    /// Confirms figures more than 5× away from the enterprise's previous quarter (else 422
    /// `needs_confirmation` names them); not stored.
    pub confirm: Option<bool>,
}

/// Query of the indicator history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorRange {
    /// First quarter (`YYYY-Qn`), included.
    #[param(value_type = Option<String>, pattern = r"^[0-9]{4}-Q[1-4]$", example = "2025-Q1")]
    pub from: Option<String>,
    /// Last quarter, included.
    #[param(value_type = Option<String>, pattern = r"^[0-9]{4}-Q[1-4]$", example = "2026-Q4")]
    pub to: Option<String>,
}

/// Reports one quarter's figures: an idempotent upsert (201 when new, 200 when replaced).
/// Admins, liaison officers of an assigned department, liaison officers of `tjj`.
#[utoipa::path(
    tag = "indicators",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("quarter" = String, Path, description = "Quarter, `YYYY-Qn`", example = "2026-Q3"),
        IfMatch,
    ),
    request_body = IndicatorReport,
    responses(
        (status = 200, description = "Replaced (or unchanged)", body = Indicator, headers(("ETag" = String))),
        (status = 201, description = "Reported for the first time", body = Indicator, headers(("ETag" = String), ("Location" = String))),
        UpdateErrors,
    ),
)]
#[put("/enterprises/{id}/indicators/{quarter}")]
pub async fn put_indicators(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let (enterprise_id, quarter) = path.into_inner();
    let body: IndicatorReport = body.read().await?;
    let quarter = parse_quarter("quarter", &quarter)?;
    let expected = if_match.version;
    let figures = Figures {
        revenue: body.revenue,
        emergency_revenue: body.emergency_revenue,
        output_value: body.output_value,
        profit: body.profit,
        rd_expense: body.rd_expense,
        export_value: body.export_value,
        employees: body.employees,
    };
    let report = store::Report {
        quarter,
        figures,
        confirm: body.confirm.unwrap_or(false),
    };
    let mut conn = state.pool.get().await?;
    let put = store::put(&mut conn, &actor, enterprise_id, report, expected).await?;
    let (version, indicator) = (put.indicator.version, &put.indicator);
    Ok(if put.created {
        let location = format!("/api/v1/enterprises/{enterprise_id}/indicators/{quarter}");
        created(location, version, indicator)
    } else {
        current(version, indicator)
    })
}

/// An enterprise's reported quarters, oldest first, optionally within `from`..`to`. Any
/// authenticated caller.
#[utoipa::path(
    tag = "indicators",
    params(("id" = Uuid, Path, description = "Enterprise id"), IndicatorRange),
    responses(
        (status = 200, body = Page<Indicator>),
        ReadErrors,
        (status = 422, response = Unprocessable),
    ),
)]
#[get("/enterprises/{id}/indicators")]
pub async fn list_indicators(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: StrictQuery<IndicatorRange>,
) -> AppResult<HttpResponse> {
    let range = query.0;
    let from = range
        .from
        .as_deref()
        .map(|t| parse_quarter("from", t))
        .transpose()?;
    let to = range
        .to
        .as_deref()
        .map(|t| parse_quarter("to", t))
        .transpose()?;
    let mut conn = state.pool.get().await?;
    let items = store::history(&mut conn, *id, from, to).await?;
    Ok(HttpResponse::Ok().json(Page::all(items)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(put_indicators).service(list_indicators);
}
