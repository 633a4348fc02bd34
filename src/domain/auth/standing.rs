//! Rights follow the database, not the token: each request reads the caller's current roles,
//! department and disabled state, from the database at most once per [`STANDING_TTL`] per
//! principal. A token's claims only say who the caller is; demoting, moving or disabling an
//! account takes effect for tokens already issued within seconds, on every replica.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::DbPool;
use crate::db::schema::{api_clients, users};
use crate::domain::actor::{Actor, ActorKind, Role};
use crate::domain::error::AppResult;

/// How long a looked-up standing is trusted (the contract allows 5 seconds).
pub const STANDING_TTL: Duration = Duration::from_secs(3);

/// What the database says of an enabled principal now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub department: String,
    pub roles: Vec<Role>,
}

/// A looked-up standing (`None`: gone or disabled) and when it was read.
type Entry = (Option<Standing>, Instant);

/// Cache of standings, keyed by kind and id (a user and a client never share an entry).
#[derive(Default)]
pub struct StandingCache {
    entries: Mutex<HashMap<(ActorKind, Uuid), Entry>>,
}

impl StandingCache {
    /// The caller as the database knows it now; `None` when the account is gone or disabled.
    pub async fn actor(
        &self,
        pool: &DbPool,
        kind: ActorKind,
        id: Uuid,
    ) -> AppResult<Option<Actor>> {
        let standing = match self.cached(kind, id) {
            Some(standing) => standing,
            None => {
                let standing = read(pool, kind, id).await?;
                if let Ok(mut entries) = self.entries.lock() {
                    entries.insert((kind, id), (standing.clone(), Instant::now()));
                }
                standing
            }
        };
        Ok(standing.map(|s| Actor {
            id,
            kind,
            department: s.department,
            roles: s.roles,
        }))
    }

    fn cached(&self, kind: ActorKind, id: Uuid) -> Option<Option<Standing>> {
        let entries = self.entries.lock().ok()?;
        let (standing, at) = entries.get(&(kind, id))?;
        (at.elapsed() < STANDING_TTL).then(|| standing.clone())
    }

    /// Drops a principal's cached standing (after it was changed here: this replica sees the
    /// change at once, the others within [`STANDING_TTL`]).
    pub fn forget(&self, kind: ActorKind, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&(kind, id));
        }
    }
}

/// Reads a principal's standing: department, roles, and whether it is enabled.
async fn read(pool: &DbPool, kind: ActorKind, id: Uuid) -> AppResult<Option<Standing>> {
    let mut conn = pool.get().await?;
    let row: Option<(String, Vec<String>, bool)> = match kind {
        ActorKind::User => {
            users::table
                .find(id)
                .select((users::department, users::roles, users::disabled))
                .first(&mut conn)
                .await
        }
        ActorKind::Client => {
            api_clients::table
                .find(id)
                .select((
                    api_clients::department,
                    api_clients::roles,
                    api_clients::disabled,
                ))
                .first(&mut conn)
                .await
        }
    }
    .optional()?;
    Ok(row
        .filter(|(_, _, disabled)| !disabled)
        .map(|(department, roles, _)| Standing {
            department,
            roles: Role::parse_all(&roles),
        }))
}
