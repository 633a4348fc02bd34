//! Demand queries. Every change writes its event and audit record in the same transaction; a
//! transition locks the demand first, so two moves from the same state never both succeed.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use super::model::{
    DemandCategory, DemandEvent, DemandRow, DemandStatus, Move, Refusal, Satisfaction,
    TransitionRequest, decide,
};
use crate::db::schema::{demand_events, demands, departments, enterprises, visits};
use crate::domain::actor::{Actor, Role};
use crate::domain::audit::{self, AuditEntry};
use crate::domain::error::{AppError, AppResult, FieldError};

/// The fields of a new demand, checked by the caller.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = demands)]
pub struct NewDemand {
    pub category: DemandCategory,
    pub title: String,
    pub description: Option<String>,
    pub assigned_department: String,
    pub due_on: Option<NaiveDate>,
}

impl NewDemand {
    /// The fields as stored: the title without surrounding blanks.
    fn trimmed(self) -> Self {
        let title = self.title.trim().to_owned();
        NewDemand { title, ..self }
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

/// 422 on `field` unless the department exists.
pub async fn check_department(
    conn: &mut AsyncPgConnection,
    field: String,
    code: &str,
) -> QueryResult<Option<FieldError>> {
    let known: bool = diesel::select(diesel::dsl::exists(departments::table.find(code)))
        .get_result(conn)
        .await?;
    Ok((!known).then(|| FieldError::new(field, "unknown_department", "not a known department")))
}

/// Inserts a demand with its creation event and audit record (inside the caller's transaction).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    enterprise_id: Uuid,
    visit_id: Option<Uuid>,
    d: NewDemand,
) -> QueryResult<DemandRow> {
    let row: DemandRow = diesel::insert_into(demands::table)
        .values((
            d.trimmed(),
            demands::id.eq(Uuid::new_v4()),
            demands::enterprise_id.eq(enterprise_id),
            demands::visit_id.eq(visit_id),
            demands::created_by.eq(actor.map(|a| a.id)),
        ))
        .returning(DemandRow::as_returning())
        .get_result(conn)
        .await?;
    record_event(conn, actor.map(|a| a.id), &row, None, None, None).await?;
    audit::created(conn, actor, "demand", row.id, &row).await?;
    Ok(row)
}

async fn record_event(
    conn: &mut AsyncPgConnection,
    actor: Option<Uuid>,
    demand: &DemandRow,
    from: Option<DemandStatus>,
    note: Option<&str>,
    satisfaction: Option<Satisfaction>,
) -> QueryResult<()> {
    diesel::insert_into(demand_events::table)
        .values((
            demand_events::id.eq(Uuid::new_v4()),
            demand_events::demand_id.eq(demand.id),
            demand_events::enterprise_id.eq(demand.enterprise_id),
            demand_events::actor.eq(actor),
            demand_events::from_status.eq(from),
            demand_events::to_status.eq(&demand.status),
            demand_events::note.eq(note),
            demand_events::assigned_department.eq(&demand.assigned_department),
            demand_events::satisfaction.eq(satisfaction),
        ))
        .execute(conn)
        .await
        .map(|_| ())
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
            check_department(conn, "assigned_department".into(), &d.assigned_department).await?,
        );
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
        .optional()?
        .ok_or_else(|| AppError::NotFound("no such demand".into()))
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

/// Moves a demand. Only a liaison officer of the assigned department, or an admin, moves it.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    req: TransitionRequest,
) -> AppResult<DemandRow> {
    conn.transaction(async move |conn| {
        let before: DemandRow = demands::table
            .find(id)
            .select(DemandRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| AppError::NotFound("no such demand".into()))?;
        let may_move = actor.has(Role::Admin)
            || (actor.has(Role::Liaison) && actor.department == before.assigned_department);
        if !may_move {
            return Err(AppError::Forbidden(
                "only the assigned department moves this demand".into(),
            ));
        }
        let step = decide(before.status, &before.assigned_department, &req).map_err(refused)?;
        if let Some(dept) = &step.assigned_department
            && let Some(e) = check_department(conn, "assigned_department".into(), dept).await?
        {
            return Err(AppError::Validation(vec![e]));
        }
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let after = write_move(conn, &before, &step).await?;
        let (from, satisfaction) = (Some(before.status), step.satisfaction);
        record_event(conn, Some(actor.id), &after, from, note, satisfaction).await?;
        record_transition(conn, actor, &before, &after, note).await?;
        Ok(after)
    })
    .await
}

/// A refused move as the domain error: not allowed now (409) or a bad field (422).
fn refused(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::NotAllowed(why) => AppError::Conflict(why),
        Refusal::Invalid {
            field,
            code,
            message,
        } => AppError::invalid(field, code, message),
    }
}

/// Stores what a decided move changes, as a new version.
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
    let after = diesel::update(demands::table.find(before.id))
        .set((
            demands::status.eq(step.to),
            demands::assigned_department.eq(department),
            demands::resolution.eq(resolution),
            demands::satisfaction.eq(step.satisfaction.or(before.satisfaction)),
            demands::version.eq(demands::version + 1),
            demands::updated_at.eq(diesel::dsl::now),
        ))
        .returning(DemandRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(after)
}

/// The audit event of a move, with its note.
async fn record_transition(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    before: &DemandRow,
    after: &DemandRow,
    note: Option<&str>,
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
    };
    Ok(audit::record(conn, Some(actor), entry).await?)
}

/// Filters of the demand list (its query parameters).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DemandFilter {
    pub enterprise_id: Option<Uuid>,
    pub assigned_department: Option<String>,
    pub status: Option<DemandStatus>,
    pub category: Option<DemandCategory>,
    /// `true`: only overdue demands.
    pub overdue: Option<bool>,
}

/// A page (plus one row) of demands, newest first, each filter served by its index; overdue
/// means open or accepted and due before `today`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: DemandFilter,
    today: NaiveDate,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DemandRow>> {
    let mut query = demands::table.select(DemandRow::as_select()).into_boxed();
    if let Some(id) = f.enterprise_id {
        query = query.filter(demands::enterprise_id.eq(id));
    }
    if let Some(dept) = f.assigned_department {
        query = query.filter(demands::assigned_department.eq(dept));
    }
    if let Some(status) = f.status {
        query = query.filter(demands::status.eq(status.as_str()));
    }
    if let Some(category) = f.category {
        query = query.filter(demands::category.eq(category.as_str()));
    }
    if f.overdue == Some(true) {
        query = query
            .filter(demands::status.eq_any(["open", "accepted"]))
            .filter(demands::due_on.lt(today));
    }
    if let Some((at, id)) = after {
        query = query.filter(crate::keyset_after!(
            desc,
            demands::created_at,
            demands::id,
            (at, id)
        ));
    }
    query
        .order((demands::created_at.desc(), demands::id.desc()))
        .limit(limit + 1)
        .load(conn)
        .await
}
