//! Support measure and disbursement rows, kinds and the rules that need no database.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::money::Money;
use crate::db::schema::{disbursements, support_measures};
use crate::domain::actor::{Actor, Role};
// The kinds live with policies, which name the kind of support they grant.
pub use crate::domain::policies::model::SupportKind;

impl SupportKind {
    /// Who records (and edits) this kind: finance for every kind, liaison officers and admins
    /// for non-monetary kinds.
    pub fn may_record(self, actor: &Actor) -> bool {
        actor.has(Role::Finance)
            || (!self.is_monetary() && (actor.has(Role::Liaison) || actor.has(Role::Admin)))
    }

    /// Who changes a measure of this kind granted by `department`: its staff who may record
    /// the kind; and admins, who may do whatever a liaison officer of any department may, so
    /// every non-monetary measure.
    pub fn may_change(self, actor: &Actor, department: &str) -> bool {
        (actor.department == department && self.may_record(actor))
            || (actor.has(Role::Admin) && !self.is_monetary())
    }
}

crate::text_enum! {
    /// Where a measure stands. `disbursed` is set by the server when fully paid.
    pub enum MeasureStatus {
        Planned = "planned",
        Approved = "approved",
        Disbursed = "disbursed",
        Cancelled = "cancelled",
    }
}

/// A support measure.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = support_measures, check_for_backend(diesel::pg::Pg))]
pub struct SupportMeasure {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    /// The granting department (the recorder's).
    pub department: String,
    pub kind: SupportKind,
    pub title: String,
    pub fiscal_year: i32,
    /// Decimal string with two fraction digits.
    #[schema(value_type = Option<String>, example = "1250000.00")]
    pub amount: Option<Money>,
    pub policy_id: Option<Uuid>,
    /// 文号, e.g. 赣财企〔2025〕12号.
    pub document_no: Option<String>,
    pub status: MeasureStatus,
    pub approved_on: Option<NaiveDate>,
    /// Sum of the disbursements.
    #[schema(value_type = String, example = "500000.00")]
    pub disbursed_amount: Money,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::db::keyset::Keyed for SupportMeasure {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

/// A payment tranche of a measure, or the reversal (红字冲销) of one: a negative entry that names
/// the payment it cancels and keeps its voucher number.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = disbursements, check_for_backend(diesel::pg::Pg))]
pub struct Disbursement {
    pub id: Uuid,
    pub measure_id: Uuid,
    /// Positive for a payment, negative for a reversal.
    #[schema(value_type = String, example = "500000.00")]
    pub amount: Money,
    /// The payment date; for a reversal, the day it was recorded.
    pub paid_on: NaiveDate,
    /// Payment voucher number, unique per measure among payments (a reversal repeats its
    /// payment's).
    pub voucher_no: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// For a reversal: the payment it cancels.
    pub reverses_id: Option<Uuid>,
    /// For a reversal: why the payment was entered in error.
    pub reason: Option<String>,
}

/// A 文号 or voucher number as stored and compared: NFKC, without invisible or control
/// characters, trimmed (the database compares them in any letter case).
pub fn reference_text(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let invisible = |c: &char| {
        c.is_control()
            || matches!(*c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
    };
    let text: String = raw.nfkc().filter(|c| !invisible(c)).collect();
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            id: Uuid::nil(),
            kind: crate::domain::actor::ActorKind::User,
            department: "czt".into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn finance_records_everything_others_only_non_monetary() {
        assert!(SupportKind::Subsidy.may_record(&actor(&[Role::Finance])));
        assert!(SupportKind::Land.may_record(&actor(&[Role::Finance])));
        assert!(!SupportKind::Subsidy.may_record(&actor(&[Role::Liaison])));
        assert!(SupportKind::TechProject.may_record(&actor(&[Role::Liaison])));
        assert!(!SupportKind::TaxRelief.may_record(&actor(&[Role::Admin])));
        assert!(!SupportKind::Talent.may_record(&actor(&[Role::Analyst])));
        let mut admin = actor(&[Role::Admin]);
        admin.department = "gxw".into();
        assert!(SupportKind::Land.may_change(&admin, "czt"));
        assert!(!SupportKind::Subsidy.may_change(&admin, "czt"));
        assert!(!SupportKind::Land.may_change(&actor(&[Role::Liaison]), "gxw"));
        assert!(SupportKind::Subsidy.may_change(&actor(&[Role::Finance]), "czt"));
        assert_eq!(
            SupportKind::parse("loan_interest_subsidy"),
            Some(SupportKind::LoanInterestSubsidy)
        );
    }
}
