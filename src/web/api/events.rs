//! `GET /api/v1/events`: the feed of committed changes, oldest first, for every role.

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult, FieldError};
use crate::domain::events::feed::{self, FeedFilter};
use crate::domain::events::model::{Event, EventType, Position};
use crate::web::body::StrictQuery;
use crate::web::pagination::checked_limit;
use crate::web::problem::ListErrors;
use crate::web::state::AppState;

/// The longest `wait`, in seconds.
const MAX_WAIT_SECS: u64 = 30;

/// The feed's query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// `next_cursor` of the previous page (an event id); absent: from the first event.
    #[param(max_length = 32, min_length = 32, pattern = "^[0-9a-f]{32}$")]
    pub after: Option<String>,
    /// Only these types, comma-separated (`demand.raised,demand.escalated`).
    #[param(max_length = 1000, pattern = r"^[a-z_]+\.[a-z_]+(,[a-z_]+\.[a-z_]+)*$")]
    pub types: Option<String>,
    /// Only events about this enterprise.
    pub enterprise_id: Option<Uuid>,
    /// Only events of records belonging to this department.
    #[param(max_length = 32)]
    pub department: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Seconds to hold an empty page open until an event arrives, 0 to 30 (default 0).
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u64>,
}

/// A page of the feed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// Pass as `after` to continue: after the last event, or where this page started when it
    /// is empty. Never null.
    pub next_cursor: String,
}

struct FeedRequest {
    after: Position,
    filter: FeedFilter,
    limit: i64,
    wait: Duration,
}

impl EventsQuery {
    fn check(self) -> AppResult<FeedRequest> {
        let mut errors = Vec::new();
        let after = match self.after.as_deref() {
            None => Position::default(),
            Some(id) => Position::parse(id).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "after",
                    "cursor",
                    "not an event id of this feed",
                ));
                Position::default()
            }),
        };
        if self.types.as_ref().is_some_and(|t| t.len() > 1000) {
            errors.push(FieldError::new(
                "types",
                "too_long",
                "at most 1000 characters",
            ));
        }
        let mut types = Vec::new();
        for text in self.types.iter().flat_map(|t| t.split(',')) {
            match EventType::parse(text) {
                Some(t) => types.push(t),
                None => errors.push(FieldError::new(
                    "types",
                    "unknown_type",
                    format!("`{text}` is not an event type"),
                )),
            }
        }
        if self.department.as_ref().is_some_and(|d| d.len() > 32) {
            errors.push(FieldError::new(
                "department",
                "too_long",
                "at most 32 characters",
            ));
        }
        let wait = self.wait.unwrap_or(0);
        if wait > MAX_WAIT_SECS {
            errors.push(FieldError::new("wait", "range", "wait is 0 to 30 seconds"));
        }
        let limit = checked_limit(self.limit);
        if let Err(AppError::Validation(e)) = &limit {
            errors.extend(e.iter().cloned());
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(FeedRequest {
            after,
            filter: FeedFilter {
                types,
                enterprise_id: self.enterprise_id,
                department: self.department,
            },
            limit: limit?,
            wait: Duration::from_secs(wait),
        })
    }
}

/// The feed of committed changes, oldest first. Any authenticated caller; contacts are masked
/// as in the contact reads. A reader that follows `next_cursor` sees every event exactly once,
/// in commit order; with `wait`, an empty page is held open until an event arrives.
#[utoipa::path(
    tag = "events", params(EventsQuery),
    responses((status = 200, body = EventPage), ListErrors),
)]
#[get("/events")]
pub async fn list_events(
    actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<EventsQuery>,
) -> AppResult<HttpResponse> {
    let request = query.0.check()?;
    let longest = Duration::from_secs(state.config.events_max_wait_secs);
    let deadline = Instant::now() + request.wait.min(longest);
    loop {
        let seen = state.events.seen();
        let (items, next) = {
            let mut conn = state.pool.get().await?;
            feed::read(&mut conn, request.after, &request.filter, request.limit).await?
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if !items.is_empty() || left.is_zero() {
            let items = items
                .into_iter()
                .map(|e| feed::masked_for(e, Some(&actor)))
                .collect();
            let page = EventPage {
                items,
                next_cursor: next.to_id(),
            };
            return Ok(HttpResponse::Ok().json(page));
        }
        state
            .events
            .wait_past(seen.max(Some(request.after)), left)
            .await;
    }
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_events);
}
