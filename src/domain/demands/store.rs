//! Demand queries. Every change writes its event and audit record in the same transaction; a
//! transition locks the demand first, so two moves from the same state never both succeed.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{
    DemandCategory, DemandEvent, DemandEventKind, DemandRow, DemandStatus, Satisfaction, Urgency,
};
use super::time_limits;
use crate::db::clock::today_in_china;
use crate::db::schema::{demand_events, demands, enterprises, visits};
use crate::domain::actor::{Actor, ActorKind};
use crate::domain::audit;
use crate::domain::departments::store::check_assignable;
use crate::domain::error::{AppError, AppResult, FieldError, OrNotFound};
use crate::domain::events::{self, EventType, store::NewEvent};
use crate::domain::reference::calendar;
use crate::domain::validation::dedup_keep_order;

/// The fields of a new demand, checked by the caller. Without `due_on`, the time limit of its
/// category and urgency gives it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = demands)]
pub struct NewDemand {
    pub category: DemandCategory,
    pub title: String,
    pub description: Option<String>,
    pub assigned_department: String,
    pub due_on: Option<NaiveDate>,
    pub urgency: Urgency,
    pub co_departments: Vec<String>,
}

impl NewDemand {
    /// The fields as stored: the title without surrounding blanks, each co-department once and
    /// never the assigned one.
    fn trimmed(self) -> Self {
        let title = self.title.trim().to_owned();
        let mut co_departments = self.co_departments;
        co_departments.retain(|co| *co != self.assigned_department);
        dedup_keep_order(&mut co_departments);
        NewDemand {
            title,
            co_departments,
            ..self
        }
    }
}

/// Checks the new demand's text fields; `prefix` is `""` or `demands[i].`.
pub fn check_new(prefix: &str, d: &NewDemand) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if d.title.trim().is_empty() {
        errors.push(FieldError::new(
            format!("{prefix}title"),
            "blank",
            "may not be empty or blank",
        ));
    } else if d.title.chars().count() > 200 {
        errors.push(FieldError::new(
            format!("{prefix}title"),
            "too_long",
            "at most 200 characters",
        ));
    }
    if d.description
        .as_ref()
        .is_some_and(|t| t.chars().count() > 4000)
    {
        errors.push(FieldError::new(
            format!("{prefix}description"),
            "too_long",
            "at most 4000 characters",
        ));
    }
    errors
}

/// Inserts a demand with its creation event and audit record (inside the caller's transaction).
/// The raising side is the acting user and its department (the assigned one for the command
/// line or an API client).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    enterprise_id: Uuid,
    visit_id: Option<Uuid>,
    mut d: NewDemand,
) -> QueryResult<DemandRow> {
    if d.due_on.is_none() {
        let days = time_limits::working_days(conn, d.category, d.urgency).await?;
        d.due_on = Some(calendar::due_after(conn, today_in_china(), days).await?);
    }
    let raised_by = actor.filter(|a| a.kind == ActorKind::User).map(|a| a.id);
    let raising = actor
        .map_or(&d.assigned_department, |a| &a.department)
        .clone();
    let row: DemandRow = diesel::insert_into(demands::table)
        .values((
            d.trimmed(),
            demands::id.eq(Uuid::new_v4()),
            demands::enterprise_id.eq(enterprise_id),
            demands::visit_id.eq(visit_id),
            demands::created_by.eq(actor.map(|a| a.id)),
            demands::raised_by.eq(raised_by),
            demands::raising_department.eq(raising),
        ))
        .returning(DemandRow::as_returning())
        .get_result(conn)
        .await?;
    let created = Happening::new(DemandEventKind::Created, None);
    record_event(conn, actor.map(|a| a.id), &row, None, created).await?;
    audit::created(conn, actor, "demand", row.id, &row).await?;
    Ok(row)
}

/// What an event says besides the demand's state after it.
pub struct Happening<'a> {
    pub kind: DemandEventKind,
    pub note: Option<&'a str>,
    pub satisfaction: Option<Satisfaction>,
}

impl<'a> Happening<'a> {
    pub fn new(kind: DemandEventKind, note: Option<&'a str>) -> Self {
        Happening {
            kind,
            note,
            satisfaction: None,
        }
    }
}

