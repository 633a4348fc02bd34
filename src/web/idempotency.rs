//! `Idempotency-Key` on POST: the first response to a key (per caller, kept 24 hours) is stored
//! and replayed for a retry with the same request; the same key with another request is 409; a
//! retry that arrives while the first is still running waits for it (up to 10 s), else 409.
//! A key whose first request failed with a server error (5xx) is released, so the retry runs.
//! If the process dies mid-request the key stays taken: a retry gets 409 rather than running
//! twice, which is the safe side for money.
//!
//! Nothing secret is kept: the token endpoints take no part, and a stored response has its
//! secrets ([`SECRET_FIELDS`]) replaced by a note saying how to get a new one. A request
//! waiting on a running key holds no database connection between its looks.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::schema::idempotency_keys;
use crate::domain::error::AppError;
use crate::web::state::AppState;

/// The request header.
pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed response.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Response headers kept with the body.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];
/// How long a key is remembered.
const KEEP_HOURS: i64 = 24;
/// Response fields shown once and never stored, with what a replay says instead (`{id}` is
/// the resource's id).
const SECRET_FIELDS: [(&str, &str); 1] = [(
    "client_secret",
    "the secret is shown only in the first response; POST /api/v1/clients/{id}/rotate-secret issues a new one",
)];

/// The request header as the OpenAPI document shows it on every POST that honours it.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Makes a retry safe: the same key and body replay the first response (kept 24 h)
    #[param(rename = "Idempotency-Key")]
    pub key: Option<String>,
}

/// The stored outcome of a key.
enum Existing {
    /// Another request holds the key and has not finished.
    Running,
    /// Finished: status, kept headers, body.
    Done(u16, Value, Vec<u8>),
    /// The key was used for another request.
    Mismatch,
}

/// A key a request carries, open until the handler reads its body (after its role check, so a
/// caller who may never make the request gets 403 whatever the key and body).
#[derive(Clone)]
struct Slot {
    state: web::Data<AppState>,
    actor: Uuid,
    key: String,
}

/// What the body reader decided about a request's key.
#[derive(Clone)]
enum Outcome {
    /// The key is this request's: its response is to be stored.
    Claimed,
    /// The key's first response, to be sent again.
    Replay(u16, Value, Vec<u8>),
}

/// Middleware: makes POSTs that carry `Idempotency-Key` safe to retry. It opens a slot; the
/// JSON body reader claims it ([`claim_for_body`]); this stores or replays the response.
pub async fn idempotent(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some((state, actor, key)) = scope(&req) {
        req.extensions_mut().insert(Slot { state, actor, key });
    }
    let res = next.call(req).await?;
    let outcome = res.request().extensions().get::<Outcome>().cloned();
    let slot = res.request().extensions().get::<Slot>().cloned();
    match (outcome, slot) {
        (Some(Outcome::Claimed), Some(slot)) => {
            Ok(remember(&slot.state, slot.actor, &slot.key, res).await)
        }
        (Some(Outcome::Replay(status, headers, stored)), _) => {
            let (req, _) = res.into_parts();
            let replayed = replay(status, &headers, stored);
            Ok(ServiceResponse::new(req, replayed).map_into_boxed_body())
        }
        _ => Ok(res.map_into_boxed_body()),
    }
}

/// Claims the request's `Idempotency-Key`, if it carries one, for its JSON `body`: `Ok` when
/// the handler is to go on; [`AppError::AlreadyAnswered`] when the first response is to be
/// sent again; 409 when the key is taken by another request or still running.
pub async fn claim_for_body(req: &HttpRequest, body: &[u8]) -> Result<(), AppError> {
    let Some(slot) = req.extensions().get::<Slot>().cloned() else {
        return Ok(());
    };
    let key = &slot.key;
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::BadRequest(
            "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
        ));
    }
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(req.uri().to_string());
    hasher.update(body);
    let request_hash = hasher.finalize().to_vec();
    let outcome = match claim(&slot.state, slot.actor, key, &request_hash).await? {
        None => Outcome::Claimed,
        Some(Existing::Done(status, headers, stored)) => Outcome::Replay(status, headers, stored),
        Some(Existing::Mismatch) => {
            return Err(AppError::Conflict(
                "this Idempotency-Key was used for another request".into(),
            ));
        }
        Some(Existing::Running) => {
            return Err(AppError::Conflict(
                "a request with this Idempotency-Key is still running; retry shortly".into(),
            ));
        }
    };
    let replaying = matches!(outcome, Outcome::Replay(..));
    req.extensions_mut().insert(outcome);
    if replaying {
        return Err(AppError::AlreadyAnswered);
    }
    Ok(())
}

/// The state, the caller and the key of a POST that carries one. Imports are left out (an
/// import is an upsert, idempotent by itself, and its file may exceed the JSON limit), and so
/// are the token endpoints (their answers are secrets). Without a valid token there is no
/// caller to keep the key for, and the handler answers 401 as usual.
fn scope(req: &ServiceRequest) -> Option<(web::Data<AppState>, Uuid, String)> {
    let left_out = ["/api/v1/imports/", "/api/v1/auth/"];
    if req.method() != Method::POST || left_out.iter().any(|p| req.path().starts_with(p)) {
        return None;
    }
    let key = req.headers().get(&HEADER)?.to_str().ok()?.to_owned();
    let state = req.app_data::<web::Data<AppState>>()?.clone();
    let token = req
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned())?;
    let actor = state.keys.verify(&token)?.sub;
    Some((state, actor, key))
}

