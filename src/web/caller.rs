//! The caller of a request: the [`Actor`] extractor, verified from the bearer token before the
//! handler runs. The token says who the caller is; its rights (roles, department, whether it
//! is enabled) come from the database (see [`crate::domain::auth::standing`]).

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, web};

use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult};
use crate::web::problem::NO_TOKEN;
use crate::web::state::AppState;

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Whether the request carries a bearer token this service signed and that has not expired
/// (checked without the database: the caller's standing is the extractor's to read).
pub fn has_valid_token(req: &HttpRequest) -> bool {
    let state = req.app_data::<web::Data<AppState>>();
    let token = bearer_token(req);
    state
        .zip(token)
        .is_some_and(|(state, token)| state.keys.verify(&token).is_some())
}

impl FromRequest for Actor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = AppResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let token = token.ok_or_else(|| AppError::Unauthorized(NO_TOKEN.into()))?;
            let claims = state
                .keys
                .verify(&token)
                .ok_or_else(|| AppError::Unauthorized("the token is invalid or expired".into()))?;
            let actor = state
                .standing
                .actor(&state.pool, claims.kind, claims.sub)
                .await?
                .ok_or_else(|| AppError::Unauthorized("this account is disabled".into()))?;
            // For `record_refusals`: who was refused, should the handler refuse.
            req.extensions_mut().insert(actor.clone());
            Ok(actor)
        })
    }
}

/// Middleware: a 403 for a known caller becomes an `access_denied` security event (the route,
/// the caller, the reason), written in the background.
pub async fn record_refusals(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let res = next.call(req).await?;
    if res.status() == StatusCode::FORBIDDEN {
        let request = res.request();
        let actor = request.extensions().get::<Actor>().cloned();
        if let (Some(actor), Some(state)) = (actor, request.app_data::<web::Data<AppState>>()) {
            let pattern = request
                .match_pattern()
                .unwrap_or_else(|| request.path().to_owned());
            let route = format!("{} {pattern}", request.method());
            let reason = res
                .response()
                .error()
                .map(|e| e.to_string())
                .unwrap_or_default();
            state.security.access_denied(&actor, &route, &reason);
        }
    }
    Ok(res)
}
