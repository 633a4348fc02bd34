//! # liaison: the key-enterprise liaison system (重点企业联系制度) of Jiangxi's emergency industry
//!
//! The house has three layers, each a folder, and an import only ever points down
//! (`tests/api/architecture.rs` holds the rules and fails on an upward import):
//!
//! - [`web`]: the HTTP face (actix-web, utoipa). Extractors ([`web::caller`] for the bearer
//!   token, [`web::body`] and [`web::fields`] for bodies, [`web::pagination`] for cursors,
//!   [`web::precondition`] for `If-Match`), the document's parameter limits enforced
//!   ([`web::parameter_limits`]), RFC 9457 problems and the grouped problem responses
//!   ([`web::problem`]) in the reader's language ([`web::language`], [`web::messages`]: the
//!   Chinese text of every message), idempotency, request ids, metrics, the shared
//!   [`web::state`], and [`web::api`]: one file per concept with its handlers, their request
//!   and response types, and `routes()`. An api file never imports another.
//! - [`domain`]: the rules and the records, no actix-web. One folder per concept (`model.rs`:
//!   rows, enums, pure rules; `store.rs`: queries and transactions, the audit event in the same
//!   transaction), plus [`domain::actor`] (who acts, which roles), [`domain::audit`] (which
//!   also writes each change's [`domain::events`] entry), [`domain::masking`],
//!   [`domain::error`] (what went wrong, no HTTP in it) and [`domain::validation`]. Concepts
//!   depend one way: enterprises ← contacts, visits, demands, support, policies, benefits,
//!   indicators; demands ← visits; policies ← benefits; every concept ← exports, imports,
//!   stats, timeline; stats ← [`domain::reports`] (the monthly 调度会 workbook); demands
//!   and enterprises ← [`domain::supervision`] (督办, run by `serve`); [`domain::webhooks`]
//!   sends the events on. Designation batches and withdrawals belong to enterprises.
//! - [`db`]: pool, embedded migrations, finding or starting PostgreSQL, the generated
//!   [`db::schema`], column types ([`db::money`], [`db::quarter`], [`text_enum!`]), the China
//!   clock ([`db::clock`]), the SQL functions of the migrations ([`db::functions`]), and the
//!   two macros every list is written with: [`filter_present!`] (each query parameter given
//!   narrows the query) and [`keyset_page!`] (order, cursor and limit). Imports nothing of ours.
//!
//! Beside them: [`config`] (typed configuration, defaults written once), [`seeds`] (reference,
//! demo and synthetic data, through the stores), and on top [`openapi`] (info, tags, security
//! schemes, and the limits the annotations leave open), [`build_app`] and `main.rs`, which
//! nothing imports.
//!
//! A request's way: middleware (request id, language, logging, metrics, CORS, security headers,
//! problem fallback, idempotency, parameter limits) → the route, registered once with its
//! OpenAPI entry by the handler's own attributes ([`web::routes`] mounts each concept's `routes()`) → the handler in
//! `web/api/<concept>.rs` (role check first, then the body, every bad field at once) → the
//! concept's `store.rs` (one transaction: rows and audit event together) → JSON, or the domain
//! error rendered as a problem.
//!
//! A new resource: its migration, the regenerated `src/db/schema.rs` (`diesel print-schema`),
//! `src/domain/<concept>/` (`model.rs`, `store.rs`, its line in `src/domain/mod.rs`),
//! `src/web/api/<concept>.rs` (handlers with `#[utoipa::path]` and `#[get("…")]`, and
//! `routes()`), one `.configure(api::<concept>::routes)` line in [`web::routes`], and its tests.

pub mod config;
pub mod db;
pub mod domain;
pub mod openapi;
pub mod seeds;
pub mod web;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, Condition, DefaultHeaders, Logger, from_fn};
use actix_web::web::Data;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::web::fallback::{KnownRoutes, unmatched};
use crate::web::parameter_limits::ParameterLimits;
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
    let document = openapi::finish(document);
    let known = Data::new(KnownRoutes::from_document(&document));
    let limits = Data::new(ParameterLimits::from_document(
        &serde_json::to_value(&document).unwrap_or_default(),
    ));
    app.app_data(state)
        .app_data(known)
        .app_data(limits)
        // `/openapi.json` (the document) and `/docs` (Swagger UI, served from the binary).
        // A tail parameter the metrics middleware can name (`{_:.*}` made it warn per asset).
        .service(SwaggerUi::new("/docs/{tail}*").url("/openapi.json", document))
        .service(actix_web::web::redirect("/docs", "/docs/"))
        .default_service(actix_web::web::to(unmatched))
        .wrap(from_fn(crate::web::parameter_limits::enforce))
        .wrap(from_fn(crate::web::caller::record_refusals))
        .wrap(from_fn(crate::web::idempotency::idempotent))
        .wrap(from_fn(crate::web::fallback::problem_for_plain_errors))
        .wrap(from_fn(crate::web::assets::shared_documents))
        .wrap(Compress::default())
        .wrap(from_fn(crate::web::conditional::conditional))
        .wrap(security_headers())
        .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
        .wrap(metrics)
        .wrap(from_fn(crate::web::language::negotiate))
        .wrap(from_fn(crate::web::request_id::assign))
        .wrap(Logger::new("%{x-request-id}o \"%r\" %s %b %Dms").log_target("liaison::request"))
}
