//! Designation (认定) and withdrawal (撤销认定) as records of their own: a withdrawal keeps its
//! reason, date and 文号 on the enterprise, and both are kept in `enterprise_designations`, which
//! the timeline lists.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::history::{DesignationKind, DesignationRecord, record_designation};
use super::model::{Enterprise, EnterpriseStatus};
use super::store::lock;
use crate::db::schema::enterprises;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::{AppResult, Expected, FieldError, check_version};

/// The longest reason and 文号, in characters.
pub const REASON_MAX: usize = 1000;
pub const DOCUMENT_MAX: usize = 100;

/// Why, when and under which document an enterprise is withdrawn.
#[derive(Debug, Clone, Default)]
pub struct Withdrawal {
    pub reason: Option<String>,
    /// None: today.
    pub withdrawn_on: Option<NaiveDate>,
    pub document_no: Option<String>,
}

impl Withdrawal {
    /// Every problem at once: texts within their limits, the date not in the future and not
    /// before the designation.
    pub fn check(&self, designated_on: NaiveDate, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let long =
            |t: &Option<String>, max: usize| t.as_ref().is_some_and(|t| t.chars().count() > max);
        if long(&self.reason, REASON_MAX) {
            errors.push(FieldError::new(
                "reason",
                "too_long",
                "at most 1000 characters",
            ));
        }
        if long(&self.document_no, DOCUMENT_MAX) {
            errors.push(FieldError::new(
                "document_no",
                "too_long",
                "at most 100 characters",
            ));
        }
        match self.withdrawn_on {
            Some(day) if day > today => errors.push(FieldError::new(
                "withdrawn_on",
                "in_future",
                "may not be in the future",
            )),
            Some(day) if day < designated_on => errors.push(FieldError::new(
                "withdrawn_on",
                "before_designation",
                "撤销日期不能早于认定日期 (not before the designation)",
            )),
            _ => {}
        }
        errors
    }
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Withdraws an enterprise (the record and its history stay), keeping why, when and under which
/// document. Withdrawing a withdrawn enterprise changes nothing. Admins only (the caller checks).
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: Expected,
    w: Withdrawal,
    today: NaiveDate,
) -> AppResult<Enterprise> {
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        // Bad input is reported before a stale version: fixing it is the caller's next step.
        let errors = w.check(before.designated_on, today);
        if !errors.is_empty() {
            return Err(crate::domain::error::AppError::Validation(errors));
        }
        check_version(&expected_version, before.version)?;
        if before.status == EnterpriseStatus::Withdrawn {
            return Ok(before);
        }
        let (reason, document_no) = (trimmed(w.reason), trimmed(w.document_no));
        let on = w.withdrawn_on.unwrap_or(today);
        let after: Enterprise = diesel::update(enterprises::table.find(id))
            .set((
                enterprises::status.eq("withdrawn"),
                enterprises::withdrawal_reason.eq(&reason),
                enterprises::withdrawn_on.eq(on),
                enterprises::withdrawal_document_no.eq(&document_no),
                enterprises::version.eq(enterprises::version + 1),
                enterprises::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Enterprise::as_returning())
            .get_result(conn)
            .await?;
        let record = DesignationRecord {
            enterprise_id: id,
            kind: DesignationKind::Withdrawn,
            on_date: on,
            document_no: document_no.as_deref(),
            reason: reason.as_deref(),
        };
        record_designation(conn, Some(actor), record).await?;
        let id = id.to_string();
        audit::changed(
            conn,
            Some(actor),
            "delete",
            "enterprise",
            id,
            &before,
            &after,
        )
        .await?;
        Ok(after)
    })
    .await
}
