//! The audit trail: every change is recorded in the same transaction as the change itself.

pub mod security;
pub mod store;

use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::db::functions::emit_event;
use crate::db::schema::audit_events;
use crate::domain::actor::Actor;
use crate::domain::events::{self, EventType, store::NewEvent};

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` with `id` as the request id its audit events record (the web layer wraps each
/// request in it).
pub async fn with_request_id<F: std::future::Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The id of the request being served (empty outside a request).
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// Fields that change on every write and say nothing to an auditor.
const NOISE_FIELDS: [&str; 2] = ["version", "updated_at"];

/// One audit event to write.
pub struct AuditEntry<'a> {
    /// `create`, `update`, `delete`, `transition`, `login`, `logout`, …
    pub action: &'a str,
    /// `user`, `client`, `department`, `enterprise`, …
    pub entity: &'a str,
    pub entity_id: String,
    /// `{field: {"before", "after"}}`, see [`changes`].
    pub changes: Value,
    /// The record after the change (a deletion: before it), when the change is one the event
    /// feed tells of (see [`EventType::of_change`]).
    pub data: Option<Value>,
}

/// Writes an audit record and, for a change the feed tells of, its event. `actor` is `None`
/// for the command line and the server's own checks (recorded as `system`).
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    entry: AuditEntry<'_>,
) -> QueryResult<()> {
    let request_id = Some(current_request_id()).filter(|id| !id.is_empty());
    let actor_kind = actor.map_or("system", |a| a.kind.as_str());
    let department = actor.map(|a| a.department.clone());
    let values = (
        audit_events::id.eq(Uuid::new_v4()),
        audit_events::actor.eq(actor.map(|a| a.id)),
        audit_events::actor_kind.eq(actor_kind),
        audit_events::department.eq(department),
        audit_events::action.eq(entry.action),
        audit_events::entity.eq(entry.entity),
        audit_events::entity_id.eq(entry.entity_id.clone()),
        audit_events::request_id.eq(request_id),
    );
    let Some(event) = event_of(&entry) else {
        let insert = (values, audit_events::changes.eq(entry.changes));
        return diesel::insert_into(audit_events::table)
            .values(insert)
            .execute(conn)
            .await
            .map(|_| ());
    };
    // The event is written by the audit record's own statement (the function call that fills
    // `event_seq`): one prepared round trip while the change holds its row locks.
    let (event_department, enterprise_id) = events::store::placement(&event);
    let emitted = emit_event(
        event.event_type.as_str(),
        actor.map(|a| a.id),
        actor.map(|a| a.kind.as_str()),
        event_department,
        enterprise_id,
        event.subject_type,
        event.subject_id,
        event.data,
        event.from,
        event.to,
    );
    let insert = (
        values,
        audit_events::changes.eq(entry.changes),
        audit_events::event_seq.eq(emitted.nullable()),
    );
    diesel::insert_into(audit_events::table)
        .values(insert)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The event of an audited change, if the feed tells of it; a transition carries the statuses
/// it moved between.
fn event_of<'a>(entry: &AuditEntry<'a>) -> Option<NewEvent<'a>> {
    let event_type = EventType::of_change(entry.entity, entry.action)?;
    let status = |side: &str| {
        entry.changes["status"][side]
            .as_str()
            .filter(|_| entry.action == "transition")
            .map(str::to_owned)
    };
    Some(NewEvent {
        event_type,
        subject_type: entry.entity,
        subject_id: entry.entity_id.clone(),
        data: entry.data.clone()?,
        from: status("before"),
        to: status("after"),
    })
}

/// Records that `actor` created `record` (the `entity` with id `id`): every field, as `after`.
pub async fn created<T: Serialize>(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    entity: &str,
    id: impl ToString,
    record: &T,
) -> QueryResult<()> {
    added(conn, actor, "create", entity, id, record).await
}

/// Records that `actor` added a record by `action` (a creation of a kind of its own, such as a
/// payment's reversal).
pub async fn added<T: Serialize>(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    id: impl ToString,
    record: &T,
) -> QueryResult<()> {
    let after = serde_json::to_value(record).ok();
    let changes = changes(None, after.as_ref());
    record_change(conn, actor, action, entity, id.to_string(), changes, after).await
}

/// Records that `actor` changed a record from `before` to `after`: the fields that differ.
pub async fn updated<T: Serialize>(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    entity: &str,
    id: impl ToString,
    before: &T,
    after: &T,
) -> QueryResult<()> {
    changed(conn, actor, "update", entity, id.to_string(), before, after).await
}

/// Records a change of `entity` that has an action of its own (`cancel`, `disburse`, …).
pub async fn changed<T: Serialize>(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    id: String,
    before: &T,
    after: &T,
) -> QueryResult<()> {
    let (before, after) = (
        serde_json::to_value(before).ok(),
        serde_json::to_value(after).ok(),
    );
    let changes = changes(before.as_ref(), after.as_ref());
    record_change(conn, actor, action, entity, id, changes, after).await
}

/// Records that `actor` moved a record through its workflow, from `before` to `after`.
pub async fn transitioned<T: Serialize>(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    entity: &str,
    id: impl ToString,
    before: &T,
    after: &T,
) -> QueryResult<()> {
    changed(
        conn,
        actor,
        "transition",
        entity,
        id.to_string(),
        before,
        after,
    )
    .await
}

/// Records that `actor` deleted `record`: every field, as `before`.
pub async fn deleted<T: Serialize>(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    entity: &str,
    id: impl ToString,
    record: &T,
) -> QueryResult<()> {
    let before = serde_json::to_value(record).ok();
    let changes = changes(before.as_ref(), None);
    record_change(
        conn,
        actor,
        "delete",
        entity,
        id.to_string(),
        changes,
        before,
    )
    .await
}

async fn record_change(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    entity_id: String,
    changes: Value,
    data: Option<Value>,
) -> QueryResult<()> {
    let entry = AuditEntry {
        action,
        entity,
        entity_id,
        changes,
        data,
    };
    record(conn, actor, entry).await
}

use diesel::{ExpressionMethods, NullableExpressionMethods};

/// The changed fields between two JSON objects, as `{field: {"before", "after"}}`.
/// A create passes `None` as `before`, a deletion `None` as `after`.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut out = Map::new();
    for key in before.keys().chain(after.keys()) {
        if NOISE_FIELDS.contains(&key.as_str()) || out.contains_key(key) {
            continue;
        }
        let (b, a) = (
            before.get(key).unwrap_or(&Value::Null),
            after.get(key).unwrap_or(&Value::Null),
        );
        if b != a {
            out.insert(key.clone(), json!({"before": b, "after": a}));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_lists_only_changed_fields() {
        let before = json!({"name": "甲", "code": "x", "version": 1});
        let after = json!({"name": "乙", "code": "x", "version": 2});
        assert_eq!(
            changes(Some(&before), Some(&after)),
            json!({"name": {"before": "甲", "after": "乙"}})
        );
        assert_eq!(
            changes(None, Some(&json!({"a": 1}))),
            json!({"a": {"before": null, "after": 1}})
        );
    }
}
