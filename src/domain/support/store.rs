//! Support measure queries. A disbursement locks its measure's row, so concurrent payments are
//! serialized and their sum can never pass the granted amount (a CHECK constraint backs this up).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::checks::{check_against_payments, check_document_free, check_references};
use super::model::{MeasureStatus, SupportKind, SupportMeasure, reference_text};
use crate::db::clock::today_in_china;
use crate::db::money::Money;
use crate::db::schema::support_measures;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected, FieldError, OrNotFound};

/// The writable fields of a measure: inserted with a new measure, set by an edit.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = support_measures, treat_none_as_null = true)]
pub struct MeasureFields {
    pub kind: SupportKind,
    pub title: String,
    pub fiscal_year: i32,
    pub amount: Option<Money>,
    pub policy_id: Option<Uuid>,
    pub document_no: Option<String>,
    pub status: MeasureStatus,
    pub approved_on: Option<NaiveDate>,
}

impl MeasureFields {
    /// The fields of a stored measure (`kind` as checked by the caller).
    pub fn of(m: &SupportMeasure, kind: SupportKind) -> Self {
        MeasureFields {
            kind,
            title: m.title.clone(),
            fiscal_year: m.fiscal_year,
            amount: m.amount,
            policy_id: m.policy_id,
            document_no: m.document_no.clone(),
            status: m.status,
            approved_on: m.approved_on,
        }
    }

    /// The fields as stored: the title without surrounding blanks, the 文号 as compared (see
    /// [`reference_text`]; blank is none).
    fn normalized(self) -> Self {
        let title = self.title.trim().to_owned();
        let document_no = self
            .document_no
            .as_deref()
            .map(reference_text)
            .filter(|d| !d.is_empty());
        MeasureFields {
            title,
            document_no,
            ..self
        }
    }

    /// What is wrong with `amount`: monetary support has one above zero, none is negative.
    fn amount_problem(&self) -> Option<FieldError> {
        let (code, message) = match self.amount {
            None if self.kind.is_monetary() => ("required", "monetary support has an amount"),
            Some(a) if a.is_negative() => ("range", "may not be negative"),
            Some(a) if self.kind.is_monetary() && !a.is_positive() => {
                ("range", "monetary support is more than 0.00")
            }
            _ => return None,
        };
        Some(FieldError::new("amount", code, message))
    }

    /// Every rule that needs no database.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.title.trim().is_empty() {
            errors.push(FieldError::new(
                "title",
                "blank",
                "may not be empty or blank",
            ));
        } else if self.title.chars().count() > 200 {
            errors.push(FieldError::new(
                "title",
                "too_long",
                "at most 200 characters",
            ));
        }
        if !(2000..=2100).contains(&self.fiscal_year) {
            errors.push(FieldError::new(
                "fiscal_year",
                "range",
                "a year between 2000 and 2100",
            ));
        }
        errors.extend(self.amount_problem());
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
        if matches!(self.status, MeasureStatus::Approved) && self.approved_on.is_none() {
            errors.push(FieldError::new(
                "approved_on",
                "required",
                "an approved measure has its approval date",
            ));
        }
        if self.approved_on.is_some_and(|d| d > today_in_china()) {
            errors.push(FieldError::new(
                "approved_on",
                "in_future",
                "may not be in the future",
            ));
        }
        errors
    }
}

/// Records a measure granted by the caller's department.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    enterprise_id: Uuid,
    f: MeasureFields,
) -> AppResult<SupportMeasure> {
    let f = f.normalized();
    conn.transaction(async move |conn| {
        let mut errors = f.check();
        errors.extend(check_references(conn, enterprise_id, f.policy_id).await?);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        check_document_free(conn, enterprise_id, &f, None).await?;
        let measure: SupportMeasure = diesel::insert_into(support_measures::table)
            .values((
                f,
                support_measures::id.eq(Uuid::new_v4()),
                support_measures::enterprise_id.eq(enterprise_id),
                support_measures::department.eq(&actor.department),
                support_measures::created_by.eq(actor.id),
            ))
            .returning(SupportMeasure::as_returning())
            .get_result(conn)
            .await?;
        audit::created(conn, Some(actor), "support_measure", measure.id, &measure).await?;
        Ok(measure)
    })
    .await
}

/// One measure.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<SupportMeasure> {
    support_measures::table
        .find(id)
        .select(SupportMeasure::as_select())
        .first(conn)
        .await
        .or_not_found("no such support measure")
}

pub(super) async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<SupportMeasure> {
    support_measures::table
        .find(id)
        .select(SupportMeasure::as_select())
        .for_update()
        .first(conn)
        .await
        .or_not_found("no such support measure")
}

