//! `/api/v1/departments`.

use liaison::domain::actor::Role;
use serde_json::json;

use liaison::domain::departments::store::Department;

use crate::common::{Page, TestApp};

#[actix_web::test]
async fn everyone_reads_the_eight_seeded_departments() {
    let app = TestApp::new().await;
    let analyst = app.login_as(Role::Analyst, "tjj").await;
    let resp = app.get("/api/v1/departments", &analyst.token).await;
    assert_eq!(resp.status, 200);
    let page = resp.json::<Page<Department>>();
    let codes: Vec<&str> = page.items.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["czt", "fgw", "gxw", "jrb", "kjt", "swt", "tjj", "yjb"]
    );
    assert_eq!(page.next_cursor, None);
    let gxw = app.get("/api/v1/departments/gxw", &analyst.token).await;
    assert_eq!(gxw.json::<Department>().name, "省工信委");
    assert_eq!(gxw.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(
        app.get("/api/v1/departments/nope", &analyst.token)
            .await
            .status,
        404
    );
    assert_eq!(
        app.call("GET", "/api/v1/departments", None, None)
            .await
            .status,
        401
    );
}

#[actix_web::test]
async fn admins_add_departments_with_audit_and_others_get_403() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let body = json!({"code": "sft", "name": "省司法厅"});
    for role in [Role::Liaison, Role::Finance, Role::Analyst] {
        let user = app.user("gxw", &[role]).await;
        assert_eq!(
            app.post("/api/v1/departments", &user.token, body.clone())
                .await
                .status,
            403,
            "{role:?}"
        );
        // The role check comes before the body: even a broken body is 403.
        let resp = app
            .send(
                "POST",
                "/api/v1/departments",
                Some(&user.token),
                &[],
                Some(("application/json", "{".into())),
            )
            .await;
        assert_eq!(resp.status, 403);
    }
    assert_eq!(
        app.call("POST", "/api/v1/departments", None, Some(&body))
            .await
            .status,
        401
    );

    let created = app
        .post("/api/v1/departments", &admin.token, body.clone())
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.header("location").as_deref(),
        Some("/api/v1/departments/sft")
    );
    assert_eq!(created.json::<Department>().version, 1);
    let events = app.audit_of("department", "sft").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "create");
    assert_eq!(events[0].changes["name"]["after"], "省司法厅");

    assert_eq!(
        app.post("/api/v1/departments", &admin.token, body)
            .await
            .status,
        409
    );
    let bad = app
        .post(
            "/api/v1/departments",
            &admin.token,
            json!({"code": "Bad Code", "name": ""}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["code", "name"]);
}

#[actix_web::test]
async fn renaming_honours_if_match() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let liaison = app.user("gxw", &[Role::Liaison]).await;
    assert_eq!(
        app.patch(
            "/api/v1/departments/jrb",
            &liaison.token,
            json!({"name": "x"})
        )
        .await
        .status,
        403
    );

    let renamed = app
        .send(
            "PATCH",
            "/api/v1/departments/jrb",
            Some(&admin.token),
            &[("If-Match", "\"1\"")],
            Some((
                "application/merge-patch+json",
                json!({"name": "省地方金融监管局"}).to_string(),
            )),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(
        renamed.json::<Department>().name.to_string(),
        "省地方金融监管局"
    );
    assert_eq!(renamed.header("etag").as_deref(), Some("\"2\""));

    // A second official still holding version 1 does not overwrite silently.
    let stale = app
        .send(
            "PATCH",
            "/api/v1/departments/jrb",
            Some(&admin.token),
            &[("If-Match", "\"1\"")],
            Some(("application/json", json!({"name": "旧名"}).to_string())),
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(
        app.get("/api/v1/departments/jrb", &admin.token)
            .await
            .json::<Department>()
            .name,
        "省地方金融监管局"
    );
    let events = app.audit_of("department", "jrb").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].changes["name"]["before"], "省政府金融办");
    assert_eq!(
        app.patch(
            "/api/v1/departments/none",
            &admin.token,
            json!({"name": "x"})
        )
        .await
        .status,
        404
    );
}
