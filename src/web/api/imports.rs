//! `POST /api/v1/imports/enterprises` (admin): the file as a browser form upload
//! (`multipart/form-data`) or as the body itself; CSV or XLSX, told apart by content.

use actix_multipart::Multipart;
use actix_web::post;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
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

/// The form upload: the file in its `file` part (any part with a file name will do).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The CSV or XLSX file.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// Content types a file is sent under, raw: what browsers call `.csv` and `.xlsx` files
/// (Windows labels a `.csv` `application/vnd.ms-excel`).
const RAW_FILE_TYPES: [&str; 6] = [
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/octet-stream",
    XLSX_MEDIA_TYPE,
];

/// Imports enterprises from CSV or XLSX with the enterprise export's columns: upsert by credit
/// code, all rows or none. Columns left out of the file keep their stored values; the contact,
/// update-time and id columns are ignored. The file comes as a form upload (`multipart/form-data`,
/// its `file` part) or as the raw body; CSV and XLSX are told apart by content. Admin only.
#[utoipa::path(
    tag = "imports", params(ImportQuery),
    request_body(content(
        (ImportUpload = "multipart/form-data"),
        (String = "text/csv", example = "统一社会信用代码,企业名称,行政区划代码,行业类别,企业规模,牵头部门\n91360100MA35F0A13F,江西赣安应急装备有限公司,360100,rescue_disposal,medium,gxw\n"),
        (crate::web::download::files::BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
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
    let form = match content_type(&req).as_deref() {
        Some("multipart/form-data") => true,
        Some(raw) if RAW_FILE_TYPES.contains(&raw) => false,
        _ => {
            return Err(AppError::UnsupportedMediaType(format!(
                "send the file as a form upload (multipart/form-data), text/csv or {XLSX_MEDIA_TYPE}"
            )));
        }
    };
    // One import at a time: its parsing and its transaction are the heaviest work there is.
    let _slot = limits::import_slot().await?;
    let limit = state.config.import_max_bytes;
    if declared_length(&req).is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge);
    }
    let bytes = match form {
        true => file_part(&req, payload, limit).await?,
        false => read_limited(payload.into_inner(), limit).await?,
    };
    let sheet = parse(bytes).await?;
    let mut conn = state.pool.get().await?;
    let outcome = import(&mut conn, &actor, sheet, query.0.dry_run.unwrap_or(false)).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// The file of a form upload: its `file` part, or the first part with a file name. The parts
/// before it count against the same limit, and a form has at most 16 parts.
async fn file_part(req: &HttpRequest, payload: web::Payload, limit: usize) -> AppResult<Bytes> {
    let unreadable = |_| AppError::BadRequest("the form upload could not be read".into());
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    let mut left = limit;
    for _ in 0..16 {
        let Some(part) = form.next().await else { break };
        let part = part.map_err(unreadable)?;
        let named_file = part.name() == Some("file")
            || part
                .content_disposition()
                .is_some_and(|d| d.get_filename().is_some());
        if named_file {
            return read_limited(part, left).await;
        }
        left -= read_limited(part, left).await?.len();
    }
    Err(AppError::BadRequest(
        "the form upload has no file part (name it `file`)".into(),
    ))
}

/// The file's rows: an XLSX file is a zip archive (it starts `PK`), anything else is read as
/// CSV (whose first row is Chinese column names, never `PK`). Parsing a large file is CPU work: off the async executor.
async fn parse(bytes: Bytes) -> AppResult<Sheet> {
    let parsed: Result<Sheet, _> = web::block(move || {
        if bytes.starts_with(b"PK") {
            sheet::read_xlsx(bytes.to_vec())
        } else {
            sheet::read_csv(&bytes)
        }
    })
    .await
    .map_err(AppError::internal)?;
    parsed.map_err(|e| AppError::ImportRejected(vec![e]))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(import_enterprises);
}
