//! The overview's running totals (migration 000012): triggers append deltas, and
//! [`compact`] folds them into one row per key so that the overview keeps reading a few hundred
//! rows however many writes there were.

use std::time::Duration;

use chrono::NaiveDate;
use diesel::sql_types::Date;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::DbPool;
use crate::db::clock::today_in_china;
use crate::domain::error::AppResult;

/// How often the server compacts. Between two compactions the overview also sums the deltas
/// written meanwhile: at a thousand writes a second, ten thousand small rows.
pub const COMPACT_EVERY: Duration = Duration::from_secs(10);

/// Folds the deltas of every running total. Safe while others write, and beside another
/// compaction (another server instance).
pub async fn compact(conn: &mut AsyncPgConnection, today: NaiveDate) -> AppResult<()> {
    diesel::sql_query("SELECT compact_overview_rollups($1)")
        .bind::<Date, _>(today)
        .execute(conn)
        .await?;
    Ok(())
}

/// Compacts every [`COMPACT_EVERY`] for as long as the server runs. A failure is logged and
/// retried next time: until then the overview stays right, only slower.
pub fn spawn_compaction(pool: DbPool) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(COMPACT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let result = match pool.get().await {
                Ok(mut conn) => compact(&mut conn, today_in_china()).await,
                Err(e) => Err(e.into()),
            };
            if let Err(e) = result {
                log::warn!("compacting the overview totals failed: {e}");
            }
        }
    });
}
