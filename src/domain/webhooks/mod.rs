//! Webhooks (推送): subscriptions that receive the feed's events by HTTP `POST`, signed as the
//! Standard Webhooks specification says, from a delivery queue in PostgreSQL.
//!
//! - [`model`]: the subscription, its fields and their rules, a delivery.
//! - [`store`]: managing subscriptions and reading deliveries.
//! - [`signing`]: secrets and signatures.
//! - [`address`]: which receivers may be called (no loopback, private or link-local address
//!   unless configured), checked when a URL is saved and again when connecting.
//! - [`delivery`]: claiming due deliveries, sending them, and the retry schedule.

pub mod address;
pub mod delivery;
pub mod model;
pub mod signing;
pub mod store;
