//! Operations endpoints (no token): liveness, readiness.

use actix_web::get;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use diesel_async::SimpleAsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::error::{AppError, AppResult};
use crate::web::state::AppState;

/// Health or readiness.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HealthStatus {
    /// `ok`.
    pub status: String,
}

/// The process is up.
#[utoipa::path(tag = "operations", security(), responses((status = 200, body = HealthStatus)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    })
}

/// The database answers (503 when it does not).
#[utoipa::path(
    tag = "operations",
    security(),
    responses((status = 200, body = HealthStatus), (status = 503, response = crate::web::problem::Unavailable))
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let check = async {
        let mut conn = state.pool.get().await?;
        conn.batch_execute("SELECT 1").await.map_err(AppError::from)
    };
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(HealthStatus {
            status: "ok".into(),
        })),
        Ok(Err(e)) => Err(AppError::Unavailable(e.to_string())),
        Err(_) => Err(AppError::Unavailable("readiness check timed out".into())),
    }
}
