//! The longest value the document allows each query and header parameter, enforced from the
//! document itself, so that the limit a client reads is the limit it meets: a longer query
//! value is 422 on that parameter, a longer header 400 — before any handler runs.

use std::collections::HashMap;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use serde_json::Value;

use crate::domain::error::AppError;

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

/// The limited parameters of each operation, by its path pattern and method (`GET`, …).
pub struct ParameterLimits(HashMap<(String, String), Vec<Limit>>);

impl ParameterLimits {
    /// The limits of `document` (the OpenAPI document as JSON).
    pub fn from_document(document: &Value) -> Self {
        let mut operations = HashMap::new();
        let paths = document["paths"].as_object().into_iter().flatten();
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let limits = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(limit_of)
                    .collect();
                operations.insert((path.clone(), method.to_uppercase()), limits);
            }
        }
        ParameterLimits(operations)
    }

    /// The first parameter of the request over its limit, as the error it gets.
    fn violation(&self, req: &ServiceRequest) -> Option<AppError> {
        let pattern = req.match_pattern()?;
        let limits = self.0.get(&(pattern, req.method().as_str().to_owned()))?;
        // Read only where a query parameter is limited.
        let query: Vec<(String, String)> = match limits.iter().any(|l| l.place == Place::Query) {
            true => serde_urlencoded::from_str(req.query_string()).unwrap_or_default(),
            false => Vec::new(),
        };
        limits.iter().find_map(|limit| match limit.place {
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

/// Middleware: refuses a request with a parameter over its limit.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let refusal = req
        .app_data::<web::Data<ParameterLimits>>()
        .and_then(|limits| limits.violation(&req));
    if let Some(error) = refusal {
        let (req, _) = req.into_parts();
        let response = error.error_response().map_into_right_body();
        return Ok(ServiceResponse::new(req, response));
    }
    Ok(next.call(req).await?.map_into_left_body())
}
