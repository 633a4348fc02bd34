//! Overdue and escalated demands.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::PgExpressionMethods;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::json;

use super::BATCH;
use crate::db::schema::demands;
use crate::domain::audit::{self, AuditEntry};
use crate::domain::demands::model::{DemandEventKind, DemandRow, DemandStatus};
use crate::domain::demands::store::{Happening, emit, record_event};
use crate::domain::error::AppResult;
use crate::domain::events::EventType;

const PENDING: [DemandStatus; 2] = [DemandStatus::Open, DemandStatus::Accepted];

/// Announces each pending demand whose due date has passed, once per due date.
pub async fn announce_overdue(conn: &mut AsyncPgConnection, today: NaiveDate) -> AppResult<usize> {
    let lapsed: Vec<uuid::Uuid> = demands::table
        .select(demands::id)
        .filter(demands::status.eq_any(PENDING))
        .filter(demands::due_on.lt(today))
        .filter(demands::overdue_noticed_for.is_distinct_from(demands::due_on))
        .limit(BATCH)
        .for_update()
        .load(conn)
        .await?;
    let rows: Vec<DemandRow> = diesel::update(demands::table)
        .filter(demands::id.eq_any(&lapsed))
        .set(demands::overdue_noticed_for.eq(demands::due_on))
        .returning(DemandRow::as_returning())
        .get_results(conn)
        .await?;
    for row in &rows {
        emit(conn, None, EventType::DemandOverdue, None, row).await?;
    }
    Ok(rows.len())
}

/// Escalates pending demands overdue for `after_days` (level 1) or twice as many (level 2).
pub async fn escalate(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    after_days: i64,
) -> AppResult<usize> {
    let today = crate::db::clock::china_day(now);
    let mut escalated = 0;
    for level in [2_i16, 1] {
        let due_by = today - Duration::days(after_days * i64::from(level));
        let rows = raise_to(conn, now, level, due_by).await?;
        for (before, after) in &rows {
            record(conn, before, after).await?;
        }
        escalated += rows.len();
    }
    Ok(escalated)
}

/// Sets `level` on pending demands due on or before `due_by` and below that level; each row
/// before and after.
async fn raise_to(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    level: i16,
    due_by: NaiveDate,
) -> AppResult<Vec<(Option<i16>, DemandRow)>> {
    let below = demands::escalation_level
        .is_null()
        .or(demands::escalation_level.lt(level));
    let candidates: Vec<(uuid::Uuid, Option<i16>)> = demands::table
        .select((demands::id, demands::escalation_level))
        .filter(demands::status.eq_any(PENDING))
        .filter(demands::due_on.le(due_by))
        .filter(below)
        .limit(BATCH)
        .for_update()
        .load(conn)
        .await?;
    let ids: Vec<uuid::Uuid> = candidates.iter().map(|(id, _)| *id).collect();
    let rows: Vec<DemandRow> = diesel::update(demands::table.filter(demands::id.eq_any(&ids)))
        .set((
            demands::escalation_level.eq(level),
            demands::escalated_at.eq(now),
            demands::version.eq(demands::version + 1),
            demands::updated_at.eq(diesel::dsl::now),
        ))
        .returning(DemandRow::as_returning())
        .get_results(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let before = candidates
                .iter()
                .find(|(id, _)| *id == row.id)
                .and_then(|(_, level)| *level);
            (before, row)
        })
        .collect())
}

/// The demand's own history (its events and the timeline), the audit trail (system) and the
/// feed's `demand.escalated`.
async fn record(
    conn: &mut AsyncPgConnection,
    before: &Option<i16>,
    after: &DemandRow,
) -> AppResult<()> {
    let level = after.escalation_level.unwrap_or(1);
    let note = format!("逾期未办结，督办升级至{level}级");
    let what = Happening::new(DemandEventKind::Escalated, Some(&note));
    record_event(conn, None, after, Some(after.status), what).await?;
    let entry = AuditEntry {
        action: "escalate",
        entity: "demand",
        entity_id: after.id.to_string(),
        changes: json!({"escalation_level": {"before": before, "after": level}}),
        data: None,
    };
    audit::record(conn, None, entry).await?;
    emit(conn, None, EventType::DemandEscalated, None, after).await?;
    Ok(())
}
