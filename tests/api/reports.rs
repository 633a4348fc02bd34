//! The monthly 调度会 workbook: opened as a spreadsheet program would, every sheet's title and
//! columns checked, and its figures against the API's own statistics for the same month.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, Days, Months, NaiveDate};
use liaison::domain::actor::Role;
use liaison::domain::stats::demands::DemandStats;
use serde_json::json;

use crate::common::TestApp;
use crate::exports::xlsx_part;

/// The last month that has ended, as (first day, last day).
fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_this = today.with_day(1).unwrap();
    let first = first_this.checked_sub_months(Months::new(1)).unwrap();
    (first, first_this.pred_opt().unwrap())
}

fn rows(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<Data>> {
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[actix_web::test]
async fn the_monthly_workbook_says_what_the_statistics_say() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let finance = app.user("czt", &[Role::Finance]).await;
    let e = app
        .enterprise(&admin, 1, json!({"name": "江西赣安应急装备有限公司"}))
        .await;
    let (first, last) = last_month(app.state.clock.today());
    let day = |n: u64| (first + Days::new(n - 1)).to_string();
    // Raised in the month: one resolved on time, one still open and overdue at its end.
    let mut ids = Vec::new();
    for title in ["流动资金贷款贴息", "新厂房用地审批"] {
        let body = json!({"enterprise_id": e.id, "category": "financing", "title": title,
                          "assigned_department": "gxw"});
        let resp = app.post("/api/v1/demands", &officer.token, body).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        ids.push(resp.id());
    }
    let db = app.db.client().await;
    let at = |d: String| format!("{d} 10:00:00+08");
    db.execute(
        "UPDATE demands SET created_at = $2::text::timestamptz, due_on = $3::text::date, \
         resolved_at = $4::text::timestamptz, status = 'resolved' WHERE id = $1::text::uuid",
        &[&ids[0], &at(day(3)), &day(10), &at(day(8))],
    )
    .await
    .unwrap();
    db.execute(
        "UPDATE demands SET created_at = $2::text::timestamptz, due_on = $3::text::date, \
         urges = 2 WHERE id = $1::text::uuid",
        &[&ids[1], &at(day(5)), &day(10)],
    )
    .await
    .unwrap();
    // Money: 1,250,000.00 approved, 500,000.00 paid.
    let measure = json!({"enterprise_id": e.id, "kind": "subsidy", "title": "专项资金",
        "fiscal_year": 2025, "amount": "1250000.00", "status": "approved", "approved_on": "2025-06-30"});
    let m = app
        .post("/api/v1/support-measures", &finance.token, measure)
        .await;
    assert_eq!(m.status, 201, "{}", m.text);
    let pay = json!({"amount": "500000.00", "paid_on": "2025-07-01", "voucher_no": "记-01"});
    let path = format!("/api/v1/support-measures/{}/disbursements", m.id());
    assert_eq!(app.post(&path, &finance.token, pay).await.status, 201);

    let month = first.format("%Y-%m").to_string();
    let resp = app
        .get(
            &format!("/api/v1/reports/monthly?month={month}"),
            &officer.token,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        resp.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(resp.bytes.clone())).expect("a workbook");
    assert_eq!(
        book.sheet_names(),
        ["汇总", "按设区市", "逾期诉求清单", "需关注企业", "资金拨付"]
    );
    let title = format!(
        "江西省应急产业重点企业联系工作月报，截至{}",
        last.format("%Y年%m月%d日")
    );

    let stats: DemandStats = app
        .get(
            &format!("/api/v1/stats/demands?from={first}&to={last}"),
            &officer.token,
        )
        .await
        .json();
    let gxw = stats.items.iter().find(|g| g.key == "gxw").unwrap();
    let summary = rows(&mut book, "汇总");
    assert_eq!(text(&summary[0][0]), format!("{title}（汇总）"));
    let headers: Vec<String> = summary[1].iter().map(text).collect();
    assert_eq!(
        headers,
        [
            "序号",
            "名称",
            "新增诉求",
            "办结",
            "办结率",
            "按期办结率",
            "逾期",
            "督办升级",
            "满意率"
        ]
    );
    let line = summary
        .iter()
        .find(|r| text(&r[1]) == "江西省工业和信息化厅")
        .unwrap();
    assert_eq!(line[2], Data::Float(gxw.raised as f64));
    assert_eq!(line[3], Data::Float(gxw.resolved as f64));
    assert_eq!(line[4], Data::Float(gxw.completion_rate.unwrap()));
    assert_eq!(line[6], Data::Float(gxw.overdue as f64));
    assert_eq!((gxw.raised, gxw.resolved, gxw.overdue), (2, 1, 1));
    assert_eq!(text(&line[8]), "—", "no follow-up, no 满意率");
    let total = summary.last().unwrap();
    assert_eq!(text(&total[1]), "合计");

    let cities = rows(&mut book, "按设区市");
    assert!(cities.iter().any(|r| text(&r[1]) == "南昌市"), "{cities:?}");

    let overdue = rows(&mut book, "逾期诉求清单");
    assert_eq!(overdue.len(), 3, "title, header, one demand: {overdue:?}");
    let d = &overdue[2];
    assert_eq!(
        (text(&d[1]), text(&d[2]), text(&d[3])),
        (
            "江西赣安应急装备有限公司".into(),
            "新厂房用地审批".into(),
            "江西省工业和信息化厅".into()
        )
    );
    let days = (last - first).num_days() + 1 - 10;
    assert_eq!(
        (d[5].clone(), d[6].clone()),
        (Data::Float(days as f64), Data::Float(2.0))
    );

    let attention = rows(&mut book, "需关注企业");
    let line = attention
        .iter()
        .find(|r| text(&r[1]) == "江西赣安应急装备有限公司")
        .unwrap();
    assert!(text(&line[2]).contains("走访"), "never visited: {line:?}");

    let money = rows(&mut book, "资金拨付");
    let czt = money
        .iter()
        .find(|r| text(&r[1]) == "江西省财政厅")
        .unwrap();
    assert_eq!(
        (czt[3].clone(), czt[4].clone()),
        (Data::Float(1250000.0), Data::Float(500000.0))
    );
    assert_eq!(czt[5], Data::Float(0.4));

    // Printable: landscape A4, one page wide, title and header rows on every page.
    for i in 1..=5 {
        let name = format!("xl/worksheets/sheet{i}.xml");
        let xml = xlsx_part(&resp.bytes, &name);
        for setting in [
            r#"orientation="landscape""#,
            r#"paperSize="9""#,
            r#"fitToHeight="0""#,
        ] {
            assert!(xml.contains(setting), "{name}: {setting}");
        }
    }
    let workbook = xlsx_part(&resp.bytes, "xl/workbook.xml");
    assert_eq!(
        workbook.matches("_xlnm.Print_Titles").count(),
        5,
        "{workbook}"
    );

    let future = app
        .get("/api/v1/reports/monthly?month=2099-01", &officer.token)
        .await;
    assert_eq!(future.status, 422);
    let bad = app
        .get("/api/v1/reports/monthly?month=2026-13", &officer.token)
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), ["month"]);
}
