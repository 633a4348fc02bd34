//! The demand's status machine (督办闭环), pure and unit-tested.
//!
//! ```text
//!            ┌──────── 转办 (reassign, reason) ────────┐
//!            ▼                                         │
//! open ──签收──▶ accepted ──办结──▶ resolved ──回访 satisfied──▶ closed
//!  │  ▲           │  ▲                │
//!  │  │           │  └── 回访 unsatisfied (重办) / reopen
//!  │  │           │
//!  ├──┴─退回──────┴──▶ returned ──reassign (raising side)──▶ open
//!  │                       └──reject (raising side)──▶ rejected
//!  └──reject (reason)──▶ rejected ──回访 satisfied──▶ closed
//! ```
//!
//! The assigned department (or an admin) signs for, resolves, rejects, reassigns and returns; the
//! raising department (or an admin) decides a returned demand; the raising side, a supervisor or
//! an admin follows up.

use super::model::{DemandEventKind, DemandRow, DemandStatus, Satisfaction};
use crate::domain::actor::{Actor, Role};

/// A requested move: the body of `POST /api/v1/demands/{id}/transitions`.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Deserialize, validator::Validate, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
#[schema(as = TransitionBody)]
pub struct TransitionRequest {
    /// Target status. `open` with `assigned_department` reassigns (转办); `returned` sends it back
    /// to the raising department (退回); `closed` with `satisfaction` is a follow-up (回访).
    pub to: DemandStatus,
    /// Required for `rejected`, `returned` and a reassignment (the reason); kept as the
    /// resolution for `resolved`.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Required for a reassignment: the department that takes the demand over.
    #[schema(max_length = 32)]
    #[validate(length(max = 32))]
    pub assigned_department: Option<String>,
    /// Required for `closed`: the enterprise's rating at the follow-up.
    pub satisfaction: Option<Satisfaction>,
}

/// What a move is, for the event and the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    Transition,
    Reassigned,
    Returned,
}

impl MoveKind {
    /// The event's `kind`.
    pub fn event_kind(self) -> DemandEventKind {
        match self {
            MoveKind::Transition => DemandEventKind::Transition,
            MoveKind::Reassigned => DemandEventKind::Reassigned,
            MoveKind::Returned => DemandEventKind::Returned,
        }
    }
}

/// What a valid move does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub to: DemandStatus,
    pub kind: MoveKind,
    /// New assigned department (reassignment).
    pub assigned_department: Option<String>,
    /// New resolution text (resolving).
    pub resolution: Option<String>,
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The machine does not allow it from the current status (409).
    NotAllowed(String),
    /// Fields the move needs are missing or wrong (422 naming each).
    Invalid(Vec<Problem>),
}

/// A field a move needs that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub code: &'static str,
    pub message: &'static str,
}

fn reason_required(what: &'static str) -> Problem {
    Problem {
        field: "note",
        code: "required",
        message: what,
    }
}

/// Decides a move of a demand in `current`, assigned to `current_department`.
pub fn decide(
    current: DemandStatus,
    current_department: &str,
    req: &TransitionRequest,
) -> Result<Move, Refusal> {
    use DemandStatus::*;
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let needs_reason = |what| match note {
        Some(_) => Ok(()),
        None => Err(Refusal::Invalid(vec![reason_required(what)])),
    };
    match (current, req.to) {
        (Open | Accepted | Returned, Open) => {
            // A returned demand may go back to the same department, with the raising side's answer.
            let unchanged_ok = current == Returned;
            let step = reassign(
                current_department,
                req.assigned_department.as_deref(),
                unchanged_ok,
            );
            let mut problems = step.as_ref().err().cloned().unwrap_or_default();
            if note.is_none() {
                problems.push(reason_required("a reassignment (转办) gives its reason"));
            }
            if problems.is_empty() {
                step.map_err(Refusal::Invalid)
            } else {
                Err(Refusal::Invalid(problems))
            }
        }
        (Open, Accepted) | (Resolved, Accepted) => Ok(Move::to(Accepted)),
        (Open | Accepted | Returned, Rejected) => {
            needs_reason("a rejection gives its reason")?;
            Ok(Move::to(Rejected))
        }
        (Open | Accepted, Returned) => {
            needs_reason("returning a demand (退回) gives its reason")?;
            Ok(Move {
                kind: MoveKind::Returned,
                ..Move::to(Returned)
            })
        }
        (Accepted, Resolved) => Ok(Move {
            resolution: note.map(str::to_owned),
            ..Move::to(Resolved)
        }),
        (from, to) => Err(Refusal::NotAllowed(format!(
            "a {from} demand cannot move to {to}"
        ))),
    }
}

