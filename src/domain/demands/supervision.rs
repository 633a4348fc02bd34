//! What happens to a demand besides its moves: progress notes (进展), deadline extensions (延期)
//! and urges (催办). Each locks the demand, writes an event and an audit record, and makes a new
//! version of the demand.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use super::model::DemandEventKind::{self, ExtensionDecided, ExtensionRequested};
use super::model::{DemandRow, Extension, ExtensionStatus};
use super::moves::{may_note_progress, may_request_extension, may_supervise};
use super::store::{Happening, lock, record_event};
use crate::db::clock::today_in_china;
use crate::db::schema::{demand_extensions, demands};
use crate::domain::actor::Actor;
use crate::domain::audit::{self, AuditEntry};
use crate::domain::error::{AppError, AppResult};

fn forbidden(who: &str) -> AppError {
    AppError::Forbidden(format!("only {who} may do this"))
}

fn pending_only(demand: &DemandRow) -> AppResult<()> {
    if demand.status.is_pending() {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "a {} demand is no longer being handled",
        demand.status
    )))
}

/// A new version of the demand (the event changed it), with `urges` raised when it was one.
async fn touch(conn: &mut AsyncPgConnection, id: Uuid, urged: bool) -> QueryResult<DemandRow> {
    diesel::update(demands::table.find(id))
        .set((
            demands::urges.eq(demands::urges + i32::from(urged)),
            demands::version.eq(demands::version + 1),
            demands::updated_at.eq(diesel::dsl::now),
        ))
        .returning(DemandRow::as_returning())
        .get_result(conn)
        .await
}

/// Records an event and its audit entry for a demand that did not move.
async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    after: &DemandRow,
    kind: DemandEventKind,
    details: serde_json::Value,
    note: &str,
) -> AppResult<()> {
    record_event(
        conn,
        Some(actor.id),
        after,
        Some(after.status),
        Happening::new(kind, Some(note)),
    )
    .await?;
    let entry = AuditEntry {
        action: kind.as_str(),
        entity: "demand",
        entity_id: after.id.to_string(),
        changes: details,
        data: serde_json::to_value(after).ok(),
    };
    Ok(audit::record(conn, Some(actor), entry).await?)
}

/// A progress note (进展) without a move.
pub async fn note_progress(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    note: String,
) -> AppResult<DemandRow> {
    let note = non_blank(note, "note")?;
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        if !may_note_progress(actor, &before) {
            return Err(forbidden(
                "the handling departments, the raising officer, a supervisor or an admin",
            ));
        }
        let after = touch(conn, id, false).await?;
        record(
            conn,
            actor,
            &after,
            DemandEventKind::Progress,
            json!({"note": note}),
            &note,
        )
        .await?;
        Ok(after)
    })
    .await
}

/// 催办: a supervisor presses the assigned department.
pub async fn urge(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    note: String,
) -> AppResult<DemandRow> {
    let note = non_blank(note, "note")?;
    if !may_supervise(actor) {
        return Err(forbidden("a supervisor or an admin"));
    }
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        pending_only(&before)?;
        let after = touch(conn, id, true).await?;
        let details =
            json!({"urges": {"before": before.urges, "after": after.urges}, "note": note});
        record(conn, actor, &after, DemandEventKind::Urged, details, &note).await?;
        Ok(after)
    })
    .await
}

