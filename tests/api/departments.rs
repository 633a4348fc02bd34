//! `/api/v1/departments`.

use liaison::domain::actor::Role;
use serde_json::json;

use liaison::domain::departments::model::{Department, DepartmentLevel};

use crate::common::{Page, TestApp};

#[actix_web::test]
async fn everyone_reads_the_seeded_provincial_bodies_and_city_bureaus() {
    let app = TestApp::new().await;
    let analyst = app.login_as(Role::Analyst, "tjj").await;
    let resp = app.get("/api/v1/departments", &analyst.token).await;
    assert_eq!(resp.status, 200);
    let page = resp.json::<Page<Department>>();
    let codes: Vec<&str> = page.items.iter().map(|d| d.code.as_str()).collect();
    // The eight codes of the first contract are kept.
    for code in ["czt", "fgw", "gxw", "jrb", "kjt", "swt", "tjj", "yjb"] {
        assert!(codes.contains(&code), "{code}");
    }
    // The plan's other bodies under their current names, e.g. 省国土资源厅 → 自然资源厅.
    let by_code = |code: &str| page.items.iter().find(|d| d.code == code).unwrap();
    assert_eq!(by_code("zrzyt").name, "江西省自然资源厅");
    assert!(
        by_code("zrzyt")
            .aliases
            .contains(&"省国土资源厅".to_owned())
    );
    assert_eq!(by_code("rst").name, "江西省人力资源和社会保障厅");
    let provinces = page
        .items
        .iter()
        .filter(|d| d.level == DepartmentLevel::Province);
    assert!(
        provinces
            .clone()
            .all(|d| d.region_code.is_none() && d.active)
    );
    assert!(provinces.count() >= 20);
    // Every city's industry bureau, with its city.
    let cities: Vec<_> = page
        .items
        .iter()
        .filter(|d| d.level == DepartmentLevel::City)
        .collect();
    assert_eq!(cities.len(), 11);
    assert_eq!(by_code("nc_gxj").region_code.as_deref(), Some("360100"));
    assert_eq!(by_code("nc_gxj").name, "南昌市工业和信息化局");
    assert_eq!(page.next_cursor, None);

    let gxw = app.get("/api/v1/departments/gxw", &analyst.token).await;
    let gxw_body = gxw.json::<Department>();
    assert_eq!(gxw_body.name, "江西省工业和信息化厅");
    assert_eq!(
        gxw_body.aliases[0], "省工信委",
        "the 2014 name the plan uses"
    );
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
    // The document states both rules, so that a generated form refuses the same before sending.
    let doc: serde_json::Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    let new = &doc["components"]["schemas"]["NewDepartment"]["properties"];
    assert_eq!(new["code"]["pattern"], "^[a-z][a-z0-9_]{1,31}$");
    assert_eq!(new["name"]["minLength"], 1);
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
    assert_eq!(events[0].changes["name"]["before"], "江西省地方金融管理局");
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

#[actix_web::test]
async fn admins_add_county_units_with_a_region_of_their_level() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let county = json!({"code": "ncx_gxj", "name": "南昌县工业和信息化局", "level": "county",
        "region_code": "360121", "aliases": [" 南昌县工信委 ", "南昌县工信委"]});
    let created = app.post("/api/v1/departments", &admin.token, county).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let unit = created.json::<Department>();
    assert_eq!(
        (unit.level, unit.region_code.as_deref()),
        (DepartmentLevel::County, Some("360121"))
    );
    assert_eq!(unit.aliases, ["南昌县工信委"], "trimmed, once");

    for (body, code) in [
        (
            json!({"code": "x_county", "name": "某县", "level": "county", "region_code": "360100"}),
            "invalid_region",
        ),
        (
            json!({"code": "x_city", "name": "某市", "level": "city", "region_code": "360121"}),
            "invalid_region",
        ),
        (
            json!({"code": "x_city2", "name": "某市", "level": "city"}),
            "required",
        ),
        (
            json!({"code": "x_prov", "name": "某厅", "region_code": "360100"}),
            "not_allowed",
        ),
        (
            json!({"code": "x_far", "name": "某县", "level": "county", "region_code": "110101"}),
            "invalid_region",
        ),
    ] {
        let resp = app
            .post("/api/v1/departments", &admin.token, body.clone())
            .await;
        assert_eq!(resp.status, 422, "{body}: {}", resp.text);
        assert_eq!(resp.error_fields(), ["region_code"], "{body}");
        assert_eq!(resp.error_codes(), [code], "{body}");
    }
    let level = app
        .post(
            "/api/v1/departments",
            &admin.token,
            json!({"code": "x_lvl", "name": "某局", "level": "town"}),
        )
        .await;
    assert_eq!(
        (level.status, level.error_fields()),
        (422, vec!["level".to_owned()])
    );
}

#[actix_web::test]
async fn demands_go_to_any_active_unit_and_never_to_an_inactive_one() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let demand = |department: &str| {
        json!({"enterprise_id": enterprise.id, "category": "land", "title": "新增用地指标",
               "assigned_department": department})
    };
    for department in ["zrzyt", "nc_gxj"] {
        let resp = app
            .post("/api/v1/demands", &officer.token, demand(department))
            .await;
        assert_eq!(resp.status, 201, "{department}: {}", resp.text);
    }
    let retired = app
        .patch(
            "/api/v1/departments/dzj",
            &admin.token,
            json!({"active": false}),
        )
        .await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    assert!(!retired.json::<Department>().active);
    let refused = app
        .post("/api/v1/demands", &officer.token, demand("dzj"))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.error_codes(), ["inactive_department"]);
    assert_eq!(app.count("demands").await, 2);
}

#[actix_web::test]
async fn the_seed_renames_an_old_database_once_and_keeps_an_admins_names() {
    let app = TestApp::new().await;
    let db = app.db.client().await;
    // A database from before the renaming: 2014 names, no aliases.
    db.batch_execute(
        "UPDATE departments SET name = '省工信委', aliases = '{}' WHERE code = 'gxw';
         UPDATE departments SET name = '省科技厅（自定）', aliases = '{}' WHERE code = 'kjt';",
    )
    .await
    .unwrap();
    let mut conn = app.state.pool.get().await.unwrap();
    for _ in 0..2 {
        liaison::seeds::load_reference(&mut conn).await.unwrap();
    }
    let row = |code: &'static str| {
        let db = &db;
        async move {
            let row = db
                .query_one(
                    "SELECT name, aliases, version FROM departments WHERE code = $1",
                    &[&code],
                )
                .await
                .unwrap();
            (
                row.get::<_, String>(0),
                row.get::<_, Vec<String>>(1),
                row.get::<_, i32>(2),
            )
        }
    };
    let (name, aliases, version) = row("gxw").await;
    assert_eq!(name, "江西省工业和信息化厅");
    assert_eq!(aliases, ["省工信委", "江西省工业和信息化委员会"]);
    assert_eq!(version, 2, "renamed once; the second seed wrote nothing");
    let (name, aliases, _) = row("kjt").await;
    assert_eq!(name, "省科技厅（自定）", "an admin's own name stays");
    assert_eq!(aliases, ["省科技厅"]);
}
