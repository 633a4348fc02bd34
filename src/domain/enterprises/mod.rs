//! Contact-point enterprises (联系点企业): the registry every other record hangs on.

pub mod batches;
pub mod credit_code;
pub mod designations;
pub mod history;
pub mod labels;
pub mod list;
pub mod model;
pub mod references;
pub mod store;
