//! Reversals (红字冲销) of payments entered in error. A payment is never edited or deleted: a
//! negative entry names it, with the reason, and the measure's paid total and status follow.
//! The measure's row lock orders reversals and payments of one measure, so the total stays
//! exact when they run at once; a payment is reversed at most once (a unique index backs this).

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Disbursement, SupportMeasure};
use super::payments::{check_payer, record_total};
use super::store::lock;
use crate::db::clock::today_in_china;
use crate::db::money::Money;
use crate::db::schema::disbursements;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::{AppError, AppResult, FieldError, OrNotFound};

/// The longest reason, in characters.
pub const REASON_MAX: usize = 500;

/// What is wrong with a reversal's reason: it is required, and at most [`REASON_MAX`].
pub fn reason_problem(reason: &str) -> Option<FieldError> {
    let (code, message) = if reason.trim().is_empty() {
        ("blank", "冲销须写明原因 (a reversal states why)")
    } else if reason.chars().count() > REASON_MAX {
        ("too_long", "at most 500 characters")
    } else {
        return None;
    };
    Some(FieldError::new("reason", code, message))
}

/// Reverses the payment `payment_id` of the measure: finance staff of the granting department;
/// a reversal, or a payment already reversed, cannot be reversed (409).
pub async fn reverse(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    measure_id: Uuid,
    payment_id: Uuid,
    reason: String,
) -> AppResult<Disbursement> {
    conn.transaction(async move |conn| {
        let before = lock(conn, measure_id).await?;
        check_payer(actor, &before)?;
        if let Some(problem) = reason_problem(&reason) {
            return Err(AppError::Validation(vec![problem]));
        }
        let payment = reversible(conn, measure_id, payment_id).await?;
        let entry = insert_reversal(conn, actor, &payment, reason.trim()).await?;
        let after = record_total(
            conn,
            measure_id,
            total_after(&before, &payment),
            granted(&before),
        )
        .await?;
        audit::added(
            conn,
            Some(actor),
            "reverse",
            "disbursement",
            entry.id,
            &entry,
        )
        .await?;
        let id = measure_id.to_string();
        audit::changed(
            conn,
            Some(actor),
            "reverse_payment",
            "support_measure",
            id,
            &before,
            &after,
        )
        .await?;
        Ok(entry)
    })
    .await
}

/// The measure's paid total without `payment`.
fn total_after(measure: &SupportMeasure, payment: &Disbursement) -> Money {
    Money(measure.disbursed_amount.0 - payment.amount.0)
}

/// What was granted: a measure with payments always has an amount.
fn granted(measure: &SupportMeasure) -> Money {
    measure.amount.unwrap_or(measure.disbursed_amount)
}

/// The payment to reverse, checked: of this measure (else 404), a payment and not yet reversed
/// (else 409). The measure's lock keeps it so until the reversal commits.
async fn reversible(
    conn: &mut AsyncPgConnection,
    measure_id: Uuid,
    payment_id: Uuid,
) -> AppResult<Disbursement> {
    let payment: Disbursement = disbursements::table
        .find(payment_id)
        .filter(disbursements::measure_id.eq(measure_id))
        .select(Disbursement::as_select())
        .first(conn)
        .await
        .or_not_found("no such payment of this measure")?;
    if payment.reverses_id.is_some() {
        return Err(AppError::Conflict(
            "冲销记录不能再冲销 (a reversal cannot be reversed)".into(),
        ));
    }
    let reversed: bool = diesel::select(diesel::dsl::exists(
        disbursements::table.filter(disbursements::reverses_id.eq(payment_id)),
    ))
    .get_result(conn)
    .await?;
    if reversed {
        return Err(AppError::Conflict(
            "该笔拨付已冲销 (this payment is already reversed)".into(),
        ));
    }
    Ok(payment)
}

/// Inserts the negative entry, dated today (China time), with the payment's voucher number.
async fn insert_reversal(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    payment: &Disbursement,
    reason: &str,
) -> AppResult<Disbursement> {
    let entry = diesel::insert_into(disbursements::table)
        .values((
            disbursements::id.eq(Uuid::new_v4()),
            disbursements::measure_id.eq(payment.measure_id),
            disbursements::amount.eq(Money(-payment.amount.0)),
            disbursements::paid_on.eq(today_in_china()),
            disbursements::voucher_no.eq(&payment.voucher_no),
            disbursements::created_by.eq(actor.id),
            disbursements::reverses_id.eq(payment.id),
            disbursements::reason.eq(reason),
        ))
        .returning(Disbursement::as_returning())
        .get_result(conn)
        .await?;
    Ok(entry)
}
