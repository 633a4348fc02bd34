//! Moves of a demand and its follow-ups (回访). Each locks the demand first, so two moves from
//! the same state never both succeed, and writes its event and audit record in the same
//! transaction.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use super::follow_ups::{self, NewFollowUp};
use super::model::{DemandRow, DemandStatus};
use super::moves::{Move, MoveKind, Refusal, TransitionRequest, decide, may_move};
use super::store::{Happening, emit, lock, record_event};
use crate::db::schema::demands;
use crate::domain::actor::Actor;
use crate::domain::audit::{self, AuditEntry};
use crate::domain::departments::store::check_assignable;
use crate::domain::error::{AppError, AppResult, FieldError};
use crate::domain::events::EventType;

/// Moves a demand. The older form of a follow-up — `to: closed` with `satisfaction` — is taken
/// as a follow-up by the caller, under the follow-up's rule.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    req: TransitionRequest,
) -> AppResult<DemandRow> {
    if req.to == DemandStatus::Closed {
        return close_by_follow_up(conn, actor, id, req).await;
    }
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        if !may_move(actor, &before) {
            return Err(AppError::Forbidden(
                "only the assigned department (for a returned demand: the raising one) moves it"
                    .into(),
            ));
        }
        let step = decide(before.status, &before.assigned_department, &req).map_err(refused)?;
        if let Some(dept) = &step.assigned_department
            && let Some(e) = check_assignable(conn, "assigned_department".into(), dept).await?
        {
            return Err(AppError::Validation(vec![e]));
        }
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let after = write_move(conn, &before, &step).await?;
        let what = Happening::new(step.kind.event_kind(), note);
        record_event(conn, Some(actor.id), &after, Some(before.status), what).await?;
        let event_type = match step.kind {
            MoveKind::Reassigned => EventType::DemandReassigned,
            _ => EventType::DemandTransitioned,
        };
        record_transition(conn, actor, (&before, &after), note, event_type).await?;
        Ok(after)
    })
    .await
}

/// `to: closed` with `satisfaction`: a follow-up by phone, as the first contract had it.
async fn close_by_follow_up(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    req: TransitionRequest,
) -> AppResult<DemandRow> {
    let Some(rating) = req.satisfaction else {
        return Err(AppError::invalid(
            "satisfaction",
            "required",
            "closing records the enterprise's satisfaction (回访)",
        ));
    };
    let new = NewFollowUp {
        method: follow_ups::FollowUpMethod::Phone,
        contact_id: None,
        rating,
        comment: req.note,
    };
    let (demand, _) = follow_ups::record(conn, actor, id, new).await?;
    Ok(demand)
}

/// A refused move as the domain error: not allowed now (409) or a bad field (422).
pub fn refused(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::NotAllowed(why) => AppError::Conflict(why),
        Refusal::Invalid(problems) => AppError::Validation(
            problems
                .into_iter()
                .map(|p| FieldError::new(p.field, p.code, p.message))
                .collect(),
        ),
    }
}

/// Stores what a decided move changes, as a new version, with the moment it first signed for
/// (`accepted_at`) or last resolved (`resolved_at`).
async fn write_move(
    conn: &mut AsyncPgConnection,
    before: &DemandRow,
    step: &Move,
) -> AppResult<DemandRow> {
    let department = step
        .assigned_department
        .as_deref()
        .unwrap_or(&before.assigned_department);
    let resolution = step.resolution.as_deref().or(before.resolution.as_deref());
    let now = chrono::Utc::now();
    let accepted_at = before
        .accepted_at
        .or((step.to == DemandStatus::Accepted).then_some(now));
    let resolved_at = if step.to == DemandStatus::Resolved {
        Some(now)
    } else {
        before.resolved_at
    };
    // A reassigned demand starts again at its new department: its co-departments stay.
    let after = diesel::update(demands::table.find(before.id))
        .set((
            demands::status.eq(step.to),
            demands::assigned_department.eq(department),
            demands::resolution.eq(resolution),
            demands::accepted_at.eq(accepted_at),
            demands::resolved_at.eq(resolved_at),
            demands::version.eq(demands::version + 1),
            demands::updated_at.eq(diesel::dsl::now),
        ))
        .returning(DemandRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(after)
}

/// The audit record and the feed's event (`event_type`) of a move, with its note.
pub async fn record_transition(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    (before, after): (&DemandRow, &DemandRow),
    note: Option<&str>,
    event_type: EventType,
) -> AppResult<()> {
    let mut changes = audit::changes(
        serde_json::to_value(before).ok().as_ref(),
        serde_json::to_value(after).ok().as_ref(),
    );
    if let Some(note) = note {
        changes["note"] = json!({"before": null, "after": note});
    }
    let entry = AuditEntry {
        action: "transition",
        entity: "demand",
        entity_id: before.id.to_string(),
        changes,
        data: None,
    };
    audit::record(conn, Some(actor), entry).await?;
    Ok(emit(conn, Some(actor), event_type, Some(before), after).await?)
}
