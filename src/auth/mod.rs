//! Authentication and authorisation: roles, JWT access tokens, passwords and secrets, the
//! `Actor` extractor with its cached standing check, and the OAuth 2.0 token endpoint.

pub mod actor;
pub mod api;
pub mod jwt;
pub mod roles;
pub mod secrets;
pub mod standing;
pub mod store;
pub mod throttle;

pub use actor::{Actor, ActorKind};
pub use roles::Role;
