//! `Idempotency-Key` on creating POSTs: retries replay, other bodies conflict, one record only.

use liaison::domain::actor::Role;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn a_retry_with_the_same_key_replays_the_first_response() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 1, json!({})).await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let body = json!({"enterprise_id": e["id"], "category": "financing", "title": "贷款贴息", "assigned_department": "czt"}).to_string();
    let send = |key: &'static str, body: String| {
        let app = &app;
        let token = officer.token.clone();
        async move {
            app.send(
                "POST",
                "/api/v1/demands",
                Some(&token),
                &[("Idempotency-Key", key)],
                Some(("application/json", body)),
            )
            .await
        }
    };
    let first = send("visit-2026-11-29-001", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = send("visit-2026-11-29-001", body.clone()).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the same body");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(app.count("demands").await, 1);

    let other_body = body.replace("贷款贴息", "用地指标");
    let conflict = send("visit-2026-11-29-001", other_body.clone()).await;
    assert_eq!(conflict.status, 409);
    assert_eq!(app.count("demands").await, 1);
    assert_eq!(
        send("visit-2026-11-29-002", other_body).await.status,
        201,
        "a new key is a new request"
    );

    // Keys belong to their caller.
    let colleague = app.user("gxw", &[Role::Liaison]).await;
    let theirs = app
        .send(
            "POST",
            "/api/v1/demands",
            Some(&colleague.token),
            &[("Idempotency-Key", "visit-2026-11-29-001")],
            Some(("application/json", body)),
        )
        .await;
    assert_eq!(theirs.status, 201);
    assert_ne!(theirs.body["id"], first.body["id"]);
    assert_eq!(app.count("demands").await, 3);

    let bad = app
        .send(
            "POST",
            "/api/v1/demands",
            Some(&officer.token),
            &[("Idempotency-Key", &"x".repeat(300))],
            Some(("application/json", "{}".into())),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[actix_web::test]
async fn concurrent_requests_with_one_key_create_one_record() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let body = json!({"code": "sft", "name": "省司法厅"}).to_string();
    let call = || {
        app.send(
            "POST",
            "/api/v1/departments",
            Some(&admin.token),
            &[("Idempotency-Key", "dept-sft")],
            Some(("application/json", body.clone())),
        )
    };
    let (a, b, c, d) = futures_util::join!(call(), call(), call(), call());
    for resp in [&a, &b, &c, &d] {
        assert!(resp.status == 201 || resp.status == 409, "{}", resp.text);
        if resp.status == 201 {
            assert_eq!(resp.body["code"], "sft");
        }
    }
    assert!([&a, &b, &c, &d].iter().any(|r| r.status == 201));
    assert_eq!(app.count("departments WHERE code = 'sft'").await, 1);
    assert_eq!(
        app.count("audit_events WHERE entity = 'department' AND entity_id = 'sft'")
            .await,
        1
    );
}
