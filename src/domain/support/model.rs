//! Support measure and disbursement rows, kinds and the rules that need no database.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::money::Money;
use crate::db::schema::{disbursements, support_measures};
use crate::domain::actor::{Actor, Role};

/// What kind of support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    Subsidy,
    Grant,
    LoanInterestSubsidy,
    GuaranteeFeeSubsidy,
    InsurancePremiumSubsidy,
    TaxRelief,
    TechProject,
    Land,
    Talent,
    MarketPromotion,
    Other,
}

impl SupportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SupportKind::Subsidy => "subsidy",
            SupportKind::Grant => "grant",
            SupportKind::LoanInterestSubsidy => "loan_interest_subsidy",
            SupportKind::GuaranteeFeeSubsidy => "guarantee_fee_subsidy",
            SupportKind::InsurancePremiumSubsidy => "insurance_premium_subsidy",
            SupportKind::TaxRelief => "tax_relief",
            SupportKind::TechProject => "tech_project",
            SupportKind::Land => "land",
            SupportKind::Talent => "talent",
            SupportKind::MarketPromotion => "market_promotion",
            SupportKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<SupportKind> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }

    /// Monetary kinds are recorded by finance staff and need an amount.
    pub fn is_monetary(self) -> bool {
        matches!(
            self,
            SupportKind::Subsidy
                | SupportKind::Grant
                | SupportKind::LoanInterestSubsidy
                | SupportKind::GuaranteeFeeSubsidy
                | SupportKind::InsurancePremiumSubsidy
                | SupportKind::TaxRelief
        )
    }

    /// Who records (and edits) this kind: finance for every kind, liaison officers and admins
    /// for non-monetary kinds.
    pub fn may_record(self, actor: &Actor) -> bool {
        actor.has(Role::Finance)
            || (!self.is_monetary() && (actor.has(Role::Liaison) || actor.has(Role::Admin)))
    }
}

/// Where a measure stands. `disbursed` is set by the server when fully paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    Planned,
    Approved,
    Disbursed,
    Cancelled,
}

impl MeasureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "planned",
            MeasureStatus::Approved => "approved",
            MeasureStatus::Disbursed => "disbursed",
            MeasureStatus::Cancelled => "cancelled",
        }
    }
}

/// A support measure.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = support_measures, check_for_backend(diesel::pg::Pg))]
pub struct SupportMeasure {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    /// The granting department (the recorder's).
    pub department: String,
    #[schema(value_type = SupportKind)]
    pub kind: String,
    pub title: String,
    pub fiscal_year: i32,
    /// Decimal string with two fraction digits.
    #[schema(value_type = Option<String>, example = "1250000.00")]
    pub amount: Option<Money>,
    pub policy_id: Option<Uuid>,
    /// 文号, e.g. 赣财企〔2025〕12号.
    pub document_no: Option<String>,
    #[schema(value_type = MeasureStatus)]
    pub status: String,
    pub approved_on: Option<NaiveDate>,
    /// Sum of the disbursements.
    #[schema(value_type = String, example = "500000.00")]
    pub disbursed_amount: Money,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A payment tranche of a measure.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = disbursements, check_for_backend(diesel::pg::Pg))]
pub struct Disbursement {
    pub id: Uuid,
    pub measure_id: Uuid,
    #[schema(value_type = String, example = "500000.00")]
    pub amount: Money,
    pub paid_on: NaiveDate,
    /// Payment voucher number, unique per measure.
    pub voucher_no: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
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
        assert_eq!(
            SupportKind::parse("loan_interest_subsidy"),
            Some(SupportKind::LoanInterestSubsidy)
        );
    }
}
