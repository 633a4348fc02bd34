//! Waiting for the event feed to grow, for `GET /events?wait=`: one poller per server instance
//! reads the newest visible event position (one indexed row) while anyone waits, and wakes the
//! waiters when it moves. A waiter holds no database connection while it waits, and events
//! written by another instance wake it too.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::db::DbPool;
use crate::domain::events::feed;
use crate::domain::events::model::Position;

/// How often the poller looks while someone waits.
const POLL_EVERY: Duration = Duration::from_millis(200);

/// The newest event position, as last seen.
pub struct EventWatch {
    newest: watch::Sender<Option<Position>>,
}

impl EventWatch {
    /// Starts the poller on the current runtime; it reads only while someone waits.
    pub fn start(pool: DbPool) -> Arc<EventWatch> {
        let watch = Arc::new(EventWatch {
            newest: watch::Sender::new(None),
        });
        let weak = Arc::downgrade(&watch);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(POLL_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let Some(watch) = weak.upgrade() else { return };
                if watch.newest.receiver_count() == 0 {
                    continue;
                }
                match poll(&pool).await {
                    Ok(newest) => {
                        watch.newest.send_if_modified(|seen| {
                            let moved = *seen != newest;
                            *seen = newest;
                            moved
                        });
                    }
                    Err(e) => log::warn!("watching the event feed failed: {e}"),
                }
            }
        });
        watch
    }

    /// The newest position seen so far (none before anyone waited).
    pub fn seen(&self) -> Option<Position> {
        *self.newest.borrow()
    }

    /// Waits up to `max` for an event newer than `seen`; whether one came.
    pub async fn wait_past(&self, seen: Option<Position>, max: Duration) -> bool {
        let mut rx = self.newest.subscribe();
        let newer = rx.wait_for(|newest| *newest > seen);
        matches!(tokio::time::timeout(max, newer).await, Ok(Ok(_)))
    }
}

async fn poll(pool: &DbPool) -> anyhow::Result<Option<Position>> {
    let mut conn = pool.get().await?;
    Ok(feed::newest(&mut conn).await?)
}
