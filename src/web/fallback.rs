//! Makes sure no error response is plain text: actix's own 404/405/413 and the like are
//! replaced by a problem document of the same status (headers such as `Allow` are kept).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ResourceDef;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError, web};
use utoipa::openapi::{OpenApi, PathItem};

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

/// The paths the API document lists, with their methods: a request that matched no route gets
/// 405 and `Allow` where its path is listed, 404 elsewhere.
pub struct KnownRoutes(Vec<(ResourceDef, String)>);

impl KnownRoutes {
    /// The routes of `document`.
    pub fn from_document(document: &OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| (ResourceDef::new(path.as_str()), allow_header(item)))
            .collect();
        KnownRoutes(routes)
    }

    /// The `Allow` value for `path`, when the document lists it.
    fn allowed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, allow)| allow.as_str())
    }
}

/// The methods of a path item, as an `Allow` header value.
fn allow_header(item: &PathItem) -> String {
    let methods = [
        ("GET", item.get.is_some()),
        ("PUT", item.put.is_some()),
        ("POST", item.post.is_some()),
        ("DELETE", item.delete.is_some()),
        ("PATCH", item.patch.is_some()),
    ];
    let listed: Vec<&str> = methods
        .iter()
        .filter(|(_, listed)| *listed)
        .map(|(m, _)| *m)
        .collect();
    listed.join(", ")
}

/// The default service: 405 with `Allow` for a listed path, 404 for any other.
pub async fn unmatched(req: HttpRequest, known: web::Data<KnownRoutes>) -> HttpResponse {
    match known.allowed(req.path()) {
        Some(allow) => {
            let mut response = AppError::MethodNotAllowed.error_response();
            if let Ok(value) = HeaderValue::from_str(allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        }
        None => AppError::NotFound("no such route".into()).error_response(),
    }
}
