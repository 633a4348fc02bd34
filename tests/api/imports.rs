//! `POST /api/v1/imports/enterprises`: the export read back, upsert by credit code, all rows or
//! none, every bad cell reported.

use liaison::domain::actor::Role;
use liaison::domain::enterprises::model::{Enterprise, EnterpriseStatus};
use liaison::domain::imports::enterprises::ImportOutcome;
use serde_json::json;

use crate::common::{Resp, TestApp, TestUser, credit_code};
use crate::exports::{csv_rows, xlsx_rows};

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn import(
    app: &TestApp,
    who: &TestUser,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Resp {
    app.send_bytes(
        "POST",
        &format!("/api/v1/imports/enterprises{query}"),
        Some(&who.token),
        &[],
        Some((content_type, body)),
    )
    .await
}

/// Writes rows as CSV (with a BOM, as the export does).
fn to_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(headers).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.into_inner().unwrap()
}

async fn world() -> (TestApp, TestUser, Enterprise) {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let first = app
        .enterprise(
            &admin,
            1,
            json!({"name": "=江西赣安应急装备有限公司", "key_products": ["救生衣", "呼吸器"],
                   "tags": ["专精特新"], "employees": 120, "assigned_departments": ["gxw", "kjt"],
                   "address": "南昌市高新区 ", "description": "第一行\n第二行, 含逗号"}),
        )
        .await;
    app.enterprise(&admin, 2, json!({})).await;
    app.enterprise(&admin, 3, json!({"status": "suspended"}))
        .await;
    let contact = app
        .post(
            &format!("/api/v1/enterprises/{}/contacts", first.id),
            &admin.token,
            json!({"name": "张伟", "phone": "13812345678"}),
        )
        .await;
    assert_eq!(contact.status, 201);
    (app, admin, first)
}

#[actix_web::test]
async fn an_export_reimported_unchanged_changes_nothing_then_edits_apply() {
    let (app, admin, first) = world().await;
    let exported = app.get("/api/v1/exports/enterprises", &admin.token).await;
    let (headers, mut rows) = csv_rows(&exported);
    assert_eq!(rows.len(), 3);
    let audit_before = app.count("audit_events").await;

    let same = import(&app, &admin, "", CSV, exported.bytes.clone()).await;
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(
        counts(&same),
        json!({"created": 0, "updated": 0, "unchanged": 3})
    );
    assert_eq!(
        app.count("audit_events").await,
        audit_before,
        "nothing was written"
    );

    // Change an address, add a new enterprise; a dry run reports and writes nothing.
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    let at = rows
        .iter()
        .position(|r| r[col("统一社会信用代码")] == credit_code(2))
        .unwrap();
    rows[at][col("地址")] = "九江市濂溪区".into();
    let mut new_row = vec![String::new(); headers.len()];
    new_row[col("统一社会信用代码")] = credit_code(9).to_lowercase();
    new_row[col("企业名称")] = "江西新建应急科技有限公司".into();
    new_row[col("行政区划代码")] = "360400".into();
    new_row[col("行业类别")] = "monitoring_warning".into();
    new_row[col("企业规模")] = "small".into();
    new_row[col("牵头部门")] = "fgw".into();
    new_row[col("标签")] = "新认定；省级".into();
    rows.push(new_row);
    let file = to_csv(&headers, &rows);
    let dry = import(&app, &admin, "?dry_run=true", CSV, file.clone()).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(
        counts(&dry),
        json!({"created": 1, "updated": 1, "unchanged": 2})
    );
    assert_eq!(app.count("enterprises").await, 3);
    assert_eq!(app.count("audit_events").await, audit_before);

    let done = import(&app, &admin, "?dry_run=false", CSV, file).await;
    assert_eq!(
        counts(&done),
        json!({"created": 1, "updated": 1, "unchanged": 2})
    );
    let created = app
        .get(
            &format!("/api/v1/enterprises?q={}", credit_code(9)),
            &admin.token,
        )
        .await;
    let created = &created.page::<Enterprise>().items[0];
    assert_eq!(created.name, "江西新建应急科技有限公司");
    assert_eq!(created.assigned_departments, ["fgw"]);
    assert_eq!(created.tags, ["新认定", "省级"]);
    assert_eq!(created.status, EnterpriseStatus::Active);
    // The first enterprise kept its formula-looking name, its lists, text with a line break.
    let kept = app
        .get(&format!("/api/v1/enterprises/{}", first.id), &admin.token)
        .await;
    let kept = kept.json::<Enterprise>();
    assert_eq!(kept.version, first.version);
    assert_eq!(kept.name, "=江西赣安应急装备有限公司");
    let changed = app
        .get(
            &format!("/api/v1/enterprises?q={}", credit_code(2)),
            &admin.token,
        )
        .await;
    let changed = &changed.page::<Enterprise>().items[0];
    assert_eq!(changed.address.as_deref(), Some("九江市濂溪区"));
    assert_eq!(changed.version, 2);
    let audit = app.audit_of("enterprise", &changed.id.to_string()).await;
    assert_eq!(audit.last().unwrap().action, "update");
    assert_eq!(
        audit.last().unwrap().changes["address"]["after"],
        "九江市濂溪区"
    );
}

