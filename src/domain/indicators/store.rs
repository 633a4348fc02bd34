//! Indicator queries. `put` is an upsert under a row lock, with its audit event.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Figures, Indicator, may_report};
use crate::db::clock::today_in_china;
use crate::db::quarter::Quarter;
use crate::db::schema::indicators;
use crate::domain::actor::Actor;
use crate::domain::audit::{self, AuditEntry};
use crate::domain::enterprises::store as enterprises;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult};

/// What `put` did.
pub struct Put {
    pub indicator: Indicator,
    /// True when the quarter had no figures before (201).
    pub created: bool,
}

/// Stores the figures of one enterprise and quarter, replacing what was there. Unchanged figures
/// change nothing (no new version, no audit event).
pub async fn put(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    quarter: Quarter,
    figures: Figures,
    expected_version: Option<i32>,
) -> AppResult<Put> {
    conn.transaction(async move |conn| {
        let enterprise = enterprises::get(conn, enterprise_id).await?;
        if !may_report(actor, &enterprise.assigned_departments) {
            return Err(AppError::Forbidden(
                "indicators are reported by liaison officers of an assigned department or of the \
                 statistics bureau"
                    .into(),
            ));
        }
        let errors = figures.check(quarter, today_in_china());
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let key = quarter.to_string();
        let inserted: Option<Indicator> = diesel::insert_into(indicators::table)
            .values((
                indicators::enterprise_id.eq(enterprise_id),
                indicators::quarter.eq(&key),
                indicators::revenue.eq(figures.revenue),
                indicators::emergency_revenue.eq(figures.emergency_revenue),
                indicators::output_value.eq(figures.output_value),
                indicators::profit.eq(figures.profit),
                indicators::rd_expense.eq(figures.rd_expense),
                indicators::export_value.eq(figures.export_value),
                indicators::employees.eq(figures.employees),
                indicators::created_by.eq(actor.id),
                indicators::updated_by.eq(actor.id),
            ))
            .on_conflict_do_nothing()
            .returning(Indicator::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        if let Some(created) = inserted {
            // If-Match names a version of something that did not exist.
            check_version(expected_version, 0)?;
            let after = serde_json::to_value(&created).ok();
            audit::record(
                conn,
                Some(actor),
                AuditEntry {
                    action: "create",
                    entity: "indicator",
                    entity_id: format!("{enterprise_id}/{key}"),
                    changes: audit::changes(None, after.as_ref()),
                },
            )
            .await?;
            return Ok(Put {
                indicator: created,
                created: true,
            });
        }
        // The row exists (perhaps since a moment ago): lock it and replace the figures.
        let before: Indicator = indicators::table
            .find((enterprise_id, &key))
            .select(Indicator::as_select())
            .for_update()
            .first(conn)
            .await?;
        check_version(expected_version, before.version)?;
        if Figures::of(&before) == figures {
            return Ok(Put {
                indicator: before,
                created: false,
            });
        }
        let after: Indicator = diesel::update(indicators::table.find((enterprise_id, &key)))
            .set((
                indicators::revenue.eq(figures.revenue),
                indicators::emergency_revenue.eq(figures.emergency_revenue),
                indicators::output_value.eq(figures.output_value),
                indicators::profit.eq(figures.profit),
                indicators::rd_expense.eq(figures.rd_expense),
                indicators::export_value.eq(figures.export_value),
                indicators::employees.eq(figures.employees),
                indicators::updated_by.eq(actor.id),
                indicators::version.eq(indicators::version + 1),
                indicators::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Indicator::as_returning())
            .get_result(conn)
            .await?;
        let (b, a) = (
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
        );
        audit::record(
            conn,
            Some(actor),
            AuditEntry {
                action: "update",
                entity: "indicator",
                entity_id: format!("{enterprise_id}/{key}"),
                changes: audit::changes(b.as_ref(), a.as_ref()),
            },
        )
        .await?;
        Ok(Put {
            indicator: after,
            created: false,
        })
    })
    .await
}

/// An enterprise's quarters from `from` to `to` (both included), oldest first; served by the
/// primary key.
pub async fn history(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    from: Option<Quarter>,
    to: Option<Quarter>,
) -> AppResult<Vec<Indicator>> {
    enterprises::get(conn, enterprise_id).await?;
    let mut query = indicators::table
        .filter(indicators::enterprise_id.eq(enterprise_id))
        .select(Indicator::as_select())
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(indicators::quarter.ge(from.to_string()));
    }
    if let Some(to) = to {
        query = query.filter(indicators::quarter.le(to.to_string()));
    }
    Ok(query.order(indicators::quarter.asc()).load(conn).await?)
}
