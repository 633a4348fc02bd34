//! The event as the API shows it, and its types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::actor::ActorKind;

macro_rules! event_types {
    ($($variant:ident => $text:literal: $doc:literal,)*) => {
        /// What happened, as `<subject>.<what happened>` (the README explains each).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum EventType {
            $(#[doc = $doc] #[serde(rename = $text)] $variant,)*
        }

        impl EventType {
            pub const ALL: &[EventType] = &[$(EventType::$variant,)*];

            /// The stored text, which is the JSON text.
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$variant => $text,)* }
            }

            /// The type named by `text`, if there is one.
            pub fn parse(text: &str) -> Option<EventType> {
                match text { $($text => Some(EventType::$variant),)* _ => None }
            }
        }
    };
}

event_types! {
    EnterpriseDesignated => "enterprise.designated": "An enterprise was designated (认定).",
    EnterpriseUpdated => "enterprise.updated": "An enterprise's record changed.",
    EnterpriseWithdrawn => "enterprise.withdrawn": "An enterprise's designation was withdrawn.",
    EnterpriseUnvisited => "enterprise.unvisited": "An active enterprise has gone unvisited too long.",
    ContactAdded => "contact.added": "A contact person was added.",
    ContactUpdated => "contact.updated": "A contact person changed.",
    ContactRemoved => "contact.removed": "A contact person was removed.",
    VisitLogged => "visit.logged": "A visit was logged.",
    VisitUpdated => "visit.updated": "A visit's record changed.",
    VisitDeleted => "visit.deleted": "A visit was deleted.",
    DemandRaised => "demand.raised": "A demand was raised.",
    DemandTransitioned => "demand.transitioned": "A demand moved in its workflow (`from`, `to`).",
    DemandReassigned => "demand.reassigned": "A demand was handed to another department (转办).",
    DemandProgressNoted => "demand.progress_noted": "A progress note (进展) was added.",
    DemandUrged => "demand.urged": "A supervisor urged the demand (催办).",
    DemandExtensionRequested => "demand.extension_requested": "A deadline extension was asked for.",
    DemandExtensionDecided => "demand.extension_decided": "A deadline extension was decided.",
    DemandFollowedUp => "demand.followed_up": "A follow-up (回访) was recorded.",
    DemandOverdue => "demand.overdue": "A demand passed its due date unresolved.",
    DemandEscalated => "demand.escalated": "An overdue demand was escalated (督办升级).",
    SupportMeasureRecorded => "support_measure.recorded": "A support measure was recorded.",
    SupportMeasureUpdated => "support_measure.updated": "A support measure changed.",
    SupportMeasureCancelled => "support_measure.cancelled": "A support measure was cancelled.",
    SupportMeasureDisbursed => "support_measure.disbursed": "A payment or its reversal changed a measure's disbursed total.",
    DisbursementRecorded => "disbursement.recorded": "A payment (拨付) was recorded.",
    DisbursementReversed => "disbursement.reversed": "A payment entered in error was reversed (红字冲销).",
    BenefitRecorded => "benefit.recorded": "A policy benefit was recorded.",
    BenefitTransitioned => "benefit.transitioned": "A policy benefit moved (`from`, `to`).",
    IndicatorsReported => "indicators.reported": "Quarterly indicators were reported or corrected.",
    PolicyPublished => "policy.published": "A policy was published.",
    PolicyUpdated => "policy.updated": "A policy changed.",
    WebhookTest => "webhook.test": "A test delivery asked for by an admin (webhooks only).",
}

// Written by hand: the derive cannot read the texts through the macro above, and would list
// the variant names instead.
impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(EventType::ALL.iter().map(|t| t.as_str())))
            .description(Some(
                "What happened, as `<subject>.<what happened>` (the README explains each).",
            ))
            .into()
    }
}

impl ToSchema for EventType {}

