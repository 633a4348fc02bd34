//! Support measures (扶持措施) granted by departments, and their disbursements (payment tranches).

mod checks;
pub mod model;
pub mod payments;
pub mod reversals;
pub mod store;
