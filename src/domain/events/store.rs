//! Writing events: one statement writes the event and queues its webhook deliveries.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::EventType;
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

/// Writes `event` and, in the same statement, one delivery per active webhook whose types and
/// departments match it. A record with no department field of its own belongs to its
/// enterprise's lead department.
pub async fn emit(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    event: NewEvent<'_>,
) -> QueryResult<()> {
    statement("", actor, event).execute(conn).await.map(|_| ())
}

/// The statement of [`emit`], its event bound to `$1`–`$10`, after the common table
/// expressions `with` (each followed by `, `; their parameters from `$11` on, bound by the
/// caller): the audit trail writes a record and its event in one round trip.
pub fn statement<'a>(
    with: &str,
    actor: Option<&Actor>,
    event: NewEvent<'a>,
) -> BoxedSqlQuery<'a, Pg, SqlQuery> {
    let department = DEPARTMENT_FIELDS
        .iter()
        .find_map(|f| event.data.get(f).and_then(Value::as_str))
        .map(str::to_owned);
    let enterprise_id = enterprise_of(&event);
    diesel::sql_query(format!(
        "WITH {with}e AS ( \
           INSERT INTO events (type, actor_id, actor_kind, department, enterprise_id, \
                               subject_type, subject_id, data, transition_from, transition_to) \
           VALUES ($1, $2, $3, \
                   COALESCE($4, (SELECT lead_department FROM enterprises WHERE id = $5)), \
                   $5, $6, $7, $8, $9, $10) \
           RETURNING txid, seq, type, department) \
         INSERT INTO webhook_deliveries (id, webhook_id, event_txid, event_seq, event_type) \
         SELECT gen_random_uuid(), w.id, e.txid, e.seq, e.type FROM e JOIN webhooks w \
           ON w.active AND (w.event_types @> ARRAY['*'] OR e.type = ANY (w.event_types)) \
          AND (w.departments = '{{}}' OR e.department = ANY (w.departments))"
    ))
    .into_boxed()
    .bind::<Text, _>(event.event_type.as_str())
    .bind::<Nullable<SqlUuid>, _>(actor.map(|a| a.id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.kind.as_str()))
    .bind::<Nullable<Text>, _>(department)
    .bind::<Nullable<SqlUuid>, _>(enterprise_id)
    .bind::<Text, _>(event.subject_type)
    .bind::<Text, _>(event.subject_id)
    .bind::<Jsonb, _>(event.data)
    .bind::<Nullable<Text>, _>(event.from)
    .bind::<Nullable<Text>, _>(event.to)
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
