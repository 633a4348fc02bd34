//! People who use the system: one department each, one or more roles there.

pub mod directory;
pub mod store;
