//! The token and revocation endpoints as OAuth client libraries call them: parameters this
//! server does not use are ignored (RFC 6749 §3.2), a `client_id` alone is a public client
//! naming itself, a client secret when sent is verified whatever the grant, and the error codes
//! are the RFCs' own.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use liaison::domain::actor::Role;
use liaison::web::api::auth::{OAuthError, OAuthErrorCode, TokenResponse};
use liaison::web::api::clients::CreatedClient;

use crate::common::{Resp, TestApp, TestUser};

async fn form(app: &TestApp, path: &str, headers: &[(&str, &str)], body: String) -> Resp {
    let body = Some(("application/x-www-form-urlencoded", body));
    app.send("POST", path, None, headers, body).await
}

async fn login(app: &TestApp, user: &TestUser, extra: &str) -> Resp {
    let body = format!(
        "grant_type=password&username={}&password={}{extra}",
        user.username, user.password
    );
    form(app, "/api/v1/auth/token", &[], body).await
}

/// A confidential client of `czt`: its `client_id` and secret.
async fn client(app: &TestApp) -> (String, String) {
    let admin = app.admin().await;
    let body =
        serde_json::json!({"name": "省财政厅预算系统", "department": "czt", "roles": ["finance"]});
    let created = app.post("/api/v1/clients", &admin.token, body).await;
    let created = created.json::<CreatedClient>();
    (created.client_id, created.client_secret.unwrap_or_default())
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

#[actix_web::test]
async fn parameters_a_library_adds_are_ignored_on_login_refresh_and_revoke() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    // What frontend libraries send besides the grant: their client_id, a scope, a state.
    let resp = login(&app, &user, "&client_id=liaison-web&scope=openid&state=xyz").await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let refresh = resp.json::<TokenResponse>().refresh_token.unwrap();

    let body = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id=liaison-web&redirect_uri=https%3A%2F%2Fapp"
    );
    let resp = form(&app, "/api/v1/auth/token", &[], body).await;
    assert_eq!(
        resp.status, 200,
        "refresh with extra parameters: {}",
        resp.text
    );
    let refresh = resp.json::<TokenResponse>().refresh_token.unwrap();

    // authlib's revoke_token sends client_id; the login ends.
    let body = format!("token={refresh}&token_type_hint=refresh_token&client_id=liaison-web");
    let resp = form(&app, "/api/v1/auth/revoke", &[], body).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let body = format!("grant_type=refresh_token&refresh_token={refresh}");
    let after = form(&app, "/api/v1/auth/token", &[], body).await;
    assert_eq!(after.status, 400, "the revoked login is over");
    assert_eq!(
        after.json::<OAuthError>().error,
        OAuthErrorCode::InvalidGrant
    );
}

#[actix_web::test]
async fn grants_this_server_does_not_offer_are_unsupported_grant_type() {
    let app = TestApp::new().await;
    let body = "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fapp".to_owned();
    let resp = form(&app, "/api/v1/auth/token", &[], body).await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::UnsupportedGrantType
    );
    // No grant_type at all is a malformed request.
    let resp = form(&app, "/api/v1/auth/token", &[], "username=a".to_owned()).await;
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidRequest
    );
}

#[actix_web::test]
async fn a_client_secret_is_verified_whatever_the_grant() {
    let app = TestApp::new().await;
    let user = app.user("gxw", &[Role::Liaison]).await;
    let (id, secret) = client(&app).await;

    // Bogus client credentials in HTTP Basic on a password grant: no token.
    let bogus = basic(&id, "not-the-secret");
    let body = format!(
        "grant_type=password&username={}&password={}",
        user.username, user.password
    );
    let resp = form(
        &app,
        "/api/v1/auth/token",
        &[("Authorization", &bogus)],
        body.clone(),
    )
    .await;
    assert_eq!(resp.status, 401, "{}", resp.text);
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidClient
    );
    assert!(!resp.text.contains("access_token"));
    assert!(
        resp.header("www-authenticate")
            .unwrap_or_default()
            .starts_with("Basic")
    );

    // Blank client fields, as Swagger UI's Authorize dialog sends them: no client named.
    let blank = basic("", "");
    let resp = form(
        &app,
        "/api/v1/auth/token",
        &[("Authorization", &blank)],
        body.clone(),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text);

    // The right secret: the user's token, as asked.
    let good = basic(&id, &secret);
    let resp = form(
        &app,
        "/api/v1/auth/token",
        &[("Authorization", &good)],
        body.clone(),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let refresh = resp.json::<TokenResponse>().refresh_token.unwrap();

    // A wrong secret in the form on the refresh grant, and on a revocation: refused, and the
    // login lives on.
    let with_secret = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id={id}&client_secret=wrong"
    );
    let resp = form(&app, "/api/v1/auth/token", &[], with_secret).await;
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidClient
    );
    let revoke = format!("token={refresh}&client_id={id}&client_secret=wrong");
    let resp = form(&app, "/api/v1/auth/revoke", &[], revoke).await;
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidClient
    );
    let refreshed = form(
        &app,
        "/api/v1/auth/token",
        &[],
        format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_eq!(
        refreshed.status, 200,
        "the login survived: {}",
        refreshed.text
    );

    // A secret without its client_id, or two ways at once: refused.
    let lone = format!("{body}&client_secret={secret}");
    let resp = form(&app, "/api/v1/auth/token", &[], lone).await;
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidClient
    );
    let both = format!("{body}&client_id={id}&client_secret={secret}");
    let resp = form(
        &app,
        "/api/v1/auth/token",
        &[("Authorization", &good)],
        both,
    )
    .await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json::<OAuthError>().error,
        OAuthErrorCode::InvalidRequest
    );
}

#[actix_web::test]
async fn a_bad_bearer_token_is_named_invalid_token_and_a_missing_one_is_not() {
    let app = TestApp::new().await;
    let resp = app.get("/api/v1/me", "not.a.token").await;
    assert_eq!(resp.status, 401);
    let challenge = resp.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer realm=\"liaison\""),
        "{challenge}"
    );
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(challenge.contains("error_description=\""), "{challenge}");

    let anonymous = app.call("GET", "/api/v1/me", None, None).await;
    assert_eq!(anonymous.status, 401);
    let challenge = anonymous.header("www-authenticate").unwrap_or_default();
    assert_eq!(
        challenge, "Bearer realm=\"liaison\"",
        "RFC 6750 §3.1: no error without a token"
    );
}

#[actix_web::test]
async fn a_token_without_the_rights_is_named_insufficient_scope() {
    let app = TestApp::new().await;
    let liaison = app.user("gxw", &[Role::Liaison]).await;
    let resp = app.get("/api/v1/users", &liaison.token).await;
    assert_eq!(resp.status, 403, "{}", resp.text);
    assert_eq!(
        resp.header("www-authenticate").as_deref(),
        Some("Bearer realm=\"liaison\", error=\"insufficient_scope\""),
        "RFC 6750 §3.1"
    );
}
