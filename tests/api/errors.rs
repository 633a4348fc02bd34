//! Cross-cutting rules: problem documents for every error, request ids, headers, CORS.

use serde_json::json;

use crate::common::TestApp;

fn assert_problem(resp: &crate::common::Resp, status: u16) {
    assert_eq!(resp.status, status, "{}", resp.text);
    assert_eq!(
        resp.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        resp.text
    );
    // The body is a whole problem document (type, title, detail, status, request id).
    let problem = resp.problem();
    assert_eq!(problem.status, status);
    assert!(!problem.type_.is_empty() && !problem.title.is_empty() && !problem.detail.is_empty());
    assert_eq!(Some(problem.request_id), resp.header("x-request-id"));
}

#[actix_web::test]
async fn unknown_route_is_404_and_wrong_method_405_with_allow_token_or_not() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let missing = app.call("GET", "/api/v1/nothing-here", None, None).await;
    assert_problem(&missing, 404);
    let missing = app.get("/api/v1/nothing-here", &admin.token).await;
    assert_problem(&missing, 404);
    let wrong = app.call("DELETE", "/api/v1/departments", None, None).await;
    assert_problem(&wrong, 405);
    let allow = wrong.header("allow").unwrap_or_default();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let wrong = app
        .call("PUT", "/api/v1/me", Some(&admin.token), None)
        .await;
    assert_problem(&wrong, 405);
}

#[actix_web::test]
async fn malformed_json_is_400_and_changes_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let before = app.count("departments").await;
    let resp = app
        .send(
            "POST",
            "/api/v1/departments",
            Some(&admin.token),
            &[],
            Some(("application/json", "{\"code\": ".into())),
        )
        .await;
    assert_problem(&resp, 400);
    assert_eq!(app.count("departments").await, before);
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let resp = app
        .send(
            "POST",
            "/api/v1/departments",
            Some(&admin.token),
            &[],
            Some(("text/plain", "code=x".into())),
        )
        .await;
    assert_problem(&resp, 415);
}

#[actix_web::test]
async fn body_over_one_mebibyte_is_413() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let big = json!({"code": "big", "name": "x".repeat(1024 * 1024 + 10)}).to_string();
    let resp = app
        .send(
            "POST",
            "/api/v1/departments",
            Some(&admin.token),
            &[],
            Some(("application/json", big)),
        )
        .await;
    assert_problem(&resp, 413);
    assert_eq!(
        app.get("/api/v1/departments/big", &admin.token)
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn unknown_query_parameter_is_400() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    assert_problem(
        &app.get("/api/v1/users?colour=red", &admin.token).await,
        400,
    );
    assert_problem(
        &app.get("/api/v1/departments?page=2", &admin.token).await,
        400,
    );
    assert_problem(&app.get("/api/v1/me?x=1", &admin.token).await, 400);
}

#[actix_web::test]
async fn validation_lists_every_bad_field_with_its_path() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let resp = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({"username": "李", "password": "short", "department": "gxw", "roles": []}),
        )
        .await;
    assert_problem(&resp, 422);
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["password", "roles", "username"]);
    let resp = app
        .post("/api/v1/users", &admin.token, json!({"username": "ok.user", "password": "long-enough-password", "department": "gxw", "roles": ["admin", "boss"]}))
        .await;
    assert_problem(&resp, 422);
    assert_eq!(resp.error_fields(), vec!["roles[1]"]);
}

/// Wrong enum values, wrong types, unknown fields and broken rules of one body are all named in
/// one answer, each with its path as sent; nothing is stored.
#[actix_web::test]
async fn every_wrong_type_and_enum_value_of_a_body_is_named_at_once() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let before = app.count("users").await;
    let resp = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({
                "username": "李",
                "password": "long-enough-password",
                "department": 42,
                "roles": ["boss", "admin", "chief"],
                "disabled": "no",
                "nickname": "x",
            }),
        )
        .await;
    assert_problem(&resp, 422);
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "department",
            "disabled",
            "nickname",
            "roles[0]",
            "roles[2]",
            "username"
        ]
    );
    assert_eq!(app.count("users").await, before);
}

