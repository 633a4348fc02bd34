//! The HTTP face: extractors (the caller, bodies, queries, `If-Match`, cursors), RFC 9457
//! rendering of the domain error, idempotency, request ids, metrics, the shared state, and
//! `api/<concept>.rs` with the handlers and their request and response types.

pub mod api;
pub mod assets;
pub mod body;
pub mod caller;
pub mod conditional;
pub mod download;
pub mod event_watch;
pub mod fallback;
pub mod fields;
pub mod idempotency;
pub mod language;
pub mod messages;
pub mod metrics;
pub mod ops;
pub mod pagination;
pub mod parameter_limits;
pub mod patch;
pub mod precondition;
pub mod problem;
pub mod request_id;
pub mod routes;
pub mod state;
pub mod stats_cache;
