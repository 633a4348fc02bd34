//! `/api/v1/webhooks` (admin): subscriptions that receive the feed's events, their secrets,
//! test deliveries and the delivery log.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::Actor;
use crate::domain::error::AppResult;
use crate::domain::webhooks::model::{
    CreatedWebhook, Delivery, Webhook, WebhookFields, event_types_schema,
};
use crate::domain::webhooks::store;
use crate::web::body::{JsonBody, NoParams};
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::{Merge, present, set_if};
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{
    ActionErrors, CreateErrors, DeleteErrors, Forbidden, ListErrors, NotFound, ReadErrors,
    UpdateErrors,
};
use crate::web::state::AppState;

/// Body of `POST /api/v1/webhooks`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// An `http(s)` URL; one resolving to a loopback, private or link-local address is refused.
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 2000,
             example = "https://hooks.example.gov.cn/liaison")]
    pub url: Option<String>,
    #[validate(required)]
    #[schema(required = true, schema_with = event_types_schema)]
    pub event_types: Option<Vec<String>>,
    /// Only events of these departments' records (absent or empty: every department).
    #[schema(max_items = 50)]
    pub departments: Option<Vec<String>>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// Body of `PATCH /api/v1/webhooks/{id}` (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 2000)]
    pub url: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = event_types_schema)]
    pub event_types: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 50)]
    pub departments: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    /// Turn deliveries off or on again.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub active: Option<Option<bool>>,
}

impl WebhookPatch {
    fn into_change(self) -> AppResult<impl FnOnce(&mut WebhookFields) + Send> {
        let mut m = Merge::default();
        let url = m.required("url", self.url);
        let event_types = m.required("event_types", self.event_types);
        let departments = m.required("departments", self.departments);
        let active = m.required("active", self.active);
        let description = m.nullable("description", self.description);
        m.finish()?;
        Ok(move |f: &mut WebhookFields| {
            set_if(&mut f.url, url.map(|u| u.trim().to_owned()));
            set_if(&mut f.event_types, event_types);
            set_if(&mut f.departments, departments);
            set_if(&mut f.active, active);
            set_if(&mut f.description, description);
        })
    }
}

/// Subscribes a receiver; the answer shows its secret this once. Admin only.
#[utoipa::path(
    tag = "webhooks", request_body = NewWebhook, params(IdempotencyKey),
    responses(
        (status = 201, body = CreatedWebhook, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/webhooks")]
pub async fn create_webhook(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let b: NewWebhook = body.read().await?;
    let fields = WebhookFields {
        url: b.url.unwrap_or_default().trim().to_owned(),
        event_types: b.event_types.unwrap_or_default(),
        departments: b.departments.unwrap_or_default(),
        description: b.description,
        active: true,
    };
    let allow_private = state.config.webhook_allow_private;
    let mut conn = state.pool.get().await?;
    let made = store::create(&mut conn, &actor, fields, allow_private).await?;
    let location = format!("/api/v1/webhooks/{}", made.webhook.id);
    Ok(created(location, made.webhook.version, &made))
}

/// Lists subscriptions, oldest first. Admin only.
#[utoipa::path(
    tag = "webhooks", params(PageParams),
    responses(
        (status = 200, body = Page<Webhook>),
        ListErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    actor: Actor,
    state: web::Data<AppState>,
    query: Listing<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let limit = query.limit()?;
    let after = query.after::<Webhook>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// Reads a subscription (never its secret). Admin only.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = Webhook, headers(("ETag" = String))),
        ReadErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    let found = store::get(&mut conn, *id).await?;
    Ok(current(found.version, &found))
}

/// Changes a subscription (merge patch); honours `If-Match`. Admin only.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id"), IfMatch),
    request_body(content = WebhookPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Webhook, headers(("ETag" = String))), UpdateErrors),
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let p: WebhookPatch = body.read().await?;
    let change = p.into_change()?;
    let allow_private = state.config.webhook_allow_private;
    let mut conn = state.pool.get().await?;
    let key = (*id, if_match.version);
    let webhook = store::update(&mut conn, &actor, key, change, allow_private).await?;
    Ok(current(webhook.version, &webhook))
}

/// Deletes a subscription and its delivery log; honours `If-Match`. Admin only.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id"), IfMatch),
    responses((status = 204, description = "Deleted"), DeleteErrors),
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    store::delete(&mut conn, &actor, *id, if_match.version).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new secret, shown this once; the old one keeps signing beside it for 24 hours. Admin only.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 201, body = CreatedWebhook), ActionErrors),
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    let made = store::rotate_secret(&mut conn, &actor, *id, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(made))
}

/// Queues a `webhook.test` event for this subscription only. Admin only.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 202, description = "Queued"), ActionErrors),
)]
#[post("/webhooks/{id}/test")]
pub async fn test_webhook(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    store::send_test(&mut conn, &actor, *id).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// The delivery log of a subscription, newest first. Admin only.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id"), PageParams),
    responses(
        (status = 200, body = Page<Delivery>),
        ListErrors,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Listing<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let limit = query.limit()?;
    let after = query.after::<Delivery>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::deliveries(&mut conn, *id, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// Sends a failed or dead delivery again at once (a delivered one is 409). Admin only.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id"),
    ),
    responses((status = 202, body = Delivery), ActionErrors),
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    let delivery = store::retry(&mut conn, &actor, *path, state.clock.now()).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(test_webhook)
        .service(list_deliveries)
        .service(retry_delivery);
}
