//! Webhooks: Standard Webhooks signatures checked as a receiver checks them, retries and the
//! delivery log, `dead` after the window, rotation, two instances, refused addresses.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use liaison::db::DbPool;
use liaison::domain::actor::Role;
use liaison::domain::events::{Event, EventType};
use liaison::domain::webhooks::delivery::{self, Sender};
use liaison::domain::webhooks::model::{CreatedWebhook, Delivery, DeliveryStatus, Webhook};
use serde_json::json;
use sha2::Sha256;

use crate::common::{Page, TestApp, TestUser};

/// What a receiver got: the three Standard Webhooks headers and the body.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

/// How the receiver answers the next request (then 200 once these are used up).
#[derive(Debug, Clone, Copy)]
enum Answer {
    Status(u16),
    Slow(StdDuration),
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<Answer>>>,
}

impl Receiver {
    fn answer(&self, answers: &[Answer]) {
        self.answers.lock().unwrap().extend(answers);
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, r: web::Data<Receiver>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    r.got.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
    });
    let answer = r.answers.lock().unwrap().pop_front();
    match answer {
        Some(Answer::Status(code)) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).finish()
        }
        Some(Answer::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            HttpResponse::Ok().finish()
        }
        None => HttpResponse::NoContent().finish(),
    }
}

/// A receiver on a random local port, and its URL.
fn start_receiver() -> (String, Receiver) {
    let receiver = Receiver::default();
    let data = web::Data::new(receiver.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(receive))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let url = format!("http://{}/hooks/liaison", server.addrs()[0]);
    actix_web::rt::spawn(server.run());
    (url, receiver)
}

