//! Departments (省工信委, 省财政厅, …): seeded, extended by admins.

pub mod store;
