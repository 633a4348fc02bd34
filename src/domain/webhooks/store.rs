//! Managing subscriptions and reading their deliveries.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use super::model::{CreatedWebhook, Delivery, DeliveryRow, DeliveryStatus, Webhook, WebhookFields};
use super::{address, signing};
use crate::db::schema::{webhook_deliveries, webhooks};
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::departments::store::check_assignable;
use crate::domain::error::{AppError, AppResult, Expected, FieldError, OrNotFound, check_version};

/// How long the old secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// Every rule the fields break: their own, unknown departments, and an address the server may
/// not call.
async fn check(
    conn: &mut AsyncPgConnection,
    f: &WebhookFields,
    allow_private: bool,
) -> AppResult<()> {
    let mut errors = f.check();
    for (i, code) in f.departments.iter().enumerate() {
        errors.extend(check_assignable(conn, format!("departments[{i}]"), code).await?);
    }
    if errors.is_empty()
        && let Ok(url) = address::parse(&f.url)
        && let Err(e) = address::check(&url, allow_private).await
    {
        errors.push(FieldError::new("url", "address_refused", e));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Creates a subscription with a new secret.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    f: WebhookFields,
    allow_private: bool,
) -> AppResult<CreatedWebhook> {
    check(conn, &f, allow_private).await?;
    let secret = signing::new_secret();
    conn.transaction(async move |conn| {
        let webhook: Webhook = diesel::insert_into(webhooks::table)
            .values((
                webhooks::id.eq(Uuid::new_v4()),
                &f,
                webhooks::secret.eq(&secret),
                webhooks::created_by.eq(actor.id),
            ))
            .returning(Webhook::as_returning())
            .get_result(conn)
            .await?;
        audit::created(conn, Some(actor), "webhook", webhook.id, &webhook).await?;
        Ok(CreatedWebhook { webhook, secret })
    })
    .await
}

/// One subscription.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Webhook> {
    webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .first(conn)
        .await
        .or_not_found("no such webhook")
}

/// A page (plus one row) of subscriptions, oldest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> AppResult<Vec<Webhook>> {
    let query = webhooks::table.select(Webhook::as_select()).into_boxed();
    Ok(
        crate::keyset_page!(query by webhooks::created_at, webhooks::id, asc; after, limit)
            .load(conn)
            .await?,
    )
}

/// Changes a subscription under `If-Match`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    (id, expected): (Uuid, Expected),
    change: impl FnOnce(&mut WebhookFields) + Send,
    allow_private: bool,
) -> AppResult<Webhook> {
    // The checks resolve the URL (up to 3 s): done before the row is locked, on the record as
    // read; `If-Match` guards against a change in between.
    let before = get(conn, id).await?;
    let mut f = WebhookFields::from(&before);
    change(&mut f);
    check(conn, &f, allow_private).await?;
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        check_version(&expected, before.version)?;
        let after: Webhook = diesel::update(webhooks::table.find(id))
            .set((
                &f,
                webhooks::version.eq(webhooks::version + 1),
                webhooks::updated_at.eq(diesel::dsl::now),
                // Turned on again: its failures start afresh.
                webhooks::failing_since.eq(None::<DateTime<Utc>>),
            ))
            .returning(Webhook::as_returning())
            .get_result(conn)
            .await?;
        audit::updated(conn, Some(actor), "webhook", id, &before, &after).await?;
        Ok(after)
    })
    .await
}

async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Webhook> {
    webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .for_update()
        .first(conn)
        .await
        .or_not_found("no such webhook")
}

/// Deletes a subscription and its delivery log.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected: Expected,
) -> AppResult<()> {
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        check_version(&expected, before.version)?;
        diesel::delete(webhooks::table.find(id))
            .execute(conn)
            .await?;
        audit::deleted(conn, Some(actor), "webhook", id, &before).await?;
        Ok(())
    })
    .await
}

/// A new secret; the old one keeps signing beside it for [`ROTATION_OVERLAP_HOURS`].
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<CreatedWebhook> {
    let secret = signing::new_secret();
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        let webhook: Webhook = diesel::update(webhooks::table.find(id))
            .set((
                webhooks::previous_secret.eq(webhooks::secret.nullable()),
                webhooks::previous_secret_until.eq(now + Duration::hours(ROTATION_OVERLAP_HOURS)),
                webhooks::secret.eq(&secret),
                webhooks::version.eq(webhooks::version + 1),
                webhooks::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Webhook::as_returning())
            .get_result(conn)
            .await?;
        let changes = json!({"secret": {"before": "(hidden)", "after": "(rotated)"}});
        let entry = audit::AuditEntry {
            action: "rotate_secret",
            entity: "webhook",
            entity_id: before.id.to_string(),
            changes,
            data: None,
        };
        audit::record(conn, Some(actor), entry).await?;
        Ok(CreatedWebhook { webhook, secret })
    })
    .await
}

/// Queues a `webhook.test` event for this subscription only.
pub async fn send_test(conn: &mut AsyncPgConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let webhook = get(conn, id).await?;
    let data = json!({"webhook_id": webhook.id, "message": "这是一条测试推送（test delivery）"});
    diesel::sql_query(
        "WITH e AS ( \
           INSERT INTO events (type, actor_id, actor_kind, subject_type, subject_id, data) \
           VALUES ('webhook.test', $1, $2, 'webhook', $3::text, $4) RETURNING txid, seq) \
         INSERT INTO webhook_deliveries (id, webhook_id, event_txid, event_seq, event_type) \
         SELECT gen_random_uuid(), $3, e.txid, e.seq, 'webhook.test' FROM e",
    )
    .bind::<SqlUuid, _>(actor.id)
    .bind::<Text, _>(actor.kind.as_str())
    .bind::<SqlUuid, _>(webhook.id)
    .bind::<Jsonb, _>(data)
    .execute(conn)
    .await?;
    Ok(())
}

/// A page (plus one row) of a subscription's deliveries, newest first.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> AppResult<Vec<Delivery>> {
    get(conn, webhook_id).await?;
    let query = webhook_deliveries::table
        .select(DeliveryRow::as_select())
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .into_boxed();
    let rows: Vec<DeliveryRow> = crate::keyset_page!(
        query by webhook_deliveries::created_at, webhook_deliveries::id, desc; after, limit
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(Delivery::from).collect())
}

/// Sends a delivery again at once (a failed or dead one; a delivered one is 409).
pub async fn retry(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    (webhook_id, delivery_id): (Uuid, Uuid),
    now: DateTime<Utc>,
) -> AppResult<Delivery> {
    conn.transaction(async move |conn| {
        let before: DeliveryRow = webhook_deliveries::table
            .find(delivery_id)
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .select(DeliveryRow::as_select())
            .for_update()
            .first(conn)
            .await
            .or_not_found("no such delivery")?;
        if before.status == DeliveryStatus::Delivered {
            return Err(AppError::Conflict("this delivery was delivered".into()));
        }
        let after: DeliveryRow = diesel::update(webhook_deliveries::table.find(delivery_id))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Pending),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::lease_until.eq(None::<DateTime<Utc>>),
                // The 24-hour window starts again.
                webhook_deliveries::window_from.eq(now),
            ))
            .returning(DeliveryRow::as_returning())
            .get_result(conn)
            .await?;
        let changes = json!({"status": {"before": before.status, "after": "pending"}});
        let entry = audit::AuditEntry {
            action: "retry",
            entity: "webhook_delivery",
            entity_id: delivery_id.to_string(),
            changes,
            data: None,
        };
        audit::record(conn, Some(actor), entry).await?;
        Ok(Delivery::from(after))
    })
    .await
}