/// Records an event of `demand` as it is now, coming `from` a status (`None`: its creation).
pub async fn record_event(
    conn: &mut AsyncPgConnection,
    actor: Option<Uuid>,
    demand: &DemandRow,
    from: Option<DemandStatus>,
    what: Happening<'_>,
) -> QueryResult<()> {
    diesel::insert_into(demand_events::table)
        .values((
            demand_events::id.eq(Uuid::new_v4()),
            demand_events::demand_id.eq(demand.id),
            demand_events::enterprise_id.eq(demand.enterprise_id),
            demand_events::actor.eq(actor),
            demand_events::from_status.eq(from),
            demand_events::to_status.eq(&demand.status),
            demand_events::note.eq(what.note),
            demand_events::assigned_department.eq(&demand.assigned_department),
            demand_events::satisfaction.eq(what.satisfaction),
            demand_events::kind.eq(what.kind),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The feed's event of a change to a demand; `before` is given for a move (its `from`/`to`).
pub async fn emit(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    event_type: EventType,
    before: Option<&DemandRow>,
    after: &DemandRow,
) -> QueryResult<()> {
    let event = NewEvent {
        event_type,
        subject_type: "demand",
        subject_id: after.id.to_string(),
        data: serde_json::to_value(after).unwrap_or_default(),
        from: before.map(|b| b.status.as_str().to_owned()),
        to: before.map(|_| after.status.as_str().to_owned()),
    };
    events::store::emit(conn, actor, event).await
}

/// 422 on `field` unless the enterprise exists and is active.
pub async fn check_active_enterprise(
    conn: &mut AsyncPgConnection,
    field: &str,
    id: Uuid,
) -> QueryResult<Option<FieldError>> {
    let status: Option<String> = enterprises::table
        .find(id)
        .select(enterprises::status)
        .first(conn)
        .await
        .optional()?;
    Ok(match status.as_deref() {
        Some("active") => None,
        Some(_) => Some(FieldError::new(
            field,
            "enterprise_not_active",
            "the enterprise is suspended or withdrawn",
        )),
        None => Some(FieldError::new(
            field,
            "unknown_enterprise",
            "no such enterprise",
        )),
    })
}

/// Raises a demand outside a visit (or tied to one of the enterprise's visits).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    visit_id: Option<Uuid>,
    d: NewDemand,
) -> AppResult<DemandRow> {
    conn.transaction(async move |conn| {
        let mut errors = check_new("", &d);
        errors.extend(check_active_enterprise(conn, "enterprise_id", enterprise_id).await?);
        errors.extend(
            check_assignable(conn, "assigned_department".into(), &d.assigned_department).await?,
        );
        for (i, co) in d.co_departments.iter().enumerate() {
            errors.extend(check_assignable(conn, format!("co_departments[{i}]"), co).await?);
        }
        if let Some(visit_id) = visit_id {
            let visit_enterprise: Option<Uuid> = visits::table
                .find(visit_id)
                .select(visits::enterprise_id)
                .first(conn)
                .await
                .optional()?;
            if visit_enterprise != Some(enterprise_id) {
                errors.push(FieldError::new(
                    "visit_id",
                    "unknown_visit",
                    "no such visit of this enterprise",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(insert(conn, Some(actor), enterprise_id, visit_id, d).await?)
    })
    .await
}

/// One demand.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<DemandRow> {
    demands::table
        .find(id)
        .select(DemandRow::as_select())
        .first(conn)
        .await
        .or_not_found("no such demand")
}

/// One demand, locked for a change until the transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<DemandRow> {
    demands::table
        .find(id)
        .select(DemandRow::as_select())
        .for_update()
        .first(conn)
        .await
        .or_not_found("no such demand")
}

/// The events of a demand, oldest first (the first is its creation).
pub async fn events(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<DemandEvent>> {
    demand_events::table
        .filter(demand_events::demand_id.eq(id))
        .select(DemandEvent::as_select())
        .order((demand_events::at, demand_events::id))
        .load(conn)
        .await
}
