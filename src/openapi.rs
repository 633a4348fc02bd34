//! The OpenAPI document, generated from the handlers' annotations, served at `/openapi.json`
//! and committed as `openapi/openapi.json` (a test fails when the two drift apart).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::web::problem::*;

/// Adds the bearer security scheme.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Key-enterprise liaison API",
        version = "1.0.0",
        description = "重点企业联系制度: contact-point enterprises of Jiangxi's emergency industry, visits, demands, support and policy benefits."
    ),
    modifiers(&BearerScheme),
    paths(
        crate::web::ops::healthz,
        crate::web::ops::readyz,
        crate::web::api::auth::token,
        crate::web::api::auth::revoke,
        crate::web::api::auth::me,
        crate::web::api::departments::list_departments,
        crate::web::api::departments::get_department,
        crate::web::api::departments::create_department,
        crate::web::api::departments::update_department,
        crate::web::api::users::create_user,
        crate::web::api::users::list_users,
        crate::web::api::users::get_user,
        crate::web::api::users::update_user,
        crate::web::api::clients::create_client,
        crate::web::api::clients::list_clients,
        crate::web::api::clients::get_client,
        crate::web::api::clients::update_client,
        crate::web::api::reference::list_regions,
        crate::web::api::reference::list_categories,
        crate::web::api::enterprises::create_enterprise,
        crate::web::api::enterprises::list_enterprises,
        crate::web::api::enterprises::get_enterprise,
        crate::web::api::enterprises::update_enterprise,
        crate::web::api::enterprises::withdraw_enterprise,
        crate::web::api::contacts::create_contact,
        crate::web::api::contacts::list_contacts,
        crate::web::api::contacts::get_contact,
        crate::web::api::contacts::update_contact,
        crate::web::api::contacts::delete_contact,
        crate::web::api::timeline::enterprise_timeline,
        crate::web::api::visits::create_visit,
        crate::web::api::visits::list_visits,
        crate::web::api::visits::get_visit,
        crate::web::api::visits::update_visit,
        crate::web::api::visits::delete_visit,
        crate::web::api::demands::create_demand,
        crate::web::api::demands::list_demands,
        crate::web::api::demands::get_demand,
        crate::web::api::demands::transition_demand,
        crate::web::api::demands::list_demand_events,
        crate::web::api::support::create_measure,
        crate::web::api::support::list_measures,
        crate::web::api::support::get_measure,
        crate::web::api::support::update_measure,
        crate::web::api::support::create_disbursement,
        crate::web::api::support::list_disbursements,
        crate::web::api::policies::create_policy,
        crate::web::api::policies::list_policies,
        crate::web::api::policies::get_policy,
        crate::web::api::policies::update_policy,
        crate::web::api::policies::eligible_policies,
        crate::web::api::benefits::create_benefit,
        crate::web::api::benefits::list_benefits,
        crate::web::api::benefits::get_benefit,
        crate::web::api::benefits::transition_benefit,
        crate::web::api::benefits::list_benefit_events,
        crate::web::api::indicators::put_indicators,
        crate::web::api::indicators::list_indicators,
        crate::web::api::stats::stats_overview,
        crate::web::api::stats::stats_indicators,
        crate::web::api::stats::stats_alerts,
        crate::web::api::exports::export_enterprises,
        crate::web::api::exports::export_visits,
        crate::web::api::exports::export_demands,
        crate::web::api::exports::export_measures,
        crate::web::api::imports::import_enterprises,
        crate::web::api::audit::list_audit_events,
        crate::web::api::audit::get_audit_event,
    ),
    components(
        schemas(
            crate::domain::actor::Role,
            crate::web::api::audit::AuditSort,
            crate::web::api::enterprises::EnterpriseSort,
            crate::domain::enterprises::model::EnterpriseSize,
            crate::domain::enterprises::model::EnterpriseStatus,
            crate::domain::visits::model::VisitKind,
            crate::domain::demands::model::DemandCategory,
            crate::domain::demands::model::DemandStatus,
            crate::domain::demands::model::Satisfaction,
            crate::domain::support::model::SupportKind,
            crate::domain::support::model::MeasureStatus,
            crate::domain::benefits::model::BenefitStatus,
            crate::domain::exports::Format,
            crate::domain::stats::indicators::GroupBy,
            Problem,
            ImportProblem
        ),
        responses(
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
        PayloadTooLarge, UnsupportedMediaType, Unprocessable, Unavailable, ImportRejected,
        ExportFile
        )
    ),
    tags(
        (name = "operations", description = "Health, readiness"),
        (name = "auth", description = "Tokens and the caller"),
        (name = "admin", description = "Departments, users and API clients"),
        (name = "reference", description = "Regions and industry categories"),
        (name = "enterprises", description = "Contact-point enterprises, their contacts and timeline"),
        (name = "visits", description = "Visits to enterprises"),
        (name = "demands", description = "Enterprise demands and their workflow"),
        (name = "support", description = "Support measures and their disbursements"),
        (name = "policies", description = "Policies and the enterprises they are meant for"),
        (name = "indicators", description = "Quarterly operating indicators of enterprises"),
        (name = "statistics", description = "Overview, indicator sums with growth, alerts"),
        (name = "exports", description = "Lists as CSV or XLSX files, streamed"),
        (name = "imports", description = "Bulk import of enterprises from CSV or XLSX"),
        (name = "audit", description = "The audit trail"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document_json() -> String {
    let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
