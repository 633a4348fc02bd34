//! Throttling of failed logins, kept in PostgreSQL so that it holds across replicas:
//! after 10 failures for one username within 15 minutes, or 100 from one client address,
//! further attempts get 429 until the window passes. A success resets the username's count.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::login_failures;
use crate::domain::error::{AppError, AppResult};

/// Length of the counting window.
pub const WINDOW: chrono::Duration = chrono::Duration::minutes(15);
/// Failures per username within the window before attempts are refused.
pub const PER_USERNAME: i64 = 10;
/// Failures per client address within the window before attempts are refused.
pub const PER_ADDRESS: i64 = 100;

diesel::define_sql_function!(fn lower(x: Nullable<Text>) -> Nullable<Text>);

/// 429 when the username or the address has used up its failures. `Retry-After` is the time
/// until the oldest failure that keeps the count at the limit leaves the window.
pub async fn check(
    conn: &mut AsyncPgConnection,
    username: Option<&str>,
    addr: &str,
) -> AppResult<()> {
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

/// Records a failed attempt.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    username: Option<&str>,
    addr: &str,
) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::username.eq(username),
            login_failures::client_addr.eq(addr),
        ))
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
