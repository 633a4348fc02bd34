//! `/api/v1/clients` (admin only).

use liaison::domain::actor::Role;
use liaison::domain::clients::store::ApiClient;
use liaison::web::api::auth::TokenResponse;
use liaison::web::api::clients::CreatedClient;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn client_secret_is_shown_once_and_only_admins_manage_clients() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let body = json!({"name": "省统计局数据交换平台", "department": "tjj", "roles": ["analyst"]});
    for role in [Role::Liaison, Role::Finance, Role::Analyst] {
        let user = app.user("tjj", &[role]).await;
        assert_eq!(
            app.post("/api/v1/clients", &user.token, body.clone())
                .await
                .status,
            403
        );
        assert_eq!(app.get("/api/v1/clients", &user.token).await.status, 403);
    }
    assert_eq!(
        app.call("GET", "/api/v1/clients", None, None).await.status,
        401
    );

    let created = app.post("/api/v1/clients", &admin.token, body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.id();
    let shown = created.json::<CreatedClient>();
    let secret = shown.client_secret.unwrap_or_default();
    assert!(secret.len() >= 40);
    assert!(shown.client_id.starts_with("lc_"));

    let read = app
        .get(&format!("/api/v1/clients/{id}"), &admin.token)
        .await;
    assert_eq!(read.status, 200);
    assert!(read.body.get("client_secret").is_none());
    assert!(!read.text.contains(&secret));
    let list = app.get("/api/v1/clients", &admin.token).await;
    assert_eq!(list.page::<ApiClient>().items.len(), 1);
    assert!(!list.text.contains(&secret));
    assert!(
        !app.audit_of("client", &id).await[0]
            .changes
            .to_string()
            .contains(&secret)
    );

    let bad = app
        .post(
            "/api/v1/clients",
            &admin.token,
            json!({"name": " ", "department": "tjj", "roles": []}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["name", "roles"]);
}

#[actix_web::test]
async fn a_disabled_client_can_no_longer_get_or_use_tokens() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/clients",
            &admin.token,
            json!({"name": "应急办值守系统", "department": "yjb", "roles": ["analyst"]}),
        )
        .await;
    let (id, client_id, secret) = (
        created.id(),
        created.json::<CreatedClient>().client_id,
        created
            .json::<CreatedClient>()
            .client_secret
            .unwrap_or_default(),
    );
    let grant = json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret});
    let token = app
        .call("POST", "/api/v1/auth/token", None, Some(&grant))
        .await
        .json::<TokenResponse>()
        .access_token;
    assert_eq!(
        app.get("/api/v1/reference/regions", &token).await.status,
        200
    );
    assert_eq!(
        app.get("/api/v1/users", &token).await.status,
        403,
        "an analyst client is no admin"
    );

    let changed = app
        .send(
            "PATCH",
            &format!("/api/v1/clients/{id}"),
            Some(&admin.token),
            &[("If-Match", "\"1\"")],
            Some((
                "application/merge-patch+json",
                json!({"disabled": true, "name": "应急办值守系统（停用）"}).to_string(),
            )),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert!(changed.json::<ApiClient>().disabled);
    assert_eq!(changed.json::<ApiClient>().version, 2);
    assert_eq!(
        app.get("/api/v1/reference/regions", &token).await.status,
        401
    );
    assert_eq!(
        app.call("POST", "/api/v1/auth/token", None, Some(&grant))
            .await
            .status,
        401
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/clients/{id}"),
            &admin.token,
            json!({"client_id": "x"})
        )
        .await
        .status,
        422
    );
}
