//! Liaison officers' coverage (`GET /api/v1/stats/officers`), as 企业特派员 practice asks: is
//! every enterprise assigned to an officer being visited by that officer?
//!
//! For each active user holding the liaison role (of one department, when asked), over the
//! last `window_days` days up to today (China time):
//! - `enterprises_assigned`: active enterprises that list the officer among their liaison
//!   officers;
//! - `visits`: visits the officer took part in;
//! - `enterprises_visited`: assigned enterprises the officer visited at least once;
//! - `enterprises_unvisited`: assigned minus visited;
//! - `demands_raised`: demands the officer raised;
//! - `demands_open`: demands the officer raised that are still `open` or `accepted` (any age).
//!
//! One query; each count is served by an index (GIN on the officer arrays, `raised_by`).

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::error::AppResult;

/// One officer's coverage.
#[derive(Debug, Serialize, Deserialize, ToSchema, QueryableByName)]
pub struct OfficerCoverage {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub username: String,
    #[diesel(sql_type = Text)]
    pub department: String,
    #[diesel(sql_type = BigInt)]
    pub enterprises_assigned: i64,
    #[diesel(sql_type = BigInt)]
    pub visits: i64,
    #[diesel(sql_type = BigInt)]
    pub enterprises_visited: i64,
    #[diesel(sql_type = BigInt)]
    pub enterprises_unvisited: i64,
    #[diesel(sql_type = BigInt)]
    pub demands_raised: i64,
    #[diesel(sql_type = BigInt)]
    pub demands_open: i64,
}

/// Every liaison officer's coverage over `window_days` days up to `today`, by department and
/// username.
pub async fn coverage(
    conn: &mut AsyncPgConnection,
    department: Option<String>,
    today: NaiveDate,
    window_days: i64,
) -> AppResult<Vec<OfficerCoverage>> {
    let since = today - Duration::days(window_days - 1);
    Ok(diesel::sql_query(
        "SELECT u.id AS user_id, u.username, u.department, \
                a.assigned AS enterprises_assigned, \
                (SELECT count(*) FROM visits v WHERE v.officers @> ARRAY[u.id] \
                   AND v.visited_on BETWEEN $2 AND $3) AS visits, \
                a.visited AS enterprises_visited, a.assigned - a.visited AS enterprises_unvisited, \
                (SELECT count(*) FROM demands d WHERE d.raised_by = u.id \
                   AND d.created_at >= ($2::timestamp AT TIME ZONE 'Asia/Shanghai')) \
                  AS demands_raised, \
                (SELECT count(*) FROM demands d WHERE d.raised_by = u.id \
                   AND d.status IN ('open', 'accepted')) AS demands_open \
         FROM users u \
         CROSS JOIN LATERAL ( \
           SELECT count(*) AS assigned, \
                  count(*) FILTER (WHERE EXISTS ( \
                    SELECT 1 FROM visits v WHERE v.enterprise_id = e.id \
                      AND v.officers @> ARRAY[u.id] AND v.visited_on BETWEEN $2 AND $3)) AS visited \
           FROM enterprises e \
           WHERE e.liaison_officers @> ARRAY[u.id] AND e.status = 'active') a \
         WHERE 'liaison' = ANY (u.roles) AND NOT u.disabled \
           AND ($1::text IS NULL OR u.department = $1) \
         ORDER BY u.department, u.username",
    )
    .bind::<Nullable<Text>, _>(department)
    .bind::<Date, _>(since)
    .bind::<Date, _>(today)
    .load(conn)
    .await?)
}