/// Verifies a delivery the way the specification tells a receiver to: the signatures are
/// `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}` with the decoded secret; any one
/// matching is enough. Written here independently of the server's own signing.
fn signed_with(secret: &str, r: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", r.id, r.timestamp).as_bytes());
    mac.update(&r.body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    r.signature
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

struct Hooks {
    app: TestApp,
    admin: TestUser,
    officer: TestUser,
    pool: DbPool,
    sender: Sender,
}

async fn setup() -> Hooks {
    let app = TestApp::with_config(|c| c.webhook_allow_private = true).await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let pool = liaison::db::build_pool(&app.db.url, 2, 10_000).unwrap();
    let sender = Sender::new(StdDuration::from_secs(1), true).unwrap();
    Hooks {
        app,
        admin,
        officer,
        pool,
        sender,
    }
}

impl Hooks {
    async fn subscribe(&self, url: &str, types: &[&str]) -> CreatedWebhook {
        let body = json!({"url": url, "event_types": types, "description": "12345热线"});
        let resp = self
            .app
            .post("/api/v1/webhooks", &self.admin.token, body)
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.json()
    }

    /// Raises a demand (a `demand.raised` event).
    async fn raise(&self, seed: u32) {
        let enterprise = self.app.enterprise(&self.admin, seed, json!({})).await;
        let body = json!({"enterprise_id": enterprise.id, "category": "talent",
            "title": "引进高级技工", "assigned_department": "gxw"});
        let resp = self
            .app
            .post("/api/v1/demands", &self.officer.token, body)
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
    }

    async fn deliver_at(&self, offset: Duration) -> usize {
        let now = Utc::now() + offset;
        delivery::deliver_due(&self.pool, &self.sender, now, 8)
            .await
            .unwrap()
    }

    async fn log(&self, hook: &Webhook) -> Vec<Delivery> {
        let path = format!("/api/v1/webhooks/{}/deliveries", hook.id);
        let resp = self.app.get(&path, &self.admin.token).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        resp.json::<Page<Delivery>>().items
    }
}

#[actix_web::test]
async fn a_delivery_is_signed_as_standard_webhooks_says() {
    let h = setup().await;
    let (url, receiver) = start_receiver();
    let made = h.subscribe(&url, &["demand.raised"]).await;
    assert!(made.secret.starts_with("whsec_"));
    let read = h
        .app
        .get(
            &format!("/api/v1/webhooks/{}", made.webhook.id),
            &h.admin.token,
        )
        .await;
    assert!(
        !read.text.contains(&made.secret),
        "the secret is shown once"
    );
    h.raise(1).await;
    assert_eq!(h.deliver_at(Duration::zero()).await, 1);

    let got = receiver.got();
    assert_eq!(
        got.len(),
        1,
        "only the subscribed type (not enterprise.designated)"
    );
    assert!(signed_with(&made.secret, &got[0]));
    assert!(!signed_with(
        &liaison::domain::webhooks::signing::new_secret(),
        &got[0]
    ));
    let event: Event = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(event.event_type, EventType::DemandRaised);
    assert_eq!(event.id, got[0].id, "webhook-id is the event id");
    let sent_at: i64 = got[0].timestamp.parse().unwrap();
    assert!((Utc::now().timestamp() - sent_at).abs() < 60);

    let log = h.log(&made.webhook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, DeliveryStatus::Delivered);
    assert_eq!((log[0].attempts, log[0].last_status_code), (1, Some(204)));
    assert_eq!(log[0].event_id, event.id);
    assert_eq!(
        h.deliver_at(Duration::minutes(10)).await,
        0,
        "delivered once"
    );
}

#[actix_web::test]
async fn failures_are_retried_later_and_die_after_a_day() {
    let h = setup().await;
    let (url, receiver) = start_receiver();
    let made = h.subscribe(&url, &["demand.raised"]).await;
    receiver.answer(&[
        Answer::Status(500),
        Answer::Slow(StdDuration::from_secs(3)),
        Answer::Status(503),
    ]);
    h.raise(1).await;
    h.deliver_at(Duration::zero()).await;
    let log = h.log(&made.webhook).await;
    let failed: Vec<&Delivery> = log
        .iter()
        .filter(|d| d.status == DeliveryStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_status_code, Some(500));
    let wait = failed[0].next_attempt_at.unwrap() - Utc::now();
    assert!(
        wait > Duration::seconds(3) && wait < Duration::seconds(7),
        "{wait}"
    );
    assert_eq!(h.deliver_at(Duration::zero()).await, 0, "not due yet");

    // Second attempt: the receiver is too slow (the sender waits 1 s).
    assert_eq!(h.deliver_at(Duration::seconds(10)).await, 1);
    let d = &h
        .log(&made.webhook)
        .await
        .into_iter()
        .find(|d| d.id == failed[0].id)
        .unwrap();
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Failed, 2));
    assert!(
        d.last_error
            .as_deref()
            .unwrap()
            .contains("did not answer in time")
    );
    let wait = d.next_attempt_at.unwrap() - Utc::now();
    assert!(wait > Duration::seconds(30), "the delay grows: {wait}");

    // A day later the third failure is the last.
    assert_eq!(h.deliver_at(Duration::hours(25)).await, 1);
    let d = h
        .log(&made.webhook)
        .await
        .into_iter()
        .find(|d| d.id == failed[0].id)
        .unwrap();
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Dead, 3));
    assert_eq!(d.next_attempt_at, None);
    assert_eq!(h.deliver_at(Duration::hours(50)).await, 0);

    // An admin retries it by hand: sent again, with the same webhook-id.
    let path = format!(
        "/api/v1/webhooks/{}/deliveries/{}/retry",
        made.webhook.id, d.id
    );
    let resp = h.app.post(&path, &h.admin.token, json!({})).await;
    assert_eq!(resp.status, 202, "{}", resp.text);
    assert_eq!(h.deliver_at(Duration::zero()).await, 1);
    let ids: Vec<String> = receiver.got().iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.iter().filter(|id| **id == d.event_id).count(), 4);
    let resp = h.app.post(&path, &h.admin.token, json!({})).await;
    assert_eq!(resp.status, 409, "delivered now");
}

