//! `/api/v1/exports/*`: CSV that Excel opens, real XLSX with typed cells, the lists' filters and
//! masking, and streaming in flat memory.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use liaison::domain::actor::Role;
use liaison::domain::enterprises::model::Enterprise;
use serde_json::json;

use crate::common::{Resp, TestApp, TestUser};

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Header and data rows of a CSV export (after checking the BOM).
pub fn csv_rows(resp: &Resp) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(resp.status, 200, "{}", resp.text);
    // RFC 4180: records end with CRLF (a line break inside a quoted cell stays as written).
    let header_end = resp.bytes.iter().position(|b| *b == b'\n').unwrap();
    assert_eq!(
        resp.bytes[header_end - 1],
        b'\r',
        "the header ends with CRLF"
    );
    assert!(
        resp.bytes.ends_with(b"\r\n"),
        "the last record ends with CRLF"
    );
    assert!(
        resp.bytes.starts_with(BOM),
        "Excel needs the BOM to read UTF-8"
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(&resp.bytes[BOM.len()..]);
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn cell<'a>(headers: &[String], row: &'a [String], header: &str) -> &'a str {
    let i = headers
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}"));
    &row[i]
}

/// Header row and data rows of the first sheet of an XLSX export.
pub fn xlsx_rows(resp: &Resp) -> (Vec<String>, Vec<Vec<Data>>) {
    assert_eq!(resp.status, 200, "{}", resp.text);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(resp.bytes.clone())).expect("a real workbook");
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let mut rows = range.rows();
    let headers = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    (headers, rows.map(<[Data]>::to_vec).collect())
}

struct World {
    app: TestApp,
    admin: TestUser,
    enterprise: Enterprise,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app
        .enterprise(
            &admin,
            1,
            json!({"key_products": ["救生衣", "呼吸器"], "tags": ["专精特新"], "employees": 120,
                   "designated_on": "2025-03-01", "address": "南昌市高新区"}),
        )
        .await;
    app.enterprise(
        &admin,
        2,
        json!({"category": "monitoring_warning", "subcategory": null}),
    )
    .await;
    let contact = app
        .post(
            &format!("/api/v1/enterprises/{}/contacts", enterprise.id),
            &admin.token,
            json!({"name": "张伟", "title": "总经理", "phone": "13812345678", "email": "zhang.wei@example.com"}),
        )
        .await;
    assert_eq!(contact.status, 201, "{}", contact.text);
    World {
        app,
        admin,
        enterprise,
    }
}

#[actix_web::test]
async fn enterprise_csv_has_chinese_headers_filters_and_masking() {
    let w = world().await;
    let analyst = w.app.user("fgw", &[Role::Analyst]).await;
    let path = "/api/v1/exports/enterprises?format=csv&category=rescue_disposal";
    let resp = w.app.get(path, &analyst.token).await;
    assert!(resp.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        resp.header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename=\"enterprises-")
    );
    let (headers, rows) = csv_rows(&resp);
    assert_eq!(headers[0], "统一社会信用代码");
    assert_eq!(headers[1], "企业名称");
    assert_eq!(rows.len(), 1, "the category filter applies");
    let row = &rows[0];
    assert_eq!(cell(&headers, row, "企业名称"), w.enterprise.name);
    assert_eq!(cell(&headers, row, "主要产品"), "救生衣;呼吸器");
    assert_eq!(cell(&headers, row, "认定日期"), "2025-03-01");
    assert_eq!(cell(&headers, row, "从业人数"), "120");
    assert_eq!(cell(&headers, row, "联系人"), "张伟");
    assert_eq!(
        cell(&headers, row, "联系电话"),
        "138****5678",
        "masked as in the lists"
    );
    assert_eq!(cell(&headers, row, "电子邮箱"), "z***@example.com");

    // An assigned liaison officer and an admin see the contact in full; another department not.
    let assigned = w.app.user("gxw", &[Role::Liaison]).await;
    let other = w.app.user("fgw", &[Role::Liaison]).await;
    for (who, phone) in [
        (&assigned, "13812345678"),
        (&w.admin, "13812345678"),
        (&other, "138****5678"),
    ] {
        let (headers, rows) = csv_rows(&w.app.get(path, &who.token).await);
        assert_eq!(cell(&headers, &rows[0], "联系电话"), phone);
    }

    let everything = w
        .app
        .get("/api/v1/exports/enterprises", &analyst.token)
        .await;
    assert_eq!(
        csv_rows(&everything).1.len(),
        2,
        "CSV is the default format"
    );
    let unknown = w
        .app
        .get("/api/v1/exports/enterprises?limit=10", &analyst.token)
        .await;
    assert_eq!(unknown.status, 400, "exports hold every row: no paging");
    let no_token = w
        .app
        .call("GET", "/api/v1/exports/enterprises", None, None)
        .await;
    assert_eq!(no_token.status, 401);
}

