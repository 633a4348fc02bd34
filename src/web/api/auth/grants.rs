//! The grants of the token endpoint: password, refresh token (rotated, reuse ends the login),
//! client credentials.

use actix_web::HttpResponse;
use diesel_async::AsyncConnection;
use serde_json::json;

use super::{TokenRequest, TokenResponse, invalid_grant, invalid_request, token_ok};
use crate::domain::actor::{Actor, ActorKind, Role};
use crate::domain::audit::{self, AuditEntry};
use crate::domain::auth::store::{self, Presented};
use crate::domain::auth::{login, secrets, throttle};
use crate::domain::clients::store as clients;
use crate::domain::error::{AppError, AppResult};
use crate::domain::users::store as users;
use crate::domain::validation::canonical_username;
use crate::web::state::AppState;

pub(super) async fn password_grant(
    state: &AppState,
    form: TokenRequest,
    addr: &str,
) -> AppResult<HttpResponse> {
    let (Some(typed), Some(password)) = (form.username, form.password) else {
        return Ok(invalid_request("username and password are required"));
    };
    // Counted and looked up under one canonical form; what cannot be a username is counted
    // against the address only, and costs as much time as a real check.
    let username = canonical_username(&typed);
    let user = {
        let mut conn = state.pool.get().await?;
        throttle::admit(&mut conn, username.as_deref(), addr).await?;
        match &username {
            Some(name) => users::find_by_username(&mut conn, name).await?,
            None => None,
        }
    };
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = secrets::verify_password(password, hash).await?;
    let user = match user {
        Some(u) if verified && !u.disabled => u,
        _ => {
            state.security.login_failed(&typed, addr);
            return Ok(invalid_grant("invalid username or password"));
        }
    };
    let mut conn = state.pool.get().await?;
    let refresh_ttl = state.config.refresh_token_ttl;
    let actor = Actor {
        id: user.id,
        kind: ActorKind::User,
        department: user.department.clone(),
        roles: Role::parse_all(&user.roles),
    };
    let refresh_token = login::record_login(&mut conn, &actor, &user.username, refresh_ttl).await?;
    token_for(state, &actor, Some(refresh_token))
}

/// The token response for `actor`: a fresh access token, with the refresh token if one came.
fn token_for(
    state: &AppState,
    actor: &Actor,
    refresh_token: Option<String>,
) -> AppResult<HttpResponse> {
    let access_token = state
        .keys
        .issue(actor.id, actor.kind, &actor.department, &actor.roles)
        .map_err(AppError::internal)?;
    Ok(token_ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.keys.ttl_secs(),
        refresh_token,
    }))
}

/// The outcome of a refresh, decided inside the transaction and answered after it commits.
enum Refreshed {
    Issued { user: users::UserRow, token: String },
    Refused(&'static str),
}

pub(super) async fn refresh_grant(state: &AppState, form: TokenRequest) -> AppResult<HttpResponse> {
    let Some(presented) = form.refresh_token else {
        return Ok(invalid_request("refresh_token is required"));
    };
    let refresh_ttl = state.config.refresh_token_ttl;
    let mut conn = state.pool.get().await?;
    let outcome = conn
        .transaction(async move |conn| {
            Ok::<_, AppError>(match store::spend(conn, &presented).await? {
                Presented::Invalid => {
                    Refreshed::Refused("the refresh token is invalid, expired or revoked")
                }
                Presented::Reused => Refreshed::Refused(
                    "the refresh token was already used; the login has been revoked",
                ),
                Presented::Fresh { user_id, family_id } => {
                    let user = users::get(conn, user_id).await?;
                    if user.disabled {
                        Refreshed::Refused("this account is disabled")
                    } else {
                        let issued =
                            store::issue_refresh_token(conn, user_id, family_id, refresh_ttl)
                                .await?;
                        Refreshed::Issued {
                            user,
                            token: issued,
                        }
                    }
                }
            })
        })
        .await?;
    match outcome {
        Refreshed::Refused(why) => Ok(invalid_grant(why)),
        Refreshed::Issued {
            user,
            token: issued,
        } => {
            let actor = Actor {
                id: user.id,
                kind: ActorKind::User,
                roles: Role::parse_all(&user.roles),
                department: user.department,
            };
            token_for(state, &actor, Some(issued))
        }
    }
}

/// Issues a token to a client whose secret was verified.
pub(super) async fn client_grant(
    state: &AppState,
    client: clients::ClientRow,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let actor = Actor {
        id: client.id,
        kind: ActorKind::Client,
        department: client.department.clone(),
        roles: Role::parse_all(&client.roles),
    };
    audit::record(
        &mut conn,
        Some(&actor),
        AuditEntry {
            action: "login",
            entity: "client",
            entity_id: client.id.to_string(),
            changes: json!({}),
            data: None,
        },
    )
    .await?;
    token_for(state, &actor, None)
}
