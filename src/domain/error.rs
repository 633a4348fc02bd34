//! The domain's error: what went wrong, in terms of the rules (not found, forbidden, conflict,
//! invalid fields …), with no HTTP in it. The web layer renders it as an RFC 9457 problem
//! (`web::problem`); causes a client must not see (SQL, internal types) stay in `Internal`.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One bad field of a request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
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
    /// 503 with `Retry-After`: a bounded resource (password hashing, the importer) is taken.
    #[error("the server is busy ({0}); try again in a moment")]
    Busy(&'static str),
    #[error("internal error")]
    Internal(String),
    /// The request repeats one already answered (its `Idempotency-Key`): the web layer sends
    /// the stored answer instead (409 should it ever be rendered).
    #[error("this request was already answered; retry with the same Idempotency-Key")]
    AlreadyAnswered,
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
}

/// A query for one row whose absence is a 404 with a message naming what is missing:
/// `….first(conn).await.or_not_found("no such visit")`.
pub trait OrNotFound<T> {
    fn or_not_found(self, message: impl Into<String>) -> AppResult<T>;
}

impl<T> OrNotFound<T> for diesel::QueryResult<T> {
    fn or_not_found(self, message: impl Into<String>) -> AppResult<T> {
        self.map_err(|e| match e {
            DieselError::NotFound => AppError::NotFound(message.into()),
            other => other.into(),
        })
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
                // A safety net: every value is checked at the edge, but should one slip
                // through, what PostgreSQL cannot store is the caller's mistake, not a 500.
                _ if is_data_message(info.message()) => {
                    AppError::Validation(vec![FieldError::new(
                        info.column_name().unwrap_or(""),
                        "out_of_range",
                        "a value is outside what can be stored",
                    )])
                }
                _ => AppError::Internal(format!("database error: {}", info.message())),
            },
            DieselError::BrokenTransactionManager => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Messages of PostgreSQL's data exceptions (SQLSTATE classes 22 and 54): values out of range,
/// too long, badly encoded, or past a program limit.
fn is_data_message(message: &str) -> bool {
    const DATA: [&str; 8] = [
        "out of range",
        "invalid byte sequence",
        "invalid input syntax",
        "numeric field overflow",
        "character with value 0x00",
        "cannot be represented",
        "exceeds the maximum",
        "too long",
    ];
    DATA.iter().any(|m| message.contains(m))
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

/// The versions a change may apply to, from `If-Match` (RFC 9110 §13.1.1): one or more tags
/// the caller read; absent or `*`, any version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Expected {
    #[default]
    Any,
    OneOf(Vec<i32>),
}

impl Expected {
    /// Exactly this version.
    pub fn version(version: i32) -> Self {
        Expected::OneOf(vec![version])
    }
}

/// Checks the versions demanded by `If-Match` against the current one: a stale version is
/// `PreconditionFailed`.
pub fn check_version(expected: &Expected, current: i32) -> AppResult<()> {
    match expected {
        Expected::OneOf(versions) if !versions.contains(&current) => {
            Err(AppError::PreconditionFailed)
        }
        _ => Ok(()),
    }
}
