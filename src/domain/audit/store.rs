//! Reading the audit trail.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::db::schema::audit_events;

/// An audit event as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEventRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub actor_kind: String,
    pub department: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub changes: Value,
    pub request_id: Option<String>,
}

/// Filters of the audit list (its query parameters).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only events about this kind of record (`user`, `enterprise`, …).
    pub entity: Option<String>,
    /// Only events about this record.
    pub entity_id: Option<String>,
    /// Only events by this user or client.
    pub actor: Option<Uuid>,
    /// Events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// Where a page of the audit list starts and which way it runs.
pub struct AuditPage {
    pub newest_first: bool,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// One page (plus one row) of events in `(at, id)` order, served by the `(…, at, id)` indexes.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: AuditFilter,
    page: AuditPage,
) -> QueryResult<Vec<AuditEventRow>> {
    let mut query = audit_events::table
        .select(AuditEventRow::as_select())
        .into_boxed();
    crate::filter_present!(query,
        f.entity => |entity| audit_events::entity.eq(entity),
        f.entity_id => |entity_id| audit_events::entity_id.eq(entity_id),
        f.actor => |actor| audit_events::actor.eq(actor),
        f.from => |from| audit_events::at.ge(from),
        f.to => |to| audit_events::at.lt(to),
    );
    crate::keyset_sorted!(
        query,
        audit_events::at,
        audit_events::id,
        page.after,
        page.newest_first
    );
    query.limit(page.limit + 1).load(conn).await
}

/// One event.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<AuditEventRow>> {
    audit_events::table
        .find(id)
        .select(AuditEventRow::as_select())
        .first(conn)
        .await
        .optional()
}
