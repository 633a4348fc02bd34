//! What every handler shares: the pool, the token keys, the config, the standing cache.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::auth::standing::StandingCache;
use crate::config::Config;
use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::stats::cache::StatsCache;

/// Application state, built once and shared by every worker.
pub struct AppState {
    pub pool: DbPool,
    pub keys: JwtKeys,
    pub config: Arc<Config>,
    pub standing: StandingCache,
    pub metrics: Metrics,
    /// Recently computed statistics.
    pub stats: StatsCache,
}

impl AppState {
    /// State over a pool, with keys made from `jwt_secret`.
    pub fn new(pool: DbPool, config: Config, jwt_secret: &[u8]) -> anyhow::Result<Self> {
        let keys = JwtKeys::new(
            jwt_secret,
            &config.jwt_issuer,
            &config.jwt_audience,
            config.access_token_ttl,
        );
        let stats = StatsCache::new(std::time::Duration::from_secs(config.stats_cache_secs));
        Ok(AppState {
            pool,
            keys,
            config: Arc::new(config),
            standing: StandingCache::default(),
            metrics: Metrics::new()?,
            stats,
        })
    }
}
