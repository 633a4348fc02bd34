//! Request bodies and query strings, with the contract's error rules:
//! wrong content type 415, over 1 MiB 413, malformed JSON 400, parsed but invalid 422 with every
//! bad field and its JSON path (see [`crate::web::fields`]), unknown query parameter 400.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;
use validator::Validate;

use crate::domain::error::{AppError, AppResult, FieldError};
use crate::domain::validation::date_out_of_range;
use crate::web::fields::{MAX_FIELD_ERRORS, typed_body};
use crate::web::idempotency::claim_for_body;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Reads a JSON body strictly and validates it.
async fn read_json<T: DeserializeOwned + Validate>(
    req: &HttpRequest,
    payload: Payload,
) -> AppResult<T> {
    if !is_json_content_type(req) {
        return Err(AppError::UnsupportedMediaType(
            "send the body as application/json".into(),
        ));
    }
    if declared_length(req).is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(AppError::PayloadTooLarge);
    }
    let bytes = read_limited(payload, MAX_BODY_BYTES).await?;
    claim_for_body(req, &bytes).await?;
    let value = parse_json(&bytes)?;
    let mut errors = Vec::new();
    find_bad_strings(&value, "", &mut errors);
    match typed_body::<T>(value) {
        Ok(parsed) if errors.is_empty() => Ok(parsed),
        Ok(_) => Err(AppError::Validation(errors)),
        Err(more) => {
            // One problem per field: the text's own (NUL, date range) wins.
            let named: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(more.into_iter().filter(|e| !named.contains(&e.field)));
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(AppError::Validation(errors))
        }
    }
}

/// A JSON request body, read only when the handler asks for it: after the role check, so that
/// a caller who may never make the request gets 403 whatever the body.
pub struct JsonBody {
    req: HttpRequest,
    payload: Payload,
}

impl JsonBody {
    /// Reads and validates the body as `T` (see [`read_json`]).
    pub async fn read<T: DeserializeOwned + Validate>(self) -> AppResult<T> {
        read_json(&self.req, self.payload).await
    }

    /// As [`JsonBody::read`], for a body that may be left out (no content type, no length).
    pub async fn read_optional<T: DeserializeOwned + Validate>(self) -> AppResult<Option<T>> {
        let headers = self.req.headers();
        let declared = headers.contains_key(header::CONTENT_TYPE)
            || headers
                .get(header::CONTENT_LENGTH)
                .is_some_and(|n| n.as_bytes() != b"0");
        if !declared {
            return Ok(None);
        }
        read_json(&self.req, self.payload).await.map(Some)
    }
}

impl FromRequest for JsonBody {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<Self>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(JsonBody {
            req: req.clone(),
            payload: payload.take(),
        }))
    }
}

/// Whether the request declares a JSON content type (`application/json`, `…+json`).
pub fn is_json_content_type(req: &HttpRequest) -> bool {
    content_type(req).is_some_and(|ct| ct == "application/json" || ct.ends_with("+json"))
}

/// The media type of the request, lower case, without parameters.
pub fn content_type(req: &HttpRequest) -> Option<String> {
    let raw = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        raw.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Reads the whole body (or one part of a multipart body), refusing more than `limit` bytes
/// (413).
pub async fn read_limited<E>(
    mut payload: impl futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    limit: usize,
) -> AppResult<web::Bytes> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| AppError::BadRequest("the request body could not be read".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses JSON text; a syntax error is a 400 naming the position. (Its strings are checked by
/// [`find_bad_strings`], with the body's other problems.)
pub fn parse_json(bytes: &[u8]) -> AppResult<Value> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::BadRequest(format!(
            "malformed JSON at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    Ok(value)
}

/// What no text anywhere may be: containing NUL (PostgreSQL cannot store it), or a date
/// outside the business range.
pub fn text_problem(text: &str) -> Option<(&'static str, &'static str)> {
    if text.contains('\0') {
        return Some(("nul_character", "text may not contain NUL characters"));
    }
    date_out_of_range(text).map(|message| ("out_of_range", message))
}

/// Every string of a body that breaks [`text_problem`], with its path (the first
/// [`MAX_FIELD_ERRORS`]: a body of bad dates must not make a problem of thousands of items).
fn find_bad_strings(value: &Value, path: &str, out: &mut Vec<FieldError>) {
    if out.len() >= MAX_FIELD_ERRORS {
        return;
    }
    match value {
        Value::String(s) => {
            if let Some((code, message)) = text_problem(s) {
                out.push(FieldError::new(path, code, message));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_bad_strings(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                find_bad_strings(item, &child, out);
            }
        }
        _ => {}
    }
}

/// A strict query string: unknown parameters and malformed values are 400.
pub struct StrictQuery<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for StrictQuery<T> {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()))
    }
}

/// A query string's name–value pairs, decoded; a malformed one is 400.
pub fn query_pairs(query: &str) -> AppResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(query)
        .map_err(|e| AppError::BadRequest(format!("invalid query string: {e}")))
}

/// Parses a query string strictly. NUL is refused up front: PostgreSQL cannot compare text with it.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> AppResult<StrictQuery<T>> {
    let pairs = query_pairs(query)?;
    if let Some((name, _)) = pairs
        .iter()
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
    {
        return Err(AppError::BadRequest(format!(
            "query parameter `{}` contains a NUL character",
            name.replace('\0', "")
        )));
    }
    let parsed = serde_urlencoded::from_str::<T>(query)
        .map_err(|e| AppError::BadRequest(format!("invalid query string: {e}")))?;
    // Known parameters only (an unknown one is 400 above): a date out of range is 422.
    if let Some((name, message)) = pairs
        .iter()
        .find_map(|(name, value)| Some((name, date_out_of_range(value)?)))
    {
        return Err(AppError::invalid(name, "out_of_range", message));
    }
    Ok(StrictQuery(parsed))
}

/// Splits the parameters named in `names` off a query string: the part they make and the rest,
/// each still a query string. (A list's page or an export's format, apart from its filter.)
pub fn split_query(query: &str, names: &[&str]) -> AppResult<(String, String)> {
    let bad =
        |e: &dyn std::fmt::Display| AppError::BadRequest(format!("invalid query string: {e}"));
    let (taken, rest): (Vec<_>, Vec<_>) = query_pairs(query)?
        .into_iter()
        .partition(|(name, _)| names.contains(&name.as_str()));
    let encode =
        |pairs: &[(String, String)]| serde_urlencoded::to_string(pairs).map_err(|e| bad(&e));
    Ok((encode(&taken)?, encode(&rest)?))
}

/// The filter of a list that has none (its query takes only the page's parameters).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filter {
        #[allow(dead_code)]
        q: Option<String>,
    }

    #[test]
    fn nul_in_a_query_is_a_bad_request() {
        assert!(parse_query::<Filter>("q=%E8%B5%A3").is_ok());
        assert!(matches!(
            parse_query::<Filter>("q=a%00b"),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse_query::<Filter>("other=1"),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn nul_and_dates_out_of_range_are_found_with_their_paths() {
        let value = parse_json(br#"{"a": [{"b": "x\u0000"}], "c": "0001-01-01"}"#).ok();
        let mut errors = Vec::new();
        find_bad_strings(&value.unwrap_or_default(), "", &mut errors);
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(found, [("a[0].b", "nul_character"), ("c", "out_of_range")]);
        assert!(matches!(parse_json(b"{"), Err(AppError::BadRequest(_))));
    }
}
