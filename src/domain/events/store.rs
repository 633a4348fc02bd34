//! Writing events: one call writes the event and queues its webhook deliveries.

use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::EventType;
use crate::db::functions::emit_event;
use crate::domain::actor::Actor;

/// An event to write, in the transaction of the change it tells of.
pub struct NewEvent<'a> {
    pub event_type: EventType,
    /// `enterprise`, `demand`, … (the audit trail's entity).
    pub subject_type: &'a str,
    pub subject_id: String,
    /// The record after the change (a deletion: before it).
    pub data: Value,
    /// A transition's statuses.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The fields that name the department a record belongs to, in order of preference.
const DEPARTMENT_FIELDS: [&str; 4] = [
    "assigned_department",
    "department",
    "responsible_department",
    "lead_department",
];

/// Writes `event` and queues one delivery per active webhook whose types and departments
/// match it (the SQL function `emit_event`, one prepared call). A record with no department
/// field of its own belongs to its enterprise's lead department.
pub async fn emit(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    event: NewEvent<'_>,
) -> QueryResult<()> {
    let (department, enterprise_id) = placement(&event);
    diesel::select(emit_event(
        event.event_type.as_str(),
        actor.map(|a| a.id),
        actor.map(|a| a.kind.as_str()),
        department,
        enterprise_id,
        event.subject_type,
        event.subject_id,
        event.data,
        event.from,
        event.to,
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

/// The department and the enterprise an event belongs to, as far as its record tells.
pub fn placement(event: &NewEvent<'_>) -> (Option<String>, Option<Uuid>) {
    let department = DEPARTMENT_FIELDS
        .iter()
        .find_map(|f| event.data.get(f).and_then(Value::as_str))
        .map(str::to_owned);
    (department, enterprise_of(event))
}

/// The enterprise an event is about: the record's `enterprise_id`, or the enterprise itself.
fn enterprise_of(event: &NewEvent<'_>) -> Option<Uuid> {
    let own = (event.subject_type == "enterprise").then_some(event.subject_id.as_str());
    event
        .data
        .get("enterprise_id")
        .and_then(Value::as_str)
        .or(own)
        .and_then(|id| Uuid::parse_str(id).ok())
}
