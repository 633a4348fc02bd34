//! Where the routes are mounted: one line per concept. Each route is registered once, by its
//! handler's own attributes (`#[utoipa::path]` and `#[get("…")]`), which give both the route
//! and its OpenAPI entry; utoipa-actix-web collects the entries as the routes are mounted.

use actix_web::web as actix;
use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::web::{api, metrics, ops};

/// Mounts the operations endpoints and the API.
pub fn mount(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        // Prometheus' text format, not part of the API document.
        .route("/metrics", actix::get().to(metrics::render))
        .service(
            scope("/api/v1")
                .configure(api::auth::routes)
                .configure(api::departments::routes)
                .configure(api::batches::routes)
                .configure(api::users::routes)
                .configure(api::clients::routes)
                .configure(api::reference::routes)
                .configure(api::enterprises::routes)
                .configure(api::contacts::routes)
                .configure(api::timeline::routes)
                .configure(api::visits::routes)
                .configure(api::demands::routes)
                .configure(api::support::routes)
                .configure(api::policies::routes)
                .configure(api::benefits::routes)
                .configure(api::indicators::routes)
                .configure(api::stats::routes)
                .configure(api::figures::routes)
                .configure(api::indicator_stats::routes)
                .configure(api::reports::routes)
                .configure(api::exports::routes)
                .configure(api::imports::routes)
                .configure(api::audit::routes)
                .configure(api::events::routes)
                .configure(api::webhooks::routes),
        );
}
