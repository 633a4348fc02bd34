//! `GET /api/v1/exports/{enterprises|visits|demands|support-measures}`: the lists as files, with
//! the lists' filters (no paging: every matching row). Read by every role; contacts masked as in
//! the lists.

use actix_web::get;
use actix_web::{HttpResponse, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::actor::Actor;
use crate::domain::demands::list::DemandFilter;
use crate::domain::enterprises::list::EnterpriseFilter;
use crate::domain::error::AppResult;
use crate::domain::exports::demands::DemandExport;
use crate::domain::exports::enterprises::EnterpriseExport;
use crate::domain::exports::support::MeasureExport;
use crate::domain::exports::visits::VisitExport;
use crate::domain::support::store::MeasureFilter;
use crate::domain::visits::store::VisitFilter;
use crate::web::download::{ExportQuery, FormatParam, respond};
use crate::web::problem::ListErrors;
use crate::web::state::AppState;

/// Exports enterprises (by name) as CSV or XLSX; the first contact person is masked unless the
/// caller may edit the enterprise. Any role. The columns are those the import reads.
#[utoipa::path(
    tag = "exports", params(EnterpriseFilter, FormatParam),
    responses(
        (status = 200, response = crate::web::download::files::ExportFile),
        ListErrors,
    ),
)]
#[get("/exports/enterprises")]
pub async fn export_enterprises(
    actor: Actor,
    state: web::Data<AppState>,
    query: ExportQuery<EnterpriseFilter>,
) -> AppResult<HttpResponse> {
    let source = EnterpriseExport::new(query.filter, actor);
    respond(state.pool.clone(), (query.format, query.labels), source).await
}

/// Exports visits (newest first) as CSV or XLSX. Any role.
#[utoipa::path(
    tag = "exports", params(VisitFilter, FormatParam),
    responses(
        (status = 200, response = crate::web::download::files::ExportFile),
        ListErrors,
    ),
)]
#[get("/exports/visits")]
pub async fn export_visits(
    _actor: Actor,
    state: web::Data<AppState>,
    query: ExportQuery<VisitFilter>,
) -> AppResult<HttpResponse> {
    respond(
        state.pool.clone(),
        (query.format, query.labels),
        VisitExport::new(query.filter),
    )
    .await
}

/// Exports demands (newest first) as CSV or XLSX. Any role.
#[utoipa::path(
    tag = "exports", params(DemandFilter, FormatParam),
    responses(
        (status = 200, response = crate::web::download::files::ExportFile),
        ListErrors,
    ),
)]
#[get("/exports/demands")]
pub async fn export_demands(
    _actor: Actor,
    state: web::Data<AppState>,
    query: ExportQuery<DemandFilter>,
) -> AppResult<HttpResponse> {
    let today = state.clock.today();
    respond(
        state.pool.clone(),
        (query.format, query.labels),
        DemandExport::new(query.filter, today),
    )
    .await
}

/// Exports support measures (newest first) as CSV or XLSX; amounts are money cells. Any role.
#[utoipa::path(
    tag = "exports", params(MeasureFilter, FormatParam),
    responses(
        (status = 200, response = crate::web::download::files::ExportFile),
        ListErrors,
    ),
)]
#[get("/exports/support-measures")]
pub async fn export_measures(
    _actor: Actor,
    state: web::Data<AppState>,
    query: ExportQuery<MeasureFilter>,
) -> AppResult<HttpResponse> {
    respond(
        state.pool.clone(),
        (query.format, query.labels),
        MeasureExport::new(query.filter),
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
