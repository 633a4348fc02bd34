//! `GET /api/v1/events`: every committed change once, in commit order, with `wait`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use liaison::domain::actor::Role;
use liaison::domain::events::{Event, EventType};
use liaison::web::api::events::EventPage;
use serde_json::json;

use crate::common::{TestApp, TestUser};

/// Reads the feed from `after` to its end, page by page; with `expect`, waits until that many
/// events have come (the feed waits for every transaction in flight on the server, also those of
/// other tests' databases).
async fn follow_until(
    app: &TestApp,
    who: &TestUser,
    after: Option<String>,
    expect: usize,
) -> (Vec<Event>, String) {
    let mut events = Vec::new();
    let mut cursor = after;
    // The feed holds events back while any transaction on the PostgreSQL server that began
    // before them is running (see the README): another test's long one can delay them.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let wait = if events.len() < expect { 5 } else { 0 };
        let path = match &cursor {
            Some(c) => format!("/api/v1/events?limit=3&after={c}&wait={wait}"),
            None => format!("/api/v1/events?limit=3&wait={wait}"),
        };
        let resp = app.get(&path, &who.token).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        let page: EventPage = resp.json();
        let done = page.items.is_empty() && (events.len() >= expect || Instant::now() > deadline);
        events.extend(page.items);
        cursor = Some(page.next_cursor.clone());
        if done {
            return (events, page.next_cursor);
        }
    }
}

async fn follow(app: &TestApp, who: &TestUser, after: Option<String>) -> (Vec<Event>, String) {
    follow_until(app, who, after, 0).await
}

fn types(events: &[Event]) -> Vec<EventType> {
    events.iter().map(|e| e.event_type).collect()
}

#[actix_web::test]
async fn every_change_is_an_event_with_the_record_after_it() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    // The reference data's own events (policies published by the seeds) come first.
    let (_, start) = follow(&app, &officer, None).await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let body = json!({"enterprise_id": enterprise.id, "category": "financing",
        "title": "流动资金贷款", "assigned_department": "gxw"});
    let demand = app.post("/api/v1/demands", &officer.token, body).await;
    assert_eq!(demand.status, 201, "{}", demand.text);
    let path = format!("/api/v1/demands/{}/transitions", demand.id());
    let moved = app
        .post(&path, &officer.token, json!({"to": "accepted"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);

    let (events, cursor) = follow_until(&app, &officer, Some(start.clone()), 3).await;
    assert_eq!(
        types(&events),
        [
            EventType::EnterpriseDesignated,
            EventType::DemandRaised,
            EventType::DemandTransitioned
        ]
    );
    let ids: Vec<&String> = events.iter().map(|e| &e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids order the feed");
    let transition = &events[2];
    assert_eq!(transition.from.as_deref(), Some("open"));
    assert_eq!(transition.to.as_deref(), Some("accepted"));
    assert_eq!(
        transition.data["status"], "accepted",
        "the record after the change"
    );
    assert_eq!(transition.department.as_deref(), Some("gxw"));
    assert_eq!(transition.enterprise_id, Some(enterprise.id));
    assert_eq!(transition.subject.id, demand.id());
    assert_eq!(transition.actor.as_ref().map(|a| a.id), Some(officer.id));
    assert_eq!(
        cursor, events[2].id,
        "the cursor resumes after the last event"
    );

    // Filters: by type, by enterprise.
    let path = format!("/api/v1/events?types=demand.raised,enterprise.designated&after={start}");
    let page: EventPage = app.get(&path, &officer.token).await.json();
    assert_eq!(
        types(&page.items),
        [EventType::EnterpriseDesignated, EventType::DemandRaised]
    );
    let path = format!("/api/v1/events?enterprise_id={}", uuid::Uuid::new_v4());
    let page: EventPage = app.get(&path, &officer.token).await.json();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor, "0".repeat(32), "where the reader started");
}

#[actix_web::test]
async fn a_transaction_that_commits_late_is_read_once_in_commit_order() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (_, start) = follow(&app, &admin, None).await;
    // A writer begins first and holds its transaction open.
    let slow = app.db.client().await;
    slow.batch_execute(
        "BEGIN; INSERT INTO events (type, subject_type, subject_id, data) \
         VALUES ('policy.updated', 'policy', 'slow', '{\"id\": \"slow\"}')",
    )
    .await
    .unwrap();
    // Later writers commit meanwhile.
    app.enterprise(&admin, 1, json!({})).await;
    app.enterprise(&admin, 2, json!({})).await;
    let (before, cursor) = follow(&app, &admin, Some(start)).await;
    assert!(
        before.is_empty(),
        "nothing past a transaction in flight is shown: {:?}",
        types(&before)
    );
    slow.batch_execute("COMMIT").await.unwrap();
    app.enterprise(&admin, 3, json!({})).await;

    let (after, _) = follow_until(&app, &admin, Some(cursor), 4).await;
    let seen: Vec<EventType> = before.iter().chain(&after).map(|e| e.event_type).collect();
    assert_eq!(
        seen,
        [
            EventType::PolicyUpdated,
            EventType::EnterpriseDesignated,
            EventType::EnterpriseDesignated,
            EventType::EnterpriseDesignated
        ],
        "every event once, the early transaction first"
    );
    let unique: HashSet<&String> = after.iter().map(|e| &e.id).collect();
    assert_eq!(unique.len(), after.len());
}

