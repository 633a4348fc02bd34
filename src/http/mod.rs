//! HTTP plumbing shared by every resource: request ids, body and query extraction, pagination,
//! conditional requests, error fallbacks and security headers.

pub mod body;
pub mod fallback;
pub mod idempotency;
pub mod pagination;
pub mod patch;
pub mod precondition;
pub mod request_id;
