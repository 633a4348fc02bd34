//! `GET /api/v1/enterprises/{id}/timeline`.

use liaison::domain::actor::Role;
use liaison::web::api::timeline::{TimelineItem, TimelineType};
use liaison::web::api::visits::CreatedVisit;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn timeline_lists_visits_and_demand_events_newest_first() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 1, json!({})).await;
    let eid = &e.id.to_string();
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let body = json!({"enterprise_id": eid, "visited_on": "2026-01-10", "kind": "on_site", "officers": [officer.id],
        "summary": "年初走访，了解复工复产情况", "demands": [{"category": "talent", "title": "招聘焊工", "assigned_department": "gxw"}]});
    let visit = app.post("/api/v1/visits", &officer.token, body).await;
    assert_eq!(visit.status, 201);
    let demand_id = visit.json::<CreatedVisit>().demands[0].id.to_string();
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
    let items = resp.page::<TimelineItem>().items;
    let kinds: Vec<_> = items.iter().map(|i| i.item_type).collect();
    use TimelineType::{DemandEvent, Visit};
    assert_eq!(kinds, [DemandEvent, DemandEvent, Visit]);
    assert_eq!(items[0].to.as_deref(), Some("accepted"));
    assert_eq!(items[0].demand_id.map(|d| d.to_string()), Some(demand_id));
    assert_eq!(items[0].title, "招聘焊工");
    assert_eq!(items[1].to.as_deref(), Some("open"));
    let happened: Vec<_> = items[..2].iter().map(|i| i.kind.as_deref()).collect();
    assert_eq!(
        happened,
        [Some("transition"), Some("created")],
        "what happened to the demand"
    );
    assert_eq!(items[2].id.to_string(), visit.id());
    assert_eq!(
        items[2].at.to_rfc3339(),
        "2026-01-09T16:00:00+00:00",
        "a visit happens at 00:00+08:00 of its day"
    );
    assert_eq!(
        items[2].visited_on.map(|d| d.to_string()).as_deref(),
        Some("2026-01-10")
    );

    let first = app
        .get(
            &format!("/api/v1/enterprises/{eid}/timeline?limit=2"),
            &analyst.token,
        )
        .await;
    assert_eq!(first.page::<TimelineItem>().items.len(), 2);
    let cursor = &first.page::<TimelineItem>().next_cursor.unwrap();
    let rest = app
        .get(
            &format!("/api/v1/enterprises/{eid}/timeline?limit=2&cursor={cursor}"),
            &analyst.token,
        )
        .await;
    assert_eq!(
        rest.page::<TimelineItem>().items[0].item_type,
        TimelineType::Visit
    );
    assert!(rest.page::<TimelineItem>().next_cursor.is_none());

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