#[actix_web::test]
async fn an_xlsx_export_reimports_unchanged() {
    let (app, admin, _) = world().await;
    let exported = app
        .get("/api/v1/exports/enterprises?format=xlsx", &admin.token)
        .await;
    assert_eq!(xlsx_rows(&exported).1.len(), 3);
    let same = import(&app, &admin, "", XLSX, exported.bytes).await;
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(
        counts(&same),
        json!({"created": 0, "updated": 0, "unchanged": 3})
    );
}

#[actix_web::test]
async fn bad_rows_are_all_reported_and_nothing_is_written() {
    let (app, admin, _) = world().await;
    let mut bad_code = credit_code(20);
    bad_code.replace_range(17..18, if bad_code.ends_with('0') { "1" } else { "0" });
    let file = format!(
        "统一社会信用代码,企业名称,行政区划代码,行业类别,企业规模,牵头部门,从业人数,认定日期\n\
         {bad_code},甲公司,360100,rescue_disposal,medium,gxw,10,2025-01-01\n\
         {},乙公司,360100,rescue_disposal,medium,gxw,,\n\
         {},丙公司,999999,rescue_disposal,huge,gxw,many,2025/01/01\n\
         {},,360100,no_such_category,micro,nope,,\n\
         {},戊公司,360100,rescue_disposal,medium,gxw,,2098-01-01\n\
         {},重复,360100,rescue_disposal,medium,gxw,,\n",
        credit_code(21),
        credit_code(22),
        credit_code(23),
        credit_code(24),
        credit_code(21),
    );
    let enterprises_before = app.count("enterprises").await;
    let resp = import(
        &app,
        &admin,
        "",
        "text/csv; charset=utf-8",
        file.into_bytes(),
    )
    .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.problem().type_, "urn:liaison:problem:import-rejected");
    let errors: Vec<(u64, String, String)> = resp
        .cell_errors()
        .into_iter()
        .map(|e| {
            assert!(!e.message.is_empty());
            (e.row, e.column, e.code)
        })
        .collect();
    let has = |row: u64, column: &str, code: &str| {
        assert!(
            errors.contains(&(row, column.to_owned(), code.to_owned())),
            "missing ({row}, {column}, {code}) in {errors:?}"
        )
    };
    has(2, "统一社会信用代码", "invalid_checksum");
    has(4, "企业规模", "invalid");
    has(4, "从业人数", "invalid_number");
    has(4, "认定日期", "invalid_date");
    has(4, "行政区划代码", "unknown_region");
    has(5, "企业名称", "blank");
    has(5, "行业类别", "unknown_category");
    has(5, "牵头部门", "unknown_department");
    has(6, "认定日期", "in_future");
    has(7, "统一社会信用代码", "duplicate_credit_code");
    assert!(errors.iter().all(|(row, ..)| *row != 3), "row 3 is fine");
    assert_eq!(
        app.count("enterprises").await,
        enterprises_before,
        "all rows or none"
    );
}