#[actix_web::test]
async fn wait_holds_an_empty_page_until_an_event_arrives() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (_, cursor) = follow(&app, &admin, None).await;
    let started = Instant::now();
    let path = format!("/api/v1/events?wait=25&after={cursor}");
    let waiting = app.get(&path, &admin.token);
    let writing = async {
        tokio::time::sleep(Duration::from_millis(600)).await;
        app.enterprise(&admin, 7, json!({})).await
    };
    let (resp, enterprise) = tokio::join!(waiting, writing);
    let mut page: EventPage = resp.json();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500),
        "held open: {waited:?}"
    );
    // The feed shows an event once every transaction that began before it has ended, on the
    // whole PostgreSQL server (see the README). Another test's long transaction (a demo seed)
    // can hold it back past the wait: then the page came back empty only at the wait's end, and
    // the event arrives on a later wait.
    if page.items.is_empty() {
        assert!(
            waited >= Duration::from_secs(24),
            "empty before the wait ended: {waited:?}"
        );
        let (events, _) = follow_until(&app, &admin, Some(page.next_cursor.clone()), 1).await;
        page.items = events;
    }
    assert_eq!(
        types(&page.items),
        [EventType::EnterpriseDesignated],
        "after {waited:?}: {:?}",
        page.items
    );
    assert_eq!(page.items[0].enterprise_id, Some(enterprise.id));
    let (_, cursor) = follow(&app, &admin, Some(page.next_cursor)).await;

    // Nothing arrives: the empty page comes back after the wait, cursor unchanged.
    let path = format!("/api/v1/events?wait=1&after={cursor}");
    let started = Instant::now();
    let empty: EventPage = app.get(&path, &admin.token).await.json();
    assert!(empty.items.is_empty());
    assert_eq!(empty.next_cursor, cursor);
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[actix_web::test]
async fn contacts_are_masked_in_the_feed_as_in_their_reads() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let path = format!("/api/v1/enterprises/{}/contacts", enterprise.id);
    let body = json!({"name": "王经理", "phone": "13812345678", "email": "wang@example.com"});
    let resp = app.post(&path, &admin.token, body).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let outsider = app.login_as(Role::Analyst, "czt").await;
    let path = "/api/v1/events?types=contact.added&wait=5";
    let seen: EventPage = app.get(path, &outsider.token).await.json();
    assert!(!seen.items.is_empty());
    assert_eq!(seen.items.len(), 1);
    assert_ne!(seen.items[0].data["phone"], "13812345678");
    assert!(seen.items[0].data["phone"].as_str().unwrap().contains('*'));
    let full: EventPage = app.get(path, &admin.token).await.json();
    assert_eq!(full.items[0].data["phone"], "13812345678");
}

#[actix_web::test]
async fn bad_feed_parameters_are_refused_and_named() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let resp = app
        .get(
            "/api/v1/events?types=demand.vanished&wait=31&limit=0",
            &admin.token,
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(fields, ["limit", "types", "wait"]);
    let resp = app
        .get(
            &format!("/api/v1/events?after={}", "z".repeat(32)),
            &admin.token,
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.error_fields(), ["after"]);
    let resp = app.get("/api/v1/events?since=1", &admin.token).await;
    assert_eq!(resp.status, 400, "an unknown parameter: {}", resp.text);
    let resp = app.call("GET", "/api/v1/events", None, None).await;
    assert_eq!(resp.status, 401);
}
