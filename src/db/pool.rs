//! The deadpool pool of diesel-async connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};

use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

/// The shared pool.
pub type DbPool = Pool<AsyncPgConnection>;
/// One pooled connection.
pub type DbConn = Object<AsyncPgConnection>;

/// How long a request waits for a connection before it gets a 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// Counts the statements a pool's connections send (a test counts a request's queries with it).
#[derive(Debug, Clone, Default)]
pub struct QueryCounter(Arc<AtomicU64>);

impl QueryCounter {
    /// Statements sent so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Builds the pool. `Fast` recycling skips the `SELECT 1` ping on checkout (a third of the
/// throughput here); a broken connection surfaces as an error (503) and the pool drops it.
pub fn build_pool(url: &str, max_size: usize, statement_timeout_ms: u64) -> anyhow::Result<DbPool> {
    build_counted_pool(url, max_size, statement_timeout_ms, None)
}

/// The pool, with every connection's statements counted by `counter` when given.
pub fn build_counted_pool(
    url: &str,
    max_size: usize,
    statement_timeout_ms: u64,
    counter: Option<QueryCounter>,
) -> anyhow::Result<DbPool> {
    let mut manager_config = ManagerConfig::default();
    manager_config.recycling_method = RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        let counter = counter.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            if let Some(counter) = counter {
                conn.set_instrumentation(counter);
            }
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout_ms}; SET TIME ZONE 'UTC'"
            ))
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, manager_config);
    let pool = Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(CHECKOUT_TIMEOUT))
        .create_timeout(Some(CHECKOUT_TIMEOUT))
        .recycle_timeout(Some(CHECKOUT_TIMEOUT))
        .build()?;
    Ok(pool)
}
