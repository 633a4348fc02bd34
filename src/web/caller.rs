//! The caller of a request: the [`Actor`] extractor, verified from the bearer token before the
//! handler runs. The token says who the caller is; its rights (roles, department, whether it
//! is enabled) come from the database (see [`crate::domain::auth::standing`]).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult};
use crate::web::state::AppState;

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
            state
                .standing
                .actor(&state.pool, claims.kind, claims.sub)
                .await?
                .ok_or_else(|| AppError::Unauthorized("this account is disabled".into()))
        })
    }
}
