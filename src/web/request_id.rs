//! `X-Request-Id`: echoed when the client sent a sane one, generated otherwise, and available to
//! error rendering and the audit trail through a task-local.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

use crate::domain::audit;

/// Header carrying the request id both ways.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served (empty outside a request).
pub fn current() -> String {
    audit::current_request_id()
}

/// A client-sent id is kept when it is short printable ASCII; anything else is replaced.
fn acceptable(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| text.to_owned())
}

/// Middleware: assigns the id, runs the request inside its scope, sets the response header.
pub async fn assign(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(acceptable)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut res = audit::with_request_id(id.clone(), next.call(req)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    Ok(res)
}
