//! `GET /api/v1/stats/overview`: enterprises, visit coverage, demands, money and benefits. All but
//! the benefits are read from running totals kept by triggers (see `rollups`), a few hundred rows
//! whatever the number of enterprises. Every enum value appears, with 0 where there is none.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Numeric, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ratio;
use crate::db::DbPool;
use crate::db::money::Money;
use crate::db::schema::{categories, departments, regions};
use crate::domain::benefits::model::BenefitStatus;
use crate::domain::demands::model::DemandStatus;
use crate::domain::enterprises::model::{EnterpriseSize, EnterpriseStatus};
use crate::domain::error::AppResult;

/// Counts by code.
pub type Counts = BTreeMap<String, i64>;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnterpriseCounts {
    /// Every enterprise, whatever its status.
    pub total: i64,
    pub by_status: Counts,
    pub by_category: Counts,
    pub by_size: Counts,
    /// By prefecture-level city (a county counts for its city).
    pub by_city: Counts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VisitCoverage {
    /// The window: visits on the last `window_days` calendar days (China time), today included.
    pub window_days: i64,
    /// Visits within the window.
    pub count: i64,
    /// Active enterprises visited within the window.
    pub enterprises_visited: i64,
    /// `enterprises_visited` / active enterprises, 0 to 1.
    pub coverage: f64,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct DepartmentDemands {
    /// Demands still being worked on (`open` or `accepted`).
    pub open: i64,
    /// Of those, past their due date.
    pub overdue: i64,
    /// Of those, escalated by supervision (督办升级).
    pub escalated: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DemandCounts {
    pub by_status: Counts,
    /// Open or accepted demands past their due date.
    pub overdue: i64,
    /// Open or accepted demands escalated by supervision (督办升级).
    pub escalated: i64,
    /// By assigned department.
    pub by_department: BTreeMap<String, DepartmentDemands>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupportSums {
    /// One row per granting department and fiscal year that has measures.
    pub by_department: Vec<SupportSum>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, QueryableByName)]
pub struct SupportSum {
    #[diesel(sql_type = Text)]
    pub department: String,
    #[diesel(sql_type = Integer)]
    pub fiscal_year: i32,
    /// Sum of the amounts of approved and disbursed measures.
    #[diesel(sql_type = Numeric)]
    #[schema(value_type = String, example = "1250000.00")]
    pub approved: Money,
    /// Sum paid out.
    #[diesel(sql_type = Numeric)]
    #[schema(value_type = String, example = "500000.00")]
    pub disbursed: Money,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BenefitCounts {
    pub by_status: Counts,
    /// Realized benefits / all benefits, 0 to 1.
    pub realization_rate: f64,
}

/// The whole picture.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    pub enterprises: EnterpriseCounts,
    pub visits: VisitCoverage,
    pub demands: DemandCounts,
    pub support: SupportSums,
    pub benefits: BenefitCounts,
}

#[derive(QueryableByName)]
struct Dimension {
    #[diesel(sql_type = Text)]
    dimension: String,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct WindowCounts {
    #[diesel(sql_type = BigInt)]
    visits: i64,
    #[diesel(sql_type = BigInt)]
    visited_active: i64,
}

#[derive(QueryableByName)]
struct DemandGroup {
    #[diesel(sql_type = Text)]
    department: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

#[derive(QueryableByName)]
struct StatusCount {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Zero for every code, then the counted ones.
fn filled(codes: impl IntoIterator<Item = String>) -> Counts {
    codes.into_iter().map(|c| (c, 0)).collect()
}

/// Computes the overview as of `today` (China time) with a visit window of `window_days`.
/// The five parts are independent: each runs on its own pooled connection at the same time, so
/// the overview takes about as long as its slowest part instead of their sum.
pub async fn compute(pool: &DbPool, today: NaiveDate, window_days: i64) -> AppResult<Overview> {
    let (enterprises, window, demands, support, benefits) = futures_util::try_join!(
        async { enterprise_counts(&mut *pool.get().await?).await },
        async { window_counts(&mut *pool.get().await?, today, window_days).await },
        async { demand_counts(&mut *pool.get().await?, today).await },
        async { support_sums(&mut *pool.get().await?).await },
        async { benefit_counts(&mut *pool.get().await?).await },
    )?;
    let active = enterprises.by_status.get("active").copied().unwrap_or(0);
    let visits = VisitCoverage {
        window_days,
        count: window.visits,
        enterprises_visited: window.visited_active,
        coverage: ratio(Decimal::from(window.visited_active), Decimal::from(active)).unwrap_or(0.0),
    };
    Ok(Overview {
        enterprises,
        visits,
        demands,
        support,
        benefits,
    })
}

pub async fn support_sums(conn: &mut AsyncPgConnection) -> AppResult<SupportSums> {
    Ok(SupportSums {
        by_department: diesel::sql_query(
            "SELECT department, fiscal_year, sum(approved) AS approved, \
                    sum(disbursed) AS disbursed \
             FROM support_totals GROUP BY department, fiscal_year HAVING sum(measures) > 0 \
             ORDER BY department, fiscal_year",
        )
        .load(conn)
        .await?,
    })
}

async fn benefit_counts(conn: &mut AsyncPgConnection) -> AppResult<BenefitCounts> {
    let rows: Vec<StatusCount> =
        diesel::sql_query("SELECT status, COUNT(*) AS n FROM policy_benefits GROUP BY status")
            .load(conn)
            .await?;
    let mut by_status = filled(BenefitStatus::ALL.iter().map(|s| s.as_str().to_owned()));
    for row in rows {
        by_status.insert(row.status, row.n);
    }
    let all: i64 = by_status.values().sum();
    let realized = by_status.get("realized").copied().unwrap_or(0);
    Ok(BenefitCounts {
        realization_rate: ratio(Decimal::from(realized), Decimal::from(all)).unwrap_or(0.0),
        by_status,
    })
}

/// Counts by status, category, size and region; regions are then counted for their city (a
/// county code shares its city's first four digits).
async fn enterprise_counts(conn: &mut AsyncPgConnection) -> AppResult<EnterpriseCounts> {
    let category_codes: Vec<String> = categories::table
        .select(categories::code)
        .load(conn)
        .await?;
    let city_codes: Vec<String> = regions::table
        .filter(regions::level.eq("city"))
        .select(regions::code)
        .load(conn)
        .await?;
    let rows: Vec<Dimension> = diesel::sql_query(
        "SELECT dimension, code, sum(n)::bigint AS n FROM enterprise_tallies \
         GROUP BY dimension, code HAVING sum(n) <> 0",
    )
    .load(conn)
    .await?;
    let mut counts = EnterpriseCounts {
        total: 0,
        by_status: filled(EnterpriseStatus::ALL.iter().map(|s| s.as_str().to_owned())),
        by_category: filled(category_codes),
        by_size: filled(EnterpriseSize::ALL.iter().map(|s| s.as_str().to_owned())),
        by_city: filled(city_codes),
    };
    for row in rows {
        match row.dimension.as_str() {
            "status" => {
                counts.total += row.n;
                counts.by_status.insert(row.code, row.n);
            }
            "category" => {
                counts.by_category.insert(row.code, row.n);
            }
            "size" => {
                counts.by_size.insert(row.code, row.n);
            }
            _ => {
                let city = format!("{}00", row.code.get(..4).unwrap_or_default());
                *counts.by_city.entry(city).or_default() += row.n;
            }
        }
    }
    Ok(counts)
}

/// Visits within the window (visits per day) and the active enterprises whose last visit is
/// within it (enterprises per status and day of last visit).
async fn window_counts(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    window_days: i64,
) -> AppResult<WindowCounts> {
    let since = today - Duration::days(window_days - 1);
    Ok(diesel::sql_query(
        "SELECT (SELECT coalesce(sum(n), 0)::bigint FROM visit_day_tallies \
                 WHERE visited_on >= $1 AND visited_on <= $2) AS visits, \
                (SELECT coalesce(sum(n), 0)::bigint FROM last_visit_tallies \
                 WHERE status = 'active' AND last_visited_on >= $1) AS visited_active",
    )
    .bind::<Date, _>(since)
    .bind::<Date, _>(today)
    .get_result(conn)
    .await?)
}

async fn demand_counts(conn: &mut AsyncPgConnection, today: NaiveDate) -> AppResult<DemandCounts> {
    let department_codes: Vec<String> = departments::table
        .select(departments::code)
        .load(conn)
        .await?;
    let rows: Vec<DemandGroup> = diesel::sql_query(
        "SELECT department, status, sum(n)::bigint AS n, \
                coalesce(sum(n) FILTER (WHERE due_on < $1), 0)::bigint AS overdue \
         FROM demand_tallies GROUP BY department, status HAVING sum(n) <> 0",
    )
    .bind::<Date, _>(today)
    .load(conn)
    .await?;
    let mut counts = DemandCounts {
        by_status: filled(DemandStatus::ALL.iter().map(|s| s.as_str().to_owned())),
        overdue: 0,
        escalated: 0,
        by_department: department_codes
            .iter()
            .map(|c| (c.clone(), DepartmentDemands::default()))
            .collect(),
    };
    for row in rows {
        *counts.by_status.entry(row.status.clone()).or_default() += row.n;
        counts.overdue += row.overdue;
        let dept = counts.by_department.entry(row.department).or_default();
        if row.status == "open" || row.status == "accepted" {
            dept.open += row.n;
        }
        dept.overdue += row.overdue;
    }
    for (department, n) in escalated_by_department(conn).await? {
        counts.escalated += n;
        counts
            .by_department
            .entry(department)
            .or_default()
            .escalated += n;
    }
    Ok(counts)
}

/// Escalated demands still pending, per assigned department (a partial index holds just
/// them).
async fn escalated_by_department(conn: &mut AsyncPgConnection) -> AppResult<Vec<(String, i64)>> {
    use crate::db::schema::demands;
    Ok(demands::table
        .filter(demands::escalation_level.is_not_null())
        .filter(demands::status.eq_any(["open", "accepted"]))
        .group_by(demands::assigned_department)
        .select((demands::assigned_department, diesel::dsl::count_star()))
        .load(conn)
        .await?)
}
