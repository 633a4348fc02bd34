//! The OpenAPI document, generated from the handlers' annotations as the routes are mounted,
//! served at `/openapi.json`
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

/// The base of the document: info, tags, security schemes and the shared responses; the
/// paths come from the route registrations (see [`document`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Key-enterprise liaison API",
        version = "1.0.0",
        description = "重点企业联系制度: contact-point enterprises of Jiangxi's emergency industry, visits, demands, support and policy benefits."
    ),
    modifiers(&BearerScheme),
    // Every operation needs a bearer token unless its own annotation says `security()`.
    security(("bearer" = [])),
    components(
        schemas(Problem, ImportProblem),
        responses(
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
        PayloadTooLarge, UnsupportedMediaType, Unprocessable, Unavailable, ImportRejected,
        ExportFile, ReportFile
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
        (name = "events", description = "The feed of committed changes (事件)"),
        (name = "webhooks", description = "Pushing events to other systems (推送)"),
    )
)]
pub struct ApiDoc;

/// The whole document: the base above with every mounted route's entry.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::web::routes::mount)
        .split_for_parts();
    document
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
