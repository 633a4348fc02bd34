//! `/api/v1/users` (admin only).

use liaison::domain::actor::Role;
use liaison::domain::users::directory::DirectoryEntry;
use liaison::domain::users::store::User;
use liaison::web::api::auth::TokenResponse;
use serde_json::json;

use crate::common::TestApp;

fn new_user(username: &str) -> serde_json::Value {
    json!({"username": username, "password": "a-long-enough-password", "department": "fgw", "roles": ["liaison"], "display_name": "王芳"})
}

#[actix_web::test]
async fn only_admins_manage_users() {
    let app = TestApp::new().await;
    let target = app.user("gxw", &[Role::Liaison]).await;
    for role in [Role::Liaison, Role::Finance, Role::Analyst] {
        let user = app.user("gxw", &[role]).await;
        assert_eq!(
            app.get("/api/v1/users", &user.token).await.status,
            403,
            "{role:?}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/users/{}", target.id), &user.token)
                .await
                .status,
            403
        );
        assert_eq!(
            app.post("/api/v1/users", &user.token, new_user("x.y.z"))
                .await
                .status,
            403
        );
        assert_eq!(
            app.patch(
                &format!("/api/v1/users/{}", target.id),
                &user.token,
                json!({"disabled": true})
            )
            .await
            .status,
            403
        );
    }
    assert_eq!(
        app.call("GET", "/api/v1/users", None, None).await.status,
        401
    );
    assert_eq!(
        app.call("POST", "/api/v1/users", None, Some(&new_user("x.y.z")))
            .await
            .status,
        401
    );
}

#[actix_web::test]
async fn admin_creates_a_user_who_can_log_in() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let created = app
        .post("/api/v1/users", &admin.token, new_user("wang.fang"))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.id();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/users/{id}"))
    );
    assert_eq!(created.json::<User>().department.to_string(), "fgw");
    assert_eq!(created.json::<User>().roles, [Role::Liaison]);
    assert!(!created.json::<User>().disabled);
    assert_eq!(created.json::<User>().version, 1);
    assert!(
        !created.text.contains("password"),
        "no password, not even its hash"
    );

    let login = app
        .call("POST", "/api/v1/auth/token", None, Some(&json!({"grant_type": "password", "username": "wang.fang", "password": "a-long-enough-password"})))
        .await;
    assert_eq!(login.status, 200);

    let events = app.audit_of("user", &id).await;
    assert_eq!(events[0].action, "create");
    assert_eq!(events[0].changes["username"]["after"], "wang.fang");
    assert!(
        !events[0]
            .changes
            .to_string()
            .contains("a-long-enough-password")
    );

    // Usernames are unique regardless of case.
    assert_eq!(
        app.post("/api/v1/users", &admin.token, new_user("Wang.Fang"))
            .await
            .status,
        409
    );
    let mut bad = new_user("someone");
    bad["department"] = json!("nope");
    let resp = app.post("/api/v1/users", &admin.token, bad).await;
    assert_eq!(resp.status, 422);
    assert_eq!(resp.error_fields(), vec!["department"]);
    let mut owned = new_user("someone");
    owned["id"] = json!(id);
    assert_eq!(
        app.post("/api/v1/users", &admin.token, owned).await.status,
        422
    );
}

