//! Rights follow the database, not the token (issue 15, item 1): a token names its caller, and
//! each request reads that caller's roles, department and standing afresh.

use liaison::domain::actor::Role;
use liaison::domain::auth::standing::STANDING_TTL;
use liaison::web::api::auth::Me;
use serde_json::{Value, json};

use crate::common::TestApp;

/// Waits until every cached standing has run out, as another replica's would.
async fn past_the_standing_cache() {
    tokio::time::sleep(STANDING_TTL + std::time::Duration::from_millis(300)).await;
}

#[actix_web::test]
async fn a_demoted_admin_loses_admin_rights_at_once_with_its_old_token() {
    let app = TestApp::new().await;
    let real_admin = app.admin().await;
    let demoted = app.admin().await;
    assert_eq!(app.get("/api/v1/users", &demoted.token).await.status, 200);

    let path = format!("/api/v1/users/{}", demoted.id);
    let changed = app
        .patch(&path, &real_admin.token, json!({"roles": ["liaison"]}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);

    // The same token, still unexpired, no longer carries admin rights.
    assert_eq!(app.get("/api/v1/users", &demoted.token).await.status, 403);
    let repromote = app
        .patch(&path, &demoted.token, json!({"roles": ["admin"]}))
        .await;
    assert_eq!(repromote.status, 403);
    let me: Value = app.get("/api/v1/me", &demoted.token).await.json();
    assert_eq!(me["roles"], json!(["liaison"]));
    let new_admin = json!({
        "username": "shadow.admin", "password": "a-long-enough-password",
        "department": "gxw", "roles": ["admin"]
    });
    let created = app.post("/api/v1/users", &demoted.token, new_admin).await;
    assert_eq!(created.status, 403);
    assert_eq!(app.count("users WHERE username = 'shadow.admin'").await, 0);
}

#[actix_web::test]
async fn a_change_made_on_another_replica_applies_to_old_tokens_within_seconds() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1501, json!({})).await;
    let departments = &enterprise.assigned_departments;
    assert_eq!(departments, &["gxw"], "the fixture assigns gxw");
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let path = format!("/api/v1/enterprises/{}", enterprise.id);
    let edit = json!({"address": "南昌市红谷滩区"});
    assert_eq!(
        app.patch(&path, &officer.token, edit.clone()).await.status,
        200
    );

    // Moved to another department behind this instance's back, as another replica would.
    app.db
        .client()
        .await
        .execute(
            "UPDATE users SET department = 'czt', roles = '{analyst}' WHERE id = $1::text::uuid",
            &[&officer.id.to_string()],
        )
        .await
        .unwrap();
    past_the_standing_cache().await;

    let me: Me = app.get("/api/v1/me", &officer.token).await.json();
    assert_eq!(me.department, "czt");
    assert_eq!(me.roles, [Role::Analyst]);
    assert_eq!(app.patch(&path, &officer.token, edit).await.status, 403);
}

#[actix_web::test]
async fn a_users_standing_is_not_taken_for_a_clients_with_the_same_id() {
    let app = TestApp::new().await;
    let user = app.login_as(Role::Liaison, "gxw").await;
    assert_eq!(app.get("/api/v1/me", &user.token).await.status, 200);
    // A client token naming the user's id: no client has that id, so it is refused even
    // though the user's standing is cached.
    let forged = app
        .state
        .keys
        .issue(
            user.id,
            liaison::domain::actor::ActorKind::Client,
            "gxw",
            &[Role::Admin],
        )
        .unwrap();
    assert_eq!(app.get("/api/v1/me", &forged).await.status, 401);
}
