//! The token endpoint, token checks, refresh rotation, revocation, throttling, `/me`.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use liaison::domain::actor::Role;
use liaison::web::api::auth::{Me, OAuthError, OAuthErrorCode, TokenResponse};
use liaison::web::api::clients::CreatedClient;
use serde_json::{Value, json};

use crate::common::{JWT_SECRET, TestApp, TestUser};

async fn password_login(app: &TestApp, user: &TestUser) -> crate::common::Resp {
    let form = format!(
        "grant_type=password&username={}&password={}",
        user.username, user.password
    );
    app.send(
        "POST",
        "/api/v1/auth/token",
        None,
        &[],
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await
}

async fn token_json(app: &TestApp, body: Value) -> crate::common::Resp {
    app.call("POST", "/api/v1/auth/token", None, Some(&body))
        .await
}

#[actix_web::test]
async fn password_grant_by_form_and_json_gives_working_tokens() {
    let app = TestApp::new().await;
    let user = app.user("fgw", &[Role::Liaison, Role::Analyst]).await;
    let resp = password_login(&app, &user).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.json::<TokenResponse>().token_type, "Bearer");
    assert_eq!(resp.json::<TokenResponse>().expires_in, 900);
    assert_eq!(resp.header("cache-control").as_deref(), Some("no-store"));
    assert!(resp.json::<TokenResponse>().refresh_token.is_some());
    let access = &resp.json::<TokenResponse>().access_token;
    let me = app.get("/api/v1/me", access).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json::<Me>().kind.as_str(), "user");
    assert_eq!(me.json::<Me>().username, Some(user.username.clone()));
    assert_eq!(me.json::<Me>().department, "fgw");
    assert_eq!(me.json::<Me>().roles, [Role::Liaison, Role::Analyst]);

    // The claims of the contract are in the token.
    let payload = access.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    for claim in ["iss", "aud", "sub", "dept", "roles", "iat", "exp", "jti"] {
        assert!(!claims[claim].is_null(), "claim {claim} missing: {claims}");
    }
    assert_eq!(claims["sub"], user.id.to_string());

    let resp = token_json(&app, json!({"grant_type": "password", "username": user.username.to_uppercase(), "password": user.password})).await;
    assert_eq!(
        resp.status, 200,
        "usernames match regardless of case: {}",
        resp.text
    );

    // A successful login is in the audit trail.
    let events = app.audit_of("user", &user.id.to_string()).await;
    assert!(events.iter().any(|e| e.action == "login"));
}

#[actix_web::test]
async fn wrong_credentials_and_unknown_grants_get_oauth_errors() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    let resp = token_json(&app, json!({"grant_type": "password", "username": user.username, "password": "not-the-password"})).await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidGrant
    );
    assert!(!resp.text.contains("access_token"));
    let resp = token_json(&app, json!({"grant_type": "password", "username": "nobody-at-all", "password": "whatever-password"})).await;
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidGrant
    );
    let resp = token_json(
        &app,
        json!({"grant_type": "authorization_code", "code": "x"}),
    )
    .await;
    assert_eq!(resp.status, 400);
    let resp = token_json(&app, json!({"grant_type": "implicit"})).await;
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::UnsupportedGrantType
    );
    let resp = token_json(
        &app,
        json!({"grant_type": "password", "username": user.username}),
    )
    .await;
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidRequest
    );
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_login() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    let first = password_login(&app, &user)
        .await
        .json::<TokenResponse>()
        .refresh_token
        .unwrap();
    let resp = token_json(
        &app,
        json!({"grant_type": "refresh_token", "refresh_token": first}),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let second = resp.json::<TokenResponse>().refresh_token.unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.get("/api/v1/me", &resp.json::<TokenResponse>().access_token)
            .await
            .status,
        200
    );

    // Presenting the spent token again: refused, and the whole login is revoked.
    let reuse = token_json(
        &app,
        json!({"grant_type": "refresh_token", "refresh_token": first}),
    )
    .await;
    assert_eq!(reuse.status, 400);
    assert_eq!(
        reuse.json::<OAuthError>().error,
        OAuthErrorCode::InvalidGrant
    );
    let after = token_json(
        &app,
        json!({"grant_type": "refresh_token", "refresh_token": second}),
    )
    .await;
    assert_eq!(after.status, 400, "the rotated token died with its login");

    // Another login of the same user is unaffected.
    let other = password_login(&app, &user)
        .await
        .json::<TokenResponse>()
        .refresh_token
        .unwrap();
    let resp = token_json(
        &app,
        json!({"grant_type": "refresh_token", "refresh_token": other}),
    )
    .await;
    assert_eq!(resp.status, 200);
}

