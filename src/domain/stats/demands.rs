//! `GET /api/v1/stats/demands`: the 督办 figures of a period, per department, city, category or
//! officer. China time; the period runs from `from` 00:00 to the end of `to`. Per group:
//! - `raised`: demands created in the period;
//! - `resolved` / `closed`: demands resolved (办结) / closed (after 回访) in the period (a demand
//!   resolved twice, after a rework, counts once, by its latest resolution);
//! - `completion_rate` (办结率): of those raised in the period, the share that is now resolved or
//!   closed and was so by the end of `to`;
//! - `on_time_rate` (按期办结率): of those resolved in the period, the share resolved on or
//!   before `due_on` (a demand without a due date is on time);
//! - `overdue`: demands created by `to`, due before it, and open or accepted at `to` (or today,
//!   for a period not yet over): open or accepted now, or resolved or closed only after it;
//! - `avg_handling_days`: the mean working days from creation to resolution of those resolved in
//!   the period, by the holiday calendar (as `handling_days` on a demand);
//! - `follow_ups` (回访) in the period; `satisfaction_rate` (满意率): (satisfied + basically
//!   satisfied) / follow-ups in the period, every rating counted; `unsatisfied`.
//!
//! The groups: the assigned department, the enterprise's city, the demand's category, the
//! raising officer. A demand belongs to one group of each kind, so `total` is the sum.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::groups::{CategoryOf, Grouping, Period, names_of};
use super::ratio;
use crate::domain::error::AppResult;
use crate::domain::reference::calendar;

/// One group's figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DemandFigures {
    /// Department code, city code, category code or officer id (`total` for all).
    pub key: String,
    /// The group's Chinese name (部门, 设区市, 类别, 联络员).
    pub name: String,
    pub raised: i64,
    pub resolved: i64,
    pub closed: i64,
    /// 办结率: share of `raised` resolved or closed by `to`; null when none was raised.
    pub completion_rate: Option<f64>,
    /// 按期办结率: share of `resolved` resolved by `due_on`; null when none was resolved.
    pub on_time_rate: Option<f64>,
    pub overdue: i64,
    /// Mean working days from creation to resolution of `resolved`; null when none.
    pub avg_handling_days: Option<f64>,
    pub follow_ups: i64,
    /// 满意率: (satisfied + basically satisfied) / `follow_ups`; null when none.
    pub satisfaction_rate: Option<f64>,
    pub unsatisfied: i64,
}

/// The figures of a period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DemandStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Grouping,
    pub items: Vec<DemandFigures>,
    pub total: DemandFigures,
}

/// The counts behind one group's figures.
#[derive(Debug, Clone, Default)]
struct Counts {
    raised: i64,
    completed: i64,
    resolved: i64,
    on_time: i64,
    closed: i64,
    overdue: i64,
    handling_days: i64,
    follow_ups: i64,
    satisfied: i64,
    unsatisfied: i64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.raised += o.raised;
        self.completed += o.completed;
        self.resolved += o.resolved;
        self.on_time += o.on_time;
        self.closed += o.closed;
        self.overdue += o.overdue;
        self.handling_days += o.handling_days;
        self.follow_ups += o.follow_ups;
        self.satisfied += o.satisfied;
        self.unsatisfied += o.unsatisfied;
    }

    fn figures(&self, key: String, name: String) -> DemandFigures {
        let share = |part: i64, whole: i64| ratio(Decimal::from(part), Decimal::from(whole));
        let mean_days =
            share(self.handling_days, self.resolved).map(|d| (d * 100.0).round() / 100.0);
        DemandFigures {
            key,
            name,
            raised: self.raised,
            resolved: self.resolved,
            closed: self.closed,
            completion_rate: share(self.completed, self.raised),
            on_time_rate: share(self.on_time, self.resolved),
            overdue: self.overdue,
            avg_handling_days: mean_days,
            follow_ups: self.follow_ups,
            satisfaction_rate: share(self.satisfied, self.follow_ups),
            unsatisfied: self.unsatisfied,
        }
    }
}

#[derive(QueryableByName)]
struct DemandRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    raised: i64,
    #[diesel(sql_type = BigInt)]
    completed: i64,
    #[diesel(sql_type = BigInt)]
    resolved: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
    #[diesel(sql_type = BigInt)]
    closed: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

#[derive(QueryableByName)]
struct HandlingRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Date)]
    raised_on: NaiveDate,
    #[diesel(sql_type = Date)]
    resolved_on: NaiveDate,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct FollowUpRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    follow_ups: i64,
    #[diesel(sql_type = BigInt)]
    satisfied: i64,
    #[diesel(sql_type = BigInt)]
    unsatisfied: i64,
}

/// The figures of `period` by `grouping`, with their total.
pub async fn compute(
    conn: &mut AsyncPgConnection,
    period: Period,
    grouping: Grouping,
) -> AppResult<DemandStats> {
    let mut groups: BTreeMap<String, Counts> = BTreeMap::new();
    for r in demand_counts(conn, &period, grouping).await? {
        let c = groups.entry(r.key).or_default();
        (c.raised, c.completed, c.resolved) = (r.raised, r.completed, r.resolved);
        (c.on_time, c.closed, c.overdue) = (r.on_time, r.closed, r.overdue);
    }
    for (key, days) in handling_days(conn, &period, grouping).await? {
        groups.entry(key).or_default().handling_days = days;
    }
    for r in follow_up_counts(conn, &period, grouping).await? {
        let c = groups.entry(r.key).or_default();
        (c.follow_ups, c.satisfied, c.unsatisfied) = (r.follow_ups, r.satisfied, r.unsatisfied);
    }
    let keys = groups.keys().cloned().collect();
    let names = names_of(conn, grouping, keys, CategoryOf::Demands).await?;
    let mut total = Counts::default();
    let items = groups
        .into_iter()
        .map(|(key, counts)| {
            total.add(&counts);
            let name = names.get(&key).cloned().unwrap_or_else(|| key.clone());
            counts.figures(key, name)
        })
        .collect();
    Ok(DemandStats {
        from: period.from,
        to: period.to,
        group_by: grouping,
        items,
        total: total.figures("total".into(), "合计".into()),
    })
}

