//! `POST /api/v1/auth/token` (OAuth 2.0: password, refresh_token, client_credentials; form or
//! JSON), `POST /api/v1/auth/revoke` (RFC 7009) and `GET /api/v1/me`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::actor::{Actor, ActorKind, Role};
use crate::domain::audit::{self, AuditEntry};
use crate::domain::auth::store;
use crate::domain::clients::store as clients;
use crate::domain::error::{AppError, AppResult};
use crate::domain::users::store as users;
use crate::web::body::{MAX_BODY_BYTES, content_type, read_limited};
use crate::web::problem::{CallerErrors, PayloadTooLarge, UnsupportedMediaType};
use crate::web::state::AppState;

mod client_auth;
mod grants;

use client_auth::ClientRefusal;

/// Token request. Parameters this server does not use (`code`, `redirect_uri`, …) are ignored,
/// as RFC 6749 §3.2 says.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `password`, `refresh_token` or `client_credentials`.
    #[schema(max_length = 64)]
    pub grant_type: String,
    #[schema(max_length = 256)]
    pub username: Option<String>,
    #[schema(write_only, max_length = 1024)]
    pub password: Option<String>,
    #[schema(max_length = 512)]
    pub refresh_token: Option<String>,
    #[schema(max_length = 64)]
    pub client_id: Option<String>,
    #[schema(write_only, max_length = 512)]
    pub client_secret: Option<String>,
    /// Accepted and ignored: a token carries the roles of its user or client.
    #[schema(max_length = 1024)]
    pub scope: Option<String>,
}

impl TokenRequest {
    /// The first field longer than the document allows (refused before any work).
    fn overlong(&self) -> Option<&'static str> {
        let fields = [
            ("grant_type", Some(&self.grant_type), 64),
            ("username", self.username.as_ref(), 256),
            ("password", self.password.as_ref(), 1024),
            ("refresh_token", self.refresh_token.as_ref(), 512),
            ("client_id", self.client_id.as_ref(), 64),
            ("client_secret", self.client_secret.as_ref(), 512),
            ("scope", self.scope.as_ref(), 1024),
        ];
        fields
            .into_iter()
            .find(|(_, value, max)| value.is_some_and(|v| v.chars().count() > *max))
            .map(|(name, _, _)| name)
    }
}

/// A successful token response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// For the password and refresh_token grants; spent on use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// The OAuth 2.0 error codes this server answers (RFC 6749 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidGrant,
    InvalidClient,
    UnsupportedGrantType,
}

/// An OAuth 2.0 error (RFC 6749 §5.2).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OAuthError {
    pub error: OAuthErrorCode,
    pub error_description: String,
}

/// Revocation request (RFC 7009). Parameters this server does not use are ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// The refresh token whose login ends.
    #[schema(max_length = 512)]
    pub token: String,
    #[schema(max_length = 64)]
    pub token_type_hint: Option<String>,
    /// A public client naming itself; with `client_secret`, a client proving itself.
    #[schema(max_length = 64)]
    pub client_id: Option<String>,
    #[schema(write_only, max_length = 512)]
    pub client_secret: Option<String>,
}

impl RevokeRequest {
    /// Whether a parameter is longer than the document allows (refused before any work).
    fn overlong(&self) -> bool {
        let longer = |value: Option<&String>, max: usize| value.is_some_and(|v| v.len() > max);
        longer(Some(&self.token), 512)
            || longer(self.token_type_hint.as_ref(), 64)
            || longer(self.client_id.as_ref(), 64)
            || longer(self.client_secret.as_ref(), 512)
    }
}

/// The caller.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub kind: ActorKind,
    /// For users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// For clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub department: String,
    pub roles: Vec<Role>,
}

fn oauth_error(status: StatusCode, error: OAuthErrorCode, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"liaison\""));
    }
    response.json(OAuthError {
        error,
        error_description: description.into(),
    })
}

fn invalid_request(description: &str) -> HttpResponse {
    oauth_error(
        StatusCode::BAD_REQUEST,
        OAuthErrorCode::InvalidRequest,
        description,
    )
}

fn invalid_grant(description: &str) -> HttpResponse {
    oauth_error(
        StatusCode::BAD_REQUEST,
        OAuthErrorCode::InvalidGrant,
        description,
    )
}

