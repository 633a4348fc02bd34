//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//! Causes that a client must not see (SQL, internal types) are logged, never returned.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::request_id;

/// One bad field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `roles[1]` or `demands[0].category`.
    pub field: String,
    /// Machine-readable reason, e.g. `required`, `invalid`, `unknown_field`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// One bad cell of an import file.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RowError {
    /// The row as a spreadsheet numbers it: the header is row 1, the first data row 2.
    pub row: u64,
    /// The column's header, e.g. `统一社会信用代码` (empty when the whole row is at fault).
    pub column: String,
    /// Machine-readable reason, e.g. `invalid_checksum`, `unknown_column`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// The `errors` of a problem: bad fields of a body, or bad cells of an import file.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ProblemErrors {
    Fields(Vec<FieldError>),
    Cells(Vec<RowError>),
}

/// The RFC 9457 problem document every error response carries.
#[derive(Debug, Serialize, ToSchema)]
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
    /// Every bad field (validation problems only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<FieldError>>)]
    pub errors: Option<ProblemErrors>,
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("the resource has changed since it was read (If-Match does not match)")]
    PreconditionFailed,
    #[error("the request body is too large: JSON bodies take at most 1 MiB, import files 32 MiB")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("the file has bad cells; nothing was imported")]
    ImportRejected(Vec<RowError>),
    #[error("too many failed logins; try again later")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("the database is unavailable; try again shortly")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

/// Result of handlers and stores.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A 422 for one field.
    pub fn invalid(field: &str, code: &str, message: &str) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A 500 whose cause is logged, not shown.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        AppError::Internal(cause.to_string())
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            AppError::BadRequest(_) => ("bad-request", "Bad request"),
            AppError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            AppError::Forbidden(_) => ("forbidden", "Forbidden"),
            AppError::NotFound(_) => ("not-found", "Not found"),
            AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            AppError::Conflict(_) => ("conflict", "Conflict"),
            AppError::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            AppError::PayloadTooLarge => ("payload-too-large", "Payload too large"),
            AppError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            AppError::Validation(_) => ("validation-error", "Validation failed"),
            AppError::ImportRejected(_) => ("import-rejected", "Import rejected"),
            AppError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            AppError::Unavailable(_) => ("service-unavailable", "Service unavailable"),
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
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) | AppError::ImportRejected(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
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
        let problem = Problem {
            type_: format!("urn:liaison:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: self.public_detail(),
            request_id,
            errors: match self {
                AppError::Validation(errors) => Some(ProblemErrors::Fields(errors.clone())),
                AppError::ImportRejected(errors) => Some(ProblemErrors::Cells(errors.clone())),
                _ => None,
            },
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        match self {
            AppError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"liaison\""));
            }
            AppError::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => AppError::NotFound("no such resource".into()),
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => {
                    AppError::Conflict(match info.constraint_name() {
                        Some(name) => {
                            format!("a record with the same value already exists ({name})")
                        }
                        None => "a record with the same value already exists".into(),
                    })
                }
                DatabaseErrorKind::ForeignKeyViolation => {
                    AppError::Validation(vec![FieldError::new(
                        info.column_name().unwrap_or(""),
                        "unknown_reference",
                        "refers to a record that does not exist",
                    )])
                }
                DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                    AppError::Validation(vec![FieldError::new(
                        info.column_name().unwrap_or(""),
                        "invalid",
                        "the value is not allowed",
                    )])
                }
                DatabaseErrorKind::SerializationFailure => {
                    AppError::Conflict("a concurrent change got there first; retry".into())
                }
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    AppError::Unavailable(info.message().to_owned())
                }
                _ if is_outage_message(info.message()) => {
                    AppError::Unavailable(info.message().to_owned())
                }
                _ => AppError::Internal(format!("database error: {}", info.message())),
            },
            DieselError::BrokenTransactionManager => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Messages PostgreSQL sends when it is going away or overloaded rather than when the query is
/// wrong: the client should retry (503), not report a bug (500).
fn is_outage_message(message: &str) -> bool {
    const OUTAGE: [&str; 5] = [
        "statement timeout",
        "terminating connection",
        "connection closed",
        "the database system is",
        "server closed the connection",
    ];
    OUTAGE.iter().any(|m| message.contains(m))
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        flatten_validation("", &errors, &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        AppError::Validation(out)
    }
}

/// Turns validator's nested errors into a flat list with JSON paths.
fn flatten_validation(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_deref()
                        .map(str::to_owned)
                        .unwrap_or_else(|| format!("fails the `{}` rule", e.code));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten_validation(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}
