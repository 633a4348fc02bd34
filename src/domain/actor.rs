//! Who is acting: a user or an API client, its department and the roles it holds, as plain
//! data. The web layer fills it from the bearer token and the database; the command line acts
//! as nobody (`None`, recorded as `system`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::error::{AppError, AppResult};

/// Whether the caller is a person or another system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    Client,
}

impl ActorKind {
    /// The text stored in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Client => "client",
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub kind: ActorKind,
    pub department: String,
    pub roles: Vec<Role>,
}

impl Actor {
    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Forbidden unless the caller is an admin.
    pub fn require_admin(&self) -> AppResult<()> {
        self.require_any(&[Role::Admin])
    }

    /// Forbidden unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> AppResult<()> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            Err(AppError::Forbidden("your role may not do this".into()))
        }
    }
}

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
    /// 督办: urges demands, decides deadline extensions, follows up (回访) on any demand.
    Supervisor,
}

impl Role {
    /// The text stored in the database and carried in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Liaison => "liaison",
            Role::Finance => "finance",
            Role::Analyst => "analyst",
            Role::Supervisor => "supervisor",
        }
    }

    /// Parses a stored role.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "liaison" => Some(Role::Liaison),
            "finance" => Some(Role::Finance),
            "analyst" => Some(Role::Analyst),
            "supervisor" => Some(Role::Supervisor),
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