/// Only the granting department changes a measure, by the role that may record its kind
/// (admins: any non-monetary measure).
fn check_granting(actor: &Actor, m: &SupportMeasure) -> AppResult<SupportKind> {
    let kind = m.kind;
    if !kind.may_change(actor, &m.department) {
        return Err(AppError::Forbidden(
            "only the granting department's staff change this measure".into(),
        ));
    }
    Ok(kind)
}

/// Changes a measure: its fields, `planned → approved`, or `→ cancelled` (409 once paid).
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected: Expected,
    change: impl FnOnce(&mut MeasureFields) + Send,
) -> AppResult<SupportMeasure> {
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        let kind = check_granting(actor, &before)?;
        let original = MeasureFields::of(&before, kind);
        let mut f = original.clone();
        change(&mut f);
        let mut f = f.normalized();
        let mut errors = f.check();
        errors.extend(check_references(conn, before.enterprise_id, f.policy_id).await?);
        errors.extend(check_against_payments(conn, &before, &f).await?);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        check_version(&expected, before.version)?;
        check_status_change(&original, &f, before.disbursed_amount)?;
        check_document_free(conn, before.enterprise_id, &f, Some(id)).await?;
        settle(&mut f, before.disbursed_amount);
        if f == original {
            return Ok(before);
        }
        let after = write_fields(conn, id, f).await?;
        // A cancellation is an action of its own in the trail and the feed.
        let action = match after.status {
            MeasureStatus::Cancelled => "cancel",
            _ => "update",
        };
        let entity = "support_measure";
        audit::changed(
            conn,
            Some(actor),
            action,
            entity,
            id.to_string(),
            &before,
            &after,
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Keeps the money invariant after an edit of `amount`: a measure with payments is `disbursed`
/// exactly when they add up to its amount (raising the amount of a paid measure reopens it for
/// payment; lowering it to what was paid closes it).
fn settle(f: &mut MeasureFields, paid: Money) {
    if !matches!(f.status, MeasureStatus::Approved | MeasureStatus::Disbursed)
        || paid == Money::ZERO
    {
        return;
    }
    f.status = if f.amount == Some(paid) {
        MeasureStatus::Disbursed
    } else {
        MeasureStatus::Approved
    };
}

/// The moves of a measure's status: `planned → approved`, `planned | approved → cancelled`
/// (while nothing is paid); a cancelled measure does not change at all.
fn check_status_change(original: &MeasureFields, f: &MeasureFields, paid: Money) -> AppResult<()> {
    use MeasureStatus::*;
    let current = original.status;
    let allowed = match (current, f.status) {
        (a, b) if a == b => current != Cancelled || f == original,
        (Planned, Approved) | (Planned, Cancelled) => true,
        (Approved, Cancelled) => paid == Money::ZERO,
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    Err(AppError::Conflict(match (current, f.status) {
        (Approved, Cancelled) => "a measure with payments cannot be cancelled".to_owned(),
        (Cancelled, _) => "a cancelled measure cannot change".to_owned(),
        (from, to) => format!("a {from} measure cannot become {to}"),
    }))
}

/// Writes checked fields as a new version.
async fn write_fields(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    f: MeasureFields,
) -> AppResult<SupportMeasure> {
    let after = diesel::update(support_measures::table.find(id))
        .set((
            f,
            support_measures::version.eq(support_measures::version + 1),
            support_measures::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SupportMeasure::as_returning())
        .get_result(conn)
        .await?;
    Ok(after)
}

/// Filters of the measure list (its query parameters).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeasureFilter {
    pub enterprise_id: Option<Uuid>,
    /// Granting department code.
    pub department: Option<String>,
    pub kind: Option<SupportKind>,
    pub status: Option<MeasureStatus>,
    pub fiscal_year: Option<i32>,
    pub policy_id: Option<Uuid>,
}

/// A page (plus one row) of measures, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: MeasureFilter,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<SupportMeasure>> {
    let mut query = support_measures::table
        .select(SupportMeasure::as_select())
        .into_boxed();
    crate::filter_present!(query,
        f.enterprise_id => |id| support_measures::enterprise_id.eq(id),
        f.department => |dept| support_measures::department.eq(dept),
        f.kind => |kind| support_measures::kind.eq(kind.as_str()),
        f.status => |status| support_measures::status.eq(status.as_str()),
        f.fiscal_year => |year| support_measures::fiscal_year.eq(year),
        f.policy_id => |policy| support_measures::policy_id.eq(policy),
    );
    crate::keyset_page!(
        query by support_measures::created_at, support_measures::id, desc; after, limit
    )
    .load(conn)
    .await
}
