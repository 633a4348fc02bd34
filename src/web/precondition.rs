//! Optimistic concurrency: `ETag: "<version>"` and `If-Match`.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;
use utoipa::IntoParams;

use crate::domain::error::{AppError, AppResult, Expected};
use crate::web::conditional::entity_tags;

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
    // Not compressed: the ETag stays the version a client sends back in `If-Match`.
    builder
        .insert_header(etag(version))
        .insert_header(header::ContentEncoding::Identity)
        .json(resource)
}

/// The `If-Match` header of a change: the versions the caller last read (see
/// [`if_match_versions`]); any version when absent or `*`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// ETag of the version being changed (a list of them, or `*`)
    #[param(rename = "If-Match", value_type = Option<String>)]
    pub version: Expected,
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(IfMatch {
            version: if_match_versions(req),
        }))
    }
}

/// The versions `If-Match` names. `*` matches any version. A weak tag (`W/"3"`) or a value that
/// is not one of our ETags never matches (If-Match compares strongly, RFC 9110 §13.1.1): the
/// request gets 412 where a stale one would (after 404 and validation), not before. The tag of
/// a compressed representation (`"3-gzip"`, see [`crate::web::conditional`]) names its version.
pub fn if_match_versions(req: &HttpRequest) -> Expected {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Expected::Any;
    };
    let text = value.to_str().unwrap_or("not-an-etag").trim();
    // An empty header says nothing: treated as absent.
    if text == "*" || text.is_empty() {
        return Expected::Any;
    }
    let versions = entity_tags(text).filter_map(strong_version).collect();
    Expected::OneOf(versions)
}

/// The version a strong tag of ours names.
fn strong_version(tag: &str) -> Option<i32> {
    let opaque = tag.strip_prefix('"')?.strip_suffix('"')?;
    let version = ["-gzip", "-br", "-zstd"]
        .iter()
        .find_map(|coding| opaque.strip_suffix(coding))
        .unwrap_or(opaque);
    version.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::check_version;
    use actix_web::test::TestRequest;

    fn versions(value: &str) -> Expected {
        let req = TestRequest::default()
            .insert_header(("If-Match", value))
            .to_http_request();
        if_match_versions(&req)
    }

    #[test]
    fn if_match_values() {
        assert_eq!(versions("\"3\""), Expected::version(3));
        assert_eq!(versions("\"3-br\""), Expected::version(3));
        assert_eq!(versions("*"), Expected::Any);
        let absent = TestRequest::default().to_http_request();
        assert_eq!(if_match_versions(&absent), Expected::Any);
        assert_eq!(versions("\"2\", \"5\""), Expected::OneOf(vec![2, 5]));
        assert!(check_version(&versions("\"2\", \"5\""), 5).is_ok());
        // A weak tag compares strongly: never.
        assert!(check_version(&versions("W/\"3\""), 3).is_err());
        // Garbage never matches, but is reported where a stale version would be.
        assert!(check_version(&versions("null"), 1).is_err());
        assert!(check_version(&Expected::version(1), 1).is_ok());
    }
}