#[actix_web::test]
async fn revoke_ends_a_login() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    let refresh = password_login(&app, &user)
        .await
        .json::<TokenResponse>()
        .refresh_token
        .unwrap();
    let form = format!("token={refresh}&token_type_hint=refresh_token");
    let resp = app
        .send(
            "POST",
            "/api/v1/auth/revoke",
            None,
            &[],
            Some(("application/x-www-form-urlencoded", form)),
        )
        .await;
    assert_eq!(resp.status, 200);
    let resp = token_json(
        &app,
        json!({"grant_type": "refresh_token", "refresh_token": refresh}),
    )
    .await;
    assert_eq!(resp.status, 400);
    // Revoking an unknown token is not an error (RFC 7009).
    let resp = app
        .call(
            "POST",
            "/api/v1/auth/revoke",
            None,
            Some(&json!({"token": "unknown"})),
        )
        .await;
    assert_eq!(resp.status, 200);
}

#[actix_web::test]
async fn client_credentials_by_body_and_basic_auth() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/clients",
            &admin.token,
            json!({"name": "省财政厅预算系统", "department": "czt", "roles": ["finance"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let (id, secret) = (
        &created.json::<CreatedClient>().client_id,
        &created
            .json::<CreatedClient>()
            .client_secret
            .unwrap_or_default(),
    );

    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let resp = app
        .send(
            "POST",
            "/api/v1/auth/token",
            None,
            &[],
            Some(("application/x-www-form-urlencoded", form)),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert!(resp.json::<TokenResponse>().refresh_token.is_none());
    let me = app
        .get("/api/v1/me", &resp.json::<TokenResponse>().access_token)
        .await;
    assert_eq!(me.json::<Me>().kind.as_str(), "client");
    assert_eq!(me.json::<Me>().name.as_deref(), Some("省财政厅预算系统"));
    assert_eq!(me.json::<Me>().department, "czt");
    assert_eq!(me.json::<Me>().roles, [Role::Finance]);

    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let resp = app
        .send(
            "POST",
            "/api/v1/auth/token",
            None,
            &[("Authorization", &basic)],
            Some((
                "application/x-www-form-urlencoded",
                "grant_type=client_credentials".into(),
            )),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);

    let resp = token_json(
        &app,
        json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "wrong"}),
    )
    .await;
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidClient
    );
}

fn forge(claims: Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn claims_for(user: &TestUser) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": "liaison", "aud": "liaison-api", "sub": user.id, "dept": "gxw", "roles": ["admin"],
           "iat": now, "exp": now + 600, "jti": uuid::Uuid::new_v4(), "kind": "user"})
}

