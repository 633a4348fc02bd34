//! The OpenAPI document, generated from the handlers' annotations, served at `/openapi.json`
//! and committed as `openapi/openapi.json` (a test fails when the two drift apart).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse, ToSchema};

use crate::error::Problem;

/// Malformed JSON or query string, unknown query parameter, bad cursor.
#[derive(ToResponse)]
#[response(
    description = "Malformed request",
    content_type = "application/problem+json"
)]
pub struct BadRequest(pub Problem);

/// No token, or a bad one.
#[derive(ToResponse)]
#[response(
    description = "Missing, invalid or expired token",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Bearer"))
)]
pub struct Unauthorized(pub Problem);

/// The caller's role or department may not do this.
#[derive(ToResponse)]
#[response(
    description = "Forbidden for this role or department",
    content_type = "application/problem+json"
)]
pub struct Forbidden(pub Problem);

/// Unknown id.
#[derive(ToResponse)]
#[response(
    description = "No such resource",
    content_type = "application/problem+json"
)]
pub struct NotFound(pub Problem);

/// Duplicate or not allowed in the current state.
#[derive(ToResponse)]
#[response(description = "Conflict", content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// Stale `If-Match`.
#[derive(ToResponse)]
#[response(
    description = "The resource changed since it was read",
    content_type = "application/problem+json"
)]
pub struct PreconditionFailed(pub Problem);

/// Body over 1 MiB.
#[derive(ToResponse)]
#[response(
    description = "Body too large",
    content_type = "application/problem+json"
)]
pub struct PayloadTooLarge(pub Problem);

/// Not JSON.
#[derive(ToResponse)]
#[response(
    description = "Unsupported content type",
    content_type = "application/problem+json"
)]
pub struct UnsupportedMediaType(pub Problem);

/// The body parsed but has invalid fields.
#[derive(ToResponse)]
#[response(
    description = "Validation failed; `errors` lists every bad field",
    content_type = "application/problem+json"
)]
pub struct Unprocessable(pub Problem);

/// An export: CSV (UTF-8 with a BOM, Chinese headers) or an XLSX workbook, as `format` asks.
#[derive(ToResponse)]
#[response(
    description = "The file, streamed",
    headers(("Content-Disposition" = String, description = "attachment; filename=…"))
)]
pub enum ExportFile {
    Csv(#[content("text/csv")] String),
    Xlsx(
        #[content("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
        #[to_schema]
        BinaryFile,
    ),
}

/// A binary file: an XLSX workbook.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(pub Vec<u8>);

/// The problem document of a rejected import: `errors` lists every bad cell.
#[derive(serde::Serialize, ToSchema)]
pub struct ImportProblem {
    #[serde(rename = "type")]
    type_: String,
    title: String,
    status: u16,
    detail: String,
    request_id: String,
    errors: Vec<crate::error::RowError>,
}

/// An import file with bad cells.
#[derive(ToResponse)]
#[response(
    description = "The file has bad cells; nothing was written. `errors` lists each with its row and column",
    content_type = "application/problem+json"
)]
pub struct ImportRejected(pub ImportProblem);

/// The database is unreachable.
#[derive(ToResponse)]
#[response(
    description = "Database unavailable",
    content_type = "application/problem+json"
)]
pub struct Unavailable(pub Problem);

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
        crate::ops::healthz,
        crate::ops::readyz,
        crate::auth::api::token,
        crate::auth::api::revoke,
        crate::auth::api::me,
        crate::departments::api::list_departments,
        crate::departments::api::get_department,
        crate::departments::api::create_department,
        crate::departments::api::update_department,
        crate::users::api::create_user,
        crate::users::api::list_users,
        crate::users::api::get_user,
        crate::users::api::update_user,
        crate::clients::api::create_client,
        crate::clients::api::list_clients,
        crate::clients::api::get_client,
        crate::clients::api::update_client,
        crate::reference::api::list_regions,
        crate::reference::api::list_categories,
        crate::enterprises::api::create_enterprise,
        crate::enterprises::api::list_enterprises,
        crate::enterprises::api::get_enterprise,
        crate::enterprises::api::update_enterprise,
        crate::enterprises::api::withdraw_enterprise,
        crate::contacts::api::create_contact,
        crate::contacts::api::list_contacts,
        crate::contacts::api::get_contact,
        crate::contacts::api::update_contact,
        crate::contacts::api::delete_contact,
        crate::timeline::api::enterprise_timeline,
        crate::visits::api::create_visit,
        crate::visits::api::list_visits,
        crate::visits::api::get_visit,
        crate::visits::api::update_visit,
        crate::visits::api::delete_visit,
        crate::demands::api::create_demand,
        crate::demands::api::list_demands,
        crate::demands::api::get_demand,
        crate::demands::api::transition_demand,
        crate::demands::api::list_demand_events,
        crate::support::api::create_measure,
        crate::support::api::list_measures,
        crate::support::api::get_measure,
        crate::support::api::update_measure,
        crate::support::api::create_disbursement,
        crate::support::api::list_disbursements,
        crate::policies::api::create_policy,
        crate::policies::api::list_policies,
        crate::policies::api::get_policy,
        crate::policies::api::update_policy,
        crate::policies::api::eligible_policies,
        crate::benefits::api::create_benefit,
        crate::benefits::api::list_benefits,
        crate::benefits::api::get_benefit,
        crate::benefits::api::transition_benefit,
        crate::benefits::api::list_benefit_events,
        crate::indicators::api::put_indicators,
        crate::indicators::api::list_indicators,
        crate::stats::api::stats_overview,
        crate::stats::api::stats_indicators,
        crate::stats::api::stats_alerts,
        crate::exports::api::export_enterprises,
        crate::exports::api::export_visits,
        crate::exports::api::export_demands,
        crate::exports::api::export_measures,
        crate::imports::api::import_enterprises,
        crate::audit::api::list_audit_events,
        crate::audit::api::get_audit_event,
    ),
    components(
        schemas(
            crate::auth::Role,
            crate::audit::api::AuditSort,
            crate::enterprises::api::EnterpriseSort,
            crate::enterprises::model::EnterpriseSize,
            crate::enterprises::model::EnterpriseStatus,
            crate::visits::model::VisitKind,
            crate::demands::model::DemandCategory,
            crate::demands::model::DemandStatus,
            crate::demands::model::Satisfaction,
            crate::support::model::SupportKind,
            crate::support::model::MeasureStatus,
            crate::benefits::model::BenefitStatus,
            crate::exports::Format,
            crate::stats::indicators::GroupBy,
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
