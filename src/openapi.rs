//! The OpenAPI document, generated from the handlers' annotations as the routes are mounted,
//! served at `/openapi.json`
//! and committed as `openapi/openapi.json` (a test fails when the two drift apart).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

use crate::web::download::files::{ExportFile, ReportFile};
use crate::web::problem::*;

mod limits;

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
                    .description(Some(
                        "A JWT access token: HS256 only, issuer, audience and expiry checked, \
                         as RFC8725 advises; valid 15 minutes by default.",
                    ))
                    .build(),
            ),
        );
        // A refresh token renews the short-lived access token at the same endpoint.
        let password =
            Password::with_refresh_url("/api/v1/auth/token", Scopes::new(), "/api/v1/auth/token");
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(password)],
                "Log in with a username and password (the token endpoint's password grant); the \
                 access token is a JWT checked as RFC8725 advises, renewed with the refresh token.",
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
        description = "重点企业联系制度: contact-point enterprises of Jiangxi's emergency industry, visits, demands, support and policy benefits.",
        contact(name = "江西省工业和信息化厅 · 重点企业联系制度")
    ),
    // Relative: the document describes the server that serves it.
    servers((url = "/", description = "This server: the deployment (production, staging, test or local) that serves this document")),
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
    split_summaries(&mut document);
    // The limits are filled in on the JSON form, which every schema shares.
    let Ok(mut json) = serde_json::to_value(&document) else {
        return document;
    };
    declare_cors_and_audience(&mut json);
    limits::declare(&mut json);
    serde_json::from_value(json).unwrap_or(document)
}

/// The operations of a path.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// A handler's doc comment is one paragraph: its first sentence becomes the summary (what the
/// operation does), the rest the description (who may call it, what it honours).
fn split_summaries(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        for operation in operations(item).filter(|o| o.description.is_none()) {
            let Some(summary) = operation.summary.take() else {
                continue;
            };
            let (first, rest) = summary.split_at(first_sentence_end(&summary));
            operation.summary = Some(first.trim().to_owned());
            operation.description = Some(rest.trim().to_owned()).filter(|r| !r.is_empty());
        }
    }
}

/// Where the first sentence ends: a `.`, `;` or `:` followed by a space (or a line break) and a
/// capital letter,
/// a backtick or a parenthesis (the whole text when there is none).
fn first_sentence_end(text: &str) -> usize {
    let starts_sentence = |c: char| c.is_ascii_uppercase() || c == '`' || c == '(';
    text.char_indices()
        .find(|&(i, c)| {
            let mut next = text[i + c.len_utf8()..].chars();
            matches!(c, '.' | ';' | ':')
                && next.next().is_some_and(char::is_whitespace)
                && next.next().is_some_and(starts_sentence)
        })
        .map_or(text.len(), |(i, c)| i + c.len_utf8())
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
/// (every `/api/` operation) and an unexpected error (500, and `default` for anything else).
fn declare_server_problems(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr};
    for (path, item) in document.paths.paths.iter_mut() {
        for operation in operations(item) {
            let responses = &mut operation.responses.responses;
            if path.starts_with("/api/") {
                responses
                    .entry("503".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Unavailable")));
            }
            for status in ["500", "default"] {
                responses
                    .entry(status.into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("ServerError")));
            }
        }
    }
}

/// Every response that names headers also names `Access-Control-Allow-Origin` (sent when
/// the request's `Origin` is configured, `LIAISON_CORS_ORIGINS`); the servers are internal:
/// government systems and frontends call them, not the public.
fn declare_cors_and_audience(document: &mut serde_json::Value) {
    use serde_json::{Value, json};
    fn walk(node: &mut Value) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(headers)) = map.get_mut("headers") {
                    headers.entry("Access-Control-Allow-Origin").or_insert(json!({
                        "description": "The request's `Origin`, when it is one of the configured origins",
                        "schema": {"type": "string"}
                    }));
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(document);
    for server in document["servers"].as_array_mut().into_iter().flatten() {
        server["x-internal"] = Value::Bool(true);
    }
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
