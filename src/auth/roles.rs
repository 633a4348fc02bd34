//! The four roles of the contract.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role a user or client holds in its department.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages departments, users, clients, policies, designation; reads everything.
    Admin,
    /// Visits enterprises, raises and moves demands, edits assigned enterprises.
    Liaison,
    /// Records support measures and disbursements of its department.
    Finance,
    /// Reads, statistics and exports; never writes.
    Analyst,
}

impl Role {
    /// The text stored in the database and carried in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Liaison => "liaison",
            Role::Finance => "finance",
            Role::Analyst => "analyst",
        }
    }

    /// Parses a stored role.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "liaison" => Some(Role::Liaison),
            "finance" => Some(Role::Finance),
            "analyst" => Some(Role::Analyst),
            _ => None,
        }
    }

    /// Parses stored roles, skipping anything unknown.
    pub fn parse_all(texts: &[String]) -> Vec<Role> {
        texts.iter().filter_map(|t| Role::parse(t)).collect()
    }

    /// Roles as stored: sorted, without duplicates.
    pub fn to_strings(roles: &[Role]) -> Vec<String> {
        let mut sorted = roles.to_vec();
        sorted.sort();
        sorted.dedup();
        sorted.iter().map(|r| r.as_str().to_owned()).collect()
    }
}
