//! Benefit queries. A move locks the benefit, so two moves from one state never both succeed;
//! the partial unique index keeps one open benefit per enterprise and policy.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{BenefitEvent, BenefitStatus, PolicyBenefit};
use crate::db::clock::today_in_china;
use crate::db::money::Money;
use crate::db::schema::{benefit_events, departments, policies, policy_benefits};
use crate::domain::actor::{Actor, Role};
use crate::domain::audit;
use crate::domain::enterprises::store::{get as get_enterprise, may_edit};
use crate::domain::error::{AppError, AppResult, FieldError, OrNotFound};

/// A new benefit record.
#[derive(Insertable)]
#[diesel(table_name = policy_benefits)]
pub struct NewBenefit {
    pub enterprise_id: Uuid,
    pub policy_id: Uuid,
    pub responsible_department: String,
    pub expected_amount: Option<Money>,
    pub notes: Option<String>,
}

/// A requested move: the body of `POST /api/v1/policy-benefits/{id}/transitions`.
#[derive(Debug, serde::Deserialize, validator::Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BenefitTransitionBody)]
pub struct BenefitMove {
    pub to: BenefitStatus,
    /// Required for `rejected`.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Required for `realized`.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub realized_amount: Option<Money>,
    /// Required for `realized`.
    pub realized_on: Option<NaiveDate>,
}

async fn record_event(
    conn: &mut AsyncPgConnection,
    actor: Option<Uuid>,
    b: &PolicyBenefit,
    from: Option<BenefitStatus>,
    note: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(benefit_events::table)
        .values((
            benefit_events::id.eq(Uuid::new_v4()),
            benefit_events::benefit_id.eq(b.id),
            benefit_events::enterprise_id.eq(b.enterprise_id),
            benefit_events::actor.eq(actor),
            benefit_events::from_status.eq(from),
            benefit_events::to_status.eq(&b.status),
            benefit_events::note.eq(note),
            benefit_events::realized_amount.eq(b
                .realized_amount
                .filter(|_| b.status == BenefitStatus::Realized)),
            benefit_events::realized_on.eq(b
                .realized_on
                .filter(|_| b.status == BenefitStatus::Realized)),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

impl BenefitMove {
    /// Every problem of the move's own fields, at once: realizing records the amount and the
    /// date received, rejecting gives a reason (`note`, trimmed).
    pub fn check(&self, note: Option<&str>, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.to == BenefitStatus::Realized {
            match self.realized_amount {
                None => errors.push(FieldError::new(
                    "realized_amount",
                    "required",
                    "realizing records the amount received",
                )),
                Some(a) if a.is_negative() => errors.push(FieldError::new(
                    "realized_amount",
                    "range",
                    "may not be negative",
                )),
                _ => {}
            }
            match self.realized_on {
                None => errors.push(FieldError::new(
                    "realized_on",
                    "required",
                    "realizing records the date",
                )),
                Some(d) if d > today => errors.push(FieldError::new(
                    "realized_on",
                    "in_future",
                    "may not be in the future",
                )),
                _ => {}
            }
        }
        if self.to == BenefitStatus::Rejected && note.is_none() {
            errors.push(FieldError::new(
                "note",
                "required",
                "a rejection gives its reason",
            ));
        }
        errors
    }
}

/// Records a benefit: admins, or liaison officers of an assigned department of the enterprise.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    n: NewBenefit,
) -> AppResult<PolicyBenefit> {
    conn.transaction(async move |conn| {
        let enterprise = match get_enterprise(conn, n.enterprise_id).await {
            Ok(e) => Some(e),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        if let Some(e) = &enterprise
            && !may_edit(actor, e)
        {
            return Err(AppError::Forbidden(
                "only admins and liaison officers of an assigned department record benefits".into(),
            ));
        }
        let mut errors = check_new(conn, &n).await?;
        if enterprise.is_none() {
            let unknown =
                FieldError::new("enterprise_id", "unknown_enterprise", "no such enterprise");
            errors.insert(0, unknown);
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let benefit = insert(conn, actor, n).await?;
        record_event(conn, Some(actor.id), &benefit, None, None).await?;
        audit::created(conn, Some(actor), "policy_benefit", benefit.id, &benefit).await?;
        Ok(benefit)
    })
    .await
}

/// Every problem of a new benefit's policy, department and amount, at once.
async fn check_new(conn: &mut AsyncPgConnection, n: &NewBenefit) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    let policy_known: bool = diesel::select(diesel::dsl::exists(policies::table.find(n.policy_id)))
        .get_result(conn)
        .await?;
    if !policy_known {
        errors.push(FieldError::new(
            "policy_id",
            "unknown_policy",
            "no such policy",
        ));
    }
    let department = departments::table.find(&n.responsible_department);
    let dept_known: bool = diesel::select(diesel::dsl::exists(department))
        .get_result(conn)
        .await?;
    if !dept_known {
        errors.push(FieldError::new(
            "responsible_department",
            "unknown_department",
            "not a known department",
        ));
    }
    if n.expected_amount.is_some_and(Money::is_negative) {
        errors.push(FieldError::new(
            "expected_amount",
            "range",
            "may not be negative",
        ));
    }
    Ok(errors)
}

/// Inserts a checked benefit; a second open one for the same enterprise and policy is a 409.
async fn insert(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    n: NewBenefit,
) -> AppResult<PolicyBenefit> {
    diesel::insert_into(policy_benefits::table)
        .values((
            &n,
            policy_benefits::id.eq(Uuid::new_v4()),
            policy_benefits::created_by.eq(actor.id),
        ))
        .returning(PolicyBenefit::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Conflict(
                "this enterprise already has an open benefit for this policy".into(),
            ),
            other => other,
        })
}

/// One benefit.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<PolicyBenefit> {
    policy_benefits::table
        .find(id)
        .select(PolicyBenefit::as_select())
        .first(conn)
        .await
        .or_not_found("no such policy benefit")
}

/// Moves a benefit: liaison or finance staff of the responsible department, or an admin.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    m: BenefitMove,
) -> AppResult<PolicyBenefit> {
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        check_mover(actor, &before)?;
        let note = m.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let errors = m.check(note, today_in_china());
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        if !before.status.allows(m.to) {
            return Err(AppError::Conflict(format!(
                "a {} benefit cannot move to {}",
                before.status, m.to
            )));
        }
        let after = write_move(conn, &before, &m).await?;
        record_event(conn, Some(actor.id), &after, Some(before.status), note).await?;
        audit::transitioned(conn, Some(actor), "policy_benefit", id, &before, &after).await?;
        Ok(after)
    })
    .await
}

