//! HTTP as RFC 9110 and caches expect it: HEAD on every GET route, 304 for an ETag the caller
//! holds, `If-Match` with lists and strong comparison, compression by `Accept-Encoding`, and
//! the Swagger UI cached by browsers.

use liaison::domain::actor::Role;
use serde_json::{Value, json};

use crate::common::TestApp;

/// Every GET path of the document, with a random id where it takes one.
fn get_paths(document: &Value) -> Vec<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let paths = document["paths"].as_object().unwrap();
    let mut found: Vec<String> = paths
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(path, _)| {
            path.split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        id.as_str()
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    found.sort();
    found
}

#[actix_web::test]
async fn head_answers_every_get_route_with_its_headers_and_no_body() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let document = app.call("GET", "/openapi.json", None, None).await.body;
    let paths = get_paths(&document);
    assert!(paths.len() > 50, "{} GET paths", paths.len());
    for path in paths.iter().chain(["/docs/".to_owned()].iter()) {
        let head = app.send("HEAD", path, Some(&admin.token), &[], None).await;
        let get = app.send("GET", path, Some(&admin.token), &[], None).await;
        assert_ne!(head.status, 405, "HEAD {path}");
        assert_eq!(head.status, get.status, "HEAD {path} answers as GET does");
        assert!(head.bytes.is_empty(), "HEAD {path} has no body");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "{path}"
        );
    }

    // A resource: the same ETag as its GET; a streamed export: headers only.
    let e = app.enterprise(&admin, 1, json!({})).await;
    let path = format!("/api/v1/enterprises/{}", e.id);
    let head = app.send("HEAD", &path, Some(&admin.token), &[], None).await;
    assert_eq!(head.header("etag").as_deref(), Some("\"1\""));
    let export = app
        .send(
            "HEAD",
            "/api/v1/exports/enterprises",
            Some(&admin.token),
            &[],
            None,
        )
        .await;
    assert_eq!(export.status, 200);
    assert!(export.header("content-disposition").is_some());
    assert!(export.bytes.is_empty());
    // A path with no GET still says which methods it has.
    let post_only = app
        .send("HEAD", "/api/v1/auth/token", None, &[], None)
        .await;
    assert_eq!(post_only.status, 405);
}

#[actix_web::test]
async fn an_etag_the_caller_holds_is_304_without_a_body() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 2, json!({})).await;
    let path = format!("/api/v1/enterprises/{}", e.id);
    let token = Some(admin.token.as_str());
    for held in ["\"1\"", "W/\"1\"", "\"7\", \"1\"", "*"] {
        let resp = app
            .send("GET", &path, token, &[("If-None-Match", held)], None)
            .await;
        assert_eq!(resp.status, 304, "If-None-Match: {held}");
        assert!(resp.bytes.is_empty());
        assert_eq!(resp.header("etag").as_deref(), Some("\"1\""));
    }
    let stale = app
        .send("GET", &path, token, &[("If-None-Match", "\"0\"")], None)
        .await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.header("etag").as_deref(), Some("\"1\""));

    // The API document and the Swagger UI files are validated the same way.
    for shared in [
        "/openapi.json",
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
    ] {
        let first = app.send("GET", shared, None, &[], None).await;
        assert_eq!(first.status, 200, "{shared}");
        let tag = first
            .header("etag")
            .unwrap_or_else(|| panic!("{shared} has an ETag"));
        let again = app
            .send("GET", shared, None, &[("If-None-Match", &tag)], None)
            .await;
        assert_eq!(again.status, 304, "{shared}");
        assert!(again.bytes.is_empty());
    }
    let bundle = app
        .send("GET", "/docs/swagger-ui-bundle.js", None, &[], None)
        .await;
    let caching = bundle.header("cache-control").unwrap_or_default();
    assert!(
        caching.contains("public") && caching.contains("max-age") && caching.contains("immutable"),
        "{caching}"
    );
    let data = app.send("GET", &path, token, &[], None).await;
    assert_eq!(
        data.header("cache-control").as_deref(),
        Some("no-store"),
        "API data is never stored"
    );
}

async fn patch_description(
    app: &TestApp,
    path: &str,
    token: &str,
    if_match: &str,
    description: &str,
) -> crate::common::Resp {
    let body = json!({"description": description}).to_string();
    let body = Some(("application/merge-patch+json", body));
    app.send("PATCH", path, Some(token), &[("If-Match", if_match)], body)
        .await
}

