//! Visits (走访记录): what officials found at an enterprise, with the demands raised there.

pub mod model;
pub mod store;
