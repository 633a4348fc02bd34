//! Contact queries; writes lock the enterprise to check the department rule in the same
//! transaction as the change and its audit event.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::model::{ContactFields, check};
use crate::db::schema::enterprise_contacts;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::enterprises::store::{lock, may_edit};
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected};

/// A contact as stored.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = enterprise_contacts, check_for_backend(diesel::pg::Pg))]
pub struct ContactRow {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn forbidden() -> AppError {
    AppError::Forbidden(
        "only admins and liaison officers of an assigned department edit contacts".into(),
    )
}

fn invalid_if_any(errors: Vec<crate::domain::error::FieldError>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn not_found() -> AppError {
    AppError::NotFound("no such contact of this enterprise".into())
}

/// A page (plus one row) of an enterprise's contacts, oldest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ContactRow>> {
    let query = enterprise_contacts::table
        .filter(enterprise_contacts::enterprise_id.eq(enterprise_id))
        .select(ContactRow::as_select())
        .into_boxed();
    crate::keyset_page!(
        query by enterprise_contacts::created_at, enterprise_contacts::id, asc; after, limit
    )
    .load(conn)
    .await
}

/// One contact of an enterprise.
pub async fn get(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    id: Uuid,
) -> AppResult<ContactRow> {
    enterprise_contacts::table
        .find(id)
        .filter(enterprise_contacts::enterprise_id.eq(enterprise_id))
        .select(ContactRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(not_found)
}

fn audit_view(row: &ContactRow) -> serde_json::Value {
    json!({"enterprise_id": row.enterprise_id, "name": row.name, "title": row.title, "phone": row.phone, "email": row.email})
}

/// Adds a contact (`actor` is `None` for the command line).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    enterprise_id: Uuid,
    fields: ContactFields,
) -> AppResult<ContactRow> {
    conn.transaction(async move |conn| {
        let enterprise = lock(conn, enterprise_id).await?;
        if actor.is_some_and(|a| !may_edit(a, &enterprise)) {
            return Err(forbidden());
        }
        invalid_if_any(check(&fields))?;
        let row: ContactRow = diesel::insert_into(enterprise_contacts::table)
            .values((
                &fields,
                enterprise_contacts::id.eq(Uuid::new_v4()),
                enterprise_contacts::enterprise_id.eq(enterprise_id),
            ))
            .returning(ContactRow::as_returning())
            .get_result(conn)
            .await?;
        audit::created(conn, actor, "contact", row.id, &audit_view(&row)).await?;
        Ok(row)
    })
    .await
}

/// Changes a contact, honouring `If-Match`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    id: Uuid,
    expected_version: Expected,
    change: impl FnOnce(&mut ContactFields) + Send,
) -> AppResult<ContactRow> {
    conn.transaction(async move |conn| {
        let enterprise = lock(conn, enterprise_id).await?;
        if !may_edit(actor, &enterprise) {
            return Err(forbidden());
        }
        let before = get(conn, enterprise_id, id).await?;
        let mut fields = ContactFields {
            name: before.name.clone(),
            title: before.title.clone(),
            phone: before.phone.clone(),
            email: before.email.clone(),
        };
        change(&mut fields);
        // Bad input is reported before a stale version: fixing it is the caller's next step.
        invalid_if_any(check(&fields))?;
        check_version(&expected_version, before.version)?;
        let after: ContactRow = diesel::update(enterprise_contacts::table.find(id))
            .set((
                &fields,
                enterprise_contacts::version.eq(enterprise_contacts::version + 1),
                enterprise_contacts::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ContactRow::as_returning())
            .get_result(conn)
            .await?;
        let (was, now) = (audit_view(&before), audit_view(&after));
        audit::updated(conn, Some(actor), "contact", id, &was, &now).await?;
        Ok(after)
    })
    .await
}

/// Removes a contact; its audit trail stays.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    id: Uuid,
    expected_version: Expected,
) -> AppResult<()> {
    conn.transaction(async move |conn| {
        let enterprise = lock(conn, enterprise_id).await?;
        if !may_edit(actor, &enterprise) {
            return Err(forbidden());
        }
        let before = get(conn, enterprise_id, id).await?;
        check_version(&expected_version, before.version)?;
        diesel::delete(enterprise_contacts::table.find(id))
            .execute(conn)
            .await?;
        audit::deleted(conn, Some(actor), "contact", id, &audit_view(&before)).await?;
        Ok(())
    })
    .await
}
