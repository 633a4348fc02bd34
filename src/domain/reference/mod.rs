//! Reference data: Jiangxi's regions and the emergency-industry categories.

pub mod calendar;
pub mod store;