#[actix_web::test]
async fn three_days_of_failures_turn_a_subscription_off() {
    let h = setup().await;
    let (url, receiver) = start_receiver();
    let made = h.subscribe(&url, &["demand.raised"]).await;
    receiver.answer(&[Answer::Status(500); 10]);
    h.raise(1).await;
    h.deliver_at(Duration::zero()).await;
    h.raise(2).await;
    h.deliver_at(Duration::days(3) + Duration::hours(1)).await;
    let path = format!("/api/v1/webhooks/{}", made.webhook.id);
    let hook: Webhook = h.app.get(&path, &h.admin.token).await.json();
    assert!(!hook.active);
    let trail = h.app.audit_of("webhook", &hook.id.to_string()).await;
    assert_eq!(trail.last().unwrap().action, "deactivate");
    h.raise(3).await;
    assert_eq!(
        h.log(&made.webhook).await.len(),
        2,
        "an inactive one is not queued"
    );
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_old_one_for_a_day() {
    let h = setup().await;
    let (url, receiver) = start_receiver();
    let made = h.subscribe(&url, &["demand.raised"]).await;
    let path = format!("/api/v1/webhooks/{}/rotate-secret", made.webhook.id);
    let resp = h.app.post(&path, &h.admin.token, json!({})).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let rotated: CreatedWebhook = resp.json();
    assert_ne!(rotated.secret, made.secret);
    h.raise(1).await;
    h.deliver_at(Duration::zero()).await;
    let first = &receiver.got()[0];
    assert_eq!(first.signature.split(' ').count(), 2);
    assert!(signed_with(&made.secret, first) && signed_with(&rotated.secret, first));
    h.raise(2).await;
    h.deliver_at(Duration::hours(25)).await;
    let second = &receiver.got()[1];
    assert!(signed_with(&rotated.secret, second));
    assert!(!signed_with(&made.secret, second), "the overlap is over");
}

#[actix_web::test]
async fn two_instances_deliver_each_event_once() {
    let h = setup().await;
    let (url, receiver) = start_receiver();
    h.subscribe(&url, &["*"]).await;
    for seed in 1..=6 {
        h.raise(seed).await;
    }
    let other = liaison::db::build_pool(&h.app.db.url, 2, 10_000).unwrap();
    let now = Utc::now();
    let (a, b) = tokio::join!(
        async {
            let mut n = 0;
            while let Ok(k @ 1..) = delivery::deliver_due(&h.pool, &h.sender, now, 2).await {
                n += k;
            }
            n
        },
        async {
            let mut n = 0;
            while let Ok(k @ 1..) = delivery::deliver_due(&other, &h.sender, now, 2).await {
                n += k;
            }
            n
        },
    );
    assert_eq!(a + b, 12, "six enterprises and six demands");
    let ids: Vec<String> = receiver.got().iter().map(|r| r.id.clone()).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (12, 12), "each event once");
}

#[actix_web::test]
async fn internal_addresses_are_refused() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ] {
        let body = json!({"url": url, "event_types": ["*"]});
        let resp = app.post("/api/v1/webhooks", &admin.token, body).await;
        assert_eq!(resp.status, 422, "{url}: {}", resp.text);
        assert_eq!(resp.error_codes(), ["address_refused"], "{url}");
    }
    let body = json!({"url": "ftp://example.com/", "event_types": ["demand.lost"]});
    let resp = app.post("/api/v1/webhooks", &admin.token, body).await;
    assert_eq!(resp.status, 422);
    assert_eq!(resp.error_fields(), ["url", "event_types[0]"]);
    assert_eq!(app.count("webhooks").await, 0);

    // Saved where allowed, an internal receiver is still refused when connecting.
    let h = setup().await;
    let (url, receiver) = start_receiver();
    let made = h.subscribe(&url, &["demand.raised"]).await;
    h.raise(1).await;
    let strict = Sender::new(StdDuration::from_secs(1), false).unwrap();
    delivery::deliver_due(&h.pool, &strict, Utc::now(), 8)
        .await
        .unwrap();
    assert!(receiver.got().is_empty());
    let log = h.log(&made.webhook).await;
    assert_eq!(log[0].status, DeliveryStatus::Failed);
    assert!(log[0].last_error.as_deref().unwrap().contains("private"));
}

