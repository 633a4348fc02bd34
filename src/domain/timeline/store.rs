//! One query over both sources: each branch takes at most a page from its own
//! `(enterprise_id, … DESC, id DESC)` index, the union keeps the newest page.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Date, Int8, Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::money::Money;
use crate::domain::demands::model::Satisfaction;

/// A timeline row: the common columns and what either kind adds.
#[derive(Debug, QueryableByName)]
pub struct TimelineRow {
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub item_type: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub demand_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Date>)]
    pub visited_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    pub visit_kind: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub department: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub from_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub to_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub note: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub satisfaction: Option<Satisfaction>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub support_measure_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub amount: Option<Money>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub benefit_id: Option<Uuid>,
}

/// The query of a page (see the file for its parameters).
const PAGE_SQL: &str = include_str!("page.sql");

/// A page (plus one row) of the enterprise's timeline, newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> diesel::QueryResult<Vec<TimelineRow>> {
    diesel::sql_query(PAGE_SQL)
        .bind::<SqlUuid, _>(enterprise_id)
        .bind::<Nullable<Timestamptz>, _>(before.map(|b| b.0))
        .bind::<Nullable<SqlUuid>, _>(before.map(|b| b.1))
        .bind::<Int8, _>(limit + 1)
        .load(conn)
        .await
}
