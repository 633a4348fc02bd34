//! What every handler shares: the pool, the token keys, the config, the standing cache.

use std::sync::Arc;

use crate::config::Config;
use crate::db::DbPool;
use crate::db::clock::Clock;
use crate::domain::audit::security::SecurityEvents;
use crate::domain::auth::jwt::JwtKeys;
use crate::domain::auth::standing::StandingCache;
use crate::web::event_watch::EventWatch;
use crate::web::metrics::Metrics;
use crate::web::stats_cache::StatsCache;

/// Application state. Each HTTP worker has a pool of its own (see `for_worker`); everything
/// else is shared by all workers.
#[derive(Clone)]
pub struct AppState {
    /// This worker's connections.
    pub pool: DbPool,
    /// Every worker's pool, for `/metrics`.
    pub pools: Arc<Vec<DbPool>>,
    pub keys: Arc<JwtKeys>,
    pub config: Arc<Config>,
    pub standing: Arc<StandingCache>,
    pub metrics: Arc<Metrics>,
    /// Recently computed statistics.
    pub stats: Arc<StatsCache>,
    /// Failed logins and refused requests, on their way to the audit trail.
    pub security: SecurityEvents,
    /// The event feed's newest position, for readers that wait.
    pub events: Arc<EventWatch>,
    /// The clock of supervision and webhook retries (tests move it).
    pub clock: Clock,
}

impl AppState {
    /// State over one pool, with keys made from `jwt_secret`.
    pub fn new(pool: DbPool, config: Config, jwt_secret: &[u8]) -> anyhow::Result<Self> {
        Self::with_pools(vec![pool], config, jwt_secret)
    }

    /// State over one pool per worker; it starts on the first (see `for_worker`).
    pub fn with_pools(
        pools: Vec<DbPool>,
        config: Config,
        jwt_secret: &[u8],
    ) -> anyhow::Result<Self> {
        let pool = pools
            .first()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no database pool"))?;
        let keys = JwtKeys::new(
            jwt_secret,
            &config.jwt_issuer,
            &config.jwt_audience,
            config.access_token_ttl,
        );
        let stats = StatsCache::new(std::time::Duration::from_secs(config.stats_cache_secs));
        Ok(AppState {
            pools: Arc::new(pools),
            keys: Arc::new(keys),
            config: Arc::new(config),
            standing: Arc::default(),
            metrics: Arc::new(Metrics::new()?),
            stats: Arc::new(stats),
            security: SecurityEvents::start(pool.clone()),
            events: EventWatch::start(pool.clone()),
            clock: Clock::default(),
            pool,
        })
    }

    /// The state for the `n`-th worker: its own pool, the rest shared. A tokio-postgres
    /// connection is driven by a task on the thread that opened it; sharing one pool between
    /// workers made most queries hop to another thread and back (two wake-ups each).
    pub fn for_worker(&self, n: usize) -> AppState {
        AppState {
            pool: self.pools[n % self.pools.len()].clone(),
            ..self.clone()
        }
    }
}
