//! What a penetration test of the service found, each as the attacker tried it (issue 15):
//! login throttling that cannot be sidestepped, password hashing that cannot exhaust memory.

use std::process::{Command, Stdio};

use futures_util::future::join_all;
use liaison::domain::actor::Role;
use liaison::domain::visits::model::Visit;
use serde_json::json;

use crate::common::{Child, JWT_SECRET, TestApp, TestDb};

fn wrong_login(username: &str) -> serde_json::Value {
    json!({"grant_type": "password", "username": username, "password": "wrong-password!"})
}

/// `ＡＢＣ` for `abc`: the full-width forms NFKC folds back.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            other => other,
        })
        .collect()
}

#[actix_web::test]
async fn every_spelling_of_a_username_counts_against_the_same_account() {
    let app = TestApp::new().await;
    let user = app.login_as(Role::Liaison, "gxw").await;
    let spellings = [
        user.username.clone(),
        user.username.to_uppercase(),
        full_width(&user.username),
    ];
    for i in 0..10 {
        let resp = app
            .call(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(&wrong_login(&spellings[i % 3])),
            )
            .await;
        assert_eq!(resp.status, 400, "attempt {i}: {}", resp.text);
    }
    let right =
        json!({"grant_type": "password", "username": user.username, "password": user.password});
    let throttled = app
        .call("POST", "/api/v1/auth/token", None, Some(&right))
        .await;
    assert_eq!(throttled.status, 429, "{}", throttled.text);
    assert!(throttled.header("retry-after").is_some());
    // A dotted capital İ is not a spelling of `i`: it names no account and logs nobody in.
    let dotted = json!({"grant_type": "password", "username": "\u{130}nspector", "password": "x"});
    let resp = app
        .call("POST", "/api/v1/auth/token", None, Some(&dotted))
        .await;
    assert_eq!(resp.status, 400);
}

#[actix_web::test]
async fn forty_concurrent_wrong_logins_let_only_ten_through() {
    let app = TestApp::new().await;
    let user = app.login_as(Role::Liaison, "gxw").await;
    let body = wrong_login(&user.username);
    let attempts = (0..40).map(|_| app.call("POST", "/api/v1/auth/token", None, Some(&body)));
    let statuses: Vec<u16> = join_all(attempts).await.iter().map(|r| r.status).collect();
    let checked = statuses.iter().filter(|s| **s == 400).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (10, 30), "{statuses:?}");
    let counted = app
        .count(&format!(
            "login_failures WHERE username = '{}'",
            user.username
        ))
        .await;
    assert_eq!(counted, 10);
}

#[actix_web::test]
async fn overlong_or_nul_credentials_are_refused_without_a_server_error() {
    let app = TestApp::new().await;
    for (field, value) in [("username", "a\u{0}b"), ("username", &"x".repeat(3000))] {
        let mut body = wrong_login("someone");
        body[field] = json!(value);
        let resp = app
            .call("POST", "/api/v1/auth/token", None, Some(&body))
            .await;
        assert_eq!(resp.status, 400, "{field}: {}", resp.text);
    }
    // A foreign client_id is not looked up (401); one longer than allowed is malformed (400).
    for (client_id, status) in [("lc_\u{0}".to_owned(), 401), ("c".repeat(3000), 400)] {
        let body = json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": "s"});
        let resp = app
            .call("POST", "/api/v1/auth/token", None, Some(&body))
            .await;
        assert_eq!(resp.status, status, "{}", resp.text);
    }
}

/// Resident memory of a process, in MiB: now and at its peak.
pub(crate) fn memory_mib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The real binary serving `db` on a free port, with an HTTP client that waits up to a minute.
pub(crate) struct RealServer {
    pub process: Child,
    pub base: String,
    pub client: awc::Client,
}

pub(crate) async fn real_server(db: &TestDb) -> RealServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let process = Child(
        Command::new(env!("CARGO_BIN_EXE_liaison"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &db.url)
            .env("LIAISON_JWT_SECRET", JWT_SECRET)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    RealServer {
        process,
        base,
        client,
    }
}

#[actix_web::test]
async fn a_burst_of_two_hundred_logins_leaves_the_server_small_and_answers_all() {
    let db = TestDb::new().await;
    let RealServer {
        process: server,
        base,
        client,
    } = real_server(&db).await;
    // Unknown usernames: each costs a full Argon2id check (against the dummy hash) until the
    // address has used up its 100 failures.
    let attempts = (0..200).map(|i| {
        let body = wrong_login(&format!("nobody{i}"));
        let client = &client;
        let url = format!("{base}/api/v1/auth/token");
        async move {
            client
                .post(url)
                .send_json(&body)
                .await
                .map(|r| r.status().as_u16())
        }
    });
    let statuses: Vec<Result<u16, String>> = join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.map_err(|e| e.to_string()))
        .collect();
    let answered: Vec<u16> = statuses
        .iter()
        .filter_map(|s| s.as_ref().ok().copied())
        .collect();
    assert_eq!(answered.len(), 200, "dropped: {statuses:?}");
    assert!(
        answered.iter().all(|s| matches!(s, 400 | 429 | 503)),
        "{answered:?}"
    );
    assert!(
        answered.iter().filter(|s| **s == 400).count() >= 90,
        "{answered:?}"
    );
    let (rss, peak) = memory_mib(server.0.id());
    assert!(peak < 300, "peak resident {peak} MiB (now {rss} MiB)");
}

