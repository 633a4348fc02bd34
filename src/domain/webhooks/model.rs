//! A webhook subscription and its deliveries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Ref, Schema, Type};
use uuid::Uuid;

use crate::db::schema::{webhook_deliveries, webhooks};
use crate::domain::error::FieldError;
use crate::domain::events::EventType;

/// Longest URL.
pub const MAX_URL: usize = 2000;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 500;
/// Most event types, or departments, on one subscription.
pub const MAX_ITEMS: usize = 50;

/// The schema of a subscription's `event_types`: 1 to 50 event types, or `["*"]` for every type.
pub fn event_types_schema() -> Schema {
    let every = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["*"]));
    let item = AnyOfBuilder::new()
        .item(Ref::from_schema_name("EventType"))
        .item(every)
        .build();
    let list = ArrayBuilder::new()
        .items(RefOr::T(Schema::AnyOf(item)))
        .min_items(Some(1))
        .max_items(Some(MAX_ITEMS))
        .description(Some(r#"Event types, or `["*"]` for every type."#))
        .examples([serde_json::json!(["demand.raised", "demand.escalated"])]);
    Schema::Array(list.build())
}

/// A subscription, as the API shows it (never with its secret).
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
pub struct Webhook {
    pub id: Uuid,
    /// Where events are `POST`ed.
    pub url: String,
    #[schema(schema_with = event_types_schema)]
    pub event_types: Vec<String>,
    /// Only events of these departments' records (empty: every department).
    pub departments: Vec<String>,
    pub description: Option<String>,
    /// False when turned off, or after three days of failed deliveries.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

/// A new subscription, with its secret shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` + base64 of 32 random bytes: the key of the signatures. Shown only here and by
    /// a rotation.
    pub secret: String,
}

/// What a subscription holds that a client sets.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = webhooks)]
#[diesel(treat_none_as_null = true)]
pub struct WebhookFields {
    pub url: String,
    pub event_types: Vec<String>,
    pub departments: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
}

impl From<&Webhook> for WebhookFields {
    fn from(w: &Webhook) -> Self {
        WebhookFields {
            url: w.url.clone(),
            event_types: w.event_types.clone(),
            departments: w.departments.clone(),
            description: w.description.clone(),
            active: w.active,
        }
    }
}

impl WebhookFields {
    /// Every rule the fields break, at once (departments and the address are checked by the
    /// store, which reads and resolves).
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.url.chars().count() > MAX_URL {
            errors.push(FieldError::new(
                "url",
                "too_long",
                "at most 2000 characters",
            ));
        } else if let Err(e) = super::address::parse(&self.url) {
            errors.push(FieldError::new("url", "invalid_url", e));
        }
        if self.event_types.is_empty() || self.event_types.len() > MAX_ITEMS {
            errors.push(FieldError::new(
                "event_types",
                "length",
                "1 to 50 event types",
            ));
        }
        for (i, t) in self.event_types.iter().enumerate() {
            if t != "*" && EventType::parse(t).is_none() {
                let field = format!("event_types[{i}]");
                errors.push(FieldError::new(field, "unknown_type", "not an event type"));
            }
        }
        if self.departments.len() > MAX_ITEMS {
            errors.push(FieldError::new(
                "departments",
                "length",
                "at most 50 departments",
            ));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
        {
            errors.push(FieldError::new(
                "description",
                "too_long",
                "at most 500 characters",
            ));
        }
        errors
    }
}

crate::text_enum! {
    /// Where a delivery stands.
    pub enum DeliveryStatus {
        /// Not yet tried.
        Pending = "pending",
        /// A 2xx came back.
        Delivered = "delivered",
        /// Tried and failed; retried at `next_attempt_at`.
        Failed = "failed",
        /// Failed for 24 hours; no more attempts (an admin may retry it).
        Dead = "dead",
    }
}

/// One delivery as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct DeliveryRow {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_txid: i64,
    pub event_seq: i64,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One delivery of an event to a subscription, as the delivery log shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    /// The event's id, which is also the `webhook-id` header (the same on every attempt).
    pub event_id: String,
    #[schema(value_type = crate::domain::events::EventType)]
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed (a timeout, a refused address, …).
    pub last_error: Option<String>,
    /// When it is tried next (null once delivered or dead).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        let status = r.status;
        let waiting = matches!(status, DeliveryStatus::Pending | DeliveryStatus::Failed);
        Delivery {
            id: r.id,
            event_id: crate::domain::events::model::Position {
                txid: r.event_txid,
                seq: r.event_seq,
            }
            .to_id(),
            event_type: r.event_type,
            status,
            attempts: r.attempts,
            last_status_code: r.last_status_code,
            last_error: r.last_error,
            next_attempt_at: waiting.then_some(r.next_attempt_at),
            delivered_at: r.delivered_at,
            created_at: r.created_at,
        }
    }
}

impl crate::db::keyset::Keyed for Delivery {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

impl crate::db::keyset::Keyed for Webhook {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}
