//! Reading the feed in commit order.
//!
//! Events are ordered by `(txid, seq)`: the writing transaction, then the order of writing. A
//! transaction that started early may commit after later ones; a reader that took the later
//! events and moved its cursor past them would never see the early one. So a read stops before
//! the oldest transaction still in flight (`pg_snapshot_xmin`): every event it returns belongs to
//! a transaction that has ended, and no event can appear later at a position before it.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::model::{Event, EventActor, EventSubject, EventType, Position, SubjectType};
use crate::db::schema::events;
use crate::domain::actor::{Actor, ActorKind, Role};
use crate::domain::masking::{mask_email, mask_phone};
use crate::keyset_after;

/// The oldest transaction still in flight: nothing before it can still appear.
fn horizon() -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
}

/// What a reader asks of the feed.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// Only these types (none: every type).
    pub types: Vec<EventType>,
    pub enterprise_id: Option<Uuid>,
    pub department: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = events)]
struct EventRow {
    txid: i64,
    seq: i64,
    #[diesel(column_name = type_)]
    event_type: String,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_kind: Option<String>,
    department: Option<String>,
    enterprise_id: Option<Uuid>,
    subject_type: String,
    subject_id: String,
    data: Value,
    transition_from: Option<String>,
    transition_to: Option<String>,
}

/// Up to `limit` events after `after`, oldest first, with the position to resume from (the
/// last event's, or `after` when there was none).
pub async fn read(
    conn: &mut AsyncPgConnection,
    after: Position,
    filter: &FeedFilter,
    limit: i64,
) -> QueryResult<(Vec<Event>, Position)> {
    let mut query = events::table
        .select(EventRow::as_select())
        .filter(keyset_after!(
            asc,
            events::txid,
            events::seq,
            (after.txid, after.seq)
        ))
        .filter(events::txid.lt(horizon()))
        .filter(events::type_.ne(EventType::WebhookTest.as_str()))
        .order((events::txid, events::seq))
        .limit(limit)
        .into_boxed();
    if !filter.types.is_empty() {
        let types: Vec<&str> = filter.types.iter().map(|t| t.as_str()).collect();
        query = query.filter(events::type_.eq_any(types));
    }
    crate::filter_present!(query,
        filter.enterprise_id => |id| events::enterprise_id.eq(id),
        &filter.department => |department| events::department.eq(department.clone()),
    );
    let rows: Vec<EventRow> = query.load(conn).await?;
    let next = rows.last().map_or(after, |r| Position {
        txid: r.txid,
        seq: r.seq,
    });
    Ok((rows.into_iter().filter_map(event_of).collect(), next))
}

/// The events at exactly these positions (webhook deliveries), in any order.
pub async fn at(
    conn: &mut AsyncPgConnection,
    positions: &[Position],
) -> QueryResult<Vec<(Position, Event)>> {
    let mut found = Vec::with_capacity(positions.len());
    // One query: a handful of rows, each found by the primary key.
    let txids: Vec<i64> = positions.iter().map(|p| p.txid).collect();
    let seqs: Vec<i64> = positions.iter().map(|p| p.seq).collect();
    let rows: Vec<EventRow> = events::table
        .select(EventRow::as_select())
        .filter(events::txid.eq_any(txids))
        .filter(events::seq.eq_any(seqs))
        .load(conn)
        .await?;
    for row in rows {
        let position = Position {
            txid: row.txid,
            seq: row.seq,
        };
        if positions.contains(&position) {
            found.extend(event_of(row).map(|e| (position, e)));
        }
    }
    Ok(found)
}

/// The position of the newest event a reader could see now (none: the feed is empty).
pub async fn newest(conn: &mut AsyncPgConnection) -> QueryResult<Option<Position>> {
    let row: Option<(i64, i64)> = events::table
        .select((events::txid, events::seq))
        .filter(events::txid.lt(horizon()))
        .order((events::txid.desc(), events::seq.desc()))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(txid, seq)| Position { txid, seq }))
}

fn event_of(row: EventRow) -> Option<Event> {
    let actor = row.actor_id.map(|id| EventActor {
        id,
        kind: match row.actor_kind.as_deref() {
            Some("client") => ActorKind::Client,
            _ => ActorKind::User,
        },
    });
    Some(Event {
        id: Position {
            txid: row.txid,
            seq: row.seq,
        }
        .to_id(),
        event_type: EventType::parse(&row.event_type)?,
        occurred_at: row.occurred_at,
        actor,
        department: row.department,
        enterprise_id: row.enterprise_id,
        subject: EventSubject {
            kind: SubjectType::parse(&row.subject_type)?,
            id: row.subject_id,
        },
        data: row.data,
        from: row.transition_from,
        to: row.transition_to,
    })
}

/// `event` as `reader` may see it: a contact's phone and e-mail are masked as in the contact
/// reads, unless the reader is an admin or a liaison officer of the event's department
/// (`None`: an outside receiver, who sees them masked).
pub fn masked_for(mut event: Event, reader: Option<&Actor>) -> Event {
    let unmasked = reader.is_some_and(|r| {
        r.has(Role::Admin)
            || (r.has(Role::Liaison) && event.department.as_deref() == Some(&r.department))
    });
    if event.subject.kind == SubjectType::Contact && !unmasked {
        for (field, mask) in [
            ("phone", mask_phone as fn(&str) -> String),
            ("email", mask_email),
        ] {
            if let Some(Value::String(text)) = event.data.get(field) {
                let masked = mask(text);
                event.data[field] = Value::String(masked);
            }
        }
    }
    event
}
