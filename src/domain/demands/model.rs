//! Demands (企业诉求): rows, enums and the view the API shows; the status machine is in
//! [`super::moves`].

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::clock::china_day;
use crate::db::schema::{demand_events, demand_extensions, demands};
use crate::domain::reference::calendar::Calendar;

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

impl DemandCategory {
    /// The category's Chinese label, as leaders' reports print it.
    pub fn label(self) -> &'static str {
        match self {
            DemandCategory::Financing => "融资",
            DemandCategory::Land => "用地",
            DemandCategory::Talent => "人才",
            DemandCategory::Market => "市场开拓",
            DemandCategory::Technology => "技术创新",
            DemandCategory::Policy => "政策",
            DemandCategory::Permits => "审批许可",
            DemandCategory::Infrastructure => "基础设施",
            DemandCategory::Other => "其他",
        }
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
        /// 退回: sent back to the raising department, which reassigns or rejects it.
        Returned = "returned",
    }
}

impl DemandStatus {
    /// Open and accepted demands can run late.
    pub fn is_pending(self) -> bool {
        matches!(self, DemandStatus::Open | DemandStatus::Accepted)
    }
}

crate::text_enum! {
    /// The enterprise's verdict at a follow-up (回访): 满意, 基本满意, 不满意.
    pub enum Satisfaction {
        Satisfied = "satisfied",
        BasicallySatisfied = "basically_satisfied",
        Unsatisfied = "unsatisfied",
    }
}

impl Satisfaction {
    /// 满意 and 基本满意 close a demand; 不满意 does not.
    pub fn closes(self) -> bool {
        self != Satisfaction::Unsatisfied
    }
}

crate::text_enum! {
    /// How pressing a demand is; an urgent one has a shorter time limit.
    pub enum Urgency {
        Normal = "normal",
        Urgent = "urgent",
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
    pub raised_by: Option<Uuid>,
    pub raising_department: String,
    pub co_departments: Vec<String>,
    pub urgency: Urgency,
    pub accepted_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub urges: i32,
    pub follow_ups: i32,
    pub escalated_at: Option<DateTime<Utc>>,
    pub escalation_level: Option<i16>,
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
    /// The latest follow-up's rating (every one is kept under `/follow-ups`).
    pub satisfaction: Option<Satisfaction>,
    /// True when `due_on` is before today (China Standard Time) and the demand is open or accepted.
    pub overdue: bool,
    pub created_by: Option<Uuid>,
    /// The officer who raised it (提出人); the raising side follows it up.
    pub raised_by: Option<Uuid>,
    /// The raising officer's department.
    pub raising_department: String,
    /// Departments working with the assigned one (协办).
    pub co_departments: Vec<String>,
    pub urgency: Urgency,
    /// When it was first signed for (签收).
    pub accepted_at: Option<DateTime<Utc>>,
    /// When it was last resolved (办结).
    pub resolved_at: Option<DateTime<Utc>>,
    /// When a follow-up closed it.
    pub closed_at: Option<DateTime<Utc>>,
    /// Working days from the day it was raised to its resolution, or to today while open.
    pub handling_days: i64,
    /// How many times a supervisor urged it (催办).
    pub urges: i32,
    /// How many follow-ups (回访) it has had.
    pub follow_ups: i32,
    /// When supervision last escalated it (督办升级), overdue `LIAISON_ESCALATE_AFTER_DAYS` days.
    pub escalated_at: Option<DateTime<Utc>>,
    /// 1, then 2 at twice the days; kept after the demand leaves `open`/`accepted` (it is then no
    /// longer counted as escalated).
    #[schema(minimum = 1, maximum = 2)]
    pub escalation_level: Option<i16>,
    /// Its deadline extensions (延期), oldest first.
    pub extensions: Vec<Extension>,
    /// The enterprise's name, for lists.
    pub enterprise_name: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A deadline extension (延期): asked by the assigned department, decided by a supervisor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = demand_extensions, check_for_backend(diesel::pg::Pg))]
pub struct Extension {
    pub id: Uuid,
    #[serde(skip)]
    pub demand_id: Uuid,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub new_due_on: NaiveDate,
    pub reason: String,
    pub status: ExtensionStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl crate::db::keyset::Keyed for Demand {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

impl Demand {
    /// The view of a row, with `overdue` and `handling_days` derived for `today` by `calendar`
    /// (its extensions and enterprise name are filled in by the store).
    pub fn from_row(r: DemandRow, today: NaiveDate, calendar: &Calendar) -> Self {
        let raised_on = china_day(r.created_at);
        let until = r
            .resolved_at
            .filter(|_| !r.status.is_pending())
            .map_or(today, china_day);
        Demand {
            overdue: r.status.is_pending() && r.due_on.is_some_and(|d| d < today),
            handling_days: calendar.working_days_between(raised_on, until),
            raised_by: r.raised_by,
            raising_department: r.raising_department,
            co_departments: r.co_departments,
            urgency: r.urgency,
            accepted_at: r.accepted_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            urges: r.urges,
            follow_ups: r.follow_ups,
            escalated_at: r.escalated_at,
            escalation_level: r.escalation_level,
            extensions: Vec::new(),
            enterprise_name: None,
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
    pub kind: DemandEventKind,
}

crate::text_enum! {
    /// What happened to a demand: `escalated` is supervision's (with no actor).
    pub enum DemandEventKind {
        Created = "created",
        Transition = "transition",
        Reassigned = "reassigned",
        Returned = "returned",
        Progress = "progress",
        ExtensionRequested = "extension_requested",
        ExtensionDecided = "extension_decided",
        Urged = "urged",
        FollowUp = "follow_up",
        Escalated = "escalated",
    }
}

crate::text_enum! {
    /// Where a deadline extension stands.
    pub enum ExtensionStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

#[cfg(test)]
mod tests;
