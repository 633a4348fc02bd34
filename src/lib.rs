//! # liaison: the key-enterprise liaison system (重点企业联系制度) of Jiangxi's emergency industry
//!
//! A request's way: middleware ([`http`]: request id, logging, metrics, CORS, security headers,
//! problem fallback) → [`routes`] → a domain's `api.rs` (role check first, then the body) →
//! its `store.rs` (one transaction: rows and [`audit`] event together) → JSON or a problem
//! ([`error`]).
//!
//! Modules:
//! - [`config`]: typed configuration from the environment and flags.
//! - [`state`]: what handlers share (pool, keys, standing cache, metrics).
//! - [`db`]: pool, embedded migrations, finding or starting PostgreSQL, the schema.
//! - [`auth`]: roles, JWTs, passwords and secrets, the `Actor` extractor, the token endpoint.
//! - [`departments`], [`users`], [`clients`]: admin resources.
//! - [`enterprises`], [`contacts`]: the registry of contact-point enterprises and their people.
//! - [`visits`], [`demands`], [`timeline`]: tracked service: visits, demands and their
//!   workflow, the enterprise's history.
//! - [`support`]: support measures and disbursements, exact money ([`db::money`]).
//! - [`policies`], [`benefits`]: policies, eligibility, and tracked policy benefits.
//! - [`reference`]: regions and industry categories.
//! - [`audit`]: the audit trail and its list.
//! - [`seeds`]: reference and demo data loaded from `seeds/`.
//! - [`ops`], [`metrics`], [`openapi`]: operations endpoints and the API document.

pub mod config;
pub mod db;
pub mod domain;
pub mod openapi;
pub mod seeds;
pub mod web;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Condition, DefaultHeaders, Logger, from_fn};
use actix_web::web::Data;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::web::fallback::{KnownRoutes, unmatched};
use actix_web::{App, Error};

use crate::web::state::AppState;

/// Security headers on every response.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ))
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            "Authorization",
            "Content-Type",
            "If-Match",
            "Idempotency-Key",
            "X-Request-Id",
        ])
        .expose_headers(["ETag", "Location", "X-Request-Id", "Retry-After"])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The whole application over shared state; used by `serve` and by the tests.
pub fn build_app(
    state: Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let origins = state.config.cors_origin_list();
    let metrics = state.metrics.middleware();
    let (app, document) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .configure(crate::web::routes::mount)
        .split_for_parts();
    let known = Data::new(KnownRoutes::from_document(&document));
    app.app_data(state)
        .app_data(known)
        // `/openapi.json` (the document) and `/docs` (Swagger UI, served from the binary).
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document))
        .service(actix_web::web::redirect("/docs", "/docs/"))
        .default_service(actix_web::web::to(unmatched))
        .wrap(from_fn(crate::web::idempotency::idempotent))
        .wrap(from_fn(crate::web::fallback::problem_for_plain_errors))
        .wrap(security_headers())
        .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
        .wrap(metrics)
        .wrap(from_fn(crate::web::request_id::assign))
        .wrap(Logger::new("%{x-request-id}o \"%r\" %s %b %Dms").log_target("liaison::request"))
}
