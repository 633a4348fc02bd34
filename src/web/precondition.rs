//! Optimistic concurrency: `ETag: "<version>"` and `If-Match`.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;
use utoipa::IntoParams;

use crate::domain::error::{AppError, AppResult};

/// The ETag value for a version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// A 200 response with a resource and its ETag.
pub fn current<T: Serialize>(version: i32, resource: &T) -> HttpResponse {
    tagged(HttpResponse::Ok(), version, resource)
}

/// A 201 response with the new resource, its `Location` and its ETag.
pub fn created<T: Serialize>(location: String, version: i32, resource: &T) -> HttpResponse {
    let mut builder = HttpResponse::Created();
    builder.insert_header((header::LOCATION, location));
    tagged(builder, version, resource)
}

fn tagged<T: Serialize>(
    mut builder: HttpResponseBuilder,
    version: i32,
    resource: &T,
) -> HttpResponse {
    builder.insert_header(etag(version)).json(resource)
}

/// The `If-Match` header of a change: the version the caller last read (see
/// [`if_match_version`]); `None` when absent or `*`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// ETag of the version being changed
    #[param(rename = "If-Match", value_type = Option<String>)]
    pub version: Option<i32>,
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(if_match_version(req).map(|version| IfMatch { version }))
    }
}

/// The version demanded by `If-Match`, if any. `*` matches any version. A value that is not
/// one of our ETags can never match: it yields a version no resource has, so the request gets
/// 412 where a stale one would (after 404 and validation), not before.
pub fn if_match_version(req: &HttpRequest) -> AppResult<Option<i32>> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("not-an-etag").trim();
    // An empty header says nothing: treated as absent.
    if text == "*" || text.is_empty() {
        return Ok(None);
    }
    let version = text
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i32>()
        .unwrap_or(i32::MIN);
    Ok(Some(version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::check_version;
    use actix_web::test::TestRequest;

    fn version(value: &str) -> Option<i32> {
        let req = TestRequest::default()
            .insert_header(("If-Match", value))
            .to_http_request();
        if_match_version(&req).ok().flatten()
    }

    #[test]
    fn if_match_values() {
        assert_eq!(version("\"3\""), Some(3));
        assert_eq!(version("W/\"3\""), Some(3));
        assert_eq!(version("*"), None);
        assert_eq!(
            if_match_version(&TestRequest::default().to_http_request()).ok(),
            Some(None)
        );
        // Garbage never matches, but is reported where a stale version would be.
        assert!(check_version(version("null"), 1).is_err());
        assert!(check_version(Some(1), 1).is_ok());
    }
}