#[actix_web::test]
async fn users_list_pages_with_a_cursor_and_filters() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for name in ["a.one", "b.two", "c.three"] {
        assert_eq!(
            app.post("/api/v1/users", &admin.token, new_user(name))
                .await
                .status,
            201
        );
    }
    let first = app
        .get("/api/v1/users?department=fgw&limit=2", &admin.token)
        .await;
    assert_eq!(first.status, 200);
    let first_page = first.page::<User>().items;
    let names: Vec<&str> = first_page.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, vec!["a.one", "b.two"]);
    let cursor = &first.page::<User>().next_cursor.unwrap();
    let second = app
        .get(
            &format!("/api/v1/users?department=fgw&limit=2&cursor={cursor}"),
            &admin.token,
        )
        .await;
    let second_page = second.page::<User>().items;
    let names: Vec<&str> = second_page.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, vec!["c.three"]);
    assert!(second.page::<User>().next_cursor.is_none());

    let admins = app.get("/api/v1/users?role=admin", &admin.token).await;
    assert_eq!(admins.page::<User>().items.len(), 1);
    assert_eq!(
        app.get("/api/v1/users?limit=201", &admin.token)
            .await
            .status,
        422
    );
    assert_eq!(
        app.get("/api/v1/users?limit=0", &admin.token).await.status,
        422
    );
    assert_eq!(
        app.get("/api/v1/users?cursor=tampered!", &admin.token)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/users?role=boss", &admin.token)
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn admin_changes_a_user_and_disabling_ends_its_access() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    let path = format!("/api/v1/users/{}", user.id);
    assert_eq!(
        app.get(&path, &admin.token).await.header("etag").as_deref(),
        Some("\"1\"")
    );

    let changed = app
        .patch(
            &path,
            &admin.token,
            json!({"roles": ["liaison", "analyst"], "department": "kjt", "display_name": null}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json::<User>().department.to_string(), "kjt");
    assert_eq!(changed.json::<User>().roles, [Role::Liaison, Role::Analyst]);
    assert!(changed.json::<User>().display_name.is_none());
    assert_eq!(changed.json::<User>().version, 2);

    let stale = app
        .send(
            "PATCH",
            &path,
            Some(&admin.token),
            &[("If-Match", "\"1\"")],
            Some(("application/json", json!({"disabled": true}).to_string())),
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(
        app.get("/api/v1/me", &user.token).await.status,
        200,
        "the stale change did not apply"
    );

    let disabled = app
        .patch(&path, &admin.token, json!({"disabled": true}))
        .await;
    assert_eq!(disabled.status, 200);
    assert_eq!(app.get("/api/v1/me", &user.token).await.status, 401);

    let bad = app
        .patch(
            &path,
            &admin.token,
            json!({"roles": null, "password": "short", "disabled": null}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["disabled", "password", "roles"]);
    assert_eq!(
        app.patch(&path, &admin.token, json!({"username": "renamed"}))
            .await
            .status,
        422
    );
    assert_eq!(
        app.get(
            "/api/v1/users/00000000-0000-0000-0000-000000000000",
            &admin.token
        )
        .await
        .status,
        404
    );

    let events = app.audit_of("user", &user.id.to_string()).await;
    let updates: Vec<_> = events.iter().filter(|e| e.action == "update").collect();
    assert_eq!(updates.len(), 2);
    assert_eq!(
        updates[0].changes["department"],
        json!({"before": "gxw", "after": "kjt"})
    );
}

#[actix_web::test]
async fn a_password_change_ends_the_users_logins() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    let login = app
        .call("POST", "/api/v1/auth/token", None, Some(&json!({"grant_type": "password", "username": user.username, "password": user.password})))
        .await;
    let refresh = login
        .json::<TokenResponse>()
        .refresh_token
        .unwrap_or_default();
    let resp = app
        .patch(
            &format!("/api/v1/users/{}", user.id),
            &admin.token,
            json!({"password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(resp.status, 200);
    let events = app.audit_of("user", &user.id.to_string()).await;
    assert_eq!(
        events.last().unwrap().changes["password"]["after"],
        "(changed)"
    );
    let refreshed = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"grant_type": "refresh_token", "refresh_token": refresh})),
        )
        .await;
    assert_eq!(refreshed.status, 400);
}

#[actix_web::test]
async fn an_admin_cannot_disable_or_demote_itself() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let path = format!("/api/v1/users/{}", admin.id);
    assert_eq!(
        app.patch(&path, &admin.token, json!({"disabled": true}))
            .await
            .status,
        409
    );
    assert_eq!(
        app.patch(&path, &admin.token, json!({"roles": ["analyst"]}))
            .await
            .status,
        409
    );
    assert_eq!(app.get("/api/v1/me", &admin.token).await.status, 200);
    let ok = app
        .patch(&path, &admin.token, json!({"roles": ["admin", "analyst"]}))
        .await;
    assert_eq!(ok.status, 200);
}

#[actix_web::test]
async fn everyone_reads_the_directory_without_usernames() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({"username": "du.jun", "password": "supervise-2026-strong", "department": "yjb",
                   "roles": ["supervisor"], "display_name": "杜军"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json::<User>().roles, [Role::Supervisor]);
    let supervisor = app.login_as(Role::Supervisor, "yjb").await;
    let analyst = app.login_as(Role::Analyst, "tjj").await;
    for reader in [&supervisor, &analyst] {
        let resp = app
            .get("/api/v1/directory?department=yjb", &reader.token)
            .await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        assert!(!resp.text.contains("du.jun"), "no username: {}", resp.text);
        let people = resp.page::<DirectoryEntry>().items;
        let du = people
            .iter()
            .find(|p| p.display_name.as_deref() == Some("杜军"));
        assert_eq!(du.map(|p| p.roles.clone()), Some(vec![Role::Supervisor]));
        assert!(people.iter().all(|p| p.department == "yjb"));
    }
    // Pages by department, then id; every person once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/directory?limit=1".to_owned();
    loop {
        let page = app
            .get(&path, &analyst.token)
            .await
            .page::<DirectoryEntry>();
        seen.extend(page.items.iter().map(|p| (p.department.clone(), p.id)));
        match page.next_cursor {
            Some(c) => path = format!("/api/v1/directory?limit=1&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "in order, each once");
    assert_eq!(
        seen.len(),
        4,
        "the admin, 杜军, the supervisor and the analyst"
    );
    assert_eq!(
        app.call("GET", "/api/v1/directory", None, None)
            .await
            .status,
        401
    );
}
