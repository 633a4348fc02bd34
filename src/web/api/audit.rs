//! `GET /api/v1/audit-events` (admin): who changed what, when.

use actix_web::get;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::audit::store::{self, AuditEvent, AuditFilter, AuditPage};
use crate::domain::error::AppResult;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::problem::{Forbidden, ListErrors, ReadErrors};
use crate::web::state::AppState;

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
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
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
    Ok(HttpResponse::Ok().json(store::get(&mut conn, *id).await?))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_events).service(get_audit_event);
}
