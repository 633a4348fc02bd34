//! Enterprise queries; every write with its audit event in one transaction, the department rule
//! checked against the row locked in that transaction.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::batches::{self, BatchStatus};
use super::history::{DesignationKind, DesignationRecord, record_designation};
use super::model::{Enterprise, EnterpriseDraft, EnterpriseStatus};
use super::references::check_references;
use crate::db::clock::today_in_china;
use crate::db::schema::enterprises;
use crate::domain::actor::{Actor, Role};
use crate::domain::audit;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected, OrNotFound};

/// Fields only admins change: status, designation and assignments.
pub const ADMIN_ONLY_FIELDS: [&str; 7] = [
    "status",
    "lead_department",
    "assigned_departments",
    "liaison_officers",
    "designated_on",
    "designation_batch",
    "credit_code_override_reason",
];

/// Whether the caller may edit this enterprise's profile and contacts: an admin, or a liaison
/// officer of one of its assigned departments.
pub fn may_edit(actor: &Actor, enterprise: &Enterprise) -> bool {
    actor.has(Role::Admin)
        || (actor.has(Role::Liaison) && enterprise.assigned_departments.contains(&actor.department))
}

/// One enterprise.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Enterprise> {
    enterprises::table
        .find(id)
        .select(Enterprise::as_select())
        .first(conn)
        .await
        .or_not_found("no such enterprise")
}

/// The enterprise, locked for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Enterprise> {
    enterprises::table
        .find(id)
        .select(Enterprise::as_select())
        .for_update()
        .first(conn)
        .await
        .or_not_found("no such enterprise")
}

fn credit_code_conflict(e: diesel::result::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::Conflict("an enterprise with this credit code is already registered".into())
        }
        other => other,
    }
}

/// Designates a new enterprise (`actor` is `None` for the command line); in a designation
/// batch not designated yet, it is a `candidate`.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    mut draft: EnterpriseDraft,
    batch: Option<Uuid>,
) -> AppResult<Enterprise> {
    conn.transaction(async move |conn| {
        if let Some(batch) = batch
            && batches::status_of(conn, batch).await? != BatchStatus::Designated
        {
            draft.status = EnterpriseStatus::Candidate;
        }
        let mut errors = draft.check(today_in_china());
        errors.extend(check_references(conn, &draft).await?);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let created = insert(conn, actor, draft).await?;
        match batch {
            Some(batch) => in_batch(conn, created, batch).await,
            None => Ok(created),
        }
    })
    .await
}

/// Notes the batch of a new enterprise (inside its creation's transaction).
async fn in_batch(
    conn: &mut AsyncPgConnection,
    created: Enterprise,
    batch: Uuid,
) -> AppResult<Enterprise> {
    let e = diesel::update(enterprises::table.find(created.id))
        .set(enterprises::designation_batch_id.eq(batch))
        .returning(Enterprise::as_returning())
        .get_result(conn)
        .await?;
    Ok(e)
}

/// Inserts a checked draft with its audit event (inside the caller's transaction).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    draft: EnterpriseDraft,
) -> AppResult<Enterprise> {
    let created: Enterprise = diesel::insert_into(enterprises::table)
        .values((
            &draft,
            enterprises::id.eq(Uuid::new_v4()),
            enterprises::created_by.eq(actor.map(|a| a.id)),
        ))
        .returning(Enterprise::as_returning())
        .get_result(conn)
        .await
        .map_err(credit_code_conflict)?;
    audit::created(conn, actor, "enterprise", created.id, &created).await?;
    if created.status != EnterpriseStatus::Candidate {
        let record = DesignationRecord {
            enterprise_id: created.id,
            kind: DesignationKind::Designated,
            on_date: created.designated_on,
            document_no: created.designation_batch.as_deref(),
            reason: None,
        };
        record_designation(conn, actor, record).await?;
    }
    Ok(created)
}

/// Applies `change` to the current draft of an enterprise, honouring `If-Match` and the rule
/// that only admins touch [`ADMIN_ONLY_FIELDS`]; `touched` names the fields the request sets.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: Expected,
    touched: Vec<&'static str>,
    change: impl FnOnce(&mut EnterpriseDraft) + Send,
) -> AppResult<Enterprise> {
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        if !may_edit(actor, &before) {
            return Err(AppError::Forbidden(
                "only admins and liaison officers of an assigned department edit this enterprise"
                    .into(),
            ));
        }
        if !actor.has(Role::Admin) && touched.iter().any(|f| ADMIN_ONLY_FIELDS.contains(f)) {
            return Err(AppError::Forbidden(
                "only admins change status, designation and assignments".into(),
            ));
        }
        let original = EnterpriseDraft::from(&before);
        let mut draft = original.clone();
        change(&mut draft);
        draft.normalize();
        // A stored override keeps its code valid only while the code stays the same.
        if draft.credit_code != original.credit_code
            && !touched.contains(&"credit_code_override_reason")
        {
            draft.credit_code_override_reason = None;
        }
        let mut errors = draft.check(today_in_china());
        errors.extend(check_references(conn, &draft).await?);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        check_version(&expected_version, before.version)?;
        if draft == original {
            return Ok(before);
        }
        write_update(conn, actor, before, draft).await
    })
    .await
}

/// Writes a checked draft over `before` (locked by the caller) with its audit event.
pub async fn write_update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    before: Enterprise,
    draft: EnterpriseDraft,
) -> AppResult<Enterprise> {
    let after: Enterprise = diesel::update(enterprises::table.find(before.id))
        .set((
            &draft,
            enterprises::version.eq(enterprises::version + 1),
            enterprises::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Enterprise::as_returning())
        .get_result(conn)
        .await
        .map_err(credit_code_conflict)?;
    audit::updated(conn, Some(actor), "enterprise", before.id, &before, &after).await?;
    Ok(after)
}