#[actix_web::test]
async fn if_match_takes_a_list_and_star_and_refuses_weak_tags() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 3, json!({})).await;
    let path = format!("/api/v1/enterprises/{}", e.id);
    let patch = |if_match: &'static str, description: &'static str| {
        patch_description(&app, &path, &admin.token, if_match, description)
    };
    assert_eq!(
        patch("W/\"1\"", "弱标签").await.status,
        412,
        "a weak tag never matches If-Match"
    );
    assert_eq!(
        patch("\"5\", \"1\"", "列表").await.status,
        200,
        "the current version is in the list"
    );
    assert_eq!(
        patch("\"1\"", "旧版本").await.status,
        412,
        "version 1 is stale now"
    );
    assert_eq!(patch("*", "任意").await.status, 200);
    let read = app.get(&path, &admin.token).await;
    assert_eq!(read.header("etag").as_deref(), Some("\"3\""));
    assert_eq!(read.body["description"], "任意");
}

#[actix_web::test]
async fn lists_documents_and_csv_are_compressed_as_the_caller_accepts() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for seed in 10..40 {
        app.enterprise(&admin, seed, json!({})).await;
    }
    let token = Some(admin.token.as_str());
    let plain = app
        .send_raw("GET", "/api/v1/enterprises?limit=200", token, &[])
        .await;
    assert!(plain.header("content-encoding").is_none());
    for coding in ["gzip", "br", "zstd"] {
        for path in [
            "/api/v1/enterprises?limit=200",
            "/openapi.json",
            "/api/v1/exports/enterprises",
        ] {
            let raw = app
                .send_raw("GET", path, token, &[("Accept-Encoding", coding)])
                .await;
            assert_eq!(raw.status, 200, "{path}");
            assert_eq!(
                raw.header("content-encoding").as_deref(),
                Some(coding),
                "{path}"
            );
            assert!(
                raw.header("vary")
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains("accept-encoding")
            );
        }
        let raw = app
            .send_raw(
                "GET",
                "/api/v1/enterprises?limit=200",
                token,
                &[("Accept-Encoding", coding)],
            )
            .await;
        assert!(
            raw.bytes.len() * 3 < plain.bytes.len(),
            "{coding}: {} of {} bytes",
            raw.bytes.len(),
            plain.bytes.len()
        );
    }
    // Decoded by the client, the same page.
    let decoded = app
        .send(
            "GET",
            "/api/v1/enterprises?limit=200",
            token,
            &[("Accept-Encoding", "br")],
            None,
        )
        .await;
    assert_eq!(decoded.body, plain.body);

    // A resource keeps its version as its ETag: it is not compressed.
    let one = app.enterprise(&admin, 99, json!({})).await;
    let path = format!("/api/v1/enterprises/{}", one.id);
    let raw = app
        .send_raw("GET", &path, token, &[("Accept-Encoding", "gzip")])
        .await;
    assert!(raw.header("content-encoding").is_none());
    assert_eq!(raw.header("etag").as_deref(), Some("\"1\""));
    // A compressed document's tag names its coding, and validates as such.
    let doc = app
        .send_raw("GET", "/openapi.json", None, &[("Accept-Encoding", "gzip")])
        .await;
    let tag = doc.header("etag").unwrap_or_default();
    assert!(tag.ends_with("-gzip\""), "{tag}");
    let again = app
        .send_raw(
            "GET",
            "/openapi.json",
            None,
            &[("Accept-Encoding", "gzip"), ("If-None-Match", &tag)],
        )
        .await;
    assert_eq!(again.status, 304);
}

#[actix_web::test]
async fn accept_chooses_the_export_format_when_the_query_does_not() {
    let app = TestApp::new().await;
    let admin = app.login_as(Role::Admin, "gxw").await;
    let token = Some(admin.token.as_str());
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let path = "/api/v1/exports/enterprises";
    let by_accept = app
        .send("GET", path, token, &[("Accept", xlsx)], None)
        .await;
    assert_eq!(by_accept.header("content-type").as_deref(), Some(xlsx));
    assert!(by_accept.bytes.starts_with(b"PK"), "a zip (XLSX) file");
    let ranked = format!("text/csv;q=0.5, {xlsx}");
    let resp = app
        .send("GET", path, token, &[("Accept", ranked.as_str())], None)
        .await;
    assert_eq!(resp.header("content-type").as_deref(), Some(xlsx));
    let csv_first = format!("text/csv, {xlsx};q=0.9");
    let resp = app
        .send("GET", path, token, &[("Accept", csv_first.as_str())], None)
        .await;
    assert!(
        resp.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    // The query wins over the header.
    let resp = app
        .send(
            "GET",
            &format!("{path}?format=csv"),
            token,
            &[("Accept", xlsx)],
            None,
        )
        .await;
    assert!(
        resp.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
}
