//! `GET /api/v1/audit-events`: admin only, filters, append-only, same transaction as the change.

use liaison::domain::actor::Role;
use liaison::domain::audit::store::AuditEvent;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn audit_list_filters_by_entity_actor_and_time() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let start = chrono::Utc::now();
    app.post(
        "/api/v1/departments",
        &admin.token,
        json!({"code": "sft", "name": "省司法厅"}),
    )
    .await;
    app.patch(
        "/api/v1/departments/sft",
        &admin.token,
        json!({"name": "省司法厅（新）"}),
    )
    .await;
    app.post(
        "/api/v1/departments",
        &admin.token,
        json!({"code": "mzt", "name": "省民政厅"}),
    )
    .await;

    let resp = app
        .get(
            "/api/v1/audit-events?entity=department&entity_id=sft",
            &admin.token,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let items = resp.page::<AuditEvent>().items;
    let actions: Vec<&str> = items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "update"], "oldest first");
    assert_eq!(items[1].actor, Some(admin.id));
    assert_eq!(items[1].department.as_deref(), Some("gxw"));
    assert_eq!(
        items[1].changes["name"],
        json!({"before": "省司法厅", "after": "省司法厅（新）"})
    );
    assert!(items[1].request_id.is_some());

    let by_actor = app
        .get(
            &format!(
                "/api/v1/audit-events?actor={}&entity=department&sort=-at",
                admin.id
            ),
            &admin.token,
        )
        .await;
    let events = by_actor.page::<AuditEvent>().items;
    let ids: Vec<&str> = events.iter().map(|e| e.entity_id.as_str()).collect();
    assert_eq!(ids, vec!["mzt", "sft", "sft"]);

    let from = urlencode(&start.to_rfc3339());
    let paged = app
        .get(
            &format!("/api/v1/audit-events?entity=department&from={from}&limit=2"),
            &admin.token,
        )
        .await;
    assert_eq!(paged.page::<AuditEvent>().items.len(), 2);
    let cursor = &paged.page::<AuditEvent>().next_cursor.unwrap();
    let rest = app
        .get(
            &format!("/api/v1/audit-events?entity=department&from={from}&limit=2&cursor={cursor}"),
            &admin.token,
        )
        .await;
    assert_eq!(rest.page::<AuditEvent>().items.len(), 1);
    let to = urlencode(&start.to_rfc3339());
    let before = app
        .get(
            &format!("/api/v1/audit-events?entity=department&to={to}"),
            &admin.token,
        )
        .await;
    assert_eq!(before.page::<AuditEvent>().items.len(), 0);
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

#[actix_web::test]
async fn only_admins_read_the_audit_log_and_nobody_changes_it() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for role in [Role::Liaison, Role::Finance, Role::Analyst] {
        let user = app.user("gxw", &[role]).await;
        assert_eq!(
            app.get("/api/v1/audit-events", &user.token).await.status,
            403
        );
    }
    assert_eq!(
        app.call("GET", "/api/v1/audit-events", None, None)
            .await
            .status,
        401
    );
    assert_eq!(
        app.call("DELETE", "/api/v1/audit-events", Some(&admin.token), None)
            .await
            .status,
        405
    );
    assert_eq!(
        app.post("/api/v1/audit-events", &admin.token, json!({}))
            .await
            .status,
        405
    );
    let any = app.get("/api/v1/audit-events?limit=1", &admin.token).await;
    let id = any.page::<AuditEvent>().items[0].id.to_string();
    let one = app
        .get(&format!("/api/v1/audit-events/{id}"), &admin.token)
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.id(), id);
    for method in ["DELETE", "PATCH", "PUT"] {
        let resp = app
            .call(
                method,
                &format!("/api/v1/audit-events/{id}"),
                Some(&admin.token),
                Some(&json!({})),
            )
            .await;
        assert_eq!(resp.status, 405, "{method}");
    }
    let analyst = app.user("gxw", &[Role::Analyst]).await;
    assert_eq!(
        app.get(&format!("/api/v1/audit-events/{id}"), &analyst.token)
            .await
            .status,
        403
    );
    // Not even the database owner can rewrite history.
    let client = app.db.client().await;
    assert!(
        client
            .execute("UPDATE audit_events SET action = 'x'", &[])
            .await
            .is_err()
    );
    assert!(
        client
            .execute("DELETE FROM audit_events", &[])
            .await
            .is_err()
    );
}

#[actix_web::test]
async fn a_refused_write_leaves_no_audit_event() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let before = app.count("audit_events").await;
    // Duplicate department: the insert fails, and its audit event goes with it.
    assert_eq!(
        app.post(
            "/api/v1/departments",
            &admin.token,
            json!({"code": "gxw", "name": "重复"})
        )
        .await
        .status,
        409
    );
    let bad_user = json!({"username": "no.dept", "password": "a-long-enough-password", "department": "nope", "roles": ["liaison"]});
    assert_eq!(
        app.post("/api/v1/users", &admin.token, bad_user)
            .await
            .status,
        422
    );
    assert_eq!(app.count("audit_events").await, before);
}
