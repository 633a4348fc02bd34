//! Enterprises gone unvisited.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::BATCH;
use crate::db::schema::enterprises;
use crate::domain::enterprises::model::Enterprise;
use crate::domain::error::AppResult;
use crate::domain::events::{EventType, store, store::NewEvent};

#[derive(QueryableByName)]
struct Lapsed {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Announces each active enterprise whose last visit (never visited: its designation) is
/// `days` or more days before `today`, once per lapse: the date the lapse runs from is marked.
pub async fn announce_unvisited(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    days: i64,
) -> AppResult<usize> {
    let since = today - Duration::days(days - 1);
    let lapsed: Vec<Lapsed> = diesel::sql_query(
        "WITH lapsed AS ( \
           SELECT e.id, COALESCE(lv.last_visited_on, e.designated_on) AS from_day \
           FROM enterprises e LEFT JOIN enterprise_last_visits lv ON lv.enterprise_id = e.id \
           WHERE e.status = 'active' \
             AND COALESCE(lv.last_visited_on, e.designated_on) < $1 \
             AND e.unvisited_noticed_for IS DISTINCT FROM \
                 COALESCE(lv.last_visited_on, e.designated_on) \
           LIMIT $2 FOR UPDATE OF e) \
         UPDATE enterprises e SET unvisited_noticed_for = lapsed.from_day \
         FROM lapsed WHERE e.id = lapsed.id RETURNING e.id",
    )
    .bind::<Date, _>(since)
    .bind::<BigInt, _>(BATCH)
    .load(conn)
    .await?;
    let ids: Vec<Uuid> = lapsed.iter().map(|l| l.id).collect();
    let rows: Vec<Enterprise> = enterprises::table
        .filter(enterprises::id.eq_any(&ids))
        .select(Enterprise::as_select())
        .load(conn)
        .await?;
    for enterprise in &rows {
        let event = NewEvent {
            event_type: EventType::EnterpriseUnvisited,
            subject_type: "enterprise",
            subject_id: enterprise.id.to_string(),
            data: serde_json::to_value(enterprise).unwrap_or_default(),
            from: None,
            to: None,
        };
        store::emit(conn, None, event).await?;
    }
    Ok(rows.len())
}
