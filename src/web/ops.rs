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
///
/// Liveness for probes and load balancers: answers without touching the database, and needs no
/// token.
#[utoipa::path(tag = "operations", security(), responses((status = 200, body = HealthStatus)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
    })
}

/// The database answers (503 when it does not).
///
/// Readiness for probes: one query on a pooled connection; a replica that cannot reach
/// PostgreSQL is taken out of rotation by the 503. No token needed.
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