/// The assigned department asks for a later due date; a supervisor decides.
pub async fn request_extension(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    new_due_on: NaiveDate,
    reason: String,
) -> AppResult<(DemandRow, Extension)> {
    let reason = non_blank(reason, "reason")?;
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        if !may_request_extension(actor, &before) {
            return Err(forbidden("the assigned department"));
        }
        pending_only(&before)?;
        let later = before
            .due_on
            .map_or(today_in_china(), |d| d.max(today_in_china()));
        if new_due_on <= later {
            return Err(AppError::invalid(
                "new_due_on",
                "not_later",
                "after the current due date and after today",
            ));
        }
        let extension: Extension = diesel::insert_into(demand_extensions::table)
            .values((
                demand_extensions::id.eq(Uuid::new_v4()),
                demand_extensions::demand_id.eq(id),
                demand_extensions::requested_by.eq(actor.id),
                demand_extensions::new_due_on.eq(new_due_on),
                demand_extensions::reason.eq(&reason),
            ))
            .returning(Extension::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => {
                    AppError::Conflict("an extension of this demand awaits a decision".into())
                }
                other => other,
            })?;
        let after = touch(conn, id, false).await?;
        let details = json!({"extension": {"new_due_on": new_due_on, "reason": reason}});
        let note = format!("申请延期至 {new_due_on}：{reason}");
        record(conn, actor, &after, ExtensionRequested, details, &note).await?;
        Ok((after, extension))
    })
    .await
}

/// A supervisor approves (the due date moves) or refuses a pending extension.
pub async fn decide_extension(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    extension_id: Uuid,
    approve: bool,
    note: Option<String>,
) -> AppResult<(DemandRow, Extension)> {
    if !may_supervise(actor) {
        return Err(forbidden("a supervisor or an admin"));
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        let extension = decide_row(conn, id, extension_id, approve, actor, note.as_deref()).await?;
        let due_on = if approve {
            Some(extension.new_due_on)
        } else {
            before.due_on
        };
        let after = diesel::update(demands::table.find(id))
            .set((
                demands::due_on.eq(due_on),
                demands::version.eq(demands::version + 1),
                demands::updated_at.eq(diesel::dsl::now),
            ))
            .returning(DemandRow::as_returning())
            .get_result(conn)
            .await?;
        let verdict = if approve {
            "同意延期"
        } else {
            "不同意延期"
        };
        let text = match &note {
            Some(n) => format!("{verdict}：{n}"),
            None => verdict.to_owned(),
        };
        let details = json!({"due_on": {"before": before.due_on, "after": after.due_on},
            "extension": {"id": extension.id, "status": extension.status}});
        record(conn, actor, &after, ExtensionDecided, details, &text).await?;
        Ok((after, extension))
    })
    .await
}

/// Marks a pending extension of the demand decided; 404 when there is none by that id, 409 when
/// it was decided already.
async fn decide_row(
    conn: &mut AsyncPgConnection,
    demand_id: Uuid,
    extension_id: Uuid,
    approve: bool,
    actor: &Actor,
    note: Option<&str>,
) -> AppResult<Extension> {
    let found: Option<Extension> = demand_extensions::table
        .filter(demand_extensions::id.eq(extension_id))
        .filter(demand_extensions::demand_id.eq(demand_id))
        .select(Extension::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(found) = found else {
        return Err(AppError::NotFound(
            "no such extension of this demand".into(),
        ));
    };
    if found.status != ExtensionStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this extension was {} already",
            found.status
        )));
    }
    let status = if approve {
        ExtensionStatus::Approved
    } else {
        ExtensionStatus::Rejected
    };
    Ok(diesel::update(demand_extensions::table.find(extension_id))
        .set((
            demand_extensions::status.eq(status),
            demand_extensions::decided_by.eq(actor.id),
            demand_extensions::decided_at.eq(Utc::now()),
            demand_extensions::decision_note.eq(note),
        ))
        .returning(Extension::as_returning())
        .get_result(conn)
        .await?)
}

/// The extensions of the given demands, oldest first (one query for a page).
pub async fn extensions_of(
    conn: &mut AsyncPgConnection,
    demand_ids: &[Uuid],
) -> QueryResult<Vec<Extension>> {
    demand_extensions::table
        .filter(demand_extensions::demand_id.eq_any(demand_ids))
        .select(Extension::as_select())
        .order((demand_extensions::requested_at, demand_extensions::id))
        .load(conn)
        .await
}

/// 422 on `field` when the text is blank.
fn non_blank(text: String, field: &'static str) -> AppResult<String> {
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(AppError::invalid(
            field,
            "blank",
            "may not be empty or blank",
        ));
    }
    Ok(text)
}
