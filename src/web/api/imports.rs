//! `POST /api/v1/imports/enterprises` (admin): the body is the file itself.

use actix_web::post;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult};
use crate::domain::exports::XLSX_MEDIA_TYPE;
use crate::domain::imports::enterprises::{ImportOutcome, import};
use crate::domain::imports::limits;
use crate::domain::imports::sheet::{self, Sheet};
use crate::web::body::{StrictQuery, content_type, declared_length, read_limited};
use crate::web::problem::{
    CallerErrors, Forbidden, ImportRejected, PayloadTooLarge, UnsupportedMediaType,
};
use crate::web::state::AppState;

/// Query of the import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check the file and report what would happen, write nothing.
    pub dry_run: Option<bool>,
}

/// Imports enterprises from CSV or XLSX with the enterprise export's columns: upsert by credit
/// code, all rows or none. Columns left out of the file keep their stored values; the contact,
/// update-time and id columns are ignored. Admin only.
#[utoipa::path(
    tag = "imports", params(ImportQuery),
    request_body(content(
        (String = "text/csv", example = "统一社会信用代码,企业名称,行政区划代码,行业类别,企业规模,牵头部门\n91360100MA35F0A13F,江西赣安应急装备有限公司,360100,rescue_disposal,medium,gxw\n"),
        (crate::web::problem::BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    responses(
        (status = 200, description = "Every row was valid (and, unless `dry_run`, written)", body = ImportOutcome),
        CallerErrors,
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ImportRejected),
    ),
)]
#[post("/imports/enterprises")]
pub async fn import_enterprises(
    actor: Actor,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    query: StrictQuery<ImportQuery>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let xlsx = match content_type(&req).as_deref() {
        Some("text/csv") => false,
        Some(XLSX_MEDIA_TYPE) => true,
        _ => {
            return Err(AppError::UnsupportedMediaType(format!(
                "send the file as text/csv or {XLSX_MEDIA_TYPE}"
            )));
        }
    };
    // One import at a time: its parsing and its transaction are the heaviest work there is.
    let _slot = limits::import_slot().await?;
    let limit = state.config.import_max_bytes;
    if declared_length(&req).is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge);
    }
    let bytes = read_limited(payload.into_inner(), limit).await?;
    // Parsing a large file is CPU work: off the async executor.
    let parsed: Result<Sheet, _> = web::block(move || {
        if xlsx {
            sheet::read_xlsx(bytes.to_vec())
        } else {
            sheet::read_csv(&bytes)
        }
    })
    .await
    .map_err(AppError::internal)?;
    let sheet = parsed.map_err(|e| AppError::ImportRejected(vec![e]))?;
    let mut conn = state.pool.get().await?;
    let outcome = import(&mut conn, &actor, sheet, query.0.dry_run.unwrap_or(false)).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(import_enterprises);
}
