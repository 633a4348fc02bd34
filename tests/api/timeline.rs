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
    let e = app
        .enterprise(&admin, 1, json!({"designated_on": "2025-12-01"}))
        .await;
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
    use TimelineType::{DemandEvent, Designation, Visit};
    assert_eq!(kinds, [DemandEvent, DemandEvent, Visit, Designation]);
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
    let rest_kinds: Vec<_> = rest
        .page::<TimelineItem>()
        .items
        .iter()
        .map(|i| i.item_type)
        .collect();
    assert_eq!(rest_kinds, [Visit, Designation]);
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

#[actix_web::test]
async fn a_withdrawal_keeps_its_reason_date_and_document_and_shows_in_the_timeline() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app
        .enterprise(
            &admin,
            1,
            json!({"designated_on": "2024-05-20", "designation_batch": "2024年第一批"}),
        )
        .await;
    let path = format!("/api/v1/enterprises/{}/withdrawal", e.id);
    // A reason is required; the date is not in the future nor before the designation.
    for (body, field) in [
        (json!({"withdrawn_on": "2026-03-01"}), "reason"),
        (
            json!({"reason": "转产", "withdrawn_on": "2099-01-01"}),
            "withdrawn_on",
        ),
        (
            json!({"reason": "转产", "withdrawn_on": "2024-05-19"}),
            "withdrawn_on",
        ),
        (
            json!({"reason": "转产", "document_no": "号".repeat(101)}),
            "document_no",
        ),
    ] {
        let resp = app.post(&path, &admin.token, body).await;
        assert_eq!(resp.status, 422, "{}", resp.text);
        assert_eq!(resp.error_fields(), [field]);
    }
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let forbidden = app
        .post(&path, &officer.token, json!({"reason": "转产"}))
        .await;
    assert_eq!(forbidden.status, 403);
    let body = json!({"reason": "企业主营业务转型，不再从事应急产业", "withdrawn_on": "2026-03-01",
                      "document_no": "赣工信应急字〔2026〕5号"});
    let resp = app.post(&path, &admin.token, body).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let withdrawn: liaison::domain::enterprises::model::Enterprise = resp.json();
    assert_eq!(withdrawn.status.as_str(), "withdrawn");
    assert_eq!(
        (
            withdrawn.withdrawal_reason.as_deref(),
            withdrawn.withdrawn_on.map(|d| d.to_string()),
            withdrawn.withdrawal_document_no.as_deref()
        ),
        (
            Some("企业主营业务转型，不再从事应急产业"),
            Some("2026-03-01".to_owned()),
            Some("赣工信应急字〔2026〕5号")
        )
    );

    let items = app
        .get(
            &format!("/api/v1/enterprises/{}/timeline", e.id),
            &admin.token,
        )
        .await
        .page::<TimelineItem>()
        .items;
    let story: Vec<(Option<&str>, &str, Option<&str>)> = items
        .iter()
        .map(|i| (i.kind.as_deref(), i.title.as_str(), i.note.as_deref()))
        .collect();
    assert_eq!(
        story,
        [
            (
                Some("withdrawn"),
                "撤销联系点企业认定（赣工信应急字〔2026〕5号）",
                Some("企业主营业务转型，不再从事应急产业")
            ),
            (Some("designated"), "认定为联系点企业（2024年第一批）", None),
        ]
    );
    assert_eq!(items[0].at.to_rfc3339(), "2026-02-28T16:00:00+00:00");

    // The older form, DELETE, takes the same body (or none).
    let other = app.enterprise(&admin, 2, json!({})).await;
    let resp = app
        .call(
            "DELETE",
            &format!("/api/v1/enterprises/{}", other.id),
            Some(&admin.token),
            Some(&json!({"reason": "企业注销"})),
        )
        .await;
    assert_eq!(resp.status, 204, "{}", resp.text);
    let gone: liaison::domain::enterprises::model::Enterprise = app
        .get(&format!("/api/v1/enterprises/{}", other.id), &admin.token)
        .await
        .json();
    assert_eq!(gone.withdrawal_reason.as_deref(), Some("企业注销"));
    assert_eq!(gone.withdrawn_on, Some(app.state.clock.today()));
}
