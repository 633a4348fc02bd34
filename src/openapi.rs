//! The OpenAPI document, generated from the handlers' annotations as the routes are mounted,
//! served at `/openapi.json`
//! and committed as `openapi/openapi.json` (a test fails when the two drift apart).

use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

use crate::web::problem::*;

/// Adds the security schemes: a bearer token, and the OAuth 2.0 password flow that issues it
/// (so Swagger UI's Authorize dialog logs in by itself).
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
        let password = Password::new("/api/v1/auth/token", Scopes::new());
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(password)],
                "Log in with a username and password (the token endpoint's password grant).",
            )),
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
    // Every operation needs a bearer token (from any grant, or from the password flow) unless
    // its own annotation says `security()`.
    security(("bearer" = []), ("oauth2" = [])),
    components(
        schemas(Problem, ImportProblem),
        responses(
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
        PayloadTooLarge, UnsupportedMediaType, Unprocessable, Unavailable, ImportRejected,
        ExportFile, ReportFile, ServerError
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
    finish(document)
}

/// What the route registrations cannot say: each list page's items refer to the resource's
/// own schema (`Page_Enterprise.items` is an array of `$ref: Enterprise`), so that generated
/// clients type list items as the resource, not as a class of their own; and the problems any
/// operation may meet.
pub fn finish(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    if let Some(components) = document.components.as_mut() {
        refer_page_items(components);
    }
    declare_server_problems(&mut document);
    document
}

/// `Page_X.items` as an array of `$ref: X`.
fn refer_page_items(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    use utoipa::openapi::{Ref, RefOr};
    let known: Vec<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name
            .strip_prefix("Page_")
            .filter(|i| known.iter().any(|k| k == i))
        else {
            continue;
        };
        let RefOr::T(Schema::Object(page)) = schema else {
            continue;
        };
        if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
            items.items =
                ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}

/// What any operation may meet besides its own problems: 503 where the database is needed
/// (every `/api/` operation) and an unexpected error (`default`, 500).
fn declare_server_problems(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for (path, item) in document.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            if path.starts_with("/api/") {
                responses
                    .entry("503".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Unavailable")));
            }
            responses
                .entry("default".into())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("ServerError")));
        }
    }
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
