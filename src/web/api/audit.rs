//! `GET /api/v1/audit-events` (admin): who changed what, when.

use actix_web::get;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::audit::store::{self, AuditEventRow, AuditFilter, AuditPage};
use crate::domain::error::{AppError, AppResult};
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::problem::{Forbidden, ListErrors, ReadErrors};
use crate::web::state::AppState;

/// One recorded change.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The acting user's or client's id; null for the command line.
    pub actor: Option<Uuid>,
    /// `user`, `client`, `system`, or `anonymous` (a failed login).
    pub actor_kind: String,
    /// The actor's department.
    pub department: Option<String>,
    /// `create`, `update`, `delete`, `transition`, `login`, `logout`, …
    pub action: String,
    /// `user`, `client`, `department`, …
    pub entity: String,
    pub entity_id: String,
    /// `{field: {"before": …, "after": …}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub request_id: Option<String>,
}

impl crate::db::keyset::Keyed for AuditEvent {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.at, self.id)
    }
}

impl From<AuditEventRow> for AuditEvent {
    fn from(r: AuditEventRow) -> Self {
        AuditEvent {
            id: r.id,
            at: r.at,
            actor: r.actor,
            actor_kind: r.actor_kind,
            department: r.department,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            changes: r.changes,
            request_id: r.request_id,
        }
    }
}

/// Sort orders of the audit list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
pub enum AuditSort {
    /// Oldest first (default).
    #[default]
    #[serde(rename = "at")]
    Oldest,
    /// Newest first.
    #[serde(rename = "-at")]
    Newest,
}

/// The `sort` parameter of the audit list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditSortParam {
    /// `at` (oldest first, default) or `-at`.
    #[param(inline)]
    pub sort: Option<AuditSort>,
}

/// Lists audit events. Admin only.
#[utoipa::path(
    tag = "audit", params(AuditFilter, AuditSortParam, PageParams),
    responses(
        (status = 200, body = Page<AuditEvent>),
        ListErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    actor: Actor,
    state: web::Data<AppState>,
    query: Listing<AuditFilter, AuditSort>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let limit = query.limit()?;
    let after = query.after::<AuditEvent>()?;
    let page = AuditPage {
        newest_first: matches!(query.sort.unwrap_or_default(), AuditSort::Newest),
        after,
        limit,
    };
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, query.filter, page).await?;
    let page = Page::of(rows.into_iter().map(AuditEvent::from).collect(), limit);
    Ok(HttpResponse::Ok().json(page))
}

/// Reads one audit event. Admin only; events can never be changed or deleted (405).
#[utoipa::path(
    tag = "audit",
    params(("id" = Uuid, Path, description = "Audit event id")),
    responses(
        (status = 200, body = AuditEvent),
        ReadErrors,
        (status = 403, response = Forbidden),
    ),
)]
#[get("/audit-events/{id}")]
pub async fn get_audit_event(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let mut conn = state.pool.get().await?;
    let event = store::get(&mut conn, *id)
        .await?
        .ok_or_else(|| AppError::NotFound("no such audit event".into()))?;
    Ok(HttpResponse::Ok().json(AuditEvent::from(event)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_events).service(get_audit_event);
}
