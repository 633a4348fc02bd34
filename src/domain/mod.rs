//! The rules and the records, with no HTTP in them: one folder per concept (`model.rs`: rows,
//! enums and pure rules; `store.rs`: queries and transactions with their audit events), plus
//! who acts ([`actor`]), the audit trail ([`audit`]), the error ([`error`]) and shared field
//! rules ([`validation`]).

pub mod actor;
pub mod audit;
pub mod auth;
pub mod error;
pub mod validation;

pub mod benefits;
pub mod clients;
pub mod contacts;
pub mod demands;
pub mod departments;
pub mod enterprises;
pub mod exports;
pub mod imports;
pub mod indicators;
pub mod policies;
pub mod reference;
pub mod stats;
pub mod support;
pub mod timeline;
pub mod users;
pub mod visits;
