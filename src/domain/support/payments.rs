//! Payments (拨付) of a support measure: finance staff of the granting department record them on
//! an approved measure; their sum never passes the measure's amount, and the last one makes the
//! measure `disbursed`.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Disbursement, MeasureStatus, SupportMeasure, reference_text};
use super::store::lock;
use crate::db::clock::today_in_china;
use crate::db::money::Money;
use crate::db::schema::{disbursements, support_measures};
use crate::domain::actor::{Actor, Role};
use crate::domain::audit;
use crate::domain::error::{AppError, AppResult, FieldError};

/// A payment to record.
pub struct NewDisbursement {
    pub amount: Money,
    pub paid_on: NaiveDate,
    pub voucher_no: String,
}

impl NewDisbursement {
    /// Every problem of the payment's own fields, at once.
    pub fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.amount.is_positive() {
            errors.push(FieldError::new(
                "amount",
                "range",
                "a payment is more than 0.00",
            ));
        }
        if self.paid_on > today {
            errors.push(FieldError::new(
                "paid_on",
                "in_future",
                "may not be in the future",
            ));
        }
        let voucher = reference_text(&self.voucher_no);
        if voucher.is_empty() || voucher.chars().count() > 100 {
            errors.push(FieldError::new(
                "voucher_no",
                "blank",
                "1 to 100 characters",
            ));
        }
        errors
    }
}

/// Records a payment: finance staff of the granting department, on an approved measure with an
/// amount; the sum of payments never passes the amount (422); fully paid makes it `disbursed`.
pub async fn disburse(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    measure_id: Uuid,
    d: NewDisbursement,
) -> AppResult<Disbursement> {
    conn.transaction(async move |conn| {
        // The lock makes concurrent payments of one measure wait: the sum is checked on the
        // latest total.
        let before = lock(conn, measure_id).await?;
        check_payer(actor, &before)?;
        let mut errors = d.check(today_in_china());
        errors.extend(before_approval(&before, d.paid_on));
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let (granted, total) = new_total(&before, d.amount)?;
        let payment = insert_payment(conn, actor, measure_id, &d).await?;
        let after = record_total(conn, measure_id, total, granted).await?;
        audit::created(conn, Some(actor), "disbursement", payment.id, &payment).await?;
        let id = measure_id.to_string();
        audit::changed(
            conn,
            Some(actor),
            "disburse",
            "support_measure",
            id,
            &before,
            &after,
        )
        .await?;
        Ok(payment)
    })
    .await
}

/// A payment dated before its measure's approval: money is paid on an approval, not ahead of it.
fn before_approval(measure: &SupportMeasure, paid_on: NaiveDate) -> Option<FieldError> {
    let approved_on = measure.approved_on.filter(|a| paid_on < *a)?;
    Some(FieldError::new(
        "paid_on",
        "before_approval",
        format!("拨付日期不能早于批准日期 {approved_on} (a payment is not before its approval)"),
    ))
}

/// Only finance staff of the granting department pay (and reverse payments).
pub(super) fn check_payer(actor: &Actor, measure: &SupportMeasure) -> AppResult<()> {
    if actor.department == measure.department && actor.has(Role::Finance) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only finance staff of the granting department record payments".into(),
        ))
    }
}

/// The measure's amount and its paid total after `amount`: refused unless the measure is
/// approved, has an amount, and `amount` fits in what remains.
fn new_total(measure: &SupportMeasure, amount: Money) -> AppResult<(Money, Money)> {
    let Some(granted) = measure.amount else {
        return Err(AppError::Conflict(
            "this measure has no amount to pay".into(),
        ));
    };
    if measure.status != MeasureStatus::Approved {
        return Err(AppError::Conflict(format!(
            "payments need an approved measure; this one is {}",
            measure.status
        )));
    }
    let total = measure
        .disbursed_amount
        .checked_add(amount)
        .filter(|t| *t <= granted)
        .ok_or_else(|| {
            let left = Money(granted.0 - measure.disbursed_amount.0);
            AppError::Validation(vec![FieldError::new(
                "amount",
                "exceeds_remaining",
                format!("at most {left} remains to be paid on this measure"),
            )])
        })?;
    Ok((granted, total))
}

/// Inserts the payment; a voucher number already recorded for the measure is a 409.
async fn insert_payment(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    measure_id: Uuid,
    d: &NewDisbursement,
) -> AppResult<Disbursement> {
    diesel::insert_into(disbursements::table)
        .values((
            disbursements::id.eq(Uuid::new_v4()),
            disbursements::measure_id.eq(measure_id),
            disbursements::amount.eq(d.amount),
            disbursements::paid_on.eq(d.paid_on),
            disbursements::voucher_no.eq(reference_text(&d.voucher_no)),
            disbursements::created_by.eq(actor.id),
        ))
        .returning(Disbursement::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => {
                AppError::Conflict("this voucher number is already recorded for the measure".into())
            }
            other => other,
        })
}

/// Stores the measure's new paid total; paid in full, it becomes `disbursed`, and an approved
/// measure again when a reversal leaves it short.
pub(super) async fn record_total(
    conn: &mut AsyncPgConnection,
    measure_id: Uuid,
    total: Money,
    granted: Money,
) -> AppResult<SupportMeasure> {
    let status = if total == granted {
        MeasureStatus::Disbursed
    } else {
        MeasureStatus::Approved
    };
    let after = diesel::update(support_measures::table.find(measure_id))
        .set((
            support_measures::disbursed_amount.eq(total),
            support_measures::status.eq(status),
            support_measures::version.eq(support_measures::version + 1),
            support_measures::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SupportMeasure::as_returning())
        .get_result(conn)
        .await?;
    Ok(after)
}

/// The payments of a measure, oldest first.
pub async fn disbursements_of(
    conn: &mut AsyncPgConnection,
    measure_id: Uuid,
) -> QueryResult<Vec<Disbursement>> {
    disbursements::table
        .filter(disbursements::measure_id.eq(measure_id))
        .select(Disbursement::as_select())
        .order((disbursements::created_at, disbursements::id))
        .load(conn)
        .await
}
