//! Supervision (督办): the server's own checks, run every minute inside `serve`. A demand past
//! its due date is announced once (`demand.overdue`); one overdue for `escalate_after_days` is
//! escalated (level 1, then 2 at twice the days: `demand.escalated`); an active enterprise not
//! visited for `unvisited_days` is announced once per lapse (`enterprise.unvisited`).
//!
//! A run is one transaction under an advisory lock: with several server instances one runs at
//! a time, and what a run has announced is marked in the same transaction, so that running it
//! twice announces nothing twice.

pub mod demands;
pub mod enterprises;

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::db::DbPool;
use crate::db::clock::{Clock, china_day};
use crate::domain::error::AppResult;

/// The advisory lock key of a supervision run.
const LOCK_KEY: i64 = 74_280_017;

/// At most this many records of each kind per run (the rest follow a minute later).
pub const BATCH: i64 = 500;

/// The days the checks count.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub escalate_after_days: i64,
    pub unvisited_days: i64,
}

/// What one run announced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub overdue: usize,
    pub escalated: usize,
    pub unvisited: usize,
}

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// One run at `now`; `None` when another instance holds the lock.
pub async fn run(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    rules: Rules,
) -> AppResult<Option<Report>> {
    conn.transaction(async move |conn| {
        let lock: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
            .bind::<diesel::sql_types::BigInt, _>(LOCK_KEY)
            .get_result(conn)
            .await?;
        if !lock.locked {
            return Ok(None);
        }
        let today = china_day(now);
        Ok(Some(Report {
            overdue: demands::announce_overdue(conn, today).await?,
            escalated: demands::escalate(conn, now, rules.escalate_after_days).await?,
            unvisited: enterprises::announce_unvisited(conn, today, rules.unvisited_days).await?,
        }))
    })
    .await
}

/// Runs every `every` for as long as the server runs, on `pool` (a connection of its own). A
/// failure is logged and retried at the next tick.
pub fn spawn(pool: DbPool, clock: Clock, rules: Rules, every: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let result = match pool.get().await {
                Ok(mut conn) => run(&mut conn, clock.now(), rules).await,
                Err(e) => Err(e.into()),
            };
            match result {
                Ok(Some(r)) if r != Report::default() => log::info!("supervision: {r:?}"),
                Ok(_) => {}
                Err(e) => log::warn!("supervision failed: {e}"),
            }
        }
    });
}
