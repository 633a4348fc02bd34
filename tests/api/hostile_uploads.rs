//! Uploads built to hurt the server (issue 15, item 3): each is refused as a whole, quickly,
//! with a problem naming what is wrong, and the server goes on serving.

use std::io::Write;
use std::time::{Duration, Instant};

use zip::write::SimpleFileOptions;

use crate::common::{Resp, TestApp, TestUser};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A minimal workbook: one sheet with `sheet_data` (the inside of `<sheetData>`) and the
/// dimension it declares, and, when given, a shared-strings part.
fn workbook(dimension: &str, sheet_data: &str, shared_strings: Option<&str>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    let mut part = |name: &str, text: &str| {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    part(
        "[Content_Types].xml",
        r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    part(
        "xl/worksheets/sheet1.xml",
        &format!(
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>"#
        ),
    );
    if let Some(strings) = shared_strings {
        part("xl/sharedStrings.xml", strings);
    }
    zip.finish().unwrap().into_inner()
}

async fn upload(
    app: &TestApp,
    admin: &TestUser,
    content_type: &str,
    body: Vec<u8>,
) -> (Resp, Duration) {
    let started = Instant::now();
    let resp = app
        .send_bytes(
            "POST",
            "/api/v1/imports/enterprises?dry_run=true",
            Some(&admin.token),
            &[],
            Some((content_type, body)),
        )
        .await;
    (resp, started.elapsed())
}

fn codes(resp: &Resp) -> Vec<String> {
    let cells = resp.cell_errors().into_iter().map(|e| e.code);
    resp.error_codes().into_iter().chain(cells).collect()
}

#[actix_web::test]
async fn crafted_workbooks_are_refused_quickly_and_the_server_goes_on() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let header = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c></row>"#;
    let far_cell =
        r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#;
    let cases = [
        (
            "one cell at the last column and row",
            workbook("A1:XFD1048576", &format!("{header}{far_cell}"), None),
            "too_many_rows",
        ),
        (
            "a shared-strings part declaring a huge count",
            workbook(
                "A1",
                r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
                Some(
                    r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>企业名称</t></si></sst>"#,
                ),
            ),
            "not_xlsx",
        ),
        (
            "a part that inflates to 80 MiB",
            workbook(
                "A1",
                &format!("{header}{}", " ".repeat(80 * 1024 * 1024)),
                None,
            ),
            "archive_too_large",
        ),
    ];
    for (what, file, code) in cases {
        let size = file.len();
        let (resp, took) = upload(&app, &admin, XLSX, file).await;
        assert_eq!(resp.status, 422, "{what} ({size} bytes): {}", resp.text);
        assert_eq!(codes(&resp), [code], "{what}");
        assert!(took < Duration::from_secs(10), "{what} took {took:?}");
    }
    assert_eq!(app.get("/api/v1/me", &admin.token).await.status, 200);
}

#[actix_web::test]
async fn tables_past_the_limits_are_refused_and_problems_are_capped() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let header = "统一社会信用代码,企业名称,行政区划代码,行业类别,企业规模,牵头部门\n";

    let mut many_rows = header.to_owned();
    many_rows.push_str(&"x\n".repeat(100_001));
    let (resp, _) = upload(&app, &admin, "text/csv", many_rows.into_bytes()).await;
    assert_eq!(
        (resp.status, codes(&resp)),
        (422, vec!["too_many_rows".to_owned()]),
        "{}",
        resp.text
    );

    let wide = format!("{header}{}\n", "x,".repeat(70));
    let (resp, _) = upload(&app, &admin, "text/csv", wide.into_bytes()).await;
    assert_eq!(codes(&resp), ["too_many_columns"]);

    let long_cell = format!("{header}{}\n", "长".repeat(4_001));
    let (resp, _) = upload(&app, &admin, "text/csv", long_cell.into_bytes()).await;
    assert_eq!(codes(&resp), ["cell_too_long"]);

    // 5,000 bad rows: the answer lists the first thousand problems and says how many in all.
    let mut bad_rows = header.to_owned();
    bad_rows.push_str(&"not-a-code,甲,999999,nothing,huge,nobody\n".repeat(5_000));
    let (resp, _) = upload(&app, &admin, "text/csv", bad_rows.into_bytes()).await;
    assert_eq!(resp.status, 422);
    let errors = resp.cell_errors();
    assert_eq!(errors.len(), 1_001);
    assert_eq!(errors[1_000].code, "more_problems");
    let doc: serde_json::Value = serde_json::from_str(&liaison::openapi::document_json()).unwrap();
    let documented = &doc["components"]["schemas"]["ImportProblem"]["properties"]["errors"];
    assert_eq!(
        documented["maxItems"], 1_001,
        "the document allows what is sent"
    );
    assert!(resp.text.len() < 400 * 1024, "{} bytes", resp.text.len());
}

#[actix_web::test]
async fn crafted_uploads_cost_the_real_server_little_memory() {
    use diesel_async::AsyncConnection;
    use liaison::domain::actor::{ActorKind, Role};
    let db = crate::common::TestDb::new().await;
    let mut conn = diesel_async::AsyncPgConnection::establish(&db.url)
        .await
        .unwrap();
    let new_admin = liaison::domain::users::store::NewUser {
        username: "memory.admin".into(),
        display_name: None,
        password_hash: "unused".into(),
        department: "gxw".into(),
        roles: vec![Role::Admin],
    };
    let admin = liaison::domain::users::store::create(&mut conn, None, new_admin)
        .await
        .unwrap();
    let config = liaison::config::Config::defaults().unwrap();
    let keys = liaison::domain::auth::jwt::JwtKeys::new(
        crate::common::JWT_SECRET.as_bytes(),
        &config.jwt_issuer,
        &config.jwt_audience,
        config.access_token_ttl,
    );
    let token = keys
        .issue(admin.id, ActorKind::User, "gxw", &[Role::Admin])
        .unwrap();
    let server = crate::hardening::real_server(&db).await;
    let (before, _) = crate::hardening::memory_mib(server.process.0.id());

    let header = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c></row>"#;
    let inflating = workbook(
        "A1",
        &format!("{header}{}", " ".repeat(80 * 1024 * 1024)),
        None,
    );
    let mut bad_rows =
        "统一社会信用代码,企业名称,行政区划代码,行业类别,企业规模,牵头部门\n".to_owned();
    bad_rows.push_str(&"not-a-code,甲,999999,nothing,huge,nobody\n".repeat(90_000));
    for (content_type, file) in [(XLSX, inflating), ("text/csv", bad_rows.into_bytes())] {
        let status = server
            .client
            .post(format!(
                "{}/api/v1/imports/enterprises?dry_run=true",
                server.base
            ))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", content_type))
            .send_body(file)
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(status.ok(), Some(422), "{content_type}");
    }
    let (now, peak) = crate::hardening::memory_mib(server.process.0.id());
    assert!(
        peak < before + 100,
        "peak {peak} MiB, before {before} MiB, now {now} MiB"
    );
}
