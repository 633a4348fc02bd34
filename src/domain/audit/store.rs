//! Reading the audit trail.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::audit_events;
use crate::domain::error::{AppResult, OrNotFound};

crate::text_enum! {
    /// Who acted: a user, an API client, the system (the command line, supervision), or
    /// nobody known (a failed login).
    pub enum AuditActorKind {
        User = "user",
        Client = "client",
        System = "system",
        Anonymous = "anonymous",
    }
}

/// One recorded change.
#[derive(Debug, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The acting user's or client's id; null for the command line.
    pub actor: Option<Uuid>,
    pub actor_kind: AuditActorKind,
    /// The actor's department.
    pub department: Option<String>,
    /// `create`, `update`, `delete`, `transition`, `login`, `logout`, …
    pub action: String,
    /// `user`, `client`, `department`, …
    pub entity: String,
    pub entity_id: String,
    /// `{field: {"before": …, "after": …}}`.
    #[schema(value_type = Object)]
    pub changes: Value,
    pub request_id: Option<String>,
}

impl crate::db::keyset::Keyed for AuditEvent {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.at, self.id)
    }
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
) -> QueryResult<Vec<AuditEvent>> {
    let mut query = audit_events::table
        .select(AuditEvent::as_select())
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
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<AuditEvent> {
    audit_events::table
        .find(id)
        .select(AuditEvent::as_select())
        .first(conn)
        .await
        .or_not_found("no such audit event")
}
