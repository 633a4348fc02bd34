//! Time limits (限时办结): how many working days a demand of a category and urgency has, from
//! the day it is raised. Seeded (policy 5, others 15, urgent 3), edited by admins.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{DemandCategory, Urgency};
use crate::db::schema::demand_time_limits;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::{AppError, AppResult, FieldError};

/// The limit of one category at one urgency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = demand_time_limits, check_for_backend(diesel::pg::Pg))]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    pub category: DemandCategory,
    pub urgency: Urgency,
    /// 1 to 365 working days.
    #[schema(minimum = 1, maximum = 365)]
    pub working_days: i32,
}

/// The seeded limits: `policy` 5 working days, every other category 15, anything urgent 3.
pub fn seeded() -> Vec<TimeLimit> {
    let mut limits = Vec::new();
    for category in DemandCategory::ALL {
        let normal = if *category == DemandCategory::Policy {
            5
        } else {
            15
        };
        for (urgency, working_days) in [(Urgency::Normal, normal), (Urgency::Urgent, 3)] {
            limits.push(TimeLimit {
                category: *category,
                urgency,
                working_days,
            });
        }
    }
    limits
}

/// Every limit, by category and urgency.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<TimeLimit>> {
    demand_time_limits::table
        .select(TimeLimit::as_select())
        .order((demand_time_limits::category, demand_time_limits::urgency))
        .load(conn)
        .await
}

/// The working days of a category at an urgency (the seeded value when none is stored).
pub async fn working_days(
    conn: &mut AsyncPgConnection,
    category: DemandCategory,
    urgency: Urgency,
) -> QueryResult<u32> {
    let stored: Option<i32> = demand_time_limits::table
        .find((category, urgency))
        .select(demand_time_limits::working_days)
        .first(conn)
        .await
        .optional()?;
    let fallback = || {
        seeded()
            .into_iter()
            .find(|l| l.category == category && l.urgency == urgency)
            .map_or(15, |l| l.working_days)
    };
    Ok(u32::try_from(stored.unwrap_or_else(fallback)).unwrap_or(15))
}

/// Adds the seeded limits that are missing; stored ones stay as admins set them.
pub async fn seed(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    for l in seeded() {
        diesel::insert_into(demand_time_limits::table)
            .values((
                demand_time_limits::category.eq(l.category),
                demand_time_limits::urgency.eq(l.urgency),
                demand_time_limits::working_days.eq(l.working_days),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Sets the given limits (others stay), audited as one change of the table.
pub async fn put(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    limits: Vec<TimeLimit>,
) -> AppResult<Vec<TimeLimit>> {
    if let Some(i) = limits
        .iter()
        .position(|l| !(1..=365).contains(&l.working_days))
    {
        let field = format!("items[{i}].working_days");
        let error = FieldError::new(field, "range", "1 to 365 working days");
        return Err(AppError::Validation(vec![error]));
    }
    conn.transaction(async move |conn| {
        let before = list(conn).await?;
        for l in &limits {
            diesel::insert_into(demand_time_limits::table)
                .values((
                    demand_time_limits::category.eq(l.category),
                    demand_time_limits::urgency.eq(l.urgency),
                    demand_time_limits::working_days.eq(l.working_days),
                ))
                .on_conflict((demand_time_limits::category, demand_time_limits::urgency))
                .do_update()
                .set((
                    demand_time_limits::working_days.eq(l.working_days),
                    demand_time_limits::version.eq(demand_time_limits::version + 1),
                    demand_time_limits::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
        }
        let after = list(conn).await?;
        audit::updated(
            conn,
            Some(actor),
            "demand_time_limits",
            "all",
            &before,
            &after,
        )
        .await?;
        Ok(after)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_has_five_days_others_fifteen_urgent_three() {
        let limits = seeded();
        assert_eq!(limits.len(), DemandCategory::ALL.len() * 2);
        let of = |c, u| {
            limits
                .iter()
                .find(|l| l.category == c && l.urgency == u)
                .map(|l| l.working_days)
        };
        assert_eq!(of(DemandCategory::Policy, Urgency::Normal), Some(5));
        assert_eq!(of(DemandCategory::Land, Urgency::Normal), Some(15));
        assert_eq!(of(DemandCategory::Land, Urgency::Urgent), Some(3));
    }
}