impl Move {
    /// A move that changes the status only.
    fn to(status: DemandStatus) -> Move {
        Move {
            to: status,
            kind: MoveKind::Transition,
            assigned_department: None,
            resolution: None,
        }
    }
}

/// 转办: the demand goes to another department, which the request names, and is open there.
fn reassign(
    current_department: &str,
    requested: Option<&str>,
    unchanged_ok: bool,
) -> Result<Move, Vec<Problem>> {
    let Some(dept) = requested.map(str::trim).filter(|d| !d.is_empty()) else {
        return Err(vec![Problem {
            field: "assigned_department",
            code: "required",
            message: "reassignment (转办) names the new department",
        }]);
    };
    if dept == current_department && !unchanged_ok {
        return Err(vec![Problem {
            field: "assigned_department",
            code: "unchanged",
            message: "the demand is already assigned to this department",
        }]);
    }
    Ok(Move {
        kind: MoveKind::Reassigned,
        assigned_department: Some(dept.to_owned()),
        ..Move::to(DemandStatus::Open)
    })
}

/// Where a follow-up (回访) leaves a demand: only resolved and rejected demands are followed up;
/// 满意 or 基本满意 closes them, 不满意 sends a resolved one back to work (重办) and leaves a
/// rejected one rejected, for the supervisor's attention.
pub fn after_follow_up(
    current: DemandStatus,
    rating: Satisfaction,
) -> Result<DemandStatus, Refusal> {
    use DemandStatus::*;
    match (current, rating.closes()) {
        (Resolved | Rejected, true) => Ok(Closed),
        (Resolved, false) => Ok(Accepted),
        (Rejected, false) => Ok(Rejected),
        (other, _) => Err(Refusal::NotAllowed(format!(
            "a {other} demand is not followed up: it is resolved or rejected first"
        ))),
    }
}

/// A liaison officer of `department`, or an admin.
fn liaison_of(actor: &Actor, department: &str) -> bool {
    actor.has(Role::Admin) || (actor.has(Role::Liaison) && actor.department == department)
}

/// Who moves a demand: the assigned department, or for a returned one the raising department.
pub fn may_move(actor: &Actor, demand: &DemandRow) -> bool {
    if demand.status == DemandStatus::Returned {
        liaison_of(actor, &demand.raising_department)
    } else {
        liaison_of(actor, &demand.assigned_department)
    }
}

/// Who follows up: the raising side, a supervisor or an admin — never the handling department
/// grading its own work, unless it raised the demand itself.
pub fn may_follow_up(actor: &Actor, demand: &DemandRow) -> bool {
    actor.has(Role::Supervisor) || liaison_of(actor, &demand.raising_department)
}

/// Who writes a progress note: the assigned or a co-handling department, the raising officer, a
/// supervisor or an admin.
pub fn may_note_progress(actor: &Actor, demand: &DemandRow) -> bool {
    let handling = actor.has(Role::Liaison)
        && (actor.department == demand.assigned_department
            || demand.co_departments.contains(&actor.department));
    handling
        || demand.raised_by == Some(actor.id)
        || actor.has(Role::Supervisor)
        || actor.has(Role::Admin)
}

/// Who asks for more time: the assigned department (or an admin).
pub fn may_request_extension(actor: &Actor, demand: &DemandRow) -> bool {
    liaison_of(actor, &demand.assigned_department)
}

/// Who urges (催办) and decides extensions: a supervisor or an admin.
pub fn may_supervise(actor: &Actor) -> bool {
    actor.has(Role::Supervisor) || actor.has(Role::Admin)
}

#[cfg(test)]
mod tests;
