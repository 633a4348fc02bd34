//! Demands (企业诉求): rows, enums and the status machine, pure and unit-tested.
//!
//! ```text
//! open ──accept──▶ accepted ──resolve──▶ resolved ──close (satisfied)──▶ closed
//!  │ ▲               │  ▲                   │
//!  │ └─reassign (转办)│  └──reopen / close (unsatisfied, 回访不满意)─┘
//!  └──────reject─────┴──reject──▶ rejected
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{demand_events, demands};

crate::text_enum! {
    /// What the enterprise asked for help with.
    pub enum DemandCategory {
        Financing = "financing",
        Land = "land",
        Talent = "talent",
        Market = "market",
        Technology = "technology",
        Policy = "policy",
        Permits = "permits",
        Infrastructure = "infrastructure",
        Other = "other",
    }
}

crate::text_enum! {
    /// Where a demand stands.
    pub enum DemandStatus {
        Open = "open",
        Accepted = "accepted",
        Resolved = "resolved",
        Closed = "closed",
        Rejected = "rejected",
    }
}

impl DemandStatus {
    /// Open and accepted demands can run late.
    pub fn is_pending(self) -> bool {
        matches!(self, DemandStatus::Open | DemandStatus::Accepted)
    }
}

crate::text_enum! {
    /// The enterprise's verdict at the follow-up call (回访).
    pub enum Satisfaction {
        Satisfied = "satisfied",
        Unsatisfied = "unsatisfied",
    }
}

/// A requested move: the body of `POST /api/v1/demands/{id}/transitions`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TransitionBody)]
pub struct TransitionRequest {
    /// Target status; `closed` with `satisfaction: unsatisfied` ends in `accepted`.
    pub to: DemandStatus,
    /// Required for `rejected` (the reason); kept as the resolution for `resolved`.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Required for reassignment (`open` → `open`).
    #[schema(max_length = 32)]
    #[validate(length(max = 32))]
    pub assigned_department: Option<String>,
    /// Required for `closed`.
    pub satisfaction: Option<Satisfaction>,
}

/// What a valid move does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The status the demand ends in (an unsatisfied close ends in `accepted`).
    pub to: DemandStatus,
    /// New assigned department (reassignment).
    pub assigned_department: Option<String>,
    /// New resolution text (resolving).
    pub resolution: Option<String>,
    pub satisfaction: Option<Satisfaction>,
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The machine does not allow it from the current status (409).
    NotAllowed(String),
    /// A field the move needs is missing or wrong (422 on that field).
    Invalid {
        field: &'static str,
        code: &'static str,
        message: &'static str,
    },
}

/// Decides a move from `current` (assigned to `current_department`).
pub fn decide(
    current: DemandStatus,
    current_department: &str,
    req: &TransitionRequest,
) -> Result<Move, Refusal> {
    use DemandStatus::*;
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    match (current, req.to) {
        (Open, Open) => reassign(current_department, req.assigned_department.as_deref()),
        (Open, Accepted) | (Resolved, Accepted) => Ok(Move::to(Accepted)),
        (Open | Accepted, Rejected) => match note {
            Some(_) => Ok(Move::to(Rejected)),
            None => Err(Refusal::Invalid {
                field: "note",
                code: "required",
                message: "a rejection gives its reason",
            }),
        },
        (Accepted, Resolved) => Ok(Move {
            resolution: note.map(str::to_owned),
            ..Move::to(Resolved)
        }),
        (Resolved, Closed) => close(req.satisfaction),
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
            assigned_department: None,
            resolution: None,
            satisfaction: None,
        }
    }
}

/// 转办: an open demand goes to another department, which the request names.
fn reassign(current_department: &str, requested: Option<&str>) -> Result<Move, Refusal> {
    let Some(dept) = requested.map(str::trim).filter(|d| !d.is_empty()) else {
        return Err(Refusal::Invalid {
            field: "assigned_department",
            code: "required",
            message: "reassignment (转办) names the new department",
        });
    };
    if dept == current_department {
        return Err(Refusal::Invalid {
            field: "assigned_department",
            code: "unchanged",
            message: "the demand is already assigned to this department",
        });
    }
    Ok(Move {
        assigned_department: Some(dept.to_owned()),
        ..Move::to(DemandStatus::Open)
    })
}

/// 回访: closing records the enterprise's satisfaction; an unsatisfied one reopens the work
/// (`accepted`).
fn close(satisfaction: Option<Satisfaction>) -> Result<Move, Refusal> {
    match satisfaction {
        Some(Satisfaction::Satisfied) => Ok(Move {
            satisfaction: Some(Satisfaction::Satisfied),
            ..Move::to(DemandStatus::Closed)
        }),
        Some(Satisfaction::Unsatisfied) => Ok(Move {
            satisfaction: Some(Satisfaction::Unsatisfied),
            ..Move::to(DemandStatus::Accepted)
        }),
        None => Err(Refusal::Invalid {
            field: "satisfaction",
            code: "required",
            message: "closing records the enterprise's satisfaction",
        }),
    }
}

/// A demand as stored.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = demands, check_for_backend(diesel::pg::Pg))]
pub struct DemandRow {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub visit_id: Option<Uuid>,
    pub category: DemandCategory,
    pub title: String,
    pub description: Option<String>,
    pub assigned_department: String,
    pub due_on: Option<NaiveDate>,
    pub status: DemandStatus,
    pub resolution: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A demand as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Demand {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub visit_id: Option<Uuid>,
    pub category: DemandCategory,
    pub title: String,
    pub description: Option<String>,
    pub assigned_department: String,
    pub due_on: Option<NaiveDate>,
    pub status: DemandStatus,
    pub resolution: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    /// True when `due_on` is before today (China Standard Time) and the demand is open or accepted.
    pub overdue: bool,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::db::keyset::Keyed for Demand {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

impl Demand {
    /// The view of a row, with `overdue` derived for `today`.
    pub fn from_row(r: DemandRow, today: NaiveDate) -> Self {
        Demand {
            overdue: r.status.is_pending() && r.due_on.is_some_and(|d| d < today),
            id: r.id,
            enterprise_id: r.enterprise_id,
            visit_id: r.visit_id,
            category: r.category,
            title: r.title,
            description: r.description,
            assigned_department: r.assigned_department,
            due_on: r.due_on,
            status: r.status,
            resolution: r.resolution,
            satisfaction: r.satisfaction,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One step in a demand's life.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = demand_events, check_for_backend(diesel::pg::Pg))]
pub struct DemandEvent {
    pub id: Uuid,
    #[serde(skip)]
    pub demand_id: Uuid,
    pub at: DateTime<Utc>,
    /// The acting user's id.
    pub actor: Option<Uuid>,
    /// Null for the creation.
    #[serde(rename = "from")]
    #[diesel(column_name = from_status)]
    pub from_status: Option<DemandStatus>,
    #[serde(rename = "to")]
    #[diesel(column_name = to_status)]
    pub to_status: DemandStatus,
    pub note: Option<String>,
    pub assigned_department: Option<String>,
    pub satisfaction: Option<Satisfaction>,
}

#[cfg(test)]
mod tests;
