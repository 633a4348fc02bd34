//! Visit queries. A visit and the demands raised in it are one transaction: one bad demand and
//! nothing is stored.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Visit, VisitFields, VisitKind};
use crate::db::clock::today_in_china;
use crate::db::schema::{enterprise_contacts, users, visits};
use crate::domain::actor::{Actor, Role};
use crate::domain::audit;
use crate::domain::demands::model::DemandRow;
use crate::domain::demands::store::{self as demands, NewDemand, check_active_enterprise};
use crate::domain::departments::store::check_assignable;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected, FieldError, OrNotFound};
use crate::domain::validation::dedup_keep_order;

/// Officers must be active users of the visiting department.
/// Officers are active users; at least one is of the visiting department, the others may be of
/// any department (a joint visit, 联合走访).
async fn check_officers(
    conn: &mut AsyncPgConnection,
    department: &str,
    officers: &[Uuid],
) -> QueryResult<Vec<FieldError>> {
    let found: Vec<(Uuid, String)> = users::table
        .filter(users::id.eq_any(officers))
        .filter(users::disabled.eq(false))
        .select((users::id, users::department))
        .load(conn)
        .await?;
    let mut errors: Vec<FieldError> = officers
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.iter().any(|(f, _)| f == *id))
        .map(|(i, _)| {
            let field = format!("officers[{i}]");
            FieldError::new(field, "unknown_officer", "must be an active user")
        })
        .collect();
    if errors.is_empty() && !officers.is_empty() && !found.iter().any(|(_, d)| d == department) {
        errors.push(FieldError::new(
            "officers",
            "not_an_officer_of_department",
            "at least one officer is of the visiting department",
        ));
    }
    Ok(errors)
}

/// Every contact met is a contact of the visited enterprise.
async fn check_contacts(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    contacts: &[Uuid],
) -> QueryResult<Vec<FieldError>> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<Uuid> = enterprise_contacts::table
        .filter(enterprise_contacts::id.eq_any(contacts))
        .filter(enterprise_contacts::enterprise_id.eq(enterprise_id))
        .select(enterprise_contacts::id)
        .load(conn)
        .await?;
    Ok(contacts
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.contains(id))
        .map(|(i, _)| {
            let field = format!("contacts_met[{i}]");
            FieldError::new(field, "unknown_contact", "not a contact of this enterprise")
        })
        .collect())
}