/// Stores the first response to the key (status, kept headers, body) and returns it.
async fn remember(
    state: &AppState,
    actor: Uuid,
    key: &str,
    res: ServiceResponse<impl MessageBody + 'static>,
) -> ServiceResponse<BoxBody> {
    let (req, response) = res.into_parts();
    let status = response.status();
    let mut kept = Map::new();
    for name in KEPT_HEADERS {
        if let Some(value) = response.headers().get(&name).and_then(|v| v.to_str().ok()) {
            kept.insert(name.to_string(), json!(value));
        }
    }
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let kept_body = without_secrets(&bytes);
    if let Err(e) = finish(state, actor, key, status, Value::Object(kept), &kept_body).await {
        log::warn!("idempotency key not stored: {e}");
    }
    let response = head.set_body(BoxBody::new(bytes));
    ServiceResponse::new(req, response)
}

/// The body as it may be stored: each secret field replaced by null and a note.
fn without_secrets(body: &[u8]) -> Vec<u8> {
    let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    let id = fields
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("…")
        .to_owned();
    let mut redacted = false;
    for (name, note) in SECRET_FIELDS {
        if fields.get(name).is_some_and(|v| !v.is_null()) {
            fields.insert(name.into(), Value::Null);
            fields.insert(format!("{name}_note"), json!(note.replace("{id}", &id)));
            redacted = true;
        }
    }
    if !redacted {
        return body.to_vec();
    }
    serde_json::to_vec(&fields).unwrap_or_default()
}

fn replay(status: u16, headers: &Value, body: Vec<u8>) -> HttpResponse {
    let mut builder = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    if let Some(map) = headers.as_object() {
        for (name, value) in map {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::try_from(name.as_str()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                builder.insert_header((name, value));
            }
        }
    }
    builder.insert_header((REPLAYED, "true"));
    builder.body(body)
}

/// What is stored for a key: request hash, status, kept headers, body, when it was taken.
type Stored = (
    Vec<u8>,
    Option<i32>,
    Option<Value>,
    Option<Vec<u8>>,
    chrono::DateTime<chrono::Utc>,
);

async fn stored(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: Uuid,
    key: &str,
) -> QueryResult<Option<Stored>> {
    idempotency_keys::table
        .find((actor, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status_code,
            idempotency_keys::response_headers,
            idempotency_keys::response_body,
            idempotency_keys::created_at,
        ))
        .first(conn)
        .await
        .optional()
}

/// Takes the key for this request, or reports what holds it. Waits up to 10 s for a running
/// first request to finish, giving its connection back between looks.
async fn claim(
    state: &AppState,
    actor: Uuid,
    key: &str,
    request_hash: &[u8],
) -> Result<Option<Existing>, AppError> {
    for _ in 0..100 {
        match look(state, actor, key, request_hash).await? {
            Look::Claimed => return Ok(None),
            Look::Found(existing) => return Ok(Some(existing)),
            Look::Wait => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    Ok(Some(Existing::Running))
}

/// What one look at a key found.
enum Look {
    /// The key is this request's now.
    Claimed,
    /// Another request's outcome, or another request altogether.
    Found(Existing),
    /// Another request is still running under the key.
    Wait,
}

async fn look(
    state: &AppState,
    actor: Uuid,
    key: &str,
    request_hash: &[u8],
) -> Result<Look, AppError> {
    let mut conn = state.pool.get().await?;
    // Twice at most: once more after an expired key was dropped or vanished meanwhile.
    for _ in 0..2 {
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::actor.eq(actor),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await?;
        if inserted == 1 {
            return Ok(Look::Claimed);
        }
        let row = stored(&mut conn, actor, key).await?;
        let Some((hash, status, headers, body, created_at)) = row else {
            continue;
        };
        if created_at < chrono::Utc::now() - chrono::Duration::hours(KEEP_HOURS) {
            diesel::delete(idempotency_keys::table.find((actor, key)))
                .execute(&mut conn)
                .await?;
            continue;
        }
        if hash != request_hash {
            return Ok(Look::Found(Existing::Mismatch));
        }
        return Ok(match status {
            Some(status) => {
                let headers = headers.unwrap_or(Value::Null);
                Look::Found(Existing::Done(
                    status as u16,
                    headers,
                    body.unwrap_or_default(),
                ))
            }
            None => Look::Wait,
        });
    }
    Ok(Look::Wait)
}

/// Stores the outcome, or releases the key after a server error so that a retry runs.
async fn finish(
    state: &AppState,
    actor: Uuid,
    key: &str,
    status: StatusCode,
    headers: Value,
    body: &[u8],
) -> Result<(), AppError> {
    let mut conn = state.pool.get().await?;
    let row = idempotency_keys::table.find((actor, key));
    if status.is_server_error() {
        diesel::delete(row).execute(&mut conn).await?;
    } else {
        diesel::update(row)
            .set((
                idempotency_keys::status_code.eq(status.as_u16() as i32),
                idempotency_keys::response_headers.eq(headers),
                idempotency_keys::response_body.eq(body),
            ))
            .execute(&mut conn)
            .await?;
    }
    // Forget keys past their 24 hours now and then (cheap: served by the created_at index).
    if rand::random::<u8>() == 0 {
        let old = chrono::Utc::now() - chrono::Duration::hours(KEEP_HOURS);
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(old)))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}
