//! RFC 9457 `application/problem+json`: how a domain error reaches the client, and the problem
//! responses the OpenAPI document lists, grouped in reusable sets.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use utoipa::openapi::{self, Ref, RefOr};
use utoipa::{IntoResponses, ToResponse, ToSchema};

use crate::domain::error::{AppError, FieldError, RowError};
use crate::web::fields::MAX_FIELD_ERRORS;
use crate::web::language;
use crate::web::{messages, request_id};

/// The `errors` of a problem: bad fields of a body, or bad cells of an import file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProblemErrors {
    Fields(Vec<FieldError>),
    Cells(Vec<RowError>),
}

/// The RFC 9457 problem document every error response carries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The request's id, as in the `X-Request-Id` header.
    pub request_id: String,
    /// Every bad field (validation problems only): at most 50, the first by JSON path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<FieldError>>, max_items = 50)]
    pub errors: Option<ProblemErrors>,
}

trait ProblemKind {
    fn slug_and_title(&self) -> (&'static str, &'static str);
    fn public_detail(&self) -> String;
}

impl ProblemKind for AppError {
    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            AppError::BadRequest(_) => ("bad-request", "Bad request"),
            AppError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            AppError::Forbidden(_) => ("forbidden", "Forbidden"),
            AppError::NotFound(_) => ("not-found", "Not found"),
            AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            AppError::Conflict(_) | AppError::AlreadyAnswered => ("conflict", "Conflict"),
            AppError::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            AppError::PayloadTooLarge => ("payload-too-large", "Payload too large"),
            AppError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            AppError::Validation(_) => ("validation-error", "Validation failed"),
            AppError::ImportRejected(_) => ("import-rejected", "Import rejected"),
            AppError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            AppError::Unavailable(_) | AppError::Busy(_) => {
                ("service-unavailable", "Service unavailable")
            }
            AppError::Internal(_) => ("internal-error", "Internal server error"),
        }
    }

    fn public_detail(&self) -> String {
        match self {
            // The cause may hold SQL or internal names: the client gets a generic sentence.
            AppError::Unavailable(_) => "the database is unavailable; try again shortly".into(),
            AppError::Internal(_) => "an unexpected error occurred; it has been logged".into(),
            other => other.to_string(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::AlreadyAnswered => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) | AppError::ImportRejected(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let request_id = request_id::current();
        match self {
            AppError::Internal(cause) => {
                log::error!("request {request_id}: internal error: {cause}")
            }
            AppError::Unavailable(cause) => {
                log::warn!("request {request_id}: database unavailable: {cause}")
            }
            _ => {}
        }
        let (slug, title) = self.slug_and_title();
        let language = language::current();
        let problem = Problem {
            type_: format!("urn:liaison:problem:{slug}"),
            title: messages::title(slug, title, language),
            status: status.as_u16(),
            detail: messages::detail(slug, &self.public_detail(), language),
            request_id,
            errors: problem_errors(self, language),
        };
        let mut response = HttpResponse::build(status);
        response
            .content_type("application/problem+json")
            .insert_header((header::CONTENT_LANGUAGE, language.tag()))
            .insert_header((header::VARY, "Accept-Language"));
        match self {
            AppError::Unauthorized(why) => {
                response.insert_header((header::WWW_AUTHENTICATE, bearer_challenge(why)));
            }
            // RFC 6750 §3.1: the token is good, its holder's rights are not enough.
            AppError::Forbidden(_) => {
                let challenge = "Bearer realm=\"liaison\", error=\"insufficient_scope\"";
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            AppError::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            AppError::Busy(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// The `errors` of a validation or import problem, in the caller's language. However many a
/// check found, a problem lists at most the documented number.
fn problem_errors(error: &AppError, language: language::Language) -> Option<ProblemErrors> {
    match error {
        AppError::Validation(errors) => Some(ProblemErrors::Fields(
            errors
                .iter()
                .take(MAX_FIELD_ERRORS)
                .map(|e| messages::field(e, language))
                .collect(),
        )),
        AppError::ImportRejected(errors) => Some(ProblemErrors::Cells(
            errors.iter().map(|e| messages::cell(e, language)).collect(),
        )),
        _ => None,
    }
}

/// Why a request without any bearer token is refused.
pub const NO_TOKEN: &str = "a bearer token is required";

/// The RFC 6750 §3 challenge: a request without a token gets none of the error attributes, a
/// bad token gets `invalid_token` (the reasons are ASCII without quotes).
fn bearer_challenge(why: &str) -> String {
    if why == NO_TOKEN {
        "Bearer realm=\"liaison\"".into()
    } else {
        format!("Bearer realm=\"liaison\", error=\"invalid_token\", error_description=\"{why}\"")
    }
}

/// Malformed JSON or query string, unknown query parameter, bad cursor.
#[derive(ToResponse)]
#[response(
    description = "Malformed request",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct BadRequest(pub Problem);

/// No token, or a bad one.
#[derive(ToResponse)]
#[response(
    description = "Missing, invalid or expired token",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Bearer"), ("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct Unauthorized(pub Problem);

/// The caller's role or department may not do this.
#[derive(ToResponse)]
#[response(
    description = "Forbidden for this role or department",
    content_type = "application/problem+json",
    headers(
        ("WWW-Authenticate" = String, description = "Bearer, error=\"insufficient_scope\""),
        ("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers")
    )
)]
pub struct Forbidden(pub Problem);

/// Unknown id.
#[derive(ToResponse)]
#[response(
    description = "No such resource",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct NotFound(pub Problem);

/// Duplicate or not allowed in the current state.
#[derive(ToResponse)]
#[response(
    description = "Conflict",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct Conflict(pub Problem);

/// Stale `If-Match`.
#[derive(ToResponse)]
#[response(
    description = "The resource changed since it was read",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct PreconditionFailed(pub Problem);

/// Body over 1 MiB.
#[derive(ToResponse)]
#[response(
    description = "Body too large",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct PayloadTooLarge(pub Problem);

/// Not JSON.
#[derive(ToResponse)]
#[response(
    description = "Unsupported content type",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct UnsupportedMediaType(pub Problem);

/// The body parsed but has invalid fields.
#[derive(ToResponse)]
#[response(
    description = "Validation failed; `errors` lists every bad field",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct Unprocessable(pub Problem);

/// The problem document of a rejected import: `errors` lists every bad cell.
#[derive(serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ImportProblem {
    #[serde(rename = "type")]
    type_: String,
    title: String,
    status: u16,
    detail: String,
    request_id: String,
    /// The first 1,000 bad cells by row, then, where there were more, one `more_problems` item
    /// that counts them all.
    #[schema(max_items = 1001)]
    errors: Vec<RowError>,
}

/// An import file with bad cells.
#[derive(ToResponse)]
#[response(
    description = "The file has bad cells; nothing was written. `errors` lists each with its row and column",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct ImportRejected(pub ImportProblem);

/// The database is unreachable.
#[derive(ToResponse)]
#[response(
    description = "Database unavailable",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct Unavailable(pub Problem);

/// Anything unforeseen: logged with the request id, never shown (no SQL, no stack trace).
#[derive(ToResponse)]
#[response(
    description = "Unexpected error (logged with the request id)",
    content_type = "application/problem+json",
    headers(("Content-Language" = String, description = "`zh-CN` or `en`, as `Accept-Language` prefers"))
)]
pub struct ServerError(pub Problem);

/// A named set of problem responses: each status refers to the reusable response of that name,
/// so an operation lists its success responses and one set.
macro_rules! problem_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal => $response:ident),+ $(,)?) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
                [$(($status, stringify!($response))),+]
                    .into_iter()
                    .map(|(status, name)| {
                        (status.to_string(), RefOr::Ref(Ref::from_response_name(name)))
                    })
                    .collect()
            }
        }
    };
}

