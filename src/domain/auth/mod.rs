//! Authentication: JWT access tokens, passwords and secrets, the cached standing of accounts,
//! refresh tokens and login throttling. Who acts is [`crate::domain::actor`].

pub mod hashing;
pub mod jwt;
pub mod login;
pub mod secrets;
pub mod standing;
pub mod store;
pub mod throttle;
