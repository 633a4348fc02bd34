//! Throttling of failed logins, kept in PostgreSQL so that it holds across replicas:
//! after 10 failures for one username within 15 minutes, or 100 from one client address,
//! further attempts get 429 until the window passes. A success resets the username's count.
//!
//! The check and the count are one step ([`admit`]): an attempt is counted as a failure before
//! its password is checked (a success takes it back), under a lock per username and address,
//! so N concurrent wrong attempts count N and the eleventh gets 429.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::db::schema::login_failures;
use crate::domain::error::{AppError, AppResult};

/// Length of the counting window.
pub const WINDOW: chrono::Duration = chrono::Duration::minutes(15);
/// Failures per username within the window before attempts are refused.
pub const PER_USERNAME: i64 = 10;
/// Failures per client address within the window before attempts are refused.
pub const PER_ADDRESS: i64 = 100;

diesel::define_sql_function!(fn lower(x: Nullable<Text>) -> Nullable<Text>);

/// Admits one login attempt for the canonical `username` (`None`: not a possible username)
/// from `addr`: 429 when either has used up its failures, else the attempt is counted.
/// Returns the attempt's id, for [`forgive`].
pub async fn admit(
    conn: &mut AsyncPgConnection,
    username: Option<&str>,
    addr: &str,
) -> AppResult<i64> {
    conn.transaction(async move |conn| {
        // Always username first, then address: no two attempts wait on each other in a cycle.
        if let Some(username) = username {
            lock(conn, &format!("login:user:{username}")).await?;
        }
        lock(conn, &format!("login:addr:{addr}")).await?;
        check(conn, username, addr).await?;
        Ok::<_, AppError>(record_failure(conn, username, addr).await?)
    })
    .await
}

/// A lock held until the transaction ends, named by `key`.
async fn lock(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(key)
        .execute(conn)
        .await
        .map(|_| ())
}

/// 429 when the username or the address has used up its failures. `Retry-After` is the time
/// until the oldest failure that keeps the count at the limit leaves the window.
async fn check(conn: &mut AsyncPgConnection, username: Option<&str>, addr: &str) -> AppResult<()> {
    let since = Utc::now() - WINDOW;
    if let Some(username) = username {
        let limiting: Option<DateTime<Utc>> = login_failures::table
            .filter(lower(login_failures::username).eq(username.to_lowercase()))
            .filter(login_failures::at.gt(since))
            .select(login_failures::at)
            .order(login_failures::at.desc())
            .offset(PER_USERNAME - 1)
            .first(conn)
            .await
            .optional()?;
        refuse_until(limiting)?;
    }
    let limiting: Option<DateTime<Utc>> = login_failures::table
        .filter(login_failures::client_addr.eq(addr))
        .filter(login_failures::at.gt(since))
        .select(login_failures::at)
        .order(login_failures::at.desc())
        .offset(PER_ADDRESS - 1)
        .first(conn)
        .await
        .optional()?;
    refuse_until(limiting)
}

fn refuse_until(limiting: Option<DateTime<Utc>>) -> AppResult<()> {
    match limiting {
        Some(at) => {
            let wait = (at + WINDOW - Utc::now()).num_seconds().max(1) as u64;
            Err(AppError::TooManyRequests {
                retry_after_secs: wait,
            })
        }
        None => Ok(()),
    }
}

/// Records an attempt as failed.
async fn record_failure(
    conn: &mut AsyncPgConnection,
    username: Option<&str>,
    addr: &str,
) -> QueryResult<i64> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::username.eq(username),
            login_failures::client_addr.eq(addr),
        ))
        .returning(login_failures::id)
        .get_result(conn)
        .await
}

/// Takes back an admitted attempt that succeeded (a system's client-credentials grant).
pub async fn forgive(conn: &mut AsyncPgConnection, attempt: i64) -> QueryResult<()> {
    diesel::delete(login_failures::table.find(attempt))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Forgets a username's failures after a successful login.
pub async fn reset(conn: &mut AsyncPgConnection, username: &str) -> QueryResult<()> {
    diesel::delete(
        login_failures::table.filter(lower(login_failures::username).eq(username.to_lowercase())),
    )
    .execute(conn)
    .await
    .map(|_| ())
}
