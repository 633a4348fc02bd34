//! Supervision (督办): overdue demands announced once, escalation levels, unvisited
//! enterprises, and the officers' coverage report.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use liaison::db::clock::china_day;
use liaison::domain::actor::Role;
use liaison::domain::demands::model::{Demand, DemandEvent, DemandEventKind};
use liaison::domain::events::Event;
use liaison::domain::stats::overview::Overview;
use liaison::domain::supervision::{self, Report, Rules};
use liaison::web::api::events::EventPage;
use liaison::web::api::stats::OfficersReport;
use serde_json::json;

use crate::common::{TestApp, TestUser};

const RULES: Rules = Rules {
    escalate_after_days: 7,
    unvisited_days: 90,
};

async fn run(app: &TestApp) -> Report {
    let mut conn = AsyncPgConnection::establish(&app.db.url).await.unwrap();
    supervision::run(&mut conn, app.state.clock.now(), RULES)
        .await
        .unwrap()
        .expect("no other run holds the lock")
}

/// The events of `types`, once `n` have come (the feed waits for transactions in flight, also
/// those of other tests' databases on the same server), and no more.
async fn events_of(app: &TestApp, who: &TestUser, types: &str, n: usize) -> Vec<Event> {
    let mut events = Vec::new();
    let mut after = "0".repeat(32);
    while events.len() < n {
        let path = format!("/api/v1/events?types={types}&limit=200&wait=5&after={after}");
        let page: EventPage = app.get(&path, &who.token).await.json();
        if page.items.is_empty() {
            break;
        }
        after = page.next_cursor;
        events.extend(page.items);
    }
    assert_eq!(events.len(), n, "{types}");
    events
}

fn today(app: &TestApp) -> NaiveDate {
    china_day(app.state.clock.now())
}

#[actix_web::test]
async fn an_overdue_demand_is_announced_once_then_escalated_twice() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let due_on = today(&app) - Duration::days(1);
    let body = json!({"enterprise_id": enterprise.id, "category": "land", "title": "用地指标",
        "assigned_department": "gxw", "due_on": due_on});
    let demand: Demand = app
        .post("/api/v1/demands", &officer.token, body)
        .await
        .json();

    // Due yesterday: overdue, not yet escalated; a second run announces nothing again.
    let first = run(&app).await;
    assert_eq!((first.overdue, first.escalated), (1, 0));
    assert_eq!(run(&app).await, Report::default());
    let overdue = events_of(&app, &officer, "demand.overdue", 1).await;
    assert_eq!(overdue[0].subject.id, demand.id.to_string());
    assert!(overdue[0].actor.is_none(), "the server itself");

    // Seven days overdue: level 1, once.
    app.state.clock.advance(Duration::days(6));
    assert_eq!(run(&app).await.escalated, 1);
    assert_eq!(run(&app).await, Report::default());
    let path = format!("/api/v1/demands/{}", demand.id);
    let read: Demand = app.get(&path, &officer.token).await.json();
    assert_eq!(read.escalation_level, Some(1));
    assert!(read.escalated_at.is_some());
    let listed = app
        .get("/api/v1/demands?escalated=true", &officer.token)
        .await;
    assert_eq!(listed.page::<Demand>().items.len(), 1);
    let overview: Overview = app
        .get("/api/v1/stats/overview", &officer.token)
        .await
        .json();
    assert_eq!(overview.demands.escalated, 1);
    assert_eq!(overview.demands.by_department["gxw"].escalated, 1);

    // Fourteen days: level 2.
    app.state.clock.advance(Duration::days(7));
    assert_eq!(run(&app).await.escalated, 1);
    let read: Demand = app.get(&path, &officer.token).await.json();
    assert_eq!(read.escalation_level, Some(2));
    let escalations = events_of(&app, &officer, "demand.escalated", 2).await;
    let levels: Vec<i64> = escalations
        .iter()
        .map(|e| e.data["escalation_level"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(levels, [1, 2]);
    // The demand's own history and the enterprise's timeline show both.
    let history: Vec<DemandEvent> = app
        .get(&format!("{path}/events"), &officer.token)
        .await
        .page()
        .items;
    assert_eq!(
        history
            .iter()
            .filter(|e| e.kind == DemandEventKind::Escalated)
            .count(),
        2
    );
    let timeline = app
        .get(
            &format!("/api/v1/enterprises/{}/timeline", enterprise.id),
            &officer.token,
        )
        .await;
    assert_eq!(
        timeline.text.matches("\"escalated\"").count(),
        2,
        "{}",
        timeline.text
    );

    // Resolved: no longer counted as escalated, its history kept.
    let moves = format!("{path}/transitions");
    for to in ["accepted", "resolved"] {
        let body = json!({"to": to, "note": "已协调解决"});
        let resp = app.post(&moves, &officer.token, body).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
    }
    let listed = app
        .get("/api/v1/demands?escalated=true", &officer.token)
        .await;
    assert!(listed.page::<Demand>().items.is_empty());
    assert_eq!(run(&app).await, Report::default());
}

#[actix_web::test]
async fn an_unvisited_enterprise_is_announced_once_per_lapse() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let designated = liaison::db::clock::today_in_china() - Duration::days(10);
    let enterprise = app
        .enterprise(&admin, 1, json!({"designated_on": designated}))
        .await;
    assert_eq!(run(&app).await.unvisited, 0, "designated ten days ago");
    app.state.clock.advance(Duration::days(95));
    assert_eq!(run(&app).await.unvisited, 1);
    assert_eq!(run(&app).await.unvisited, 0, "once per lapse");
    let announced = events_of(&app, &officer, "enterprise.unvisited", 1).await;
    assert_eq!(announced[0].enterprise_id, Some(enterprise.id));

    // A visit (dated by the real calendar, 95 days before the moved clock) starts a new lapse,
    // which the clock has also passed: announced once more.
    let body = json!({"enterprise_id": enterprise.id, "visited_on": liaison::db::clock::today_in_china(),
        "kind": "on_site", "officers": [officer.id], "summary": "走访了解生产经营情况"});
    let visit = app.post("/api/v1/visits", &officer.token, body).await;
    assert_eq!(visit.status, 201, "{}", visit.text);
    assert_eq!(run(&app).await.unvisited, 1);
    assert_eq!(run(&app).await.unvisited, 0);
    events_of(&app, &officer, "enterprise.unvisited", 2).await;
}

