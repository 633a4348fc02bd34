//! Departments: the provincial bodies the plan names (under their current names, the 2014 ones
//! as aliases) and the cities' industry bureaus, seeded; county units added by admins.

pub mod model;
pub mod store;
