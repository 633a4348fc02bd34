//! Makes sure no error response is plain text: actix's own 404/405/413 and the like are
//! replaced by a problem document of the same status (headers such as `Allow` are kept).

use actix_web::Error;
use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;

use crate::domain::error::AppError;

/// Middleware: rewrites non-JSON error responses into problem documents.
pub async fn problem_for_plain_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    if status.as_u16() < 400 || is_json {
        return Ok(res);
    }
    let error = match status {
        StatusCode::NOT_FOUND => AppError::NotFound("no such resource".into()),
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMediaType("unsupported content type".into())
        }
        s if s.is_server_error() => AppError::internal(format!("unhandled {s}")),
        _ => AppError::BadRequest("the request could not be understood".into()),
    };
    let (req, old) = res.into_parts();
    let mut new = error.error_response();
    // Keep informative headers such as Allow and Retry-After.
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    *new.status_mut() = status;
    Ok(ServiceResponse::new(req, new))
}
