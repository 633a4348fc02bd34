//! `Idempotency-Key` on creating POSTs: retries replay, other bodies conflict, one record only.

use liaison::domain::actor::Role;
use liaison::domain::departments::model::Department;
use liaison::web::api::auth::TokenResponse;
use liaison::web::api::clients::CreatedClient;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn a_retry_with_the_same_key_replays_the_first_response() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 1, json!({})).await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let body = json!({"enterprise_id": e.id, "category": "financing", "title": "贷款贴息", "assigned_department": "czt"}).to_string();
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
    assert_ne!(theirs.id(), first.id());
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
            assert_eq!(resp.json::<Department>().code, "sft");
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

#[actix_web::test]
async fn no_secret_is_kept_in_clear_and_a_replay_says_how_to_get_a_new_one() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let body = json!({"name": "12345 热线", "department": "gxw", "roles": ["analyst"]}).to_string();
    let create = || {
        app.send(
            "POST",
            "/api/v1/clients",
            Some(&admin.token),
            &[("Idempotency-Key", "hotline-client")],
            Some(("application/json", body.clone())),
        )
    };
    let first = create().await;
    assert_eq!(first.status, 201, "{}", first.text);
    let first = first.json::<CreatedClient>();
    let secret = first.client_secret.clone().unwrap_or_default();
    let stored = app
        .db
        .client()
        .await
        .query_one(
            "SELECT convert_from(response_body, 'UTF8') FROM idempotency_keys",
            &[],
        )
        .await
        .unwrap()
        .get::<_, String>(0);
    assert!(!stored.contains(&secret), "the secret is not stored");

    let replay = create().await;
    assert_eq!(replay.status, 201);
    let replay = replay.json::<CreatedClient>();
    assert_eq!(replay.id, first.id);
    assert!(replay.client_secret.is_none());
    let id = first.id;
    let note = replay.client_secret_note.unwrap_or_default();
    assert!(
        note.contains(&format!("/api/v1/clients/{id}/rotate-secret")),
        "{note}"
    );

    // Rotating gives a secret that works; the first one stops working.
    let rotated = app
        .post(
            &format!("/api/v1/clients/{id}/rotate-secret"),
            &admin.token,
            json!(null),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(rotated.header("cache-control").as_deref(), Some("no-store"));
    let client_id = first.client_id;
    let grant = |secret: String| {
        let body = json!({"grant_type": "client_credentials",
            "client_id": client_id, "client_secret": secret});
        let app = &app;
        async move {
            app.call("POST", "/api/v1/auth/token", None, Some(&body))
                .await
                .status
        }
    };
    let new_secret = rotated
        .json::<CreatedClient>()
        .client_secret
        .unwrap_or_default();
    assert_eq!(grant(new_secret).await, 200);
    assert_eq!(grant(secret).await, 401);
}

#[actix_web::test]
async fn token_requests_take_no_part_in_idempotency() {
    let app = TestApp::new().await;
    let user = app.login_as(Role::Liaison, "gxw").await;
    let form = format!(
        "grant_type=password&username={}&password={}",
        user.username, user.password
    );
    let login = app
        .send(
            "POST",
            "/api/v1/auth/token",
            Some(&user.token),
            &[("Idempotency-Key", "login-1")],
            Some(("application/x-www-form-urlencoded", form)),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let refresh = format!(
        "grant_type=refresh_token&refresh_token={}",
        login
            .json::<TokenResponse>()
            .refresh_token
            .unwrap_or_default()
    );
    let use_refresh = || {
        app.send(
            "POST",
            "/api/v1/auth/token",
            Some(&user.token),
            &[("Idempotency-Key", "refresh-1")],
            Some(("application/x-www-form-urlencoded", refresh.clone())),
        )
    };
    assert_eq!(use_refresh().await.status, 200);
    // The same key again is not a replay: the spent refresh token is refused.
    let again = use_refresh().await;
    assert_eq!(again.status, 400, "{}", again.text);
    assert!(again.body.get("access_token").is_none());
    assert_eq!(app.count("idempotency_keys").await, 0);
}

#[actix_web::test]
async fn requests_waiting_on_a_running_key_hold_no_database_connection() {
    use sha2::{Digest, Sha256};
    let app = TestApp::with_config(|c| c.db_pool_size = 2).await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let body = json!({"title": "x"}).to_string();
    // A first request under the key that never finishes (its process died, say).
    let mut hash = Sha256::new();
    hash.update("POST");
    hash.update("/api/v1/demands");
    hash.update(body.as_bytes());
    app.db
        .client()
        .await
        .execute(
            "INSERT INTO idempotency_keys (actor, key, request_hash) VALUES ($1::text::uuid, 'stuck', $2)",
            &[&officer.id.to_string(), &hash.finalize().to_vec()],
        )
        .await
        .unwrap();
    let waiters = (0..8).map(|_| {
        app.send(
            "POST",
            "/api/v1/demands",
            Some(&officer.token),
            &[("Idempotency-Key", "stuck")],
            Some(("application/json", body.clone())),
        )
    });
    let others = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let started = std::time::Instant::now();
        let status = app.get("/api/v1/departments", &officer.token).await.status;
        (status, started.elapsed())
    };
    let (waited, (status, took)) = tokio::join!(futures_util::future::join_all(waiters), others);
    assert_eq!(status, 200, "another caller is served while eight wait");
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    assert!(
        waited.iter().all(|r| r.status == 409),
        "they give up after a bounded wait"
    );
}

#[actix_web::test]
async fn the_role_check_comes_before_the_key_reads_anything() {
    let app = TestApp::new().await;
    let analyst = app.user("tjj", &[Role::Analyst]).await;
    let oversized = "x".repeat(2 * 1024 * 1024);
    for (key, body) in [("k1", oversized), ("bad key", "{".to_owned())] {
        let resp = app
            .send(
                "POST",
                "/api/v1/demands",
                Some(&analyst.token),
                &[("Idempotency-Key", key)],
                Some(("application/json", body)),
            )
            .await;
        assert_eq!(resp.status, 403, "{key}: {}", resp.text);
    }
    assert_eq!(app.count("idempotency_keys").await, 0);
}