fn token_ok(body: TokenResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

/// Parses a form-encoded or JSON body; other content types are 415.
async fn parse_form_or_json<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> AppResult<Result<T, String>> {
    let ct = content_type(req).unwrap_or_default();
    let is_form = ct == "application/x-www-form-urlencoded";
    let is_json = ct == "application/json";
    if !is_form && !is_json {
        return Err(AppError::UnsupportedMediaType(
            "send application/x-www-form-urlencoded or application/json".into(),
        ));
    }
    let bytes = read_limited(payload.into_inner(), MAX_BODY_BYTES).await?;
    Ok(if is_form {
        serde_urlencoded::from_bytes(&bytes).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    })
}

fn client_address(req: &HttpRequest) -> String {
    // The peer address, not X-Forwarded-For: that header is the client's to forge.
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Issues tokens (OAuth 2.0 token endpoint). No bearer token needed.
#[utoipa::path(
    tag = "auth",
    security(),
    request_body(
        content = TokenRequest,
        content_type = "application/x-www-form-urlencoded",
        description = "Form fields (RFC 6749); the same fields as a JSON object are accepted too",
    ),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "invalid_request, invalid_grant or unsupported_grant_type", body = OAuthError),
        (status = 401, description = "invalid_client", body = OAuthError),
        (status = 429, description = "Too many failed logins", body = crate::web::problem::Problem,
            content_type = "application/problem+json", headers(("Retry-After" = u64))),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let mut form: TokenRequest = match parse_form_or_json(&req, payload).await? {
        Ok(form) => form,
        Err(e) => return Ok(invalid_request(&format!("malformed token request: {e}"))),
    };
    if let Some(field) = form.overlong() {
        return Ok(invalid_request(&format!(
            "`{field}` is longer than allowed"
        )));
    }
    if !matches!(
        form.grant_type.as_str(),
        "password" | "refresh_token" | "client_credentials"
    ) {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            OAuthErrorCode::UnsupportedGrantType,
            "use password, refresh_token or client_credentials",
        ));
    }
    let addr = client_address(&req);
    // A secret, when sent, is checked whatever the grant.
    let (id, secret) = (form.client_id.take(), form.client_secret.take());
    let verified = match client_auth::client_of(&state, &req, &addr, id, secret).await? {
        Ok(verified) => verified,
        Err(refusal) => return Ok(refused(refusal)),
    };
    match (form.grant_type.as_str(), verified) {
        ("password", _) => grants::password_grant(&state, form, &addr).await,
        ("refresh_token", _) => grants::refresh_grant(&state, form).await,
        (_, Some(client)) => grants::client_grant(&state, client).await,
        (_, None) => Ok(oauth_error(
            StatusCode::UNAUTHORIZED,
            OAuthErrorCode::InvalidClient,
            "client_id and client_secret are required",
        )),
    }
}

/// The OAuth error for a refused client.
fn refused(refusal: ClientRefusal) -> HttpResponse {
    match refusal {
        ClientRefusal::TwoMethods => {
            invalid_request("authenticate the client one way: HTTP Basic or form fields")
        }
        ClientRefusal::Invalid => oauth_error(
            StatusCode::UNAUTHORIZED,
            OAuthErrorCode::InvalidClient,
            "unknown client or wrong secret",
        ),
    }
}

/// Ends the login a refresh token belongs to (RFC 7009: 200 even for an unknown token).
///
/// The refresh token and the ones rotated from it stop working; access tokens already issued
/// run out on their own (15 minutes by default). A client secret, when sent, is verified.
#[utoipa::path(
    tag = "auth",
    security(),
    request_body(
        content = RevokeRequest,
        content_type = "application/x-www-form-urlencoded",
        description = "Form fields (RFC 7009); the same fields as a JSON object are accepted too",
    ),
    responses(
        (status = 200, description = "Revoked (or was not a live token)"),
        (status = 400, description = "invalid_request", body = OAuthError),
        (status = 401, description = "invalid_client: a client secret was sent and is wrong",
            body = OAuthError),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
#[post("/auth/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let mut form: RevokeRequest = match parse_form_or_json(&req, payload).await? {
        Ok(form) => form,
        Err(e) => {
            return Ok(invalid_request(&format!(
                "malformed revocation request: {e}"
            )));
        }
    };
    if form.overlong() {
        return Ok(invalid_request("a parameter is longer than allowed"));
    }
    let (id, secret) = (form.client_id.take(), form.client_secret.take());
    let addr = client_address(&req);
    if let Err(refusal) = client_auth::client_of(&state, &req, &addr, id, secret).await? {
        return Ok(refused(refusal));
    }
    let mut conn = state.pool.get().await?;
    conn.transaction(async move |conn| {
        if let Some(user_id) = store::revoke_login(conn, &form.token).await? {
            audit::record(
                conn,
                None,
                AuditEntry {
                    action: "logout",
                    entity: "user",
                    entity_id: user_id.to_string(),
                    changes: json!({}),
                    data: None,
                },
            )
            .await?;
        }
        Ok::<_, AppError>(())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// Who the caller is. Any authenticated caller.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = Me),
        CallerErrors,
    ),
)]
#[get("/me")]
pub async fn me(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let me = match actor.kind {
        ActorKind::User => {
            let u = users::get(&mut conn, actor.id).await?;
            Me {
                id: u.id,
                kind: ActorKind::User,
                username: Some(u.username),
                name: None,
                display_name: u.display_name,
                department: u.department,
                roles: Role::parse_all(&u.roles),
            }
        }
        ActorKind::Client => {
            let c = clients::get(&mut conn, actor.id).await?;
            Me {
                id: c.id,
                kind: ActorKind::Client,
                username: None,
                name: Some(c.name),
                display_name: None,
                department: c.department,
                roles: Role::parse_all(&c.roles),
            }
        }
    };
    Ok(HttpResponse::Ok().json(me))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(token).service(revoke).service(me);
}