#[actix_web::test]
async fn server_owned_or_unknown_fields_are_422_not_ignored() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let resp = app
        .post(
            "/api/v1/departments",
            &admin.token,
            json!({"code": "sft", "name": "省司法厅", "version": 3}),
        )
        .await;
    assert_problem(&resp, 422);
    assert_eq!(resp.error_fields(), vec!["version"]);
    assert_eq!(resp.error_codes()[0], "unknown_field");
    assert_eq!(
        app.get("/api/v1/departments/sft", &admin.token)
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn text_with_nul_or_blank_required_text_is_422() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let resp = app
        .post(
            "/api/v1/departments",
            &admin.token,
            json!({"code": "sft", "name": "省\u{0}司法厅"}),
        )
        .await;
    assert_problem(&resp, 422);
    assert_eq!(resp.error_fields(), vec!["name"]);
    let resp = app
        .post(
            "/api/v1/departments",
            &admin.token,
            json!({"code": "sft", "name": "   "}),
        )
        .await;
    assert_problem(&resp, 422);
    assert_eq!(resp.error_fields(), vec!["name"]);
}

#[actix_web::test]
async fn request_id_is_echoed_or_generated() {
    let app = TestApp::new().await;
    let echoed = app
        .send(
            "GET",
            "/healthz",
            None,
            &[("X-Request-Id", "trace-42")],
            None,
        )
        .await;
    assert_eq!(echoed.header("x-request-id").as_deref(), Some("trace-42"));
    let generated = app.call("GET", "/healthz", None, None).await;
    assert_eq!(
        generated.header("x-request-id").map(|id| id.len()),
        Some(36)
    );
    let problem = app
        .send(
            "GET",
            "/api/v1/me",
            None,
            &[("X-Request-Id", "trace-43")],
            None,
        )
        .await;
    assert_eq!(problem.problem().request_id, "trace-43");
}

#[actix_web::test]
async fn security_headers_are_set() {
    let app = TestApp::new().await;
    let resp = app.call("GET", "/healthz", None, None).await;
    assert_eq!(
        resp.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(resp.header("x-frame-options").as_deref(), Some("DENY"));
    assert!(resp.header("content-security-policy").is_some());
}

#[actix_web::test]
async fn cors_allows_only_configured_origins() {
    let app =
        TestApp::with_config(|c| c.cors_origins = "https://liaison.example.gov.cn".into()).await;
    let headers = [
        ("Origin", "https://liaison.example.gov.cn"),
        ("Access-Control-Request-Method", "PATCH"),
    ];
    let preflight = app
        .send("OPTIONS", "/api/v1/departments/gxw", None, &headers, None)
        .await;
    assert_eq!(preflight.status, 200, "{}", preflight.text);
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some("https://liaison.example.gov.cn")
    );
    let headers = [
        ("Origin", "https://evil.example.com"),
        ("Access-Control-Request-Method", "GET"),
    ];
    let refused = app
        .send("OPTIONS", "/api/v1/departments", None, &headers, None)
        .await;
    assert!(refused.header("access-control-allow-origin").is_none());
}

/// Every operation the OpenAPI document marks as secured (the document's default, unless the
/// operation says `security: []`) answers 401 without a token, and a problem document (not a 404
/// or 405) — so a new endpoint cannot forget its `Actor`.
#[actix_web::test]
async fn every_secured_operation_requires_a_token() {
    let app = TestApp::new().await;
    let doc: serde_json::Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    assert_eq!(
        doc["security"],
        json!([{"bearer": []}, {"oauth2": []}]),
        "a bearer token (or the password flow that issues one) is the default"
    );
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security") == Some(&json!([])) {
                continue;
            }
            let concrete = path
                .replace("{id}", "00000000-0000-0000-0000-000000000001")
                .replace("{contact_id}", "00000000-0000-0000-0000-000000000002")
                .replace("{code}", "gxw");
            let body = json!({});
            let resp = app
                .call(&method.to_uppercase(), &concrete, None, Some(&body))
                .await;
            assert_eq!(resp.status, 401, "{method} {path}: {}", resp.text);
            assert!(resp.header("www-authenticate").is_some(), "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} secured operations found");
}