/// `$1` the period's start, `$2` its end (exclusive), `$3` the day overdue is counted at.
async fn demand_counts(
    conn: &mut AsyncPgConnection,
    period: &Period,
    grouping: Grouping,
) -> QueryResult<Vec<DemandRow>> {
    let done_at = "CASE WHEN d.status IN ('resolved', 'closed') \
                   THEN LEAST(d.resolved_at, d.closed_at) END";
    let sql = format!(
        "SELECT {key} AS key, \
           count(*) FILTER (WHERE d.created_at >= $1 AND d.created_at < $2) AS raised, \
           count(*) FILTER (WHERE d.created_at >= $1 AND d.created_at < $2 \
                              AND {done_at} < $2) AS completed, \
           count(*) FILTER (WHERE d.resolved_at >= $1 AND d.resolved_at < $2) AS resolved, \
           count(*) FILTER (WHERE d.resolved_at >= $1 AND d.resolved_at < $2 AND (d.due_on IS NULL \
                              OR (d.resolved_at AT TIME ZONE 'Asia/Shanghai')::date <= d.due_on)) \
             AS on_time, \
           count(*) FILTER (WHERE d.closed_at >= $1 AND d.closed_at < $2) AS closed, \
           count(*) FILTER (WHERE d.created_at < $4 AND d.due_on < $3 \
                              AND (d.status IN ('open', 'accepted') OR {done_at} >= $4)) AS overdue \
         FROM demands d {join} \
         WHERE (d.created_at >= $1 AND d.created_at < $2) \
            OR (d.resolved_at >= $1 AND d.resolved_at < $2) \
            OR (d.closed_at >= $1 AND d.closed_at < $2) \
            OR (d.status IN ('open', 'accepted') AND d.due_on < $3) \
            OR (d.resolved_at >= $4 AND d.due_on < $3) OR (d.closed_at >= $4 AND d.due_on < $3) \
         GROUP BY 1",
        key = grouping.demand_key_sql(),
        join = grouping.demand_join_sql(),
    );
    diesel::sql_query(sql)
        .bind::<Timestamptz, _>(period.starts())
        .bind::<Timestamptz, _>(period.ends())
        .bind::<Date, _>(period.as_of)
        .bind::<Timestamptz, _>(period.as_of_ends())
        .load(conn)
        .await
}

/// Working days from creation to resolution, summed per group over the demands resolved in the
/// period (read as counts per pair of days, so the calendar runs once per pair).
async fn handling_days(
    conn: &mut AsyncPgConnection,
    period: &Period,
    grouping: Grouping,
) -> AppResult<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT {key} AS key, (d.created_at AT TIME ZONE 'Asia/Shanghai')::date AS raised_on, \
                (d.resolved_at AT TIME ZONE 'Asia/Shanghai')::date AS resolved_on, count(*) AS n \
         FROM demands d {join} \
         WHERE d.resolved_at >= $1 AND d.resolved_at < $2 \
         GROUP BY 1, 2, 3",
        key = grouping.demand_key_sql(),
        join = grouping.demand_join_sql(),
    );
    let rows: Vec<HandlingRow> = diesel::sql_query(sql)
        .bind::<Timestamptz, _>(period.starts())
        .bind::<Timestamptz, _>(period.ends())
        .load(conn)
        .await?;
    let Some(earliest) = rows.iter().map(|r| r.raised_on).min() else {
        return Ok(Vec::new());
    };
    let latest = rows.iter().map(|r| r.resolved_on).max().unwrap_or(earliest);
    let calendar = calendar::load(conn, earliest, latest.max(earliest)).await?;
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows {
        let days = calendar.working_days_between(r.raised_on, r.resolved_on);
        *sums.entry(r.key).or_default() += days * r.n;
    }
    Ok(sums.into_iter().collect())
}

async fn follow_up_counts(
    conn: &mut AsyncPgConnection,
    period: &Period,
    grouping: Grouping,
) -> QueryResult<Vec<FollowUpRow>> {
    let sql = format!(
        "SELECT {key} AS key, count(*) AS follow_ups, \
           count(*) FILTER (WHERE f.rating IN ('satisfied', 'basically_satisfied')) AS satisfied, \
           count(*) FILTER (WHERE f.rating = 'unsatisfied') AS unsatisfied \
         FROM demand_follow_ups f JOIN demands d ON d.id = f.demand_id {join} \
         WHERE f.at >= $1 AND f.at < $2 \
         GROUP BY 1",
        key = grouping.demand_key_sql(),
        join = grouping.demand_join_sql(),
    );
    diesel::sql_query(sql)
        .bind::<Timestamptz, _>(period.starts())
        .bind::<Timestamptz, _>(period.ends())
        .load(conn)
        .await
}