#[actix_web::test]
async fn only_admins_import_and_the_file_must_be_csv_or_xlsx() {
    let (app, admin, _) = world().await;
    let liaison = app.user("gxw", &[Role::Liaison]).await;
    let file = format!("统一社会信用代码,企业名称\n{},改名\n", credit_code(1)).into_bytes();
    let forbidden = import(&app, &liaison, "", CSV, file.clone()).await;
    assert_eq!(forbidden.status, 403);
    let json_body = import(&app, &admin, "", "application/json", b"{}".to_vec()).await;
    assert_eq!(json_body.status, 415);
    let unknown = import(
        &app,
        &admin,
        "",
        CSV,
        "统一社会信用代码,Name\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(unknown.status, 422);
    let unknown = &unknown.cell_errors()[0];
    assert_eq!((unknown.row, unknown.column.as_str()), (1, "Name"));
    assert_eq!(unknown.code, "unknown_column");
    // 名称 in GBK, as Excel saves "CSV" on a Chinese Windows.
    let gbk = import(&app, &admin, "", CSV, vec![0xC3, 0xFB, 0xB3, 0xC6, b'\n']).await;
    assert_eq!(gbk.cell_errors()[0].code, "not_utf8");
    let not_xlsx = import(&app, &admin, "", XLSX, b"PK not really".to_vec()).await;
    assert_eq!(not_xlsx.cell_errors()[0].code, "not_xlsx");
    // Only the name column: the rest of the stored record stays as it is.
    let renamed = import(&app, &admin, "", CSV, file).await;
    assert_eq!(
        counts(&renamed),
        json!({"created": 0, "updated": 1, "unchanged": 0})
    );
    let e = app
        .get(
            &format!("/api/v1/enterprises?q={}", credit_code(1)),
            &admin.token,
        )
        .await;
    let e = &e.page::<Enterprise>().items[0];
    assert_eq!((e.name.as_str(), e.employees), ("改名", Some(120)));
}

/// What an import says it did, without its rows.
fn counts(resp: &crate::common::Resp) -> serde_json::Value {
    let o = resp.json::<ImportOutcome>();
    json!({"created": o.created, "updated": o.updated, "unchanged": o.unchanged})
}

#[actix_web::test]
async fn a_city_sheet_with_labels_and_blank_cells_loses_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let stored = app
        .enterprise(
            &admin,
            1,
            json!({"address": "南昌市红谷滩区丰和中大道", "key_products": ["救生衣"], "employees": 80}),
        )
        .await;
    let headers: Vec<String> = [
        "统一社会信用代码",
        "企业名称",
        "行政区划代码",
        "行业类别",
        "企业规模",
        "牵头部门",
        "联系部门",
        "地址",
        "主要产品",
        "从业人数",
        "联络员",
    ]
    .map(String::from)
    .to_vec();
    let row = |cells: [&str; 11]| cells.map(String::from).to_vec();
    let rows = vec![
        // The stored enterprise renamed; its address, products and staff left blank.
        row([
            &credit_code(1),
            "江西赣安应急装备股份有限公司",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]),
        // A new one, written as a city bureau writes it: names, not codes.
        row([
            &credit_code(2),
            "九江安澜救援设备有限公司",
            "九江市",
            "处置救援",
            "中型",
            "省工信委",
            "工业和信息化厅；省科技厅",
            "九江市濂溪区",
            "救援艇",
            "45",
            &officer.username.to_uppercase(),
        ]),
    ];
    let file = to_csv(&headers, &rows);

    let dry = import(&app, &admin, "?dry_run=true", CSV, file.clone()).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    let outcome: ImportOutcome = dry.json();
    assert_eq!(
        (outcome.created, outcome.updated, outcome.unchanged),
        (1, 1, 0)
    );
    let first = &outcome.rows[0];
    assert_eq!((first.row, first.action.as_str()), (2, "update"));
    assert_eq!(
        first.changes,
        json!({"name": {"before": stored.name, "after": "江西赣安应急装备股份有限公司"}}),
        "the admin sees exactly what changes: blank cells change nothing"
    );
    let second = &outcome.rows[1];
    assert_eq!(
        (second.action.as_str(), second.credit_code.as_str()),
        ("create", credit_code(2).as_str())
    );
    for (field, after) in [
        ("region_code", json!("360400")),
        ("category", json!("rescue_disposal")),
        ("size", json!("medium")),
        ("lead_department", json!("gxw")),
        ("assigned_departments", json!(["gxw", "kjt"])),
        ("liaison_officers", json!([officer.id])),
    ] {
        assert_eq!(second.changes[field]["after"], after, "{field}");
    }
    assert_eq!(
        app.count("enterprises").await,
        1,
        "a dry run writes nothing"
    );

    let done = import(&app, &admin, "", CSV, file).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let kept: Enterprise = app
        .get(&format!("/api/v1/enterprises/{}", stored.id), &admin.token)
        .await
        .json();
    assert_eq!(kept.name, "江西赣安应急装备股份有限公司");
    assert_eq!(kept.address.as_deref(), Some("南昌市红谷滩区丰和中大道"));
    assert_eq!(
        (kept.key_products.clone(), kept.employees),
        (vec!["救生衣".to_owned()], Some(80))
    );

    // A label that names nothing is refused with the row and the column.
    let bad = to_csv(
        &headers,
        &[row([
            &credit_code(3),
            "某公司",
            "火星市",
            "处置救援",
            "巨型",
            "gxw",
            "",
            "",
            "",
            "",
            "nobody.here",
        ])],
    );
    let refused = import(&app, &admin, "", CSV, bad).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let columns: Vec<String> = refused
        .cell_errors()
        .into_iter()
        .map(|e| e.column)
        .collect();
    assert!(columns.contains(&"联络员".to_owned()), "{columns:?}");
    assert!(
        columns.contains(&"企业规模".to_owned()) && columns.contains(&"行政区划代码".to_owned()),
        "{columns:?}"
    );

    // The export names the officer by username, so the file goes round.
    let exported = app.get("/api/v1/exports/enterprises", &admin.token).await;
    let (headers, rows) = csv_rows(&exported);
    let col = headers.iter().position(|h| h == "联络员").unwrap();
    assert!(rows.iter().any(|r| r[col] == officer.username), "{rows:?}");
}

