//! Security events in the audit trail: failed logins (`login_failed`: the username as typed,
//! the client address) and refused requests (`access_denied`: the route, the caller, the
//! reason). They are queued and written in batches by one background task on the pool, so a
//! flood of them costs normal work nothing: when the queue is full, events are dropped and
//! counted instead.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::db::DbPool;
use crate::db::schema::audit_events;
use crate::domain::actor::Actor;

/// Events waiting to be written.
const QUEUE: usize = 1_024;
/// Events written in one statement.
const BATCH: usize = 100;
/// Characters kept of what a caller typed.
const KEPT_CHARS: usize = 100;

/// Events dropped because the queue was full, since the process started.
pub static DROPPED: AtomicU64 = AtomicU64::new(0);

/// One event as it will be stored.
struct SecurityEvent {
    actor: Option<(Uuid, &'static str, String)>,
    action: &'static str,
    entity: &'static str,
    entity_id: String,
    changes: Value,
    request_id: Option<String>,
}

/// The queue of security events.
#[derive(Clone)]
pub struct SecurityEvents {
    queue: Option<mpsc::Sender<SecurityEvent>>,
}

impl SecurityEvents {
    /// Starts the writer on the current tokio runtime (outside one, events are not kept).
    pub fn start(pool: DbPool) -> Self {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return SecurityEvents { queue: None };
        };
        let (queue, events) = mpsc::channel(QUEUE);
        runtime.spawn(write_all(pool, events));
        SecurityEvents { queue: Some(queue) }
    }

    /// A password or client-credentials login failed.
    pub fn login_failed(&self, typed: &str, client_addr: &str) {
        let typed = clean(typed);
        self.send(SecurityEvent {
            actor: None,
            action: "login_failed",
            entity: "login",
            entity_id: typed.clone(),
            changes: json!({"username": typed, "client_addr": clean(client_addr)}),
            request_id: request_id(),
        });
    }

    /// A known caller was refused (403).
    pub fn access_denied(&self, actor: &Actor, route: &str, reason: &str) {
        self.send(SecurityEvent {
            actor: Some((actor.id, actor.kind.as_str(), actor.department.clone())),
            action: "access_denied",
            entity: "route",
            entity_id: clean(route),
            changes: json!({"reason": clean(reason)}),
            request_id: request_id(),
        });
    }

    fn send(&self, event: SecurityEvent) {
        let sent = self
            .queue
            .as_ref()
            .is_some_and(|q| q.try_send(event).is_ok());
        if !sent {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What a caller typed, as it may be stored: no NUL, at most [`KEPT_CHARS`] characters.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '\0')
        .take(KEPT_CHARS)
        .collect()
}

fn request_id() -> Option<String> {
    Some(super::current_request_id()).filter(|id| !id.is_empty())
}

/// Writes queued events in batches until every sender is gone.
async fn write_all(pool: DbPool, mut events: mpsc::Receiver<SecurityEvent>) {
    let mut batch = Vec::with_capacity(BATCH);
    while events.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = write_batch(&pool, batch.drain(..)).await {
            log::warn!("security events not written: {e}");
        }
    }
}

async fn write_batch(
    pool: &DbPool,
    batch: impl Iterator<Item = SecurityEvent>,
) -> anyhow::Result<()> {
    let rows: Vec<_> = batch
        .map(|e| {
            let (actor, kind, department) = match e.actor {
                Some((id, kind, department)) => (Some(id), kind, Some(department)),
                None => (None, "anonymous", None),
            };
            (
                audit_events::id.eq(Uuid::new_v4()),
                audit_events::actor.eq(actor),
                audit_events::actor_kind.eq(kind),
                audit_events::department.eq(department),
                audit_events::action.eq(e.action),
                audit_events::entity.eq(e.entity),
                audit_events::entity_id.eq(e.entity_id),
                audit_events::changes.eq(e.changes),
                audit_events::request_id.eq(e.request_id),
            )
        })
        .collect();
    let mut conn = pool.get().await?;
    diesel::insert_into(audit_events::table)
        .values(rows)
        .execute(&mut conn)
        .await?;
    Ok(())
}
