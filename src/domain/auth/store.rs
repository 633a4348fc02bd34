//! Refresh tokens: opaque, stored as SHA-256, rotated on every use. A family is one login;
//! presenting an already-used token revokes the whole family.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::secrets;
use crate::db::schema::refresh_tokens;

/// Issues a refresh token in `family_id` and returns it (shown once, stored hashed).
pub async fn issue_refresh_token(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    family_id: Uuid,
    ttl_secs: i64,
) -> QueryResult<String> {
    let token = secrets::random_secret();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::new_v4()),
            refresh_tokens::token_hash.eq(secrets::sha256(&token)),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::expires_at.eq(Utc::now() + chrono::Duration::seconds(ttl_secs)),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// The state of a stored refresh token.
#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
struct RefreshTokenRow {
    id: Uuid,
    family_id: Uuid,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// What presenting a refresh token led to.
pub enum Presented {
    /// Valid and now spent: its user and family.
    Fresh { user_id: Uuid, family_id: Uuid },
    /// Already used: the family has just been revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

/// Spends a refresh token (locking its row so two concurrent uses cannot both succeed).
/// Call inside a transaction that commits even for `Reused`, so the revocation sticks.
pub async fn spend(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Presented> {
    let row: Option<RefreshTokenRow> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(secrets::sha256(token)))
        .select(RefreshTokenRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(RefreshTokenRow {
        id,
        family_id,
        user_id,
        expires_at,
        used_at,
        revoked_at,
    }) = row
    else {
        return Ok(Presented::Invalid);
    };
    if revoked_at.is_some() || expires_at <= Utc::now() {
        return Ok(Presented::Invalid);
    }
    if used_at.is_some() {
        revoke_family(conn, family_id).await?;
        return Ok(Presented::Reused);
    }
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(Presented::Fresh { user_id, family_id })
}

/// Revokes every token of a login.
pub async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
}

/// Revokes the login a refresh token belongs to; returns its user when the token was known.
pub async fn revoke_login(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Option<Uuid>> {
    let row: Option<(Uuid, Uuid)> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(secrets::sha256(token)))
        .select((refresh_tokens::family_id, refresh_tokens::user_id))
        .first(conn)
        .await
        .optional()?;
    match row {
        Some((family_id, user_id)) => {
            revoke_family(conn, family_id).await?;
            Ok(Some(user_id))
        }
        None => Ok(None),
    }
}