#[actix_web::test]
async fn only_one_run_at_a_time() {
    let app = TestApp::new().await;
    let mut holder = AsyncPgConnection::establish(&app.db.url).await.unwrap();
    let held = app.db.client().await;
    held.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(74280017)")
        .await
        .unwrap();
    let skipped = supervision::run(&mut holder, app.state.clock.now(), RULES)
        .await
        .unwrap();
    assert_eq!(skipped, None, "another instance is running");
    held.batch_execute("COMMIT").await.unwrap();
}

#[actix_web::test]
async fn the_officers_report_counts_what_the_records_say_on_the_demo_data() {
    let app = TestApp::new().await;
    let mut conn = AsyncPgConnection::establish(&app.db.url).await.unwrap();
    liaison::seeds::load_demo(&mut conn).await.unwrap();
    liaison::seeds::load_demo_enterprises(&mut conn)
        .await
        .unwrap();
    let reader = app.login_as(Role::Analyst, "yjb").await;
    let resp = app
        .get("/api/v1/stats/officers?window_days=90", &reader.token)
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let report: OfficersReport = resp.json();

    // The same figures from the raw records, counted here.
    let db = app.db.client().await;
    let since = today(&app) - Duration::days(89);
    let officers = db
        .query(
            "SELECT id, username FROM users WHERE 'liaison' = ANY (roles) AND NOT disabled",
            &[],
        )
        .await
        .unwrap();
    let assigned = db
        .query(
            "SELECT id, liaison_officers FROM enterprises WHERE status = 'active'",
            &[],
        )
        .await
        .unwrap();
    let visits = db
        .query(
            "SELECT enterprise_id, officers FROM visits WHERE visited_on >= $1::text::date",
            &[&since.to_string()],
        )
        .await
        .unwrap();
    assert_eq!(report.items.len(), officers.len());
    let mut busy = 0;
    for row in &officers {
        let id: uuid::Uuid = row.get(0);
        let mine: Vec<uuid::Uuid> = assigned
            .iter()
            .filter(|e| e.get::<_, Vec<uuid::Uuid>>(1).contains(&id))
            .map(|e| e.get(0))
            .collect();
        let my_visits: Vec<uuid::Uuid> = visits
            .iter()
            .filter(|v| v.get::<_, Vec<uuid::Uuid>>(1).contains(&id))
            .map(|v| v.get(0))
            .collect();
        let visited = mine.iter().filter(|e| my_visits.contains(e)).count() as i64;
        let got = report.items.iter().find(|o| o.user_id == id).unwrap();
        assert_eq!(
            got.enterprises_assigned,
            mine.len() as i64,
            "{}",
            got.username
        );
        assert_eq!(got.visits, my_visits.len() as i64, "{}", got.username);
        assert_eq!(got.enterprises_visited, visited, "{}", got.username);
        assert_eq!(got.enterprises_unvisited, mine.len() as i64 - visited);
        busy += usize::from(got.visits > 0);
    }
    assert!(busy > 0, "the demo data has officers who visit");
    let by_department: HashMap<&str, usize> =
        report.items.iter().fold(HashMap::new(), |mut m, o| {
            *m.entry(o.department.as_str()).or_default() += 1;
            m
        });
    let path = "/api/v1/stats/officers?department=gxw";
    let gxw: OfficersReport = app.get(path, &reader.token).await.json();
    assert_eq!(
        gxw.items.len(),
        by_department.get("gxw").copied().unwrap_or(0)
    );
    assert_eq!(gxw.window_days, 90);
}
