//! A short-lived cache of computed statistics, with one computation at a time: when sixty-four
//! dashboards ask for the overview at once, the database computes it once and the others wait
//! for that answer instead of piling up on the pool. Statistics may be `LIAISON_STATS_CACHE_SECS`
//! old (10 s by default; 0 computes every request).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use tokio::sync::Mutex;

use crate::domain::error::AppResult;

/// A response body of `value`, for the cache.
fn json_bytes(value: &impl serde::Serialize) -> Bytes {
    serde_json::to_vec(value).unwrap_or_default().into()
}

impl StatsCache {
    /// The JSON response for `key`: fresh from the cache, else what `compute` returns.
    pub async fn json<T: serde::Serialize>(
        &self,
        key: String,
        compute: impl AsyncFnOnce() -> AppResult<T>,
    ) -> AppResult<actix_web::HttpResponse> {
        let body = self
            .get_or_compute(key, async || Ok(json_bytes(&compute().await?)))
            .await?;
        Ok(actix_web::HttpResponse::Ok()
            .content_type("application/json")
            .body(body))
    }
}

/// Computed answers by key (path and query), with when they were computed.
pub struct StatsCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Bytes)>>,
}

impl StatsCache {
    pub fn new(ttl: Duration) -> Self {
        StatsCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached answer for `key` if it is fresh, else `compute`'s (kept for next time).
    /// Computations are serialized by the lock, so concurrent requests share one.
    pub async fn get_or_compute(
        &self,
        key: String,
        compute: impl AsyncFnOnce() -> AppResult<Bytes>,
    ) -> AppResult<Bytes> {
        let mut entries = self.entries.lock().await;
        if let Some((at, body)) = entries.get(&key)
            && at.elapsed() < self.ttl
        {
            return Ok(body.clone());
        }
        let body = compute().await?;
        if !self.ttl.is_zero() {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            entries.insert(key, (Instant::now(), body.clone()));
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn fresh_answers_are_shared_and_zero_ttl_always_computes() {
        let runs = Cell::new(0);
        let compute = || async {
            runs.set(runs.get() + 1);
            Ok(Bytes::from_static(b"{}"))
        };
        let cache = StatsCache::new(Duration::from_secs(60));
        cache.get_or_compute("a".into(), compute).await.unwrap();
        cache.get_or_compute("a".into(), compute).await.unwrap();
        assert_eq!(runs.get(), 1);
        cache.get_or_compute("b".into(), compute).await.unwrap();
        assert_eq!(runs.get(), 2);
        let uncached = StatsCache::new(Duration::ZERO);
        uncached.get_or_compute("a".into(), compute).await.unwrap();
        uncached.get_or_compute("a".into(), compute).await.unwrap();
        assert_eq!(runs.get(), 4);
    }
}
