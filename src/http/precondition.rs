//! Optimistic concurrency: `ETag: "<version>"` and `If-Match`.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::{AppError, AppResult};

/// The ETag value for a version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The version demanded by `If-Match`, if any. `*` matches any version. A value that is not one
/// of our ETags can never match: 412.
pub fn if_match_version(req: &HttpRequest) -> AppResult<Option<i32>> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| AppError::PreconditionFailed)?
        .trim();
    // An empty header says nothing: treated as absent.
    if text == "*" || text.is_empty() {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i32>()
        .map(Some)
        .map_err(|_| AppError::PreconditionFailed)
}

/// Checks a demanded version against the current one.
pub fn check_version(expected: Option<i32>, current: i32) -> AppResult<()> {
    match expected {
        Some(v) if v != current => Err(AppError::PreconditionFailed),
        _ => Ok(()),
    }
}
