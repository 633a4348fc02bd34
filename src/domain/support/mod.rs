//! Support measures (扶持措施) granted by departments, and their disbursements (payment tranches).

pub mod model;
pub mod payments;
pub mod store;