/// A browser's form upload of `file` (named `name`, labelled `content_type`).
fn form_upload(name: &str, content_type: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----liaisonFormBoundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n季度更新\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[actix_web::test]
async fn a_browser_form_upload_and_the_types_browsers_send_are_imported() {
    let (app, admin, _) = world().await;
    let csv = format!("统一社会信用代码,企业名称\n{},表单上传\n", credit_code(1)).into_bytes();
    let (content_type, body) = form_upload("企业名录.csv", "application/vnd.ms-excel", &csv);
    let resp = import(&app, &admin, "?dry_run=true", &content_type, body).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        counts(&resp),
        json!({"created": 0, "updated": 1, "unchanged": 0})
    );

    // The exported workbook, uploaded through the form: told from CSV by its content.
    let exported = app
        .get("/api/v1/exports/enterprises?format=xlsx", &admin.token)
        .await;
    let (content_type, body) =
        form_upload("企业名录.xlsx", "application/octet-stream", &exported.bytes);
    let resp = import(&app, &admin, "", &content_type, body).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        counts(&resp),
        json!({"created": 0, "updated": 0, "unchanged": 3})
    );

    // A raw .csv body as Windows labels it.
    let resp = import(&app, &admin, "", "application/vnd.ms-excel", csv).await;
    assert_eq!(
        counts(&resp),
        json!({"created": 0, "updated": 1, "unchanged": 0})
    );
    let renamed = app
        .get(
            &format!("/api/v1/enterprises?q={}", credit_code(1)),
            &admin.token,
        )
        .await;
    assert_eq!(renamed.page::<Enterprise>().items[0].name, "表单上传");

    // A form without a file part says so.
    let (content_type, _) = form_upload("x.csv", "text/csv", b"");
    let boundary = content_type.split("boundary=").nth(1).unwrap();
    let no_file = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--{boundary}--\r\n"
    );
    let resp = import(&app, &admin, "", &content_type, no_file.into_bytes()).await;
    assert_eq!(resp.status, 400, "{}", resp.text);
    assert!(resp.problem().detail.contains("file"), "{}", resp.text);
}

/// A form streamed without `Content-Length`: the parts before the file count against the upload
/// limit, so a huge other field cannot make the server read on and on.
#[actix_web::test]
async fn the_fields_before_the_file_count_against_the_upload_limit() {
    let app = TestApp::with_config(|c| c.import_max_bytes = 4096).await;
    let admin = app.admin().await;
    let boundary = "----liaisonFormBoundaryChunked";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n统一社会信用代码\r\n--{boundary}--\r\n",
        "注".repeat(5000)
    )
    .into_bytes();
    let chunks: Vec<Result<actix_web::web::Bytes, std::io::Error>> = body
        .chunks_mut(1024)
        .map(|c| Ok(actix_web::web::Bytes::copy_from_slice(c)))
        .collect();
    let resp = awc::Client::new()
        .post(format!("{}/api/v1/imports/enterprises", app.base))
        .bearer_auth(&admin.token)
        .insert_header((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .send_stream(futures_util::stream::iter(chunks))
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 413);
}
