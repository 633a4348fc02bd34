//! Operations endpoints, the OpenAPI document and the docs page.

use liaison::web::ops::HealthStatus;

use crate::common::TestApp;

#[actix_web::test]
async fn health_and_readiness_answer_without_a_token() {
    let app = TestApp::new().await;
    let health = app.call("GET", "/healthz", None, None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json::<HealthStatus>().status, "ok");
    let ready = app.call("GET", "/readyz", None, None).await;
    assert_eq!(ready.status, 200);
}

#[actix_web::test]
async fn readiness_and_requests_are_503_problems_when_the_database_is_unreachable() {
    // Nothing listens on port 1: the pool cannot connect, as when the database has gone away.
    let app = TestApp::with_config(|c| {
        c.database.database_url = Some(
            "host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2"
                .to_owned()
                .into(),
        )
    })
    .await;
    let admin_token = app
        .state
        .keys
        .issue(
            uuid::Uuid::new_v4(),
            liaison::domain::actor::ActorKind::User,
            "gxw",
            &[liaison::domain::actor::Role::Admin],
        )
        .unwrap();
    let started = std::time::Instant::now();
    let ready = app.call("GET", "/readyz", None, None).await;
    assert_eq!(ready.status, 503);
    assert_eq!(
        ready.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let list = app.get("/api/v1/departments", &admin_token).await;
    assert_eq!(list.status, 503, "{}", list.text);
    assert!(
        !list.text.to_lowercase().contains("connection refused"),
        "no internal cause in the body"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // The process keeps serving what does not need the database.
    assert_eq!(app.call("GET", "/healthz", None, None).await.status, 200);
}

#[actix_web::test]
async fn service_recovers_after_its_connections_are_killed() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    assert_eq!(
        app.get("/api/v1/departments", &admin.token).await.status,
        200
    );
    // Kill every server process of this database, as a database restart would.
    let killer = app.db.client().await;
    killer
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    // At most a request per broken pooled connection fails (503, never 500), then it works again.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(app.get("/api/v1/departments", &admin.token).await.status);
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&200), "{statuses:?}");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    app.get("/api/v1/departments", &admin.token).await;
    let metrics = app.call("GET", "/metrics", None, None).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.text.contains("liaison_http_requests_total"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("endpoint=\"/api/v1/departments\""));
    assert!(
        metrics
            .text
            .contains("liaison_http_requests_duration_seconds_bucket")
    );
    assert!(metrics.text.contains("liaison_db_pool_max 4"));
}

