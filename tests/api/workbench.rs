//! `GET /api/v1/me/workbench`: the officer's day in one call, with a fixed number of queries.

use liaison::domain::actor::Role;
use liaison::domain::stats::alerts::AlertCode;
use liaison::domain::stats::workbench::Workbench;
use serde_json::json;

use crate::common::{TestApp, TestUser};

/// The statements one workbench call sends (after a warm-up call, so the caller's standing is
/// cached as in steady use).
async fn cost_of_workbench(app: &TestApp, officer: &TestUser) -> u64 {
    assert_eq!(
        app.get("/api/v1/me/workbench", &officer.token).await.status,
        200
    );
    let before = app.queries.get();
    assert_eq!(
        app.get("/api/v1/me/workbench", &officer.token).await.status,
        200
    );
    app.queries.get() - before
}

/// `n` enterprises for `officer`, each with an overdue demand it raised, assigned to gxw.
async fn assign(app: &TestApp, admin: &TestUser, officer: &TestUser, from: u32, n: u32) {
    for seed in from..from + n {
        let body = json!({"liaison_officers": [officer.id], "name": format!("企业{seed:03}")});
        let e = app.enterprise(admin, seed, body).await;
        let demand = json!({"enterprise_id": e.id, "category": "talent", "title": "招工",
            "assigned_department": "gxw", "due_on": "2020-01-01"});
        assert_eq!(
            app.post("/api/v1/demands", &officer.token, demand)
                .await
                .status,
            201
        );
    }
}

#[actix_web::test]
async fn the_workbench_shows_my_day_with_a_fixed_number_of_queries() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let fgw = app.login_as(Role::Liaison, "fgw").await;
    assign(&app, &admin, &officer, 1, 2).await;
    let few = cost_of_workbench(&app, &officer).await;
    assign(&app, &admin, &officer, 3, 10).await;
    let many = cost_of_workbench(&app, &officer).await;
    assert_eq!(few, many, "12 enterprises cost what 2 do: no query per row");
    assert!(few <= 16, "{few} statements");

    // A demand raised by the officer and resolved by 发改委 awaits the officer's follow-up.
    let first = app
        .enterprise(
            &admin,
            40,
            json!({"liaison_officers": [officer.id], "name": "企业040"}),
        )
        .await;
    let raised = app
        .post(
            "/api/v1/demands",
            &officer.token,
            json!({"enterprise_id": first.id,
            "category": "land", "title": "用地", "assigned_department": "fgw"}),
        )
        .await
        .id();
    for step in [
        json!({"to": "accepted"}),
        json!({"to": "resolved", "note": "已办结"}),
    ] {
        let path = format!("/api/v1/demands/{raised}/transitions");
        assert_eq!(app.post(&path, &fgw.token, step).await.status, 200);
    }
    let soon = (chrono::Utc::now() + chrono::Duration::days(4)).date_naive();
    let due = json!({"enterprise_id": first.id, "category": "market", "title": "参展",
        "assigned_department": "gxw", "due_on": soon});
    assert_eq!(
        app.post("/api/v1/demands", &fgw.token, due).await.status,
        201
    );

    let visit = json!({"enterprise_id": first.id, "visited_on": "2026-11-20", "kind": "on_site",
        "officers": [officer.id], "summary": "走访", "next_visit_on": "2098-03-01"});
    assert_eq!(
        app.post("/api/v1/visits", &officer.token, visit)
            .await
            .status,
        201
    );

    let day: Workbench = app.get("/api/v1/me/workbench", &officer.token).await.json();
    let planned = day.enterprises.iter().find(|e| e.id == first.id).unwrap();
    assert_eq!(
        planned.next_visit_due.map(|d| d.to_string()).as_deref(),
        Some("2098-03-01")
    );
    assert_eq!(day.enterprises.len(), 13);
    let e1 = &day.enterprises[0];
    assert_eq!(
        (e1.name.as_str(), e1.open_demands, e1.overdue_demands),
        ("企业001", 1, 1)
    );
    let china_today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    assert_eq!(
        e1.next_visit_due,
        Some(china_today),
        "never visited: due now"
    );
    let codes: Vec<AlertCode> = e1.alerts.iter().map(|a| a.code).collect();
    assert_eq!(codes, [AlertCode::NotVisited, AlertCode::OverdueDemands]);
    let awaiting: Vec<String> = day
        .follow_ups_due
        .iter()
        .map(|d| d.id.to_string())
        .collect();
    assert_eq!(awaiting, [raised]);
    assert_eq!(day.department.overdue.len(), 12);
    let soon_titles: Vec<&str> = day
        .department
        .due_within_7_days
        .iter()
        .map(|d| d.title.as_str())
        .collect();
    assert_eq!(soon_titles, ["参展"]);

    // Someone with no enterprises sees empty lists.
    let analyst = app.login_as(Role::Analyst, "tjj").await;
    let empty: Workbench = app.get("/api/v1/me/workbench", &analyst.token).await.json();
    assert!(empty.enterprises.is_empty() && empty.follow_ups_due.is_empty());
}
