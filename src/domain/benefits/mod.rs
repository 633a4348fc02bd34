//! Policy benefits (政策兑现跟踪): a policy followed until the enterprise really receives it.

pub mod model;
pub mod store;