#[actix_web::test]
async fn a_test_delivery_reaches_only_its_subscription() {
    let h = setup().await;
    let (url, receiver) = start_receiver();
    let (other_url, other) = start_receiver();
    let made = h.subscribe(&url, &["demand.raised"]).await;
    h.subscribe(&other_url, &["*"]).await;
    let path = format!("/api/v1/webhooks/{}/test", made.webhook.id);
    let resp = h.app.post(&path, &h.admin.token, json!({})).await;
    assert_eq!(resp.status, 202, "{}", resp.text);
    h.deliver_at(Duration::zero()).await;
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    let event: Event = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(event.event_type, EventType::WebhookTest);
    assert!(other.got().is_empty());
    let feed = h
        .app
        .get("/api/v1/events?types=webhook.test", &h.admin.token)
        .await;
    assert!(
        !feed.text.contains(&event.id),
        "the feed leaves test deliveries out"
    );

    // Only admins manage webhooks.
    let resp = h.app.post(&path, &h.officer.token, json!({})).await;
    assert_eq!(resp.status, 403);
    let resp = h.app.get("/api/v1/webhooks", &h.officer.token).await;
    assert_eq!(resp.status, 403);
}

#[actix_web::test]
async fn hostile_webhook_bodies_are_refused_and_change_nothing() {
    let h = setup().await;
    let long_url = format!("https://hooks.example.gov.cn/{}", "a".repeat(2000));
    let many_types: Vec<&str> = vec!["demand.raised"; 51];
    let many_departments: Vec<&str> = vec!["gxw"; 51];
    let cases = [
        (json!({"url": long_url, "event_types": ["*"]}), "url"),
        (
            json!({"url": "http://127.0.0.1/h", "event_types": many_types}),
            "event_types",
        ),
        (
            json!({"url": "http://127.0.0.1/h", "event_types": []}),
            "event_types",
        ),
        (
            json!({"url": "http://127.0.0.1/h", "event_types": ["*"], "departments": many_departments}),
            "departments",
        ),
        (
            json!({"url": "http://127.0.0.1/h", "event_types": ["*"], "description": "说".repeat(501)}),
            "description",
        ),
        (
            json!({"url": "http://127.0.0.1/h", "event_types": ["*"], "departments": ["nowhere"]}),
            "departments[0]",
        ),
    ];
    for (body, field) in cases {
        let resp = h.app.post("/api/v1/webhooks", &h.admin.token, body).await;
        assert_eq!(resp.status, 422, "{field}: {}", resp.text);
        assert!(
            resp.error_fields().contains(&field.to_owned()),
            "{field}: {}",
            resp.text
        );
    }
    let nul = json!({"url": "http://127.0.0.1/h", "event_types": ["*"], "description": "a\u{0}b"});
    let resp = h.app.post("/api/v1/webhooks", &h.admin.token, nul).await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.error_codes(), ["nul_character"]);
    assert_eq!(h.app.count("webhooks").await, 0);

    // A patch that would break a rule leaves the subscription as it was.
    let made = h
        .subscribe("http://127.0.0.1:9/hook", &["demand.raised"])
        .await;
    let path = format!("/api/v1/webhooks/{}", made.webhook.id);
    let resp = h
        .app
        .patch(
            &path,
            &h.admin.token,
            json!({"event_types": [], "active": null}),
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    let hook: Webhook = h.app.get(&path, &h.admin.token).await.json();
    assert_eq!(hook.event_types, ["demand.raised"]);
    assert_eq!(hook.version, made.webhook.version);

    // The officers' report keeps its limits too.
    for query in [
        "window_days=0",
        "window_days=3651",
        "department=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",
    ] {
        let resp = h
            .app
            .get(&format!("/api/v1/stats/officers?{query}"), &h.admin.token)
            .await;
        assert_eq!(resp.status, 422, "{query}: {}", resp.text);
    }
}
