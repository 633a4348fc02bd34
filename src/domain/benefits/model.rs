//! Benefit rows, events and the status machine.
//!
//! `identified → applied → approved → realized`; `identified|applied|approved →
//! rejected|withdrawn`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::money::Money;
use crate::db::schema::{benefit_events, policy_benefits};

crate::text_enum! {
    /// Where a benefit stands.
    pub enum BenefitStatus {
        Identified = "identified",
        Applied = "applied",
        Approved = "approved",
        Realized = "realized",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

impl BenefitStatus {
    /// Whether the machine allows `self → to`.
    pub fn allows(self, to: BenefitStatus) -> bool {
        use BenefitStatus::*;
        matches!(
            (self, to),
            (Identified, Applied)
                | (Applied, Approved)
                | (Approved, Realized)
                | (Identified | Applied | Approved, Rejected | Withdrawn)
        )
    }
}

/// A tracked benefit.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = policy_benefits, check_for_backend(diesel::pg::Pg))]
pub struct PolicyBenefit {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub policy_id: Uuid,
    pub responsible_department: String,
    pub status: BenefitStatus,
    #[schema(value_type = Option<String>, example = "300000.00")]
    pub expected_amount: Option<Money>,
    #[schema(value_type = Option<String>, example = "280000.00")]
    pub realized_amount: Option<Money>,
    pub realized_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::db::keyset::Keyed for PolicyBenefit {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

/// One step of a benefit.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = benefit_events, check_for_backend(diesel::pg::Pg))]
pub struct BenefitEvent {
    pub id: Uuid,
    #[serde(skip)]
    pub benefit_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    #[serde(rename = "from")]
    pub from_status: Option<BenefitStatus>,
    #[serde(rename = "to")]
    pub to_status: BenefitStatus,
    pub note: Option<String>,
    #[schema(value_type = Option<String>)]
    pub realized_amount: Option<Money>,
    pub realized_on: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::BenefitStatus::*;

    #[test]
    fn exactly_the_contracts_moves() {
        let all = [Identified, Applied, Approved, Realized, Rejected, Withdrawn];
        let allowed = [
            (Identified, Applied),
            (Applied, Approved),
            (Approved, Realized),
            (Identified, Rejected),
            (Applied, Rejected),
            (Approved, Rejected),
            (Identified, Withdrawn),
            (Applied, Withdrawn),
            (Approved, Withdrawn),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    from.allows(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }
}
