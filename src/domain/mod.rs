//! The rules and the records, with no HTTP in them: one folder per concept (`model.rs`: rows,
//! enums and pure rules; `store.rs`: queries and transactions with their audit events), plus
//! who acts ([`actor`]), the audit trail ([`audit`]), the error ([`error`]) and shared field
//! rules ([`validation`]).

pub mod actor;
pub mod audit;
pub mod auth;
pub mod change;
pub mod error;
pub mod events;
pub mod masking;
pub mod validation;

pub mod benefits;
pub mod clients;
pub mod contacts;
pub mod demands;
pub mod departments;
pub mod enterprises;
pub mod exports;
pub mod imports;
pub mod indicators;
pub mod policies;
pub mod reference;
pub mod reports;
pub mod stats;
pub mod supervision;
pub mod support;
pub mod timeline;
pub mod users;
pub mod visits;
pub mod webhooks;

#[cfg(test)]
mod tests {
    /// Every stored enum's text (`as_str`, the column) is its JSON text (serde, the API).
    #[test]
    fn stored_texts_are_the_json_texts() {
        fn check<T: serde::Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str) {
            for value in all {
                let json = serde_json::to_value(value).unwrap_or_default();
                assert_eq!(json.as_str(), Some(as_str(*value)));
            }
        }
        use super::{audit, benefits, demands, enterprises, events, policies, reference, support};
        use super::{visits, webhooks};
        check(enterprises::model::EnterpriseSize::ALL, |v| v.as_str());
        check(enterprises::model::EnterpriseStatus::ALL, |v| v.as_str());
        check(demands::model::DemandCategory::ALL, |v| v.as_str());
        check(demands::model::DemandStatus::ALL, |v| v.as_str());
        check(demands::model::Satisfaction::ALL, |v| v.as_str());
        check(support::model::SupportKind::ALL, |v| v.as_str());
        check(support::model::MeasureStatus::ALL, |v| v.as_str());
        check(benefits::model::BenefitStatus::ALL, |v| v.as_str());
        check(visits::model::VisitKind::ALL, |v| v.as_str());
        check(webhooks::model::DeliveryStatus::ALL, |v| v.as_str());
        check(policies::model::PolicyRule::ALL, |v| v.as_str());
        check(demands::model::DemandEventKind::ALL, |v| v.as_str());
        check(demands::model::ExtensionStatus::ALL, |v| v.as_str());
        check(reference::store::RegionLevel::ALL, |v| v.as_str());
        check(audit::store::AuditActorKind::ALL, |v| v.as_str());
        check(events::model::SubjectType::ALL, |v| v.as_str());
        check(enterprises::history::DesignationKind::ALL, |v| v.as_str());
    }
}