/// The benefit, locked for the rest of the transaction.
async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<PolicyBenefit> {
    policy_benefits::table
        .find(id)
        .select(PolicyBenefit::as_select())
        .for_update()
        .first(conn)
        .await
        .or_not_found("no such policy benefit")
}

/// Admins, or liaison and finance staff of the responsible department, move a benefit.
fn check_mover(actor: &Actor, benefit: &PolicyBenefit) -> AppResult<()> {
    let may_move = actor.has(Role::Admin)
        || ((actor.has(Role::Liaison) || actor.has(Role::Finance))
            && actor.department == benefit.responsible_department);
    if may_move {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the responsible department moves this benefit".into(),
        ))
    }
}

/// Stores the new status; realizing also stores the amount and date received.
async fn write_move(
    conn: &mut AsyncPgConnection,
    before: &PolicyBenefit,
    m: &BenefitMove,
) -> AppResult<PolicyBenefit> {
    let realized = m.to == BenefitStatus::Realized;
    let (amount, on) = if realized {
        (m.realized_amount, m.realized_on)
    } else {
        (before.realized_amount, before.realized_on)
    };
    let after = diesel::update(policy_benefits::table.find(before.id))
        .set((
            policy_benefits::status.eq(m.to),
            policy_benefits::realized_amount.eq(amount),
            policy_benefits::realized_on.eq(on),
            policy_benefits::version.eq(policy_benefits::version + 1),
            policy_benefits::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PolicyBenefit::as_returning())
        .get_result(conn)
        .await?;
    Ok(after)
}

/// The events of a benefit, oldest first.
pub async fn events(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<BenefitEvent>> {
    benefit_events::table
        .filter(benefit_events::benefit_id.eq(id))
        .select(BenefitEvent::as_select())
        .order((benefit_events::at, benefit_events::id))
        .load(conn)
        .await
}

/// Filters of the benefit list (its query parameters).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BenefitFilter {
    pub enterprise_id: Option<Uuid>,
    pub policy_id: Option<Uuid>,
    pub responsible_department: Option<String>,
    pub status: Option<BenefitStatus>,
}

/// A page (plus one row) of benefits, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: BenefitFilter,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<PolicyBenefit>> {
    let mut query = policy_benefits::table
        .select(PolicyBenefit::as_select())
        .into_boxed();
    crate::filter_present!(query,
        f.enterprise_id => |id| policy_benefits::enterprise_id.eq(id),
        f.policy_id => |id| policy_benefits::policy_id.eq(id),
        f.responsible_department => |dept| policy_benefits::responsible_department.eq(dept),
        f.status => |status| policy_benefits::status.eq(status.as_str()),
    );
    crate::keyset_page!(
        query by policy_benefits::created_at, policy_benefits::id, desc; after, limit
    )
    .load(conn)
    .await
}
