//! One file per concept: its handlers, their request and response types, and its routes.

pub mod audit;
pub mod auth;
pub mod batches;
pub mod benefits;
pub mod clients;
pub mod contacts;
pub mod demands;
pub mod departments;
pub mod enterprises;
pub mod events;
pub mod exports;
pub mod figures;
pub mod imports;
pub mod indicator_stats;
pub mod indicators;
pub mod policies;
pub mod reference;
pub mod reports;
pub mod stats;
pub mod support;
pub mod timeline;
pub mod users;
pub mod visits;
pub mod webhooks;
