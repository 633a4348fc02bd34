//! A disabled user's or client's tokens stop working within seconds: each request checks the
//! principal's standing, read from the database at most once per few seconds per principal.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::DbPool;
use crate::db::schema::{api_clients, users};
use crate::domain::actor::ActorKind;
use crate::domain::error::AppResult;

/// How long a looked-up standing is trusted.
pub const STANDING_TTL: Duration = Duration::from_secs(3);

/// Cache of "is this principal still allowed in".
#[derive(Default)]
pub struct StandingCache {
    entries: Mutex<HashMap<Uuid, (bool, Instant)>>,
}

impl StandingCache {
    /// Whether the user or client exists and is not disabled.
    pub async fn is_active(&self, pool: &DbPool, kind: ActorKind, id: Uuid) -> AppResult<bool> {
        if let Some(active) = self.cached(id) {
            return Ok(active);
        }
        let mut conn = pool.get().await?;
        let disabled: Option<bool> = match kind {
            ActorKind::User => users::table
                .find(id)
                .select(users::disabled)
                .first(&mut conn)
                .await
                .optional()?,
            ActorKind::Client => api_clients::table
                .find(id)
                .select(api_clients::disabled)
                .first(&mut conn)
                .await
                .optional()?,
        };
        let active = disabled == Some(false);
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(id, (active, Instant::now()));
        }
        Ok(active)
    }

    fn cached(&self, id: Uuid) -> Option<bool> {
        let entries = self.entries.lock().ok()?;
        let (active, at) = entries.get(&id)?;
        (at.elapsed() < STANDING_TTL).then_some(*active)
    }

    /// Drops a principal's cached standing (after it was disabled here).
    pub fn forget(&self, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&id);
        }
    }
}