#[actix_web::test]
async fn support_measure_xlsx_has_typed_cells() {
    let w = world().await;
    let finance = w.app.user("czt", &[Role::Finance]).await;
    let created = w
        .app
        .post(
            "/api/v1/support-measures",
            &finance.token,
            json!({"enterprise_id": w.enterprise.id, "kind": "subsidy", "title": "省级应急产业专项资金",
                   "fiscal_year": 2025, "amount": "1250000.05", "status": "approved",
                   "approved_on": "2025-06-30", "document_no": "赣财企〔2025〕12号"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let resp = w
        .app
        .get(
            "/api/v1/exports/support-measures?format=xlsx&fiscal_year=2025",
            &finance.token,
        )
        .await;
    assert_eq!(
        resp.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let (headers, rows) = xlsx_rows(&resp);
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        row[col("项目名称")],
        Data::String("省级应急产业专项资金".into())
    );
    assert_eq!(
        row[col("金额（元）")],
        Data::Float(1250000.05),
        "money is a number"
    );
    assert_eq!(row[col("已拨付（元）")], Data::Float(0.0));
    assert_eq!(row[col("年度")], Data::Float(2025.0));
    match &row[col("批准日期")] {
        Data::DateTime(d) => assert_eq!(
            d.as_datetime().unwrap().date().to_string(),
            "2025-06-30",
            "a date cell"
        ),
        other => panic!("not a date cell: {other:?}"),
    }
    assert_eq!(row[col("文号")], Data::String("赣财企〔2025〕12号".into()));
    // Money shows thousands separators.
    let styles = xlsx_part(&resp.bytes, "xl/styles.xml");
    assert!(styles.contains(r##"formatCode="#,##0.00""##), "{styles}");
    let none = w
        .app
        .get(
            "/api/v1/exports/support-measures?format=xlsx&fiscal_year=2024",
            &finance.token,
        )
        .await;
    assert_eq!(
        xlsx_rows(&none).1.len(),
        0,
        "an empty export is still a workbook"
    );
}

#[actix_web::test]
async fn visit_and_demand_exports_follow_the_list_filters() {
    let w = world().await;
    let officer = w.app.user("gxw", &[Role::Liaison]).await;
    let eid = &w.enterprise.id.to_string();
    let visit = w
        .app
        .post(
            "/api/v1/visits",
            &officer.token,
            json!({"enterprise_id": eid, "visited_on": "2026-01-05", "kind": "on_site",
                   "officers": [officer.id], "summary": "=走访了解生产经营情况",
                   "demands": [{"category": "financing", "title": "融资需求", "assigned_department": "gxw", "due_on": "2026-01-10"},
                               {"category": "land", "title": "用地", "assigned_department": "fgw"}]}),
        )
        .await;
    assert_eq!(visit.status, 201, "{}", visit.text);
    let analyst = w.app.user("tjj", &[Role::Analyst]).await;
    let (headers, rows) = csv_rows(
        &w.app
            .get(
                &format!("/api/v1/exports/visits?enterprise_id={eid}"),
                &analyst.token,
            )
            .await,
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(cell(&headers, &rows[0], "走访日期"), "2026-01-05");
    assert_eq!(cell(&headers, &rows[0], "走访人员"), "测试用户");
    assert_eq!(
        cell(&headers, &rows[0], "走访情况"),
        "'=走访了解生产经营情况",
        "a leading = would run as a formula in Excel"
    );
    let (headers, rows) = csv_rows(
        &w.app
            .get("/api/v1/exports/demands?overdue=true", &analyst.token)
            .await,
    );
    assert_eq!(rows.len(), 1, "only the overdue demand");
    assert_eq!(cell(&headers, &rows[0], "诉求标题"), "融资需求");
    assert_eq!(cell(&headers, &rows[0], "是否逾期"), "是");
    assert_eq!(cell(&headers, &rows[0], "企业名称"), w.enterprise.name);
    let all = csv_rows(
        &w.app
            .get("/api/v1/exports/demands?format=csv", &analyst.token)
            .await,
    );
    assert_eq!(all.1.len(), 2);
}

/// Peak (VmHWM) and current (VmRSS) resident memory of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Downloads `path` chunk by chunk without keeping it; returns the byte count.
/// The text of one part of an XLSX file (`xl/workbook.xml`, `xl/worksheets/sheet1.xml` …).
pub fn xlsx_part(file: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(file.to_vec())).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Downloads `url`, asking for `coding` (`identity`, `br` …); the bytes received, decoded.
async fn download(client: &awc::Client, url: &str, token: &str, coding: &str) -> usize {
    use futures_util::StreamExt;
    let mut res = client
        .get(url)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Accept-Encoding", coding))
        .timeout(std::time::Duration::from_secs(600))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers().get("content-length").is_none(),
        "streamed, not sized up front"
    );
    // CSV comes compressed when asked (chunk by chunk); a workbook (a zip) never.
    let coded = res.headers().get("content-encoding").is_some();
    assert_eq!(coded, coding != "identity" && !url.contains("xlsx"));
    let mut bytes = 0;
    while let Some(chunk) = res.next().await {
        bytes += chunk.unwrap().len();
    }
    bytes
}

#[actix_web::test]
async fn a_large_export_streams_in_flat_memory_compressed_too() {
    const ROWS: i64 = 100_000;
    let app = TestApp::new().await;
    let admin = app.admin().await;
    app.db
        .client()
        .await
        .batch_execute(&format!(
            "INSERT INTO enterprises (id, name, credit_code, region_code, category, subcategory, size,
                 lead_department, assigned_departments, key_products, designated_on, address,
                 description, tags)
             SELECT gen_random_uuid(), '江西应急装备制造有限公司' || g, '91360100' || lpad(g::text, 10, '0'),
                 '360100', 'rescue_disposal', 'life_rescue', 'medium', 'gxw', ARRAY['gxw', 'kjt'],
                 ARRAY['救生衣', '呼吸器', '应急照明'], DATE '2024-01-01',
                 '江西省南昌市高新技术产业开发区火炬大街' || g || '号',
                 repeat('主要从事应急救援装备的研发、生产和销售。', 4), ARRAY['专精特新']
             FROM generate_series(1, {ROWS}) g"
        ))
        .await
        .unwrap();

    let env = [
        ("LIAISON_WORKERS", "2"),
        ("LIAISON_DB_POOL_SIZE", "5"),
        ("RUST_LOG", "warn"),
    ];
    let (server, base) =
        crate::common::serve_binary(&app.db.url, &env, std::process::Stdio::null()).await;
    let pid = server.0.id();
    let client = awc::Client::default();
    let warm = client
        .get(format!("{base}/api/v1/enterprises?limit=200"))
        .insert_header(("Authorization", format!("Bearer {}", admin.token)))
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status().as_u16(), 200);
    let (_, before) = memory_kib(pid);

    let csv_url = format!("{base}/api/v1/exports/enterprises");
    let csv_bytes = download(&client, &csv_url, &admin.token, "identity").await;
    let (csv_peak, _) = memory_kib(pid);
    assert!(csv_bytes > 40_000_000, "a file of {csv_bytes} bytes");
    // Compressed as a browser asks (brotli first): the encoder's window and tables cost a
    // fixed amount, whatever the file's size.
    let br_bytes = download(&client, &csv_url, &admin.token, "br, gzip").await;
    let (br_peak, _) = memory_kib(pid);
    assert_eq!(br_bytes, csv_bytes, "the same file, decoded");
    let xlsx_url = format!("{base}/api/v1/exports/enterprises?format=xlsx");
    let xlsx_bytes = download(&client, &xlsx_url, &admin.token, "br, gzip").await;
    let (xlsx_peak, _) = memory_kib(pid);
    assert!(xlsx_bytes > 5_000_000, "a workbook of {xlsx_bytes} bytes");
    eprintln!(
        "export of {ROWS} rows: csv {csv_bytes} B, xlsx {xlsx_bytes} B; server RSS before {before} KiB, peak after csv {csv_peak} KiB, after compressed csv {br_peak} KiB, after xlsx {xlsx_peak} KiB"
    );
    // The whole CSV is over 40 MB: a server that held it would be far above this.
    for (what, peak) in [
        ("CSV", csv_peak),
        ("compressed CSV", br_peak),
        ("XLSX", xlsx_peak),
    ] {
        assert!(
            peak < 100 * 1024,
            "peak RSS {peak} KiB during the {what} export"
        );
    }
    assert!(
        csv_peak.saturating_sub(before) * 1024 < csv_bytes as u64 / 4,
        "memory grew by {} KiB for a {csv_bytes}-byte file",
        csv_peak - before
    );
    assert!(
        br_peak.saturating_sub(before) < 32 * 1024,
        "memory grew by {} KiB while compressing",
        br_peak - before
    );
    // Each of the two workers has a pool of its own: five connections shared out, three each.
    let mut metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    let metrics = String::from_utf8_lossy(&metrics.body().await.unwrap()).into_owned();
    assert!(metrics.contains("liaison_db_pool_max 6"), "{metrics}");
}

#[actix_web::test]
async fn a_nul_in_a_filter_is_a_bad_request_not_a_server_error() {
    let w = world().await;
    for path in [
        "/api/v1/exports/demands?assigned_department=a%00b",
        "/api/v1/demands?assigned_department=a%00b",
        "/api/v1/enterprises?q=%00",
    ] {
        let resp = w.app.get(path, &w.admin.token).await;
        assert_eq!(resp.status, 400, "{path}: {}", resp.text);
    }
}

#[actix_web::test]
async fn labels_zh_writes_names_that_the_import_reads_back() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    app.enterprise(
        &admin,
        1,
        json!({"region_code": "360402", "assigned_departments": ["gxw", "kjt"]}),
    )
    .await;
    let resp = app
        .get("/api/v1/exports/enterprises?labels=zh", &admin.token)
        .await;
    let (headers, rows) = csv_rows(&resp);
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    let row = &rows[0];
    let cells: Vec<&str> = [
        "行政区划代码",
        "行业类别",
        "企业规模",
        "牵头部门",
        "联系部门",
        "状态",
    ]
    .iter()
    .map(|h| row[col(h)].as_str())
    .collect();
    assert_eq!(
        cells,
        [
            "濂溪区",
            "处置救援",
            "中型",
            "江西省工业和信息化厅",
            "江西省工业和信息化厅;江西省科学技术厅",
            "正常"
        ]
    );
    // The labelled file goes back in unchanged.
    let back = app
        .send_bytes(
            "POST",
            "/api/v1/imports/enterprises",
            Some(&admin.token),
            &[],
            Some(("text/csv", resp.bytes.clone())),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    let outcome: liaison::domain::imports::enterprises::ImportOutcome = back.json();
    assert_eq!(
        (outcome.unchanged, outcome.updated),
        (1, 0),
        "{:?}",
        outcome.rows
    );
    let bad = app
        .get("/api/v1/exports/enterprises?labels=fr", &admin.token)
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
}

#[actix_web::test]
async fn the_demand_ledger_exports_a_period_with_labels() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let e = app.enterprise(&admin, 1, json!({})).await;
    let mut ids = Vec::new();
    for title in ["十月提出的诉求", "本月提出的诉求"] {
        let body = json!({"enterprise_id": e.id, "category": "financing", "title": title,
                          "assigned_department": "gxw"});
        let resp = app.post("/api/v1/demands", &officer.token, body).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        ids.push(resp.id());
    }
    app.db
        .client()
        .await
        .execute(
            "UPDATE demands SET created_at = '2026-10-05 10:00+08', resolved_at = '2026-10-20 10:00+08', \
             status = 'resolved' WHERE id = $1::text::uuid",
            &[&ids[0]],
        )
        .await
        .unwrap();
    let october = "created_from=2026-10-01&created_to=2026-10-31";
    let resp = app
        .get(
            &format!("/api/v1/exports/demands?{october}&labels=zh"),
            &officer.token,
        )
        .await;
    let (headers, rows) = csv_rows(&resp);
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(
        (row[col("诉求标题")].as_str(), row[col("诉求类别")].as_str()),
        ("十月提出的诉求", "融资")
    );
    assert_eq!(
        (row[col("承办部门")].as_str(), row[col("状态")].as_str()),
        ("江西省工业和信息化厅", "已办结")
    );
    let resolved = app
        .get(
            "/api/v1/demands?resolved_from=2026-10-20&resolved_to=2026-10-20",
            &officer.token,
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    let found = resolved
        .page::<liaison::domain::demands::model::Demand>()
        .items;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.to_string(), ids[0]);
    let none = app
        .get("/api/v1/demands?resolved_from=2026-10-21", &officer.token)
        .await;
    assert!(
        none.page::<liaison::domain::demands::model::Demand>()
            .items
            .is_empty()
    );
}

#[actix_web::test]
async fn an_xlsx_export_prints_landscape_one_page_wide_with_its_header_and_a_filter() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for seed in 1..=60 {
        app.enterprise(&admin, seed, json!({})).await;
    }
    let resp = app
        .get("/api/v1/exports/enterprises?format=xlsx", &admin.token)
        .await;
    assert_eq!(resp.status, 200);
    let xml = xlsx_part(&resp.bytes, "xl/worksheets/sheet1.xml");
    for setting in [
        r#"orientation="landscape""#,
        r#"paperSize="9""#,
        r#"fitToPage="1""#,
        r#"fitToHeight="0""#,
    ] {
        assert!(xml.contains(setting), "{setting} in the sheet");
    }
    let filter = xml.split("<autoFilter ref=\"").nth(1).unwrap_or_default();
    let range = filter.split('"').next().unwrap_or_default();
    assert!(
        range.starts_with("A1:") && range.ends_with("61"),
        "the filter covers the header and 60 rows: {range}"
    );
    let workbook = xlsx_part(&resp.bytes, "xl/workbook.xml");
    assert!(
        workbook.contains("_xlnm.Print_Titles"),
        "the header row repeats"
    );
}