problem_set!(
    /// Any authenticated call: a malformed request, a missing or bad token.
    CallerErrors: "400" => BadRequest, "401" => Unauthorized
);
problem_set!(
    /// Reading one record (or a list under one): as any call, and an unknown id.
    ReadErrors: "400" => BadRequest, "401" => Unauthorized, "404" => NotFound
);
problem_set!(
    /// Reading a list: as any call, and a bad filter value.
    ListErrors: "400" => BadRequest, "401" => Unauthorized, "422" => Unprocessable
);
problem_set!(
    /// Creating a record: a role that may not, a duplicate, a bad body.
    CreateErrors: "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden,
    "409" => Conflict, "413" => PayloadTooLarge, "415" => UnsupportedMediaType,
    "422" => Unprocessable
);
problem_set!(
    /// Changing a record under `If-Match`: as a create, an unknown id, a stale version.
    UpdateErrors: "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden,
    "404" => NotFound, "409" => Conflict, "412" => PreconditionFailed,
    "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => Unprocessable
);
problem_set!(
    /// An action on a record (a transition, a record under it): as a create, an unknown id.
    ActionErrors: "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden,
    "404" => NotFound, "409" => Conflict, "413" => PayloadTooLarge,
    "415" => UnsupportedMediaType, "422" => Unprocessable
);
problem_set!(
    /// Removing a record under `If-Match`.
    DeleteErrors: "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden,
    "404" => NotFound, "412" => PreconditionFailed
);
