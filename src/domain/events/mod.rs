//! Events (事件): every committed change to a business record, for frontends that follow the
//! feed and for webhooks. An event is written by [`store::emit`] in the transaction of the
//! change, beside its audit record (the audit helpers call it), so that it exists exactly when
//! the change does.

pub mod feed;
pub mod model;
pub mod store;

pub use model::{Event, EventType};
