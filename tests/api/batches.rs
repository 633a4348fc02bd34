//! Designation batches (认定批次): candidates are not contact points until their batch is
//! designated; designation makes them active, with their events and timeline entries.

use liaison::domain::actor::Role;
use liaison::domain::enterprises::batches::DesignationBatch;
use liaison::domain::enterprises::model::Enterprise;
use liaison::domain::stats::coverage::CoverageStats;
use liaison::web::api::timeline::{TimelineItem, TimelineType};
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn a_batch_designates_its_candidates_when_it_is_designated() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let body = json!({"name": "2026年第一批", "document_no": "赣工信应急字〔2026〕12号"});
    let resp = app
        .post("/api/v1/designation-batches", &admin.token, body.clone())
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let batch: DesignationBatch = resp.json();
    assert_eq!(batch.status.as_str(), "candidate");
    assert_eq!(
        app.post("/api/v1/designation-batches", &admin.token, body)
            .await
            .status,
        409
    );
    let refused = app
        .post(
            "/api/v1/designation-batches",
            &officer.token,
            json!({"name": "2026年第二批"}),
        )
        .await;
    assert_eq!(refused.status, 403);

    let e = app
        .enterprise(&admin, 1, json!({"designation_batch_id": batch.id}))
        .await;
    assert_eq!(e.status.as_str(), "candidate", "not a contact point yet");
    assert_eq!(e.designation_batch_id, Some(batch.id));
    let coverage: CoverageStats = app
        .get("/api/v1/stats/coverage", &officer.token)
        .await
        .json();
    assert!(
        coverage.items.is_empty(),
        "a candidate is not in coverage: {coverage:?}"
    );

    // 公示, then designated: the candidate becomes active on the published day.
    let path = format!("/api/v1/designation-batches/{}", batch.id);
    let resp = app
        .patch(&path, &admin.token, json!({"status": "publicized"}))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let resp = app
        .patch(
            &path,
            &admin.token,
            json!({"status": "designated", "published_on": "2026-06-30"}),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let back = app
        .patch(&path, &admin.token, json!({"status": "candidate"}))
        .await;
    assert_eq!(
        back.status, 409,
        "a batch moves forward only: {}",
        back.text
    );

    let active: Enterprise = app
        .get(&format!("/api/v1/enterprises/{}", e.id), &officer.token)
        .await
        .json();
    assert_eq!(active.status.as_str(), "active");
    assert_eq!(active.designated_on.to_string(), "2026-06-30");
    let timeline = app
        .get(
            &format!("/api/v1/enterprises/{}/timeline", e.id),
            &officer.token,
        )
        .await
        .page::<TimelineItem>()
        .items;
    assert_eq!(timeline.len(), 1, "{timeline:?}");
    assert_eq!(timeline[0].item_type, TimelineType::Designation);
    assert_eq!(
        timeline[0].title,
        "认定为联系点企业（赣工信应急字〔2026〕12号）"
    );
    let audit = app.audit_of("enterprise", &e.id.to_string()).await;
    assert_eq!(audit.last().unwrap().action, "designate");

    // An enterprise created in a designated batch is active at once; an unknown batch is 422.
    let later = app
        .enterprise(&admin, 2, json!({"designation_batch_id": batch.id}))
        .await;
    assert_eq!(later.status.as_str(), "active");
    let unknown = app
        .post(
            "/api/v1/enterprises",
            &admin.token,
            crate::common::enterprise_body(
                3,
                json!({"designation_batch_id": uuid::Uuid::new_v4()}),
            ),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert_eq!(unknown.error_fields(), ["designation_batch_id"]);
    let listed = app
        .get("/api/v1/designation-batches", &officer.token)
        .await
        .page::<DesignationBatch>()
        .items;
    assert_eq!(listed.len(), 1);
}
