//! Sending deliveries. A server instance claims due deliveries with `FOR UPDATE SKIP LOCKED`
//! and a lease (a crashed instance's claims lapse and are taken by another), sends them with
//! no database connection held, then records each outcome. Receivers get at least once each
//! event per matching subscription; a 2xx within the timeout is delivered, anything else is
//! retried after growing delays with jitter, and `dead` once 24 hours have passed.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use rand::Rng;
use uuid::Uuid;

use super::address::{self, GuardedResolver};
use super::model::DeliveryStatus;
use super::signing::signature_header;
use crate::db::DbPool;
use crate::db::clock::Clock;
use crate::db::schema::webhooks;
use crate::domain::audit::{self, AuditEntry};
use crate::domain::error::AppResult;
use crate::domain::events::feed;
use crate::domain::events::model::{Event, Position};

/// The delays before each retry; after the last, every 6 hours until the window closes.
const RETRY_DELAYS_SECS: [i64; 6] = [5, 30, 120, 900, 3600, 21600];
/// How long a delivery is retried.
pub const WINDOW_HOURS: i64 = 24;
/// How long failures of every delivery deactivate a subscription.
pub const DEACTIVATE_AFTER_DAYS: i64 = 3;
/// How long a claim holds a delivery (longer than any send).
const LEASE_SECS: i64 = 60;

/// The HTTP client of deliveries.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    /// A client that waits `timeout` for an answer, follows no redirect and, unless
    /// `allow_private`, refuses internal addresses at connect time.
    pub fn new(timeout: StdDuration, allow_private: bool) -> anyhow::Result<Sender> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(2)
            .user_agent(concat!("liaison-webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        Ok(Sender {
            client: builder.build()?,
            allow_private,
        })
    }
}

/// A claimed delivery with what sending it needs.
struct Claimed {
    id: Uuid,
    webhook_id: Uuid,
    attempts: i32,
    window_from: DateTime<Utc>,
    url: String,
    secrets: Vec<String>,
    event: Option<Event>,
}

/// What an attempt came to.
struct Outcome {
    id: Uuid,
    webhook_id: Uuid,
    window_from: DateTime<Utc>,
    attempts: i32,
    status_code: Option<i32>,
    error: Option<String>,
}

#[derive(QueryableByName)]
struct Claim {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    webhook_id: Uuid,
    #[diesel(sql_type = BigInt)]
    event_txid: i64,
    #[diesel(sql_type = BigInt)]
    event_seq: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    window_from: DateTime<Utc>,
}

/// Claims up to `limit` due deliveries of active subscriptions, sends them, records the
/// outcomes; how many were sent.
pub async fn deliver_due(
    pool: &DbPool,
    sender: &Sender,
    now: DateTime<Utc>,
    limit: i64,
) -> AppResult<usize> {
    let claimed = {
        let mut conn = pool.get().await?;
        let claims = claim(&mut conn, now, limit).await?;
        details(&mut conn, &claims, now).await?
    };
    let outcomes: Vec<Outcome> = futures_util::stream::iter(claimed)
        .map(|c| send(sender, c))
        .buffer_unordered(limit.max(1) as usize)
        .collect()
        .await;
    let mut conn = pool.get().await?;
    for outcome in &outcomes {
        record(&mut conn, outcome, now).await?;
    }
    Ok(outcomes.len())
}

async fn claim(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> AppResult<Vec<Claim>> {
    Ok(diesel::sql_query(
        "UPDATE webhook_deliveries d \
         SET lease_until = $1 + make_interval(secs => $3), attempts = d.attempts + 1 \
         FROM (SELECT d2.id FROM webhook_deliveries d2 \
               JOIN webhooks w ON w.id = d2.webhook_id AND w.active \
               WHERE d2.status IN ('pending', 'failed') AND d2.next_attempt_at <= $1 \
                 AND (d2.lease_until IS NULL OR d2.lease_until < $1) \
               ORDER BY d2.next_attempt_at LIMIT $2 \
               FOR UPDATE OF d2 SKIP LOCKED) due \
         WHERE d.id = due.id \
         RETURNING d.id, d.webhook_id, d.event_txid, d.event_seq, d.attempts, d.window_from",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Double, _>(LEASE_SECS as f64)
    .load(conn)
    .await?)
}

/// The receiver, the secrets that sign now, and the event (masked as for an outside reader).
async fn details(
    conn: &mut AsyncPgConnection,
    claims: &[Claim],
    now: DateTime<Utc>,
) -> AppResult<Vec<Claimed>> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = claims.iter().map(|c| c.webhook_id).collect();
    type Target = (Uuid, String, String, Option<String>, Option<DateTime<Utc>>);
    let targets: Vec<Target> = webhooks::table
        .filter(webhooks::id.eq_any(&ids))
        .select((
            webhooks::id,
            webhooks::url,
            webhooks::secret,
            webhooks::previous_secret,
            webhooks::previous_secret_until,
        ))
        .load(conn)
        .await?;
    let positions: Vec<Position> = claims
        .iter()
        .map(|c| Position {
            txid: c.event_txid,
            seq: c.event_seq,
        })
        .collect();
    let events = feed::at(conn, &positions).await?;
    Ok(claims
        .iter()
        .filter_map(|c| {
            let (_, url, secret, previous, until) = targets.iter().find(|t| t.0 == c.webhook_id)?;
            let mut secrets = vec![secret.clone()];
            secrets.extend(previous.clone().filter(|_| until.is_some_and(|u| u > now)));
            let position = Position {
                txid: c.event_txid,
                seq: c.event_seq,
            };
            let event = events.iter().find(|(p, _)| *p == position);
            Some(Claimed {
                id: c.id,
                webhook_id: c.webhook_id,
                attempts: c.attempts,
                window_from: c.window_from,
                url: url.clone(),
                secrets,
                event: event.map(|(_, e)| feed::masked_for(e.clone(), None)),
            })
        })
        .collect())
}

/// One attempt: `POST` of the event, signed; the answer's body is not read.
async fn send(sender: &Sender, c: Claimed) -> Outcome {
    let mut outcome = Outcome {
        id: c.id,
        webhook_id: c.webhook_id,
        window_from: c.window_from,
        attempts: c.attempts,
        status_code: None,
        error: None,
    };
    match attempt(sender, &c).await {
        Ok(code) if (200..300).contains(&code) => outcome.status_code = Some(i32::from(code)),
        Ok(code) => {
            outcome.status_code = Some(i32::from(code));
            outcome.error = Some(format!("the receiver answered HTTP {code}"));
        }
        // Shown to subscribers as `last_error`: at most 500 characters, as documented.
        Err(e) => outcome.error = Some(e.chars().take(500).collect()),
    }
    outcome
}

async fn attempt(sender: &Sender, c: &Claimed) -> Result<u16, String> {
    let event = c.event.as_ref().ok_or("the event no longer exists")?;
    let url = address::parse(&c.url)?;
    // A literal address never reaches the resolver: check it here.
    if !sender.allow_private
        && let Some(ip) = url
            .host_str()
            .and_then(|h| h.trim_matches(['[', ']']).parse().ok())
        && address::is_internal(ip)
    {
        return Err("the address is loopback, private or link-local".into());
    }
    let body = serde_json::to_vec(event).map_err(|e| e.to_string())?;
    // The signature's time is the real time: receivers compare it with their own clock.
    let timestamp = Utc::now().timestamp();
    let secrets: Vec<&str> = c.secrets.iter().map(String::as_str).collect();
    let response = sender
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &event.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature_header(&secrets, &event.id, timestamp, &body),
        )
        .body(body)
        .send()
        .await
        .map_err(describe)?;
    Ok(response.status().as_u16())
}

