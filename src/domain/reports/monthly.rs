//! What the monthly 调度会 report says about a month: the demand figures by department and by
//! city (as `/stats/demands`), escalations, the demands overdue at the month's end, the
//! enterprises that need attention (today's alerts) and the money approved and paid.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::clock::china_midnight;
use crate::db::schema::{demands, departments, enterprises};
use crate::domain::error::{AppError, AppResult};
use crate::domain::stats::demands::{self as demand_stats, DemandStats};
use crate::domain::stats::groups::{Grouping, Period};
use crate::domain::stats::overview::{self, SupportSum};

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first_day: NaiveDate,
}

impl Month {
    /// `YYYY-MM` (2000 to 2100); anything else is a 422 on `field`.
    pub fn parse(field: &str, text: &str) -> AppResult<Month> {
        let bad = || AppError::invalid(field, "invalid_month", "a month, YYYY-MM");
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        let first_day = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        Ok(Month { first_day })
    }

    /// The month `day` falls in.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            first_day: day.with_day(1).unwrap_or(day),
        }
    }

    pub fn last_day(self) -> NaiveDate {
        let next = self.first_day.checked_add_months(chrono::Months::new(1));
        next.and_then(|d| d.pred_opt()).unwrap_or(self.first_day)
    }

    /// `2026-11`.
    pub fn label(self) -> String {
        self.first_day.format("%Y-%m").to_string()
    }
}

/// The small parts of the report, read at once.
pub struct Summary {
    /// 江西省应急产业重点企业联系工作月报，截至 YYYY年MM月DD日
    pub title: String,
    pub period: Period,
    pub by_department: DemandStats,
    pub by_city: DemandStats,
    /// Escalated demands still pending, by department code and by city code.
    pub escalated_by_department: HashMap<String, i64>,
    pub escalated_by_city: HashMap<String, i64>,
    pub money: Vec<SupportSum>,
    /// Department names by code.
    pub department_names: HashMap<String, String>,
}

/// The figures of `month` (up to today, while it runs).
pub async fn summary(
    conn: &mut AsyncPgConnection,
    month: Month,
    today: NaiveDate,
) -> AppResult<Summary> {
    let period = Period::new(month.first_day, month.last_day(), today)?;
    let title = format!(
        "江西省应急产业重点企业联系工作月报，截至{}",
        period.as_of.format("%Y年%m月%d日")
    );
    let department_names: HashMap<String, String> = departments::table
        .select((departments::code, departments::name))
        .load::<(String, String)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(Summary {
        title,
        by_department: demand_stats::compute(conn, period, Grouping::Department).await?,
        by_city: demand_stats::compute(conn, period, Grouping::City).await?,
        escalated_by_department: escalated(conn, Grouping::Department).await?,
        escalated_by_city: escalated(conn, Grouping::City).await?,
        money: overview::support_sums(conn).await?.by_department,
        department_names,
        period,
    })
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Escalated demands still open or accepted, per group (the partial index holds just them).
async fn escalated(
    conn: &mut AsyncPgConnection,
    grouping: Grouping,
) -> AppResult<HashMap<String, i64>> {
    let sql = format!(
        "SELECT {key} AS key, count(*) AS n FROM demands d {join} \
         WHERE d.escalation_level IS NOT NULL AND d.status IN ('open', 'accepted') GROUP BY 1",
        key = grouping.demand_key_sql(),
        join = grouping.demand_join_sql(),
    );
    let rows: Vec<KeyCount> = diesel::sql_query(sql).load(conn).await?;
    Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
}

/// A demand overdue at the end of the period (its line in 逾期诉求清单).
#[derive(Debug, Clone, Queryable)]
pub struct OverdueDemand {
    pub id: Uuid,
    pub due_on: NaiveDate,
    pub enterprise: String,
    pub title: String,
    pub department: String,
    pub urges: i32,
}

impl OverdueDemand {
    /// Calendar days past `due_on` at `as_of`.
    pub fn days_overdue(&self, as_of: NaiveDate) -> i64 {
        (as_of - self.due_on).num_days()
    }
}

/// A page (at most `limit`) of the demands open or accepted now and due before `as_of`, by due
/// date, after `after`; served by the open demands' due-date index.
pub async fn overdue_page(
    conn: &mut AsyncPgConnection,
    as_of: NaiveDate,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> AppResult<Vec<OverdueDemand>> {
    let as_of_ends = as_of + Days::new(1);
    let mut query = demands::table
        .inner_join(enterprises::table)
        .filter(demands::status.eq_any(["open", "accepted"]))
        .filter(demands::due_on.lt(as_of))
        .filter(demands::created_at.lt(china_midnight(as_of_ends)))
        .into_boxed();
    if let Some((due_on, id)) = after {
        query = query.filter(crate::keyset_after!(
            asc,
            demands::due_on,
            demands::id,
            (Some(due_on), id)
        ));
    }
    Ok(query
        .select((
            demands::id,
            demands::due_on.assume_not_null(),
            enterprises::name,
            demands::title,
            demands::assigned_department,
            demands::urges,
        ))
        .order((demands::due_on, demands::id))
        .limit(limit)
        .load(conn)
        .await?)
}