impl EventType {
    /// The event of an audited change of `entity` by `action`, if that change is one.
    pub fn of_change(entity: &str, action: &str) -> Option<EventType> {
        use EventType::*;
        Some(match (entity, action) {
            ("enterprise", "create" | "designate") => EnterpriseDesignated,
            ("enterprise", "update") => EnterpriseUpdated,
            ("enterprise", "delete") => EnterpriseWithdrawn,
            ("contact", "create") => ContactAdded,
            ("contact", "update") => ContactUpdated,
            ("contact", "delete") => ContactRemoved,
            ("visit", "create") => VisitLogged,
            ("visit", "update") => VisitUpdated,
            ("visit", "delete") => VisitDeleted,
            ("demand", "create") => DemandRaised,
            ("demand", "transition") => DemandTransitioned,
            ("demand", "progress") => DemandProgressNoted,
            ("demand", "urged") => DemandUrged,
            ("demand", "extension_requested") => DemandExtensionRequested,
            ("demand", "extension_decided") => DemandExtensionDecided,
            ("support_measure", "create") => SupportMeasureRecorded,
            ("support_measure", "update") => SupportMeasureUpdated,
            ("support_measure", "cancel") => SupportMeasureCancelled,
            ("support_measure", "disburse" | "reverse_payment") => SupportMeasureDisbursed,
            ("disbursement", "create") => DisbursementRecorded,
            ("disbursement", "reverse") => DisbursementReversed,
            ("policy_benefit", "create") => BenefitRecorded,
            ("policy_benefit", "transition") => BenefitTransitioned,
            ("indicator", "create" | "update") => IndicatorsReported,
            ("policy", "create") => PolicyPublished,
            ("policy", "update") => PolicyUpdated,
            _ => return None,
        })
    }

    /// Events only webhooks carry: the feed leaves them out.
    pub fn is_internal(self) -> bool {
        self == EventType::WebhookTest
    }
}

/// Who caused an event; `null` for the server itself (supervision) and the command line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventActor {
    pub id: Uuid,
    pub kind: ActorKind,
}

crate::text_enum! {
    /// The kind of record an event is about (`webhook`: a test delivery).
    pub enum SubjectType {
        Enterprise = "enterprise",
        Contact = "contact",
        Visit = "visit",
        Demand = "demand",
        SupportMeasure = "support_measure",
        Disbursement = "disbursement",
        PolicyBenefit = "policy_benefit",
        Indicator = "indicator",
        Policy = "policy",
        Webhook = "webhook",
    }
}

/// The record an event is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventSubject {
    #[serde(rename = "type")]
    pub kind: SubjectType,
    /// The record's id (an indicator's is `<enterprise id>/<quarter>`).
    pub id: String,
}

/// One event of the feed (and the body of a webhook delivery).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Orders events: a later event has a greater id (compare as strings).
    #[schema(example = "00000000000002f1000000000000001a")]
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    pub actor: Option<EventActor>,
    /// The department the record belongs to (a demand's assigned department, an enterprise's
    /// lead department, …).
    pub department: Option<String>,
    pub enterprise_id: Option<Uuid>,
    pub subject: EventSubject,
    /// The record as a read of it would show it after the change (a deletion: its last state).
    #[schema(value_type = Object)]
    pub data: Value,
    /// A transition's status before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// A transition's status after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// Where an event stands in the feed: the writing transaction, then the order of writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub txid: i64,
    pub seq: i64,
}

impl Position {
    /// The event id (and cursor): both numbers as fixed-width hex, so that ids sort as text.
    pub fn to_id(self) -> String {
        format!("{:016x}{:016x}", self.txid, self.seq)
    }

    /// The position an event id names.
    pub fn parse(id: &str) -> Option<Position> {
        let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if id.len() != 32 || !id.bytes().all(lower_hex) {
            return None;
        }
        let txid = i64::from_str_radix(&id[..16], 16).ok()?;
        let seq = i64::from_str_radix(&id[16..], 16).ok()?;
        Some(Position { txid, seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_as_positions_do() {
        let a = Position { txid: 9, seq: 300 };
        let b = Position { txid: 10, seq: 2 };
        assert!(a.to_id() < b.to_id());
        assert_eq!(Position::parse(&a.to_id()), Some(a));
        assert_eq!(Position::parse("xyz"), None);
        assert_eq!(Position::parse(&"g".repeat(32)), None);
        assert_eq!(
            Position::parse(&"A".repeat(32)),
            None,
            "lower-case, as documented"
        );
    }

    #[test]
    fn event_types_read_back_from_their_text() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
            let json = serde_json::to_value(t).unwrap_or_default();
            assert_eq!(json.as_str(), Some(t.as_str()));
        }
    }
}