/// Logs a visit of the caller's department with the demands raised in it.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    mut fields: VisitFields,
    raised: Vec<NewDemand>,
) -> AppResult<(Visit, Vec<DemandRow>)> {
    dedup_keep_order(&mut fields.officers);
    dedup_keep_order(&mut fields.contacts_met);
    conn.transaction(async move |conn| {
        let mut errors = fields.check(today_in_china());
        errors.extend(check_active_enterprise(conn, "enterprise_id", enterprise_id).await?);
        errors.extend(check_officers(conn, &actor.department, &fields.officers).await?);
        errors.extend(check_contacts(conn, enterprise_id, &fields.contacts_met).await?);
        for (i, d) in raised.iter().enumerate() {
            let prefix = format!("demands[{i}].");
            errors.extend(demands::check_new(&prefix, d));
            errors.extend(
                check_assignable(
                    conn,
                    format!("{prefix}assigned_department"),
                    &d.assigned_department,
                )
                .await?,
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let visit: Visit = diesel::insert_into(visits::table)
            .values((
                fields.trimmed(),
                visits::id.eq(Uuid::new_v4()),
                visits::enterprise_id.eq(enterprise_id),
                visits::department.eq(&actor.department),
                visits::created_by.eq(actor.id),
            ))
            .returning(Visit::as_returning())
            .get_result(conn)
            .await?;
        audit::created(conn, Some(actor), "visit", visit.id, &visit).await?;
        let mut created = Vec::with_capacity(raised.len());
        for d in raised {
            created
                .push(demands::insert(conn, Some(actor), enterprise_id, Some(visit.id), d).await?);
        }
        Ok((visit, created))
    })
    .await
}

/// One visit.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Visit> {
    visits::table
        .find(id)
        .select(Visit::as_select())
        .first(conn)
        .await
        .or_not_found("no such visit")
}

fn may_edit(actor: &Actor, visit: &Visit) -> bool {
    actor.has(Role::Admin) || (actor.has(Role::Liaison) && actor.department == visit.department)
}

async fn lock_for_edit(conn: &mut AsyncPgConnection, actor: &Actor, id: Uuid) -> AppResult<Visit> {
    let visit: Visit = visits::table
        .find(id)
        .select(Visit::as_select())
        .for_update()
        .first(conn)
        .await
        .or_not_found("no such visit")?;
    if !may_edit(actor, &visit) {
        return Err(AppError::Forbidden(
            "only the visit's department changes it".into(),
        ));
    }
    Ok(visit)
}

/// Changes a visit, honouring `If-Match`; only its department (or an admin).
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected: Expected,
    change: impl FnOnce(&mut VisitFields) + Send,
) -> AppResult<Visit> {
    conn.transaction(async move |conn| {
        let before = lock_for_edit(conn, actor, id).await?;
        let mut fields = VisitFields::from(&before);
        change(&mut fields);
        dedup_keep_order(&mut fields.officers);
        dedup_keep_order(&mut fields.contacts_met);
        let mut errors = fields.check(today_in_china());
        if fields.officers != before.officers {
            errors.extend(check_officers(conn, &before.department, &fields.officers).await?);
        }
        if fields.contacts_met != before.contacts_met {
            let met = &fields.contacts_met;
            errors.extend(check_contacts(conn, before.enterprise_id, met).await?);
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        // Bad input is reported before a stale version.
        check_version(&expected, before.version)?;
        let after: Visit = diesel::update(visits::table.find(id))
            .set((
                fields.trimmed(),
                visits::version.eq(visits::version + 1),
                visits::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Visit::as_returning())
            .get_result(conn)
            .await?;
        audit::updated(conn, Some(actor), "visit", id, &before, &after).await?;
        Ok(after)
    })
    .await
}

/// Deletes a visit (its demands stay, no longer tied to it); the audit trail keeps it.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected: Expected,
) -> AppResult<()> {
    conn.transaction(async move |conn| {
        let before = lock_for_edit(conn, actor, id).await?;
        check_version(&expected, before.version)?;
        diesel::delete(visits::table.find(id)).execute(conn).await?;
        audit::deleted(conn, Some(actor), "visit", id, &before).await?;
        Ok(())
    })
    .await
}

/// Filters of the visit list (its query parameters).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VisitFilter {
    pub enterprise_id: Option<Uuid>,
    /// Visiting department code.
    pub department: Option<String>,
    /// An officer's user id.
    pub officer: Option<Uuid>,
    pub kind: Option<VisitKind>,
    /// Visited on or after.
    pub visited_from: Option<NaiveDate>,
    /// Visited on or before.
    pub visited_to: Option<NaiveDate>,
}

/// A page (plus one row) of visits, newest first; each filter has an index ending in
/// `(visited_on DESC, id DESC)`, officers a GIN index.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: VisitFilter,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Visit>> {
    let mut query = visits::table.select(Visit::as_select()).into_boxed();
    crate::filter_present!(query,
        f.enterprise_id => |id| visits::enterprise_id.eq(id),
        f.department => |dept| visits::department.eq(dept),
        f.officer => |officer| visits::officers.contains(vec![officer]),
        f.kind => |kind| visits::kind.eq(kind),
        f.visited_from => |from| visits::visited_on.ge(from),
        f.visited_to => |to| visits::visited_on.le(to),
    );
    crate::keyset_page!(query by visits::visited_on, visits::id, desc; after, limit)
        .load(conn)
        .await
}
