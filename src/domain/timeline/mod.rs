//! The enterprise timeline: visits and demand events in one newest-first list.

pub mod store;
