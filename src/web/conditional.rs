//! HEAD and conditional GET (RFC 9110 §9.3.2, §13.1.2): HEAD is served as GET without its
//! content; a GET whose `ETag` the caller already holds (`If-None-Match`) is 304 Not Modified.
//!
//! Compression (the `Compress` middleware inside this one) changes the bytes, so a compressed
//! response's strong ETag carries its coding (`"…-br"`), as RFC 9110 §8.8.3.3 asks. API
//! resources, whose ETag is their version and goes back in `If-Match`, are never compressed
//! (see [`crate::web::precondition`]): they are small, and their ETag stays `"<version>"`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

/// Middleware: HEAD as GET, the coding in a compressed response's ETag, and 304.
pub async fn conditional<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let is_get = req.method() == Method::GET;
    let held = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut res = next.call(req).await?;
    tag_coding(res.headers_mut());
    let unchanged = is_get
        && res.status() == StatusCode::OK
        && held.is_some_and(|held| none_match_fails(&held, res.headers()));
    if unchanged {
        let (req, full) = res.into_parts();
        let not_modified = not_modified(full.headers());
        return Ok(ServiceResponse::new(req, not_modified).map_into_right_body());
    }
    if head
        && matches!(
            res.response().body().size(),
            actix_web::body::BodySize::Stream
        )
    {
        // A streamed body (an export) is not produced for HEAD at all.
        let (req, full) = res.into_parts();
        let mut empty = HttpResponse::build(full.status());
        for (name, value) in full.headers() {
            empty.append_header((name.clone(), value.clone()));
        }
        let response = empty.body(actix_web::body::None::new());
        return Ok(ServiceResponse::new(req, response).map_into_right_body());
    }
    Ok(res.map_into_left_body())
}

/// Drops the `Content-Encoding: identity` that keeps `Compress` off a response, and adds the
/// coding of a compressed one to its ETag.
fn tag_coding(headers: &mut HeaderMap) {
    let coding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match coding.as_deref() {
        None => {}
        Some("identity") => {
            headers.remove(header::CONTENT_ENCODING);
        }
        Some(coding) => {
            let tagged = headers
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .and_then(|tag| tag.strip_suffix('"'))
                .and_then(|open| HeaderValue::from_str(&format!("{open}-{coding}\"")).ok());
            if let Some(tagged) = tagged {
                headers.insert(header::ETAG, tagged);
            }
        }
    }
}

/// Whether `If-None-Match` (a list of tags, or `*`) names the response's ETag, compared
/// weakly (RFC 9110 §13.1.2): the condition fails and the answer is 304.
fn none_match_fails(held: &str, headers: &HeaderMap) -> bool {
    let Some(current) = headers.get(header::ETAG).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let current = opaque(current);
    held.trim() == "*" || entity_tags(held).any(|tag| opaque(tag) == current)
}

/// The entity tags of a list header (`"a", W/"b"`); a comma inside quotes does not split.
pub fn entity_tags(list: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    list.split(move |c| {
        if c == '"' {
            quoted = !quoted;
        }
        c == ',' && !quoted
    })
    .map(str::trim)
    .filter(|tag| !tag.is_empty())
}

/// 304 with the fields a 200 would have carried that RFC 9110 §15.4.5 keeps.
fn not_modified(full: &HeaderMap) -> HttpResponse {
    let mut response = HttpResponse::NotModified();
    let kept = [
        header::ETAG,
        header::CACHE_CONTROL,
        header::CONTENT_LOCATION,
        header::EXPIRES,
        header::VARY,
    ];
    for name in kept {
        for value in full.get_all(&name) {
            response.append_header((name.clone(), value.clone()));
        }
    }
    response.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_etag(tag: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ETAG, HeaderValue::from_str(tag).unwrap());
        headers
    }

    #[test]
    fn if_none_match_compares_weakly_over_a_list() {
        let headers = with_etag("\"7\"");
        assert!(none_match_fails("\"7\"", &headers));
        assert!(none_match_fails("W/\"7\"", &headers));
        assert!(none_match_fails("\"3\", \"7\"", &headers));
        assert!(none_match_fails("*", &headers));
        assert!(!none_match_fails("\"8\"", &headers));
        assert!(!none_match_fails("\"7-br\"", &headers));
        assert!(!none_match_fails("\"7\"", &HeaderMap::new()));
    }

    #[test]
    fn a_compressed_tag_carries_its_coding() {
        let mut headers = with_etag("\"abc\"");
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        tag_coding(&mut headers);
        assert_eq!(headers.get(header::ETAG).unwrap(), "\"abc-br\"");
        let mut kept = with_etag("\"5\"");
        kept.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        tag_coding(&mut kept);
        assert_eq!(kept.get(header::ETAG).unwrap(), "\"5\"");
        assert!(kept.get(header::CONTENT_ENCODING).is_none());
    }

    #[test]
    fn commas_inside_quotes_do_not_split() {
        let tags: Vec<&str> = entity_tags("\"a,b\", W/\"c\" ,").collect();
        assert_eq!(tags, ["\"a,b\"", "W/\"c\""]);
    }
}
