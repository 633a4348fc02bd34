//! Policies (政策): what the province and State Council offer the emergency industry, with the
//! rules that say which enterprises they are meant for.

pub mod model;
pub mod store;
