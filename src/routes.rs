//! Every route of the service in one place: the map of the API.

use actix_web::web;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    audit, auth, clients, contacts, demands, departments, enterprises, metrics, openapi, ops,
    policies, reference, support, timeline, users, visits,
};

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(ops::healthz)))
        .service(web::resource("/readyz").route(web::get().to(ops::readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics::render)))
        // `/openapi.json` (the document) and `/docs` (Swagger UI, served from the binary).
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi::ApiDoc::openapi()))
        .service(web::redirect("/docs", "/docs/"))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/auth/token").route(web::post().to(auth::api::token)))
                .service(web::resource("/auth/revoke").route(web::post().to(auth::api::revoke)))
                .service(web::resource("/me").route(web::get().to(auth::api::me)))
                .service(
                    web::resource("/departments")
                        .route(web::get().to(departments::api::list_departments))
                        .route(web::post().to(departments::api::create_department)),
                )
                .service(
                    web::resource("/departments/{code}")
                        .route(web::get().to(departments::api::get_department))
                        .route(web::patch().to(departments::api::update_department)),
                )
                .service(
                    web::resource("/users")
                        .route(web::get().to(users::api::list_users))
                        .route(web::post().to(users::api::create_user)),
                )
                .service(
                    web::resource("/users/{id}")
                        .route(web::get().to(users::api::get_user))
                        .route(web::patch().to(users::api::update_user)),
                )
                .service(
                    web::resource("/clients")
                        .route(web::get().to(clients::api::list_clients))
                        .route(web::post().to(clients::api::create_client)),
                )
                .service(
                    web::resource("/clients/{id}")
                        .route(web::get().to(clients::api::get_client))
                        .route(web::patch().to(clients::api::update_client)),
                )
                .service(
                    web::resource("/reference/regions")
                        .route(web::get().to(reference::api::list_regions)),
                )
                .service(
                    web::resource("/reference/categories")
                        .route(web::get().to(reference::api::list_categories)),
                )
                .service(
                    web::resource("/enterprises")
                        .route(web::get().to(enterprises::api::list_enterprises))
                        .route(web::post().to(enterprises::api::create_enterprise)),
                )
                .service(
                    web::resource("/enterprises/{id}")
                        .route(web::get().to(enterprises::api::get_enterprise))
                        .route(web::patch().to(enterprises::api::update_enterprise))
                        .route(web::delete().to(enterprises::api::withdraw_enterprise)),
                )
                .service(
                    web::resource("/enterprises/{id}/contacts")
                        .route(web::get().to(contacts::api::list_contacts))
                        .route(web::post().to(contacts::api::create_contact)),
                )
                .service(
                    web::resource("/enterprises/{id}/contacts/{contact_id}")
                        .route(web::get().to(contacts::api::get_contact))
                        .route(web::patch().to(contacts::api::update_contact))
                        .route(web::delete().to(contacts::api::delete_contact)),
                )
                .service(
                    web::resource("/enterprises/{id}/timeline")
                        .route(web::get().to(timeline::api::enterprise_timeline)),
                )
                .service(
                    web::resource("/visits")
                        .route(web::get().to(visits::api::list_visits))
                        .route(web::post().to(visits::api::create_visit)),
                )
                .service(
                    web::resource("/visits/{id}")
                        .route(web::get().to(visits::api::get_visit))
                        .route(web::patch().to(visits::api::update_visit))
                        .route(web::delete().to(visits::api::delete_visit)),
                )
                .service(
                    web::resource("/demands")
                        .route(web::get().to(demands::api::list_demands))
                        .route(web::post().to(demands::api::create_demand)),
                )
                .service(
                    web::resource("/demands/{id}").route(web::get().to(demands::api::get_demand)),
                )
                .service(
                    web::resource("/demands/{id}/transitions")
                        .route(web::post().to(demands::api::transition_demand)),
                )
                .service(
                    web::resource("/demands/{id}/events")
                        .route(web::get().to(demands::api::list_demand_events)),
                )
                .service(
                    web::resource("/support-measures")
                        .route(web::get().to(support::api::list_measures))
                        .route(web::post().to(support::api::create_measure)),
                )
                .service(
                    web::resource("/support-measures/{id}")
                        .route(web::get().to(support::api::get_measure))
                        .route(web::patch().to(support::api::update_measure)),
                )
                .service(
                    web::resource("/support-measures/{id}/disbursements")
                        .route(web::get().to(support::api::list_disbursements))
                        .route(web::post().to(support::api::create_disbursement)),
                )
                .service(
                    web::resource("/policies")
                        .route(web::get().to(policies::api::list_policies))
                        .route(web::post().to(policies::api::create_policy)),
                )
                .service(
                    web::resource("/policies/{id}")
                        .route(web::get().to(policies::api::get_policy))
                        .route(web::patch().to(policies::api::update_policy)),
                )
                .service(
                    web::resource("/enterprises/{id}/eligible-policies")
                        .route(web::get().to(policies::api::eligible_policies)),
                )
                .service(
                    web::resource("/audit-events")
                        .route(web::get().to(audit::api::list_audit_events)),
                )
                .service(
                    web::resource("/audit-events/{id}")
                        .route(web::get().to(audit::api::get_audit_event)),
                ),
        );
}