/// A failed request in a line, without the URL's query (it may hold a token of the receiver).
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "the receiver did not answer in time".into()
    } else if e.is_connect() {
        "could not connect to the receiver (or its address is refused)".into()
    } else {
        format!("the request failed: {}", e.without_url())
    }
}

/// When the next attempt after `attempts` failed ones is due: the schedule with ±10 % jitter.
pub fn next_attempt(now: DateTime<Utc>, attempts: i32) -> DateTime<Utc> {
    let index = usize::try_from(attempts - 1).unwrap_or(0);
    let base = RETRY_DELAYS_SECS[index.min(RETRY_DELAYS_SECS.len() - 1)];
    let jitter = rand::thread_rng().gen_range(-base / 10..=base / 10);
    now + Duration::seconds(base + jitter)
}

/// Records an attempt: delivered, failed with its next attempt, or dead after the window; the
/// subscription's failures since its last success, and its deactivation after three days.
async fn record(conn: &mut AsyncPgConnection, o: &Outcome, now: DateTime<Utc>) -> AppResult<()> {
    use crate::db::schema::webhook_deliveries as d;
    let delivered = o.error.is_none();
    let dead = !delivered && now >= o.window_from + Duration::hours(WINDOW_HOURS);
    let status = match (delivered, dead) {
        (true, _) => DeliveryStatus::Delivered,
        (false, true) => DeliveryStatus::Dead,
        (false, false) => DeliveryStatus::Failed,
    };
    diesel::update(d::table.find(o.id))
        .set((
            d::status.eq(status),
            d::last_status_code.eq(o.status_code),
            d::last_error.eq(&o.error),
            d::next_attempt_at.eq(next_attempt(now, o.attempts)),
            d::delivered_at.eq(delivered.then_some(now)),
            d::lease_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await?;
    if delivered {
        diesel::update(webhooks::table.find(o.webhook_id))
            .set(webhooks::failing_since.eq(None::<DateTime<Utc>>))
            .execute(conn)
            .await?;
        return Ok(());
    }
    let failing_since = webhooks::failing_since.assume_not_null();
    let since =
        diesel::dsl::sql::<diesel::sql_types::Nullable<Timestamptz>>("COALESCE(failing_since, ")
            .bind::<Timestamptz, _>(now)
            .sql(")");
    diesel::update(webhooks::table.find(o.webhook_id))
        .set(webhooks::failing_since.eq(since))
        .execute(conn)
        .await?;
    let turned_off: Vec<Uuid> = diesel::update(webhooks::table.find(o.webhook_id))
        .filter(webhooks::active)
        .filter(failing_since.le(now - Duration::days(DEACTIVATE_AFTER_DAYS)))
        .set(webhooks::active.eq(false))
        .returning(webhooks::id)
        .get_results(conn)
        .await?;
    for id in turned_off {
        let entry = AuditEntry {
            action: "deactivate",
            entity: "webhook",
            entity_id: id.to_string(),
            changes: serde_json::json!({"active": {"before": true, "after": false}}),
            data: None,
        };
        audit::record(conn, None, entry).await?;
    }
    Ok(())
}

/// Sends due deliveries every second for as long as the server runs, up to `concurrency` at a
/// time, on `pool` (connections of its own).
pub fn spawn(pool: DbPool, clock: Clock, sender: Sender, concurrency: i64) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(StdDuration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            loop {
                match deliver_due(&pool, &sender, clock.now(), concurrency).await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => {
                        log::warn!("webhook delivery failed: {e}");
                        break;
                    }
                }
            }
        }
    });
}