#[actix_web::test]
async fn arrays_in_bodies_have_limits_and_repeated_ids_count_once() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1601, json!({})).await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let body = |officers: serde_json::Value, demands: serde_json::Value| {
        json!({
            "enterprise_id": enterprise.id, "visited_on": "2026-11-20", "kind": "on_site",
            "officers": officers, "summary": "走访企业", "demands": demands,
        })
    };
    let demand =
        json!({"category": "financing", "title": "贷款贴息", "assigned_department": "czt"});
    let started = std::time::Instant::now();
    let flood = app
        .post(
            "/api/v1/visits",
            &officer.token,
            body(json!([officer.id]), json!(vec![demand.clone(); 9_000])),
        )
        .await;
    assert_eq!(flood.status, 422, "{}", flood.text);
    assert_eq!(flood.error_fields(), ["demands"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let many_officers = vec![json!(officer.id); 21];
    let refused = app
        .post(
            "/api/v1/visits",
            &officer.token,
            body(json!(many_officers), json!([])),
        )
        .await;
    assert_eq!(refused.error_fields(), ["officers"]);
    assert_eq!(app.count("visits").await + app.count("demands").await, 0);

    let repeated = vec![json!(officer.id); 20];
    let visit = app
        .post(
            "/api/v1/visits",
            &officer.token,
            body(json!(repeated), json!([demand])),
        )
        .await;
    assert_eq!(visit.status, 201, "{}", visit.text);
    assert_eq!(visit.json::<Visit>().officers, [officer.id]);
    // The document states the limits, for generated clients and linters.
    let doc: serde_json::Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    let new_visit = &doc["components"]["schemas"]["NewVisit"]["properties"];
    assert_eq!(new_visit["demands"]["maxItems"], 50);
    assert_eq!(new_visit["officers"]["maxItems"], 20);
}

#[actix_web::test]
async fn dates_outside_1949_to_2099_are_refused_everywhere_they_enter() {
    use base64::Engine;
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let mut body = crate::common::enterprise_body(1801, json!({"designated_on": "0001-01-01"}));
    body["size"] = json!("huge");
    let resp = app.post("/api/v1/enterprises", &admin.token, body).await;
    assert_eq!(resp.status, 422);
    assert_eq!(
        resp.error_fields(),
        ["designated_on", "size"],
        "with the body's other problems"
    );

    let filter = app
        .get("/api/v1/visits?visited_from=-5000-01-01", &admin.token)
        .await;
    assert_eq!(
        (filter.status, filter.error_fields()),
        (422, vec!["visited_from".to_owned()])
    );
    let audit = app
        .get(
            "/api/v1/audit-events?from=%2B262142-12-31T00:00:00Z",
            &admin.token,
        )
        .await;
    assert_eq!(audit.status, 422, "{}", audit.text);

    let forge = |key: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_string())
    };
    for key in [
        json!(["-5000-01-01", "00000000-0000-0000-0000-000000000001"]),
        json!([
            "2026-01-01T00:00:00Z\u{0}",
            "00000000-0000-0000-0000-000000000001"
        ]),
    ] {
        let page = app
            .get(
                &format!("/api/v1/visits?cursor={}", forge(key)),
                &admin.token,
            )
            .await;
        assert_eq!(page.status, 400, "{}", page.text);
    }

    // Thousands of bad dates: the first 50 problems, the array's own length first.
    let calendar = json!({"year": 2026, "holidays": vec!["0001-01-01"; 5_000], "workdays": []});
    let resp = app
        .call(
            "PUT",
            "/api/v1/reference/calendar",
            Some(&admin.token),
            Some(&calendar),
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    let fields = resp.error_fields();
    assert_eq!((fields.len(), fields[0].as_str()), (50, "holidays"));

    // An import cell: the dry run and the real run say the same.
    let csv = format!(
        "统一社会信用代码,企业名称,行政区划代码,行业类别,企业规模,牵头部门,认定日期\n{},甲公司,360100,rescue_disposal,medium,gxw,0001-01-01\n",
        crate::common::credit_code(1802)
    );
    for query in ["?dry_run=true", ""] {
        let resp = app
            .send_bytes(
                "POST",
                &format!("/api/v1/imports/enterprises{query}"),
                Some(&admin.token),
                &[],
                Some(("text/csv", csv.clone().into_bytes())),
            )
            .await;
        assert_eq!(resp.status, 422, "{query}: {}", resp.text);
        assert_eq!(resp.cell_errors()[0].code, "out_of_range");
    }
}

/// The audit events of `action`, waiting for the background writer (at most 3 s).
async fn security_events(app: &TestApp, action: &str) -> Vec<tokio_postgres::Row> {
    let client = app.db.client().await;
    for _ in 0..30 {
        let rows = client
            .query(
                "SELECT actor_kind, entity_id, changes::text, actor::text FROM audit_events \
                 WHERE action = $1",
                &[&action],
            )
            .await
            .unwrap();
        if !rows.is_empty() {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Vec::new()
}

#[actix_web::test]
async fn failed_logins_and_refused_requests_are_in_the_audit_trail() {
    let app = TestApp::new().await;
    let typed = "Zhang.San\u{0}";
    let failed = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&wrong_login(typed)),
        )
        .await;
    assert_eq!(failed.status, 400);
    let rows = security_events(&app, "login_failed").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "anonymous");
    assert_eq!(
        rows[0].get::<_, String>(1),
        "Zhang.San",
        "as typed, NUL dropped"
    );
    assert!(
        rows[0].get::<_, String>(2).contains("127.0.0.1"),
        "with the client address"
    );

    let analyst = app.login_as(Role::Analyst, "tjj").await;
    let refused = app.get("/api/v1/users", &analyst.token).await;
    assert_eq!(refused.status, 403);
    let rows = security_events(&app, "access_denied").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(1), "GET /api/v1/users");
    assert_eq!(rows[0].get::<_, String>(3), analyst.id.to_string());
    assert!(
        rows[0]
            .get::<_, String>(2)
            .contains("your role may not do this")
    );
}
