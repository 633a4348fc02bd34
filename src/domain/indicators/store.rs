//! Indicator queries. `put` is an upsert under a row lock, with its audit event.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Figures, Indicator, may_report};
use crate::db::clock::today_in_china;
use crate::db::quarter::Quarter;
use crate::db::schema::indicators;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::enterprises::store as enterprises;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected};

/// What `put` did.
pub struct Put {
    pub indicator: Indicator,
    /// True when the quarter had no figures before (201).
    pub created: bool,
}

/// A quarter's figures as reported.
pub struct Report {
    pub quarter: Quarter,
    pub figures: Figures,
    /// The reporter confirms figures far from the previous quarter's.
    pub confirm: bool,
}

/// Stores the figures of one enterprise and quarter, replacing what was there. Unchanged figures
/// change nothing (no new version, no audit event).
pub async fn put(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    report: Report,
    expected_version: Expected,
) -> AppResult<Put> {
    conn.transaction(async move |conn| {
        check_report(conn, actor, enterprise_id, &report).await?;
        let Report {
            quarter, figures, ..
        } = report;
        let key = quarter.to_string();
        let audit_id = format!("{enterprise_id}/{key}");
        if let Some(created) = insert_new(conn, actor, enterprise_id, &key, &figures).await? {
            // If-Match names a version of something that did not exist.
            check_version(&expected_version, 0)?;
            audit::created(conn, Some(actor), "indicator", audit_id, &created).await?;
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
        check_version(&expected_version, before.version)?;
        if Figures::of(&before) == figures {
            return Ok(Put {
                indicator: before,
                created: false,
            });
        }
        let after = replace(conn, actor, enterprise_id, &key, figures).await?;
        audit::updated(conn, Some(actor), "indicator", audit_id, &before, &after).await?;
        Ok(Put {
            indicator: after,
            created: false,
        })
    })
    .await
}

/// Who may report, and the figures' own rules.
async fn check_report(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    report: &Report,
) -> AppResult<()> {
    let enterprise = enterprises::get(conn, enterprise_id).await?;
    if !may_report(actor, &enterprise.assigned_departments) {
        return Err(AppError::Forbidden(
            "indicators are reported by liaison officers of an assigned department or of the \
             statistics bureau"
                .into(),
        ));
    }
    let mut errors = report.figures.check(report.quarter, today_in_china());
    if !report.confirm {
        let previous = previous_figures(conn, enterprise_id, report.quarter).await?;
        errors.extend(report.figures.jumps_from(&previous));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The enterprise's figures of the quarter before `quarter` (none reported: all null).
async fn previous_figures(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    quarter: Quarter,
) -> QueryResult<Figures> {
    let row: Option<Indicator> = indicators::table
        .find((enterprise_id, quarter.previous().to_string()))
        .select(Indicator::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(row.as_ref().map(Figures::of).unwrap_or_default())
}

/// Inserts the quarter's figures unless the quarter has a row already (then `None`).
async fn insert_new(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    key: &str,
    figures: &Figures,
) -> AppResult<Option<Indicator>> {
    let inserted = diesel::insert_into(indicators::table)
        .values((
            figures.clone(),
            indicators::enterprise_id.eq(enterprise_id),
            indicators::quarter.eq(key),
            indicators::created_by.eq(actor.id),
            indicators::updated_by.eq(actor.id),
        ))
        .on_conflict_do_nothing()
        .returning(Indicator::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    Ok(inserted)
}

/// Replaces the figures of the (locked) row, as a new version.
async fn replace(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    key: &str,
    figures: Figures,
) -> AppResult<Indicator> {
    let after = diesel::update(indicators::table.find((enterprise_id, key)))
        .set((
            figures,
            indicators::updated_by.eq(actor.id),
            indicators::version.eq(indicators::version + 1),
            indicators::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Indicator::as_returning())
        .get_result(conn)
        .await?;
    Ok(after)
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
    crate::filter_present!(query,
        from => |from| indicators::quarter.ge(from.to_string()),
        to => |to| indicators::quarter.le(to.to_string()),
    );
    Ok(query.order(indicators::quarter.asc()).load(conn).await?)
}
