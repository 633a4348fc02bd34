//! The checks of a measure that read the database: its references, its 文号 (once per
//! enterprise), and what its payments allow an edit to change.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{MeasureStatus, SupportMeasure};
use super::store::MeasureFields;
use crate::db::functions::upper;
use crate::db::schema::{disbursements, enterprises, policies, support_measures};
use crate::domain::error::{AppError, AppResult, FieldError};

/// The enterprise and the policy a measure names exist.
pub(super) async fn check_references(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    policy_id: Option<Uuid>,
) -> QueryResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    let known: bool = diesel::select(diesel::dsl::exists(enterprises::table.find(enterprise_id)))
        .get_result(conn)
        .await?;
    if !known {
        errors.push(FieldError::new(
            "enterprise_id",
            "unknown_enterprise",
            "no such enterprise",
        ));
    }
    if let Some(policy_id) = policy_id {
        let known: bool = diesel::select(diesel::dsl::exists(policies::table.find(policy_id)))
            .get_result(conn)
            .await?;
        if !known {
            errors.push(FieldError::new(
                "policy_id",
                "unknown_policy",
                "no such policy",
            ));
        }
    }
    Ok(errors)
}

/// What an edit may not do to a measure with payments: grant less than was paid, or date the
/// approval after the first payment.
pub(super) async fn check_against_payments(
    conn: &mut AsyncPgConnection,
    before: &SupportMeasure,
    f: &MeasureFields,
) -> QueryResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if f.amount.is_some_and(|a| a < before.disbursed_amount) {
        errors.push(FieldError::new(
            "amount",
            "below_disbursed",
            "may not be less than what has been paid",
        ));
    }
    let Some(approved_on) = f.approved_on.filter(|a| Some(*a) != before.approved_on) else {
        return Ok(errors);
    };
    let first_paid: Option<chrono::NaiveDate> = disbursements::table
        .filter(disbursements::measure_id.eq(before.id))
        .filter(disbursements::reverses_id.is_null())
        .select(diesel::dsl::min(disbursements::paid_on))
        .first(conn)
        .await?;
    if let Some(first) = first_paid.filter(|first| approved_on > *first) {
        errors.push(FieldError::new(
            "approved_on",
            "after_payment",
            format!("批准日期不能晚于首笔拨付日期 {first} (the approval is not after a payment)"),
        ));
    }
    Ok(errors)
}

/// A 文号 is recorded once per enterprise (cancelled measures aside): a second measure under it
/// is 409, naming the first. (A unique index backs this up against a concurrent insert.)
pub(super) async fn check_document_free(
    conn: &mut AsyncPgConnection,
    enterprise_id: Uuid,
    f: &MeasureFields,
    except: Option<Uuid>,
) -> AppResult<()> {
    let Some(document_no) = f.document_no.as_deref() else {
        return Ok(());
    };
    if f.status == MeasureStatus::Cancelled {
        return Ok(());
    }
    let found: Option<Uuid> = support_measures::table
        .filter(support_measures::enterprise_id.eq(enterprise_id))
        .filter(upper(support_measures::document_no).eq(upper(Some(document_no))))
        .filter(support_measures::status.ne(MeasureStatus::Cancelled.as_str()))
        .filter(support_measures::id.ne(except.unwrap_or(Uuid::nil())))
        .select(support_measures::id)
        .first(conn)
        .await
        .optional()?;
    match found {
        Some(first) => Err(AppError::Conflict(format!(
            "该企业已有文号为 {document_no} 的扶持措施 {first}，不能重复录入 (a measure under this \
             document number is already recorded for the enterprise)"
        ))),
        None => Ok(()),
    }
}
