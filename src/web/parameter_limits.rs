//! The query and header parameters the document declares for each operation, enforced from the
//! document itself, so that what a client reads is what it meets — before any handler runs:
//! - an `/api/` operation refuses a query parameter it does not declare (400), so a handler
//!   that takes no query parameters needs no extractor to say so;
//! - a query value longer than its `maxLength` is 422 on that parameter, a longer header 400.
//!
//! On an operation that needs a token, a request without a valid one is left to the handler,
//! so that it is 401 first, as the contract orders.

use std::collections::HashMap;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use serde_json::Value;

use crate::domain::error::AppError;
use crate::web::body::query_pairs;
use crate::web::caller::has_valid_token;

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Query,
    Header,
}

/// One parameter's longest value, in characters.
#[derive(Debug, Clone)]
struct Limit {
    name: String,
    place: Place,
    max: usize,
}

/// What the document declares of one operation's parameters.
#[derive(Debug)]
struct Declared {
    /// Every query parameter's name.
    query: Vec<String>,
    /// The parameters with a longest value.
    limits: Vec<Limit>,
    /// Whether it is open to callers without a token (`security: []`).
    public: bool,
    /// Whether a query parameter it does not declare is refused (the `/api/` operations; the
    /// probes and the document ignore what they are sent).
    strict_query: bool,
}

/// The declared parameters of each operation, by its path pattern and method (`GET`, …).
pub struct ParameterLimits(HashMap<(String, String), Declared>);

impl ParameterLimits {
    /// The limits of `document` (the OpenAPI document as JSON).
    pub fn from_document(document: &Value) -> Self {
        let mut operations = HashMap::new();
        let paths = document["paths"].as_object().into_iter().flatten();
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let parameters = operation["parameters"].as_array().into_iter().flatten();
                let declared = Declared {
                    query: parameters
                        .clone()
                        .filter(|p| p["in"] == "query")
                        .filter_map(|p| Some(p["name"].as_str()?.to_owned()))
                        .collect(),
                    limits: parameters.filter_map(limit_of).collect(),
                    public: operation["security"].as_array().is_some_and(Vec::is_empty),
                    strict_query: path.starts_with("/api/"),
                };
                operations.insert((path.clone(), method.to_uppercase()), declared);
            }
        }
        ParameterLimits(operations)
    }

    /// What the document declares of the request's operation.
    fn of(&self, req: &ServiceRequest) -> Option<&Declared> {
        let pattern = req.match_pattern()?;
        self.0.get(&(pattern, req.method().as_str().to_owned()))
    }
}

impl Declared {
    /// The first parameter of the request the operation does not declare, or the first over
    /// its limit, as the error it gets.
    fn violation(&self, req: &ServiceRequest) -> Option<AppError> {
        let query = match query_pairs(req.query_string()) {
            Ok(pairs) => pairs,
            Err(error) if self.strict_query => return Some(error),
            Err(_) => Vec::new(),
        };
        if self.strict_query {
            let unknown = query.iter().find(|(name, _)| !self.query.contains(name));
            if let Some((name, _)) = unknown {
                let name = name.replace('\0', "");
                return Some(AppError::BadRequest(format!(
                    "unknown query parameter `{name}`"
                )));
            }
        }
        self.limits.iter().find_map(|limit| match limit.place {
            Place::Query => query
                .iter()
                .find(|(name, value)| *name == limit.name && value.chars().count() > limit.max)
                .map(|_| {
                    let message = format!("at most {} characters", limit.max);
                    AppError::invalid(&limit.name, "too_long", &message)
                }),
            Place::Header => req
                .headers()
                .get(limit.name.as_str())
                .filter(|value| value.len() > limit.max)
                .map(|_| {
                    AppError::BadRequest(format!(
                        "the {} header is longer than {} characters",
                        limit.name, limit.max
                    ))
                }),
        })
    }
}

/// A parameter's limit, when it is sent in the query or a header and declares one.
fn limit_of(parameter: &Value) -> Option<Limit> {
    let place = match parameter["in"].as_str()? {
        "query" => Place::Query,
        "header" => Place::Header,
        _ => return None,
    };
    Some(Limit {
        name: parameter["name"].as_str()?.to_owned(),
        place,
        max: usize::try_from(parameter["schema"]["maxLength"].as_u64()?).ok()?,
    })
}

/// Middleware: refuses a request with a query parameter its operation does not declare, or a
/// parameter over its limit (on an operation that needs a token, only when a valid one came).
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let refusal = req
        .app_data::<web::Data<ParameterLimits>>()
        .and_then(|limits| limits.of(&req))
        .and_then(|declared| {
            let error = declared.violation(&req)?;
            (declared.public || has_valid_token(req.request())).then_some(error)
        });
    if let Some(error) = refusal {
        let (req, _) = req.into_parts();
        let response = error.error_response().map_into_right_body();
        return Ok(ServiceResponse::new(req, response));
    }
    Ok(next.call(req).await?.map_into_left_body())
}
