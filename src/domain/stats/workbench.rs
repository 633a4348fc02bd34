//! The officer's day (`GET /api/v1/me/workbench`): my enterprises with what is due, the demands
//! I raised that await a follow-up, and my department's overdue and soon-due demands — a fixed
//! number of queries whatever the counts, each list bounded.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::alerts::{self, AlertReason, AlertRules};
use crate::db::schema::demands;
use crate::domain::actor::Actor;
use crate::domain::demands::model::{Demand, DemandRow, DemandStatus};
use crate::domain::demands::views;
use crate::domain::error::AppResult;

/// At most this many items in each list of the workbench.
pub const MAX_ITEMS: i64 = 200;

/// One of my enterprises.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MyEnterprise {
    pub id: Uuid,
    pub name: String,
    pub last_visited_on: Option<NaiveDate>,
    /// The next visit planned at the last one, or the last visit plus the visit window (today
    /// when never visited).
    pub next_visit_due: Option<NaiveDate>,
    pub open_demands: i64,
    pub overdue_demands: i64,
    /// Why it needs attention, if it does.
    pub alerts: Vec<AlertReason>,
}

#[derive(QueryableByName)]
struct MyEnterpriseRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Date>)]
    last_visited_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    next_visit_due: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    open_demands: i64,
    #[diesel(sql_type = BigInt)]
    overdue_demands: i64,
}

impl From<MyEnterpriseRow> for MyEnterprise {
    fn from(r: MyEnterpriseRow) -> Self {
        MyEnterprise {
            id: r.id,
            name: r.name,
            last_visited_on: r.last_visited_on,
            next_visit_due: r.next_visit_due,
            open_demands: r.open_demands,
            overdue_demands: r.overdue_demands,
            alerts: Vec::new(),
        }
    }
}

/// My department's demands that are late or nearly so.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DepartmentDue {
    pub overdue: Vec<Demand>,
    pub due_within_7_days: Vec<Demand>,
}

/// The workbench.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Workbench {
    /// The active enterprises whose `liaison_officers` include me, by name.
    pub enterprises: Vec<MyEnterprise>,
    /// Demands I raised that are resolved or rejected and await 回访, oldest first.
    pub follow_ups_due: Vec<Demand>,
    pub department: DepartmentDue,
}

/// The workbench of `actor` on `today`, with visits due `unvisited_days` after the last one.
pub async fn of(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    rules: AlertRules,
) -> AppResult<Workbench> {
    let today = rules.today;
    let mut enterprises = my_enterprises(conn, actor.id, &rules).await?;
    let mine = AlertRules {
        officer: Some(actor.id),
        ..rules
    };
    for alert in alerts::list(conn, &mine, None, MAX_ITEMS).await? {
        if let Some(e) = enterprises.iter_mut().find(|e| e.id == alert.enterprise_id) {
            e.alerts = alert.reasons;
        }
    }
    let awaiting = demands::table
        .filter(demands::raised_by.eq(actor.id))
        .filter(demands::status.eq_any([DemandStatus::Resolved, DemandStatus::Rejected]))
        .select(DemandRow::as_select())
        .order((demands::updated_at, demands::id))
        .limit(MAX_ITEMS)
        .load(conn)
        .await?;
    let follow_ups_due = views::of_rows(conn, awaiting, today).await?;
    let department = department_due(conn, &actor.department, today).await?;
    Ok(Workbench {
        enterprises,
        follow_ups_due,
        department,
    })
}

/// My active enterprises with their last visit, the next one due and their demand counts; one
/// statement, each figure from an index.
async fn my_enterprises(
    conn: &mut AsyncPgConnection,
    me: Uuid,
    rules: &AlertRules,
) -> QueryResult<Vec<MyEnterprise>> {
    let rows: Vec<MyEnterpriseRow> = diesel::sql_query(
        "SELECT e.id, e.name, lv.last_visited_on, \
                COALESCE(nv.next_visit_on, \
                         lv.last_visited_on + COALESCE(e.visit_cadence_days, $3::int), $2) \
                    AS next_visit_due, \
                (SELECT count(*) FROM demands d WHERE d.enterprise_id = e.id \
                   AND d.status IN ('open', 'accepted')) AS open_demands, \
                (SELECT count(*) FROM demands d WHERE d.enterprise_id = e.id \
                   AND d.status IN ('open', 'accepted') AND d.due_on < $2) AS overdue_demands \
         FROM enterprises e \
         LEFT JOIN enterprise_last_visits lv ON lv.enterprise_id = e.id \
         LEFT JOIN LATERAL (SELECT v.next_visit_on FROM visits v WHERE v.enterprise_id = e.id \
                            ORDER BY v.visited_on DESC, v.id DESC LIMIT 1) nv ON true \
         WHERE e.liaison_officers @> ARRAY[$1::uuid] AND e.status = 'active' \
         ORDER BY e.name, e.id LIMIT $4",
    )
    .bind::<SqlUuid, _>(me)
    .bind::<Date, _>(rules.today)
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(rules.unvisited_days).unwrap_or(90))
    .bind::<BigInt, _>(MAX_ITEMS)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(MyEnterprise::from).collect())
}

/// The department's pending demands past their due date, and those due within a week.
async fn department_due(
    conn: &mut AsyncPgConnection,
    department: &str,
    today: NaiveDate,
) -> QueryResult<DepartmentDue> {
    let pending = [DemandStatus::Open, DemandStatus::Accepted];
    let week = today + Days::new(7);
    let rows: Vec<DemandRow> = demands::table
        .filter(demands::assigned_department.eq(department))
        .filter(demands::status.eq_any(pending))
        .filter(demands::due_on.le(week))
        .select(DemandRow::as_select())
        .order((demands::due_on, demands::id))
        .limit(MAX_ITEMS * 2)
        .load(conn)
        .await?;
    let (late, soon): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|d| d.due_on.is_some_and(|due| due < today));
    Ok(DepartmentDue {
        overdue: views::of_rows(conn, late, today).await?,
        due_within_7_days: views::of_rows(conn, soon, today).await?,
    })
}
