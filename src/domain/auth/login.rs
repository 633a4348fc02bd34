//! A successful password login: the failure count reset, a new refresh-token family, and the
//! `login` audit event, in one transaction.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::{store, throttle};
use crate::domain::actor::Actor;
use crate::domain::audit::{self, AuditEntry};
use crate::domain::error::{AppError, AppResult};

/// Records the login of `actor` (whose username is `username`) and returns its new refresh
/// token, valid for `refresh_ttl` seconds.
pub async fn record_login(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    username: &str,
    refresh_ttl: i64,
) -> AppResult<String> {
    conn.transaction(async move |conn| {
        throttle::reset(conn, username).await?;
        let issued =
            store::issue_refresh_token(conn, actor.id, Uuid::new_v4(), refresh_ttl).await?;
        let entry = AuditEntry {
            action: "login",
            entity: "user",
            entity_id: actor.id.to_string(),
            changes: json!({}),
            data: None,
        };
        audit::record(conn, Some(actor), entry).await?;
        Ok::<_, AppError>(issued)
    })
    .await
}
