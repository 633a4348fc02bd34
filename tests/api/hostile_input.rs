//! The hostile-input suite (issue 15, item 6): every operation of the OpenAPI document, each of
//! its parameters and body fields given values an attacker would send — NUL, overlong text,
//! dates outside any calendar PostgreSQL keeps, huge and negative numbers, deep nesting, huge
//! arrays. None may answer 5xx or drop the connection, or list more bad fields than documented.

use serde_json::{Value, json};

use crate::common::TestApp;

/// Values for a parameter in a path or query string.
fn hostile_texts() -> Vec<String> {
    vec![
        "a\u{0}b".into(),
        "x".repeat(5_000),
        "-5000-01-01".into(),
        "+262142-12-31".into(),
        "0001-01-01".into(),
        "-5000-01-01T00:00:00Z".into(),
        "99999999999999999999999".into(),
        "-1".into(),
        "1e400".into(),
        "9999-Q9".into(),
    ]
}

/// Values for a body field.
fn hostile_values() -> Vec<Value> {
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    vec![
        json!("a\u{0}b"),
        json!("长".repeat(20_000)),
        json!("-5000-01-01"),
        json!("+262142-12-31"),
        json!("0001-01-01"),
        json!(1e300),
        json!(-9_223_372_036_854_775_807i64),
        json!(u64::MAX),
        deep,
        json!(vec!["00000000-0000-0000-0000-000000000001"; 10_000]),
        json!(vec!["0001-01-01"; 5_000]),
    ]
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "00000000-0000-0000-0000-000000000001")
        .replace("{contact_id}", "00000000-0000-0000-0000-000000000002")
        .replace("{code}", "gxw")
        .replace("{quarter}", "2026-Q1")
}

/// The JSON body's top-level property names of an operation, `$ref` followed.
fn body_fields(doc: &Value, op: &Value) -> Vec<String> {
    let content = &op["requestBody"]["content"];
    let Some(schema) = content
        .as_object()
        .and_then(|c| c.iter().find(|(t, _)| t.contains("json")))
        .map(|(_, media)| &media["schema"])
    else {
        return Vec::new();
    };
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

#[actix_web::test]
async fn no_hostile_value_gets_a_server_error() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1701, json!({})).await;
    let doc: Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    // A problem lists no more bad fields than the document says, however many were sent.
    let max_errors = doc["components"]["schemas"]["Problem"]["properties"]["errors"]["maxItems"]
        .as_u64()
        .unwrap();
    let mut sent = 0;
    let mut failures = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            let base = concrete(path);
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for param in &params {
                let (name, place) = (
                    param["name"].as_str().unwrap(),
                    param["in"].as_str().unwrap(),
                );
                for value in hostile_texts() {
                    let resp = match place {
                        "query" => {
                            let query = serde_urlencoded::to_string([(name, &value)]).unwrap();
                            app.call(
                                &method,
                                &format!("{base}?{query}"),
                                Some(&admin.token),
                                None,
                            )
                            .await
                        }
                        "path" => {
                            let target = path.replace(&format!("{{{name}}}"), &urlencode(&value));
                            app.call(&method, &concrete(&target), Some(&admin.token), None)
                                .await
                        }
                        _ => continue,
                    };
                    sent += 1;
                    if resp.status >= 500 {
                        failures.push(format!(
                            "{method} {path} {place} {name}={:.40?}: {}",
                            value, resp.text
                        ));
                    }
                }
            }
            for field in body_fields(&doc, op) {
                for value in hostile_values() {
                    let mut body = json!({"enterprise_id": enterprise.id});
                    body[&field] = value;
                    let resp = app
                        .call(&method, &base, Some(&admin.token), Some(&body))
                        .await;
                    sent += 1;
                    let listed = resp.body["errors"].as_array().map_or(0, Vec::len);
                    if resp.status >= 500 || listed as u64 > max_errors {
                        let shown = body[&field].to_string();
                        failures.push(format!(
                            "{method} {path} body {field}={:.40}: {}",
                            shown, resp.text
                        ));
                    }
                }
            }
        }
    }
    assert!(sent > 1_000, "only {sent} requests");
    assert!(
        failures.is_empty(),
        "{} of {sent} requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every query and header parameter the document limits (`maxLength`) is refused one character
/// past its limit, naming the parameter: the contract generated clients and schemathesis rely on.
#[actix_web::test]
async fn every_declared_parameter_limit_is_enforced() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let doc: Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for param in &params {
                let (name, place) = (param["name"].as_str().unwrap(), param["in"].as_str());
                let Some(max) = param["schema"]["maxLength"].as_u64() else {
                    continue;
                };
                let over = "x".repeat(max as usize + 1);
                let method = method.to_uppercase();
                let resp = match place {
                    Some("query") => {
                        let query = serde_urlencoded::to_string([(name, &over)]).unwrap();
                        let target = format!("{}?{query}", concrete(path));
                        app.call(&method, &target, Some(&admin.token), None).await
                    }
                    Some("header") => {
                        let headers = [(name, over.as_str())];
                        app.send(&method, &concrete(path), Some(&admin.token), &headers, None)
                            .await
                    }
                    _ => continue,
                };
                checked += 1;
                let named = resp.body["errors"][0]["field"] == name
                    || resp.body["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains(name));
                if !matches!(resp.status, 400 | 422) || !named {
                    failures.push(format!(
                        "{method} {path} {name} ({} characters): {} {}",
                        max + 1,
                        resp.status,
                        resp.text
                    ));
                }
            }
        }
    }
    assert!(checked > 60, "only {checked} limited parameters");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every `/api/` operation refuses a query parameter its document entry does not declare, with
/// a 400 that names it, and changes nothing (a write with one is refused before it runs). Without
/// a token, an operation that needs one is 401 first, as the contract orders.
#[actix_web::test]
async fn every_operation_refuses_an_undeclared_query_parameter() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let doc: Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            let target = format!("{}?not_declared=1", concrete(path));
            let resp = app.call(&method, &target, Some(&admin.token), None).await;
            checked += 1;
            let named = resp.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("`not_declared`"));
            if resp.status != 400 || !named {
                failures.push(format!("{method} {path}: {} {}", resp.status, resp.text));
            }
            let public = item[method.to_lowercase()]["security"] == serde_json::json!([]);
            let anonymous = app.call(&method, &target, None, None).await;
            if anonymous.status != if public { 400 } else { 401 } {
                failures.push(format!(
                    "{method} {path} without a token: {}",
                    anonymous.status
                ));
            }
        }
    }
    assert!(checked > 90, "only {checked} operations");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let departments = app.count("departments").await;
    let body = serde_json::json!({"code": "qtest", "name": "测试部门"});
    let refused = app
        .post(
            "/api/v1/departments?not_declared=1",
            &admin.token,
            body.clone(),
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(app.count("departments").await, departments);
    let created = app.post("/api/v1/departments", &admin.token, body).await;
    assert_eq!(created.status, 201, "{}", created.text);
}
