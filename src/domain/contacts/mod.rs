//! Contact persons of an enterprise, with phone and e-mail masked for callers who may not see
//! them.

pub mod model;
pub mod store;
