//! Validators and caching for what is the same for every caller: `/openapi.json` and the Swagger
//! UI files under `/docs/`. Each gets a strong ETag from its bytes, so a browser revalidates with
//! `If-None-Match` and gets 304 (see [`crate::web::conditional`]); the Swagger UI bundles, which
//! change only with the binary, are cached for a week.

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// How the shared documents are cached: the page and the API document are revalidated on every
/// use (they say which API this server speaks); the bundles are kept.
fn cache_control(path: &str) -> Option<&'static str> {
    let bundle = [".js", ".css", ".png"]
        .iter()
        .any(|end| path.ends_with(end));
    match path {
        "/openapi.json" => Some("no-cache"),
        "/docs/swagger-initializer.js" => Some("no-cache"),
        p if p.starts_with("/docs/") && bundle => Some("public, max-age=604800, immutable"),
        p if p.starts_with("/docs/") => Some("no-cache"),
        _ => None,
    }
}

/// Middleware: an ETag and `Cache-Control` on the shared documents.
pub async fn shared_documents(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let policy = cache_control(req.path());
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(policy) = policy.filter(|_| res.status() == StatusCode::OK) else {
        return Ok(res);
    };
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(streamed) => return Ok(ServiceResponse::new(req, head.set_body(streamed))),
    };
    let tag = tag_of(req.path(), &bytes);
    let mut response = head.set_body(BoxBody::new(bytes));
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.insert(header::ETAG, tag);
    Ok(ServiceResponse::new(req, response))
}

/// The ETag of a shared document: a hash of its bytes, computed once per path (the documents
/// are fixed for the life of the process; the Swagger bundle alone is 1.4 MB to hash).
fn tag_of(path: &str, bytes: &[u8]) -> HeaderValue {
    static TAGS: LazyLock<Mutex<HashMap<String, HeaderValue>>> = LazyLock::new(Default::default);
    let mut tags = TAGS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    tags.entry(path.to_owned())
        .or_insert_with(|| {
            let digest = Sha256::digest(bytes);
            let tag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..12]));
            HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
        })
        .clone()
}
