//! Integration tests: the real app over HTTP, each test on its own cloned database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod audit;
mod auth;
mod batches;
mod benefits;
mod cli;
mod clients;
mod contacts;
mod demand_loop;
mod demands;
mod departments;
mod enterprises;
mod errors;
mod events;
mod exports;
mod figures;
mod hardening;
mod hostile_input;
mod hostile_uploads;
mod http_semantics;
mod idempotency;
mod imports;
mod indicator_stats;
mod indicators;
mod language;
mod money;
mod oauth;
mod ops;
mod policies;
mod reference;
mod reports;
mod rights;
mod stats;
mod supervision;
mod support;
mod timeline;
mod users;
mod visits;
mod webhooks;
mod workbench;