#[actix_web::test]
async fn bad_tokens_are_401_with_www_authenticate() {
    let app = TestApp::new().await;
    let user = app.admin().await;
    let good = forge(claims_for(&user), JWT_SECRET.as_bytes());
    assert_eq!(
        app.get("/api/v1/me", &good).await.status,
        200,
        "the forged-with-the-right-key token works"
    );

    let mut expired = claims_for(&user);
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 60);
    let mut wrong_aud = claims_for(&user);
    wrong_aud["aud"] = json!("another-api");
    let mut wrong_iss = claims_for(&user);
    wrong_iss["iss"] = json!("someone-else");
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let none_body = URL_SAFE_NO_PAD.encode(claims_for(&user).to_string());
    let cases = [
        ("expired", forge(expired, JWT_SECRET.as_bytes())),
        (
            "bad signature",
            forge(claims_for(&user), b"another-secret-another-secret-0123456"),
        ),
        ("alg none", format!("{none_header}.{none_body}.")),
        ("wrong audience", forge(wrong_aud, JWT_SECRET.as_bytes())),
        ("wrong issuer", forge(wrong_iss, JWT_SECRET.as_bytes())),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (name, token) in cases {
        let resp = app.get("/api/v1/me", &token).await;
        assert_eq!(resp.status, 401, "{name}: {}", resp.text);
        assert!(
            resp.header("www-authenticate")
                .unwrap_or_default()
                .starts_with("Bearer"),
            "{name}"
        );
    }
    let anonymous = app.call("GET", "/api/v1/me", None, None).await;
    assert_eq!(anonymous.status, 401);
}

#[actix_web::test]
async fn a_disabled_users_token_stops_working_within_seconds() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    assert_eq!(app.get("/api/v1/me", &user.token).await.status, 200);
    // Disabled behind this instance's back, as another replica would do it.
    app.db
        .client()
        .await
        .execute(
            "UPDATE users SET disabled = true WHERE id = $1::text::uuid",
            &[&user.id.to_string()],
        )
        .await
        .unwrap();
    tokio::time::sleep(
        liaison::domain::auth::standing::STANDING_TTL + std::time::Duration::from_millis(300),
    )
    .await;
    assert_eq!(app.get("/api/v1/me", &user.token).await.status, 401);
    // And it cannot log in again.
    assert_eq!(password_login(&app, &user).await.status, 400);
}

#[actix_web::test]
async fn ten_failed_logins_for_a_username_are_throttled_with_retry_after() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    let wrong =
        json!({"grant_type": "password", "username": user.username, "password": "wrong-password!"});
    // Nine failures, then a success resets the count.
    for _ in 0..9 {
        assert_eq!(token_json(&app, wrong.clone()).await.status, 400);
    }
    assert_eq!(password_login(&app, &user).await.status, 200);
    for _ in 0..10 {
        assert_eq!(token_json(&app, wrong.clone()).await.status, 400);
    }
    let throttled = password_login(&app, &user).await;
    assert_eq!(
        throttled.status, 429,
        "even the right password waits: {}",
        throttled.text
    );
    let retry: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Another username from the same address is not affected.
    let other = app.user("gxw", &[Role::Liaison]).await;
    assert_eq!(password_login(&app, &other).await.status, 200);
}

#[actix_web::test]
async fn a_hundred_failures_from_one_address_are_throttled_across_replicas() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    // Failures recorded by other replicas live in the shared database.
    app.db
        .client()
        .await
        .execute("INSERT INTO login_failures (username, client_addr) SELECT 'guess' || g, '127.0.0.1' FROM generate_series(1, 100) g", &[])
        .await
        .unwrap();
    let resp = password_login(&app, &user).await;
    assert_eq!(resp.status, 429);
    assert!(resp.header("retry-after").is_some());
}

#[actix_web::test]
async fn passwords_are_stored_as_argon2id_hashes_only() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let created = app
        .post("/api/v1/users", &admin.token, json!({"username": "hash.check", "password": "一个足够长的中文密码abc", "department": "gxw", "roles": ["analyst"]}))
        .await;
    assert_eq!(created.status, 201);
    assert!(
        !created.text.contains("一个足够长的密码"),
        "no password in the response"
    );
    assert!(!created.text.contains("argon2"), "no hash in the response");
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT password_hash FROM users WHERE username = 'hash.check'",
            &[],
        )
        .await
        .unwrap();
    let hash: String = row.get(0);
    assert!(hash.starts_with("$argon2id$"));
    let resp = token_json(&app, json!({"grant_type": "password", "username": "hash.check", "password": "一个足够长的中文密码abc"})).await;
    assert_eq!(resp.status, 200);
}