#[actix_web::test]
async fn openapi_document_is_served_and_matches_the_committed_file() {
    let app = TestApp::new().await;
    let served = app.call("GET", "/openapi.json", None, None).await;
    assert_eq!(served.status, 200);
    assert!(served.body["paths"]["/api/v1/auth/token"]["post"].is_object());
    // Event types are listed as the wire has them, so a generated client can switch on them.
    let event_types = &served.body["components"]["schemas"]["EventType"]["enum"];
    assert!(
        event_types
            .as_array()
            .is_some_and(|t| t.contains(&"demand.escalated".into()) && t.len() >= 30),
        "{event_types}"
    );
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let generated = liaison::openapi::document_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test openapi` and commit it"
    );
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(
        committed, served.body,
        "the served document is the committed one"
    );
    let mut dangling = Vec::new();
    dangling_refs(&served.body, &served.body, &mut dangling);
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
    generators_find_what_they_need(&served.body);
}

/// Fields whose values are a closed set, with the set the contract names: a generated client
/// gets an enum to switch on, and schemathesis checks every answer against it.
const CLOSED_SETS: [(&str, &str, &[&str]); 10] = [
    (
        "TimelineItem",
        "satisfaction",
        &["satisfied", "basically_satisfied", "unsatisfied"],
    ),
    ("Policy", "sizes", &["large", "medium", "small", "micro"]),
    ("EligiblePolicy", "matched", &["category", "size", "region"]),
    ("Extension", "status", &["pending", "approved", "rejected"]),
    ("Region", "level", &["city", "county"]),
    (
        "AuditEvent",
        "actor_kind",
        &["user", "client", "system", "anonymous"],
    ),
    (
        "BenefitEvent",
        "to",
        &[
            "identified",
            "applied",
            "approved",
            "realized",
            "rejected",
            "withdrawn",
        ],
    ),
    (
        "OAuthError",
        "error",
        &[
            "invalid_request",
            "invalid_grant",
            "invalid_client",
            "unsupported_grant_type",
        ],
    ),
    (
        "DemandEvent",
        "kind",
        &[
            "created",
            "transition",
            "reassigned",
            "returned",
            "progress",
            "extension_requested",
            "extension_decided",
            "urged",
            "follow_up",
            "escalated",
        ],
    ),
    (
        "EventSubject",
        "type",
        &[
            "enterprise",
            "contact",
            "visit",
            "demand",
            "support_measure",
            "disbursement",
            "policy_benefit",
            "indicator",
            "policy",
            "webhook",
        ],
    ),
];

/// Closed sets too long to repeat here, and the timeline's fields whose set its `type` picks:
/// the document must allow these values among others of their sets.
const SAMPLED_SETS: [(&str, &str, &[&str]); 8] = [
    ("Webhook", "event_types", &["demand.raised", "*"]),
    ("NewWebhook", "event_types", &["policy.published", "*"]),
    ("WebhookPatch", "event_types", &["demand.escalated", "*"]),
    (
        "Policy",
        "benefit_kind",
        &["subsidy", "grant", "loan_interest_subsidy"],
    ),
    ("Delivery", "event_type", &["demand.raised", "webhook.test"]),
    (
        "TimelineItem",
        "kind",
        &["on_site", "escalated", "subsidy", "designated", "withdrawn"],
    ),
    ("TimelineItem", "from", &["open", "applied"]),
    ("TimelineItem", "to", &["accepted", "disbursed", "realized"]),
];

#[test]
fn closed_sets_are_enums_in_the_document() {
    let document: serde_json::Value =
        serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    let allowed = |schema: &str, field: &str| {
        let property = &document["components"]["schemas"][schema]["properties"][field];
        enum_values(&document, property)
    };
    for (schema, field, expected) in CLOSED_SETS {
        assert_eq!(allowed(schema, field), expected, "{schema}.{field}");
    }
    for (schema, field, expected) in SAMPLED_SETS {
        let values = allowed(schema, field);
        for value in expected {
            assert!(
                values.contains(&value.to_string()),
                "{schema}.{field}: {value} not in {values:?}"
            );
        }
    }
}

/// The enum values a property allows, through `$ref`, `oneOf` or `anyOf` (with null) and array
/// items.
fn enum_values(document: &serde_json::Value, node: &serde_json::Value) -> Vec<String> {
    if let Some(target) = node["$ref"].as_str() {
        let pointer = target.trim_start_matches('#');
        return document
            .pointer(pointer)
            .map(|schema| enum_values(document, schema))
            .unwrap_or_default();
    }
    if let Some(values) = node["enum"].as_array() {
        return values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    if let Some(options) = node["oneOf"].as_array().or(node["anyOf"].as_array()) {
        return options
            .iter()
            .flat_map(|o| enum_values(document, o))
            .collect();
    }
    if node["items"].is_object() {
        return enum_values(document, &node["items"]);
    }
    Vec::new()
}

/// What client generators and Swagger UI read: list items typed as the resource, the server's
/// own problems declared on every operation, and a login flow for the Authorize dialog.
fn generators_find_what_they_need(document: &serde_json::Value) {
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let pages: Vec<&String> = schemas.keys().filter(|k| k.starts_with("Page_")).collect();
    assert!(pages.len() >= 20, "{pages:?}");
    for page in pages {
        let item = &schemas[page]["properties"]["items"]["items"]["$ref"];
        assert_eq!(
            item,
            &format!("#/components/schemas/{}", &page[5..]),
            "{page}"
        );
    }
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            assert!(
                responses["default"].is_object(),
                "{method} {path}: no default problem"
            );
            assert!(responses["500"].is_object(), "{method} {path}: no 500");
            let described = operation["description"].as_str().unwrap_or_default();
            let summary = operation["summary"].as_str().unwrap_or_default();
            assert!(
                !described.is_empty() && !summary.is_empty(),
                "{method} {path}: undescribed"
            );
            if path.starts_with("/api/") {
                assert!(responses["503"].is_object(), "{method} {path}: no 503");
            }
        }
    }
    let flow = &document["components"]["securitySchemes"]["oauth2"]["flows"]["password"];
    assert_eq!(flow["tokenUrl"], "/api/v1/auth/token");
    let token = &document["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"];
    let types: Vec<&String> = token.as_object().unwrap().keys().collect();
    assert_eq!(
        types,
        ["application/x-www-form-urlencoded"],
        "one request type for generators"
    );
}

/// Every `$ref` of `node` that names no part of `document` (generators and schemathesis stop
/// at the first).
fn dangling_refs(document: &serde_json::Value, node: &serde_json::Value, out: &mut Vec<String>) {
    match node {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                let pointer = target.trim_start_matches('#');
                if document.pointer(pointer).is_none() {
                    out.push(target.clone());
                }
            }
            map.values().for_each(|v| dangling_refs(document, v, out));
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|v| dangling_refs(document, v, out))
        }
        _ => {}
    }
}

#[actix_web::test]
async fn docs_page_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let page = app.call("GET", "/docs/", None, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger-ui"));
    // Every script and stylesheet is relative: the page works with no internet.
    assert!(!page.text.contains("src=\"http"), "{}", page.text);
    assert!(!page.text.contains("href=\"http"), "{}", page.text);
    let bundle = app
        .call("GET", "/docs/swagger-ui-bundle.js", None, None)
        .await;
    assert_eq!(bundle.status, 200);
    let init = app
        .call("GET", "/docs/swagger-initializer.js", None, None)
        .await;
    assert!(init.text.contains("/openapi.json"));
}

/// Routes and the document agree: every operation the document lists is served (never the
/// router's 404 or 405), and every other method on a listed path is 405 with `Allow` naming
/// exactly the listed ones — so no route is served that the document does not list there.
#[actix_web::test]
async fn every_served_route_is_in_the_document_and_every_listed_one_is_served() {
    let app = TestApp::new().await;
    let doc: serde_json::Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{id}", "00000000-0000-0000-0000-000000000001")
            .replace("{contact_id}", "00000000-0000-0000-0000-000000000002")
            .replace("{quarter}", "2026-Q1")
            .replace("{code}", "gxw");
        let listed: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let resp = app.call(method, &concrete, None, None).await;
            if listed.iter().any(|m| m == method) {
                assert!(
                    ![404, 405].contains(&resp.status) || resp.problem().detail != "no such route",
                    "{method} {path} is listed but not served: {}",
                    resp.text
                );
                assert_ne!(resp.status, 405, "{method} {path} is listed but not served");
            } else {
                assert_eq!(resp.status, 405, "{method} {path} is served but not listed");
                let allow = resp.header("allow").unwrap_or_default();
                let mut allowed: Vec<&str> = allow.split(", ").collect();
                allowed.sort();
                let mut expected: Vec<&str> = listed.iter().map(String::as_str).collect();
                expected.sort();
                assert_eq!(allowed, expected, "Allow of {path}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 200, "only {checked} method × path pairs checked");
}

/// Routes are mounted only by their handlers' attributes (which also document them): the only
/// routes registered by hand are `/metrics` and the docs page.
#[test]
fn no_route_is_registered_by_hand_outside_the_documented_ones() {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut stack = vec![web];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                let by_hand = ["web::resource(", ".route(\"", "web::scope("]
                    .iter()
                    .any(|p| line.contains(p));
                if by_hand && !line.contains("\"/metrics\"") {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "routes registered by hand:\n{}",
        found.join("\n")
    );
}

#[actix_web::test]
async fn the_docs_assets_leave_no_warning_in_the_log() {
    let db = crate::common::TestDb::new().await;
    let log = std::env::temp_dir().join(format!("liaison-log-{}", uuid::Uuid::new_v4()));
    let file = std::fs::File::create(&log).unwrap();
    let (server, base) =
        crate::common::serve_binary(&db.url, &[("RUST_LOG", "warn")], file.into()).await;
    let client = awc::Client::default();
    for asset in [
        "/docs/",
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
    ] {
        let mut res = client.get(format!("{base}{asset}")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{asset}");
        res.body().limit(8 * 1024 * 1024).await.unwrap();
    }
    drop(server);
    let written = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(!written.contains("WARN"), "{written}");
}
