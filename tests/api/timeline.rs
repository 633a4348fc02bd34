//! `GET /api/v1/enterprises/{id}/timeline`.

use liaison::domain::actor::Role;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn timeline_lists_visits_and_demand_events_newest_first() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 1, json!({})).await;
    let eid = e["id"].as_str().unwrap();
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let body = json!({"enterprise_id": eid, "visited_on": "2026-01-10", "kind": "on_site", "officers": [officer.id],
        "summary": "年初走访，了解复工复产情况", "demands": [{"category": "talent", "title": "招聘焊工", "assigned_department": "gxw"}]});
    let visit = app.post("/api/v1/visits", &officer.token, body).await;
    assert_eq!(visit.status, 201);
    let demand_id = visit.body["demands"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/demands/{demand_id}/transitions"),
        &officer.token,
        json!({"to": "accepted", "note": "已受理"}),
    )
    .await;

    let analyst = app.user("tjj", &[Role::Analyst]).await;
    let resp = app
        .get(
            &format!("/api/v1/enterprises/{eid}/timeline"),
            &analyst.token,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let items = resp.body["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["demand_event", "demand_event", "visit"]);
    assert_eq!(items[0]["to"], "accepted");
    assert_eq!(items[0]["demand_id"], demand_id.as_str());
    assert_eq!(items[0]["title"], "招聘焊工");
    assert_eq!(items[1]["to"], "open");
    assert_eq!(items[2]["id"], visit.body["id"]);
    assert_eq!(
        items[2]["at"], "2026-01-09T16:00:00Z",
        "a visit happens at 00:00+08:00 of its day"
    );
    assert_eq!(items[2]["visited_on"], "2026-01-10");

    let first = app
        .get(
            &format!("/api/v1/enterprises/{eid}/timeline?limit=2"),
            &analyst.token,
        )
        .await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/enterprises/{eid}/timeline?limit=2&cursor={cursor}"),
            &analyst.token,
        )
        .await;
    assert_eq!(rest.body["items"][0]["type"], "visit");
    assert!(rest.body["next_cursor"].is_null());

    assert_eq!(
        app.get(
            "/api/v1/enterprises/00000000-0000-0000-0000-000000000000/timeline",
            &analyst.token
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.call(
            "GET",
            &format!("/api/v1/enterprises/{eid}/timeline"),
            None,
            None
        )
        .await
        .status,
        401
    );
}
