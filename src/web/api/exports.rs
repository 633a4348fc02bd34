//! `GET /api/v1/exports/{enterprises|visits|demands|support-measures}`: the lists as files, with
//! the lists' filters (no paging: every matching row). Read by every role; contacts masked as in
//! the lists.

use actix_web::get;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::db::clock::today_in_china;
use crate::domain::actor::Actor;
use crate::domain::demands::model::{DemandCategory, DemandStatus};
use crate::domain::demands::store::DemandFilter;
use crate::domain::enterprises::list::EnterpriseFilter;
use crate::domain::enterprises::model::{EnterpriseSize, EnterpriseStatus};
use crate::domain::error::AppResult;
use crate::domain::exports::Format;
use crate::domain::exports::demands::DemandExport;
use crate::domain::exports::enterprises::EnterpriseExport;
use crate::domain::exports::support::MeasureExport;
use crate::domain::exports::visits::VisitExport;
use crate::domain::support::model::{MeasureStatus, SupportKind};
use crate::domain::support::store::MeasureFilter;
use crate::domain::visits::model::VisitKind;
use crate::domain::visits::store::VisitFilter;
use crate::web::body::StrictQuery;
use crate::web::download::respond;
use crate::web::problem::CallerErrors;
use crate::web::state::AppState;

/// Query of the enterprise export: the list's filters and the format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseExportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(inline)]
    pub format: Option<Format>,
    /// Substring of the name or credit code (Chinese included).
    pub q: Option<String>,
    /// A region; a city code matches its counties too.
    pub region_code: Option<String>,
    pub category: Option<String>,
    pub size: Option<EnterpriseSize>,
    pub status: Option<EnterpriseStatus>,
    /// Assigned department code.
    pub department: Option<String>,
    /// Liaison officer's user id.
    pub officer: Option<Uuid>,
    pub tag: Option<String>,
    /// Designated on or after.
    pub designated_from: Option<NaiveDate>,
    /// Designated on or before.
    pub designated_to: Option<NaiveDate>,
}

/// Query of the visit export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VisitExportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(inline)]
    pub format: Option<Format>,
    pub enterprise_id: Option<Uuid>,
    /// Visiting department code.
    pub department: Option<String>,
    /// An officer's user id.
    pub officer: Option<Uuid>,
    pub kind: Option<VisitKind>,
    /// Visited on or after.
    pub visited_from: Option<NaiveDate>,
    /// Visited on or before.
    pub visited_to: Option<NaiveDate>,
}

/// Query of the demand export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DemandExportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(inline)]
    pub format: Option<Format>,
    pub enterprise_id: Option<Uuid>,
    pub assigned_department: Option<String>,
    pub status: Option<DemandStatus>,
    pub category: Option<DemandCategory>,
    /// `true`: only overdue demands.
    pub overdue: Option<bool>,
}

/// Query of the support-measure export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeasureExportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(inline)]
    pub format: Option<Format>,
    pub enterprise_id: Option<Uuid>,
    /// Granting department code.
    pub department: Option<String>,
    pub kind: Option<SupportKind>,
    pub status: Option<MeasureStatus>,
    pub fiscal_year: Option<i32>,
    pub policy_id: Option<Uuid>,
}

/// Exports enterprises (by name) as CSV or XLSX; the first contact person is masked unless the
/// caller may edit the enterprise. Any role. The columns are those the import reads.
#[utoipa::path(
    tag = "exports", params(EnterpriseExportQuery),
    responses(
        (status = 200, response = crate::web::problem::ExportFile),
        CallerErrors,
    ),
    security(("bearer" = []))
)]
#[get("/exports/enterprises")]
pub async fn export_enterprises(
    actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<EnterpriseExportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let filter = EnterpriseFilter {
        q: q.q,
        region_code: q.region_code,
        category: q.category,
        size: q.size,
        status: q.status,
        department: q.department,
        officer: q.officer,
        tag: q.tag,
        designated_from: q.designated_from,
        designated_to: q.designated_to,
    };
    let source = EnterpriseExport::new(filter, actor);
    respond(state.pool.clone(), q.format.unwrap_or_default(), source).await
}

/// Exports visits (newest first) as CSV or XLSX. Any role.
#[utoipa::path(
    tag = "exports", params(VisitExportQuery),
    responses(
        (status = 200, response = crate::web::problem::ExportFile),
        CallerErrors,
    ),
    security(("bearer" = []))
)]
#[get("/exports/visits")]
pub async fn export_visits(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<VisitExportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let filter = VisitFilter {
        enterprise_id: q.enterprise_id,
        department: q.department,
        officer: q.officer,
        kind: q.kind,
        visited_from: q.visited_from,
        visited_to: q.visited_to,
    };
    respond(
        state.pool.clone(),
        q.format.unwrap_or_default(),
        VisitExport::new(filter),
    )
    .await
}

/// Exports demands (newest first) as CSV or XLSX. Any role.
#[utoipa::path(
    tag = "exports", params(DemandExportQuery),
    responses(
        (status = 200, response = crate::web::problem::ExportFile),
        CallerErrors,
    ),
    security(("bearer" = []))
)]
#[get("/exports/demands")]
pub async fn export_demands(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<DemandExportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let today = today_in_china();
    let filter = DemandFilter {
        enterprise_id: q.enterprise_id,
        assigned_department: q.assigned_department,
        status: q.status,
        category: q.category,
        overdue_on: q.overdue.filter(|o| *o).map(|_| today),
    };
    respond(
        state.pool.clone(),
        q.format.unwrap_or_default(),
        DemandExport::new(filter, today),
    )
    .await
}

/// Exports support measures (newest first) as CSV or XLSX; amounts are money cells. Any role.
#[utoipa::path(
    tag = "exports", params(MeasureExportQuery),
    responses(
        (status = 200, response = crate::web::problem::ExportFile),
        CallerErrors,
    ),
    security(("bearer" = []))
)]
#[get("/exports/support-measures")]
pub async fn export_measures(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<MeasureExportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let filter = MeasureFilter {
        enterprise_id: q.enterprise_id,
        department: q.department,
        kind: q.kind,
        status: q.status,
        fiscal_year: q.fiscal_year,
        policy_id: q.policy_id,
    };
    respond(
        state.pool.clone(),
        q.format.unwrap_or_default(),
        MeasureExport::new(filter),
    )
    .await
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(export_enterprises)
        .service(export_visits)
        .service(export_demands)
        .service(export_measures);
}
