//! The `Actor` extractor: who is calling, verified from the bearer token before the handler runs.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Whether the caller is a person or another system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    Client,
}

impl ActorKind {
    /// The text stored in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Client => "client",
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub kind: ActorKind,
    pub department: String,
    pub roles: Vec<Role>,
}

impl Actor {
    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// 403 unless the caller is an admin.
    pub fn require_admin(&self) -> AppResult<()> {
        self.require_any(&[Role::Admin])
    }

    /// 403 unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> AppResult<()> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            Err(AppError::Forbidden("your role may not do this".into()))
        }
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Actor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = AppResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let token =
                token.ok_or_else(|| AppError::Unauthorized("a bearer token is required".into()))?;
            let claims = state
                .keys
                .verify(&token)
                .ok_or_else(|| AppError::Unauthorized("the token is invalid or expired".into()))?;
            if !state
                .standing
                .is_active(&state.pool, claims.kind, claims.sub)
                .await?
            {
                return Err(AppError::Unauthorized("this account is disabled".into()));
            }
            Ok(Actor {
                id: claims.sub,
                kind: claims.kind,
                department: claims.dept,
                roles: claims.roles,
            })
        })
    }
}
