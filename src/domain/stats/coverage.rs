//! `GET /api/v1/stats/coverage`: visit coverage (走访覆盖率) per department, city, category or
//! officer. Over the active enterprises of each group (an enterprise assigned to two departments,
//! or with two liaison officers, counts in each):
//! - `active`: the group's active enterprises;
//! - `visited`: those visited within the last `window_days` days up to today (China time);
//! - `coverage`: `visited` / `active`;
//! - `past_cadence`: those whose last visit is older than their own `visit_cadence_days`, or
//!   than `LIAISON_ALERT_UNVISITED_DAYS` when they have none, or never visited (the alerts'
//!   `not_visited` rule).
//!
//! One scan of the active enterprises with their last visits (`enterprise_last_visits`).

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::groups::{CategoryOf, Grouping, names_of};
use super::ratio;
use crate::domain::error::AppResult;

/// One group's coverage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoverageFigures {
    /// Department code, city code, category code or officer id.
    pub key: String,
    /// The group's Chinese name.
    pub name: String,
    pub active: i64,
    pub visited: i64,
    /// `visited` / `active`; null for a group without active enterprises.
    pub coverage: Option<f64>,
    pub past_cadence: i64,
}

#[derive(QueryableByName)]
struct CoverageRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    active: i64,
    #[diesel(sql_type = BigInt)]
    visited: i64,
    #[diesel(sql_type = BigInt)]
    past_cadence: i64,
}

/// The coverage of every group.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CoverageStats {
    pub window_days: i64,
    pub group_by: Grouping,
    pub items: Vec<CoverageFigures>,
}

/// The rules of a coverage computation.
#[derive(Debug, Clone, Copy)]
pub struct CoverageRules {
    pub today: NaiveDate,
    pub window_days: i64,
    /// `LIAISON_ALERT_UNVISITED_DAYS`: the cadence of an enterprise without its own.
    pub unvisited_days: i64,
}

/// Coverage by `grouping`, groups in key order.
pub async fn compute(
    conn: &mut AsyncPgConnection,
    rules: CoverageRules,
    grouping: Grouping,
) -> AppResult<CoverageStats> {
    let since = |days: i64| rules.today - Days::new(u64::try_from(days - 1).unwrap_or(0));
    let sql = format!(
        "SELECT k.key, count(*) AS active, \
           count(*) FILTER (WHERE lv.last_visited_on >= $1) AS visited, \
           count(*) FILTER (WHERE lv.last_visited_on IS NULL OR lv.last_visited_on < \
             CASE WHEN e.visit_cadence_days IS NOT NULL THEN $3 - e.visit_cadence_days + 1 \
                  ELSE $2 END) AS past_cadence \
         FROM enterprises e \
         CROSS JOIN LATERAL (SELECT {key} AS key) k \
         LEFT JOIN enterprise_last_visits lv ON lv.enterprise_id = e.id \
         WHERE e.status = 'active' \
         GROUP BY 1 ORDER BY 1",
        key = grouping.enterprise_key_sql(),
    );
    let rows: Vec<CoverageRow> = diesel::sql_query(sql)
        .bind::<Date, _>(since(rules.window_days))
        .bind::<Date, _>(since(rules.unvisited_days))
        .bind::<Date, _>(rules.today)
        .load(conn)
        .await?;
    let keys = rows.iter().map(|r| r.key.clone()).collect();
    let names = names_of(conn, grouping, keys, CategoryOf::Enterprises).await?;
    let items = rows
        .into_iter()
        .map(|r| CoverageFigures {
            name: names.get(&r.key).cloned().unwrap_or_else(|| r.key.clone()),
            coverage: ratio(Decimal::from(r.visited), Decimal::from(r.active)),
            key: r.key,
            active: r.active,
            visited: r.visited,
            past_cadence: r.past_cadence,
        })
        .collect();
    Ok(CoverageStats {
        window_days: rules.window_days,
        group_by: grouping,
        items,
    })
}
