//! Designation batches (认定批次, e.g. 2026年第一批): proposed (`candidate`), published for comment
//! (`publicized`, 公示) and `designated` under their 文号. An enterprise created in a batch that is
//! not designated yet is a `candidate` (no visit cadence, not in coverage); designating the batch
//! makes its candidates `active`, each with its audit record, its `enterprise.designated` event
//! and its designation in the timeline.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::history::{DesignationKind, DesignationRecord, record_designation};
use super::model::{Enterprise, EnterpriseStatus};
use crate::db::schema::{designation_batches, enterprises};
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::{AppError, AppResult, Expected, FieldError, OrNotFound, check_version};

crate::text_enum! {
    /// Where a batch stands: 拟认定, 公示中, 已认定.
    pub enum BatchStatus {
        Candidate = "candidate",
        Publicized = "publicized",
        Designated = "designated",
    }
}

impl BatchStatus {
    /// A batch moves forward only: candidate → publicized → designated (publicity may be skipped).
    pub fn may_become(self, to: BatchStatus) -> bool {
        use BatchStatus::*;
        matches!(
            (self, to),
            (Candidate, Publicized) | (Candidate, Designated) | (Publicized, Designated)
        ) || self == to
    }
}

/// A designation batch.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = designation_batches, check_for_backend(diesel::pg::Pg))]
pub struct DesignationBatch {
    pub id: Uuid,
    /// e.g. 2026年第一批.
    pub name: String,
    /// 文号 of the designation.
    pub document_no: Option<String>,
    /// The day it was published (公示 or designation).
    pub published_on: Option<NaiveDate>,
    pub status: BatchStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::db::keyset::Keyed for DesignationBatch {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

/// What creates and edits set.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = designation_batches, treat_none_as_null = true)]
pub struct BatchFields {
    pub name: String,
    pub document_no: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub status: BatchStatus,
}

impl BatchFields {
    fn of(b: &DesignationBatch) -> Self {
        BatchFields {
            name: b.name.clone(),
            document_no: b.document_no.clone(),
            published_on: b.published_on,
            status: b.status,
        }
    }

    /// Every rule of the fields, at once.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.push(FieldError::new("name", "blank", "1 to 100 characters"));
        }
        if self
            .document_no
            .as_ref()
            .is_some_and(|d| d.chars().count() > 100)
        {
            errors.push(FieldError::new(
                "document_no",
                "too_long",
                "at most 100 characters",
            ));
        }
        errors
    }

    fn trimmed(self) -> Self {
        let document_no = self
            .document_no
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        let name = self.name.trim().to_owned();
        BatchFields {
            name,
            document_no,
            ..self
        }
    }
}

fn name_taken(e: diesel::result::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict("a batch of this name exists".into()),
        other => other,
    }
}

/// Creates a batch. Admins only (the caller checks).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    f: BatchFields,
) -> AppResult<DesignationBatch> {
    let errors = f.check();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    conn.transaction(async move |conn| {
        let batch: DesignationBatch = diesel::insert_into(designation_batches::table)
            .values((f.trimmed(), designation_batches::id.eq(Uuid::new_v4())))
            .returning(DesignationBatch::as_returning())
            .get_result(conn)
            .await
            .map_err(name_taken)?;
        audit::created(conn, Some(actor), "designation_batch", batch.id, &batch).await?;
        Ok(batch)
    })
    .await
}

/// One batch.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<DesignationBatch> {
    designation_batches::table
        .find(id)
        .select(DesignationBatch::as_select())
        .first(conn)
        .await
        .or_not_found("no such designation batch")
}

/// A page (plus one row) of batches, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DesignationBatch>> {
    let query = designation_batches::table
        .select(DesignationBatch::as_select())
        .into_boxed();
    crate::keyset_page!(
        query by designation_batches::created_at, designation_batches::id, desc; after, limit
    )
    .load(conn)
    .await
}

/// Changes a batch; designating it makes its candidate enterprises active (as of `today`).
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected: Expected,
    change: impl FnOnce(&mut BatchFields) + Send,
    today: NaiveDate,
) -> AppResult<DesignationBatch> {
    conn.transaction(async move |conn| {
        let before: DesignationBatch = designation_batches::table
            .find(id)
            .select(DesignationBatch::as_select())
            .for_update()
            .first(conn)
            .await
            .or_not_found("no such designation batch")?;
        let mut f = BatchFields::of(&before);
        change(&mut f);
        let errors = f.check();
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        check_version(&expected, before.version)?;
        if !before.status.may_become(f.status) {
            return Err(AppError::Conflict(format!(
                "a {} batch cannot become {}",
                before.status, f.status
            )));
        }
        let after: DesignationBatch = diesel::update(designation_batches::table.find(id))
            .set((
                f.trimmed(),
                designation_batches::version.eq(designation_batches::version + 1),
                designation_batches::updated_at.eq(diesel::dsl::now),
            ))
            .returning(DesignationBatch::as_returning())
            .get_result(conn)
            .await
            .map_err(name_taken)?;
        let id = id.to_string();
        audit::changed(
            conn,
            Some(actor),
            "update",
            "designation_batch",
            id,
            &before,
            &after,
        )
        .await?;
        if after.status == BatchStatus::Designated && before.status != BatchStatus::Designated {
            designate_members(conn, actor, &after, today).await?;
        }
        Ok(after)
    })
    .await
}

/// The candidates of a designated batch become active contact points.
async fn designate_members(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    batch: &DesignationBatch,
    today: NaiveDate,
) -> AppResult<()> {
    let on = batch.published_on.unwrap_or(today);
    let members: Vec<Enterprise> = enterprises::table
        .filter(enterprises::designation_batch_id.eq(batch.id))
        .filter(enterprises::status.eq(EnterpriseStatus::Candidate.as_str()))
        .select(Enterprise::as_select())
        .for_update()
        .load(conn)
        .await?;
    for before in members {
        let after: Enterprise = diesel::update(enterprises::table.find(before.id))
            .set((
                enterprises::status.eq(EnterpriseStatus::Active.as_str()),
                enterprises::designated_on.eq(on),
                enterprises::version.eq(enterprises::version + 1),
                enterprises::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Enterprise::as_returning())
            .get_result(conn)
            .await?;
        let record = DesignationRecord {
            enterprise_id: after.id,
            kind: DesignationKind::Designated,
            on_date: on,
            document_no: batch.document_no.as_deref(),
            reason: None,
        };
        record_designation(conn, Some(actor), record).await?;
        let id = after.id.to_string();
        audit::changed(
            conn,
            Some(actor),
            "designate",
            "enterprise",
            id,
            &before,
            &after,
        )
        .await?;
    }
    Ok(())
}

/// The status of the batch a new enterprise names (422 when there is no such batch).
pub async fn status_of(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<BatchStatus> {
    designation_batches::table
        .find(id)
        .select(designation_batches::status)
        .first::<BatchStatus>(conn)
        .await
        .optional()?
        .ok_or_else(|| {
            AppError::invalid(
                "designation_batch_id",
                "unknown_batch",
                "no such designation batch",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_move_forward_only() {
        use BatchStatus::*;
        assert!(Candidate.may_become(Publicized));
        assert!(Candidate.may_become(Designated));
        assert!(Publicized.may_become(Designated));
        assert!(Designated.may_become(Designated));
        assert!(!Designated.may_become(Candidate));
        assert!(!Publicized.may_become(Candidate));
    }
}
