//! `/api/v1/support-measures` and disbursements: roles, exact money, lifecycle, concurrency.

use std::sync::atomic::{AtomicUsize, Ordering};

use liaison::domain::actor::Role;
use liaison::domain::enterprises::model::Enterprise;
use liaison::domain::support::model::{Disbursement, SupportMeasure};
use liaison::web::api::timeline::{TimelineItem, TimelineType};
use serde_json::{Value, json};

use crate::common::{TestApp, TestUser};

struct Setup {
    app: TestApp,
    finance: TestUser,
    enterprise: Enterprise,
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let finance = app.user("czt", &[Role::Finance]).await;
    Setup {
        app,
        finance,
        enterprise,
    }
}

impl Setup {
    /// A measure's body; each has a 文号 of its own (one 文号 is recorded once per enterprise).
    fn body(&self, extra: Value) -> Value {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        let document_no = format!("赣财企〔2025〕{}号", NEXT.fetch_add(1, Ordering::Relaxed));
        let mut body = json!({"enterprise_id": self.enterprise.id, "kind": "subsidy", "title": "2025年省级应急产业发展专项资金",
            "fiscal_year": 2025, "amount": "1250000.00", "document_no": document_no});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    }

    async fn approved(&self, amount: &str) -> String {
        let resp = self
            .app
            .post(
                "/api/v1/support-measures",
                &self.finance.token,
                self.body(
                    json!({"amount": amount, "status": "approved", "approved_on": "2025-06-30"}),
                ),
            )
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.id()
    }

    async fn pay(
        &self,
        id: &str,
        who: &TestUser,
        amount: &str,
        voucher: &str,
    ) -> crate::common::Resp {
        self.app
            .post(
                &format!("/api/v1/support-measures/{id}/disbursements"),
                &who.token,
                json!({"amount": amount, "paid_on": "2025-07-15", "voucher_no": voucher}),
            )
            .await
    }
}

#[actix_web::test]
async fn finance_records_monetary_support_of_its_own_department() {
    let s = setup().await;
    let resp = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({})),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(
        resp.json::<SupportMeasure>().department.to_string(),
        "czt",
        "always the caller's"
    );
    assert_eq!(
        resp.json::<SupportMeasure>()
            .amount
            .map(|a| a.to_string())
            .as_deref(),
        Some("1250000.00")
    );
    assert_eq!(
        resp.json::<SupportMeasure>().disbursed_amount.to_string(),
        "0.00"
    );
    assert_eq!(resp.json::<SupportMeasure>().status.to_string(), "planned");
    let id = &resp.id();
    assert_eq!(
        s.app.audit_of("support_measure", id).await[0].changes["amount"]["after"],
        "1250000.00"
    );

    let liaison = s.app.user("gxw", &[Role::Liaison]).await;
    assert_eq!(
        s.app
            .post(
                "/api/v1/support-measures",
                &liaison.token,
                s.body(json!({}))
            )
            .await
            .status,
        403,
        "monetary is finance's"
    );
    let tech = s
        .app
        .post(
            "/api/v1/support-measures",
            &liaison.token,
            s.body(json!({"kind": "tech_project", "amount": null, "title": "省重点研发计划项目"})),
        )
        .await;
    assert_eq!(tech.status, 201, "{}", tech.text);
    assert_eq!(tech.json::<SupportMeasure>().department.to_string(), "gxw");
    assert!(tech.json::<SupportMeasure>().amount.is_none());
    let analyst = s.app.user("tjj", &[Role::Analyst]).await;
    assert_eq!(
        s.app
            .post(
                "/api/v1/support-measures",
                &analyst.token,
                s.body(json!({"kind": "other"}))
            )
            .await
            .status,
        403
    );
    assert_eq!(
        s.app
            .call(
                "POST",
                "/api/v1/support-measures",
                None,
                Some(&s.body(json!({})))
            )
            .await
            .status,
        401
    );
    let list = s
        .app
        .get(
            "/api/v1/support-measures?department=czt&kind=subsidy&fiscal_year=2025",
            &analyst.token,
        )
        .await;
    assert_eq!(list.page::<SupportMeasure>().items.len(), 1);
}

#[actix_web::test]
async fn money_is_a_string_with_at_most_two_fraction_digits_in_range() {
    let s = setup().await;
    for bad in [
        json!(1250000.00),
        json!(100),
        json!("1.001"),
        json!("-1.00"),
        json!("1000000000000.00"),
        json!("1,000"),
        json!(""),
    ] {
        let resp = s
            .app
            .post(
                "/api/v1/support-measures",
                &s.finance.token,
                s.body(json!({"amount": bad})),
            )
            .await;
        assert_eq!(resp.status, 422, "{bad}: {}", resp.text);
        assert_eq!(resp.error_fields(), vec!["amount"], "{bad}");
    }
    let missing = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({"amount": null})),
        )
        .await;
    assert_eq!(
        (missing.status, missing.error_fields()),
        (422, vec!["amount".to_owned()])
    );
    assert_eq!(s.app.count("support_measures").await, 0);
    let largest = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({"amount": "999999999999.99"})),
        )
        .await;
    assert_eq!(largest.status, 201);
    assert_eq!(
        largest
            .json::<SupportMeasure>()
            .amount
            .map(|a| a.to_string())
            .as_deref(),
        Some("999999999999.99")
    );
    let small = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({"amount": "0.1"})),
        )
        .await;
    assert_eq!(
        small
            .json::<SupportMeasure>()
            .amount
            .map(|a| a.to_string())
            .as_deref(),
        Some("0.10")
    );
}

#[actix_web::test]
async fn lifecycle_approve_cancel_and_the_granting_department_rule() {
    let s = setup().await;
    let created = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({})),
        )
        .await;
    let path = format!("/api/v1/support-measures/{}", created.id());
    let resp = s
        .app
        .patch(&path, &s.finance.token, json!({"status": "approved"}))
        .await;
    assert_eq!(
        (resp.status, resp.error_fields()),
        (422, vec!["approved_on".to_owned()])
    );
    let other = s.app.user("fgw", &[Role::Finance]).await;
    assert_eq!(
        s.app
            .patch(
                &path,
                &other.token,
                json!({"status": "approved", "approved_on": "2025-06-30"})
            )
            .await
            .status,
        403
    );
    let approved = s
        .app
        .patch(
            &path,
            &s.finance.token,
            json!({"status": "approved", "approved_on": "2025-06-30"}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(
        approved.json::<SupportMeasure>().status.to_string(),
        "approved"
    );
    assert_eq!(
        s.app
            .patch(&path, &s.finance.token, json!({"status": "disbursed"}))
            .await
            .status,
        422
    );
    assert_eq!(
        s.app
            .patch(&path, &s.finance.token, json!({"status": "planned"}))
            .await
            .status,
        409
    );
    let id = approved.id();
    assert_eq!(s.pay(&id, &s.finance, "1.00", "V-1").await.status, 201);
    assert_eq!(
        s.app
            .patch(&path, &s.finance.token, json!({"status": "cancelled"}))
            .await
            .status,
        409,
        "paid measures stay"
    );
    assert_eq!(
        s.app
            .patch(&path, &s.finance.token, json!({"amount": "0.50"}))
            .await
            .status,
        422,
        "not below what was paid"
    );

    let planned = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({})),
        )
        .await;
    let planned_path = format!("/api/v1/support-measures/{}", planned.id());
    let cancelled = s
        .app
        .patch(
            &planned_path,
            &s.finance.token,
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(
        cancelled.json::<SupportMeasure>().status.to_string(),
        "cancelled"
    );
    assert_eq!(
        s.app
            .patch(&planned_path, &s.finance.token, json!({"title": "改名"}))
            .await
            .status,
        409
    );
}

#[actix_web::test]
async fn disbursements_add_up_exactly_and_never_exceed_the_amount() {
    let s = setup().await;
    let planned = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({"amount": "1.00"})),
        )
        .await;
    let planned_id = &planned.id();
    assert_eq!(
        s.pay(planned_id, &s.finance, "0.50", "V-0").await.status,
        409,
        "not approved yet"
    );

    let id = s.approved("1.00").await;
    for i in 0..99 {
        let resp = s.pay(&id, &s.finance, "0.01", &format!("V-{i:03}")).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
    }
    let over = s.pay(&id, &s.finance, "0.02", "V-over").await;
    assert_eq!(
        (over.status, over.error_fields()),
        (422, vec!["amount".to_owned()])
    );
    assert_eq!(
        s.pay(&id, &s.finance, "0.01", "V-000").await.status,
        409,
        "voucher numbers are unique per measure"
    );
    let last = s.pay(&id, &s.finance, "0.01", "V-last").await;
    assert_eq!(last.status, 201);
    let measure = s
        .app
        .get(&format!("/api/v1/support-measures/{id}"), &s.finance.token)
        .await;
    assert_eq!(
        measure
            .json::<SupportMeasure>()
            .disbursed_amount
            .to_string(),
        "1.00"
    );
    assert_eq!(
        measure.json::<SupportMeasure>().status.to_string(),
        "disbursed"
    );
    assert_eq!(s.pay(&id, &s.finance, "0.01", "V-after").await.status, 409);
    let list = s
        .app
        .get(
            &format!("/api/v1/support-measures/{id}/disbursements"),
            &s.finance.token,
        )
        .await;
    let payments = list.page::<Disbursement>().items;
    assert_eq!(payments.len(), 100);
    assert_eq!(payments[0].amount.to_string(), "0.01");

    let liaison = s.app.user("czt", &[Role::Liaison]).await;
    let other_finance = s.app.user("fgw", &[Role::Finance]).await;
    let id2 = s.approved("100.00").await;
    assert_eq!(s.pay(&id2, &liaison, "1.00", "X").await.status, 403);
    assert_eq!(s.pay(&id2, &other_finance, "1.00", "X").await.status, 403);
    let bad = s
        .app
        .post(
            &format!("/api/v1/support-measures/{id2}/disbursements"),
            &s.finance.token,
            json!({"amount": 5, "paid_on": "2098-01-01", "voucher_no": " "}),
        )
        .await;
    assert_eq!(bad.status, 422);
}

#[actix_web::test]
async fn concurrent_payments_never_overpay() {
    let s = setup().await;
    let id = s.approved("10.00").await;
    let vouchers: Vec<String> = (0..20).map(|i| format!("C-{i:02}")).collect();
    let requests: Vec<_> = vouchers
        .iter()
        .map(|v| s.pay(&id, &s.finance, "1.00", v))
        .collect();
    let results = futures_util::future::join_all(requests).await;
    let ok = results.iter().filter(|r| r.status == 201).count();
    // Refused: over the amount (422), or the measure is already fully paid (409).
    let refused = results
        .iter()
        .filter(|r| r.status == 422 || r.status == 409)
        .count();
    assert_eq!(
        (ok, refused),
        (10, 10),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let measure = s
        .app
        .get(&format!("/api/v1/support-measures/{id}"), &s.finance.token)
        .await;
    assert_eq!(
        measure
            .json::<SupportMeasure>()
            .disbursed_amount
            .to_string(),
        "10.00"
    );
    assert_eq!(
        measure.json::<SupportMeasure>().status.to_string(),
        "disbursed"
    );
    assert_eq!(s.app.count("disbursements").await, 10);
}

#[actix_web::test]
async fn a_retried_payment_with_its_idempotency_key_is_paid_once() {
    let s = setup().await;
    let id = s.approved("100.00").await;
    let body = json!({"amount": "40.00", "paid_on": "2025-07-15", "voucher_no": "记-2025-07-0001"})
        .to_string();
    let path = format!("/api/v1/support-measures/{id}/disbursements");
    let first = s
        .app
        .send(
            "POST",
            &path,
            Some(&s.finance.token),
            &[("Idempotency-Key", "pay-0001")],
            Some(("application/json", body.clone())),
        )
        .await;
    let retry = s
        .app
        .send(
            "POST",
            &path,
            Some(&s.finance.token),
            &[("Idempotency-Key", "pay-0001")],
            Some(("application/json", body)),
        )
        .await;
    assert_eq!((first.status, retry.status), (201, 201));
    assert_eq!(first.body, retry.body);
    assert_eq!(
        s.app
            .get(&format!("/api/v1/support-measures/{id}"), &s.finance.token)
            .await
            .json::<SupportMeasure>()
            .disbursed_amount
            .to_string(),
        "40.00"
    );
}

#[actix_web::test]
async fn measures_and_payments_appear_in_the_enterprise_timeline() {
    let s = setup().await;
    let id = s.approved("100.00").await;
    assert_eq!(s.pay(&id, &s.finance, "30.00", "记-001").await.status, 201);
    let eid = &s.enterprise.id.to_string();
    let timeline = s
        .app
        .get(
            &format!("/api/v1/enterprises/{eid}/timeline"),
            &s.finance.token,
        )
        .await;
    assert_eq!(timeline.status, 200, "{}", timeline.text);
    let items = timeline.page::<TimelineItem>().items;
    let kinds: Vec<_> = items.iter().map(|i| i.item_type).collect();
    assert_eq!(
        kinds,
        [
            TimelineType::Disbursement,
            TimelineType::SupportMeasure,
            TimelineType::Designation
        ]
    );
    let amounts: Vec<_> = items[..2]
        .iter()
        .map(|i| i.amount.map(|a| a.to_string()))
        .collect();
    assert_eq!(amounts, [Some("30.00".into()), Some("100.00".into())]);
    assert_eq!(
        items[0].support_measure_id.map(|m| m.to_string()),
        Some(id.clone())
    );
    assert_eq!(items[1].id.to_string(), id);
}

#[actix_web::test]
async fn an_admin_changes_any_departments_non_monetary_measure_but_not_its_money() {
    let s = setup().await;
    let officer = s.app.user("czt", &[Role::Liaison]).await;
    let land = s
        .app
        .post(
            "/api/v1/support-measures",
            &officer.token,
            s.body(json!({"kind": "land", "amount": null, "title": "新增建设用地指标"})),
        )
        .await;
    assert_eq!(land.status, 201, "{}", land.text);
    let admin = s.app.admin().await;
    assert_eq!(admin.department, "gxw", "an admin of another department");
    let path = format!("/api/v1/support-measures/{}", land.id());
    let changed = s
        .app
        .patch(
            &path,
            &admin.token,
            json!({"title": "新增建设用地指标（调整）"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        changed.json::<SupportMeasure>().title.to_string(),
        "新增建设用地指标（调整）"
    );

    let subsidy = s.approved("1000.00").await;
    let money = s
        .app
        .patch(
            &format!("/api/v1/support-measures/{subsidy}"),
            &admin.token,
            json!({"title": "改"}),
        )
        .await;
    assert_eq!(money.status, 403, "money stays finance's");
}

#[actix_web::test]
async fn an_edited_amount_keeps_the_money_invariants() {
    let s = setup().await;
    let id = s.approved("1000.00").await;
    let path = format!("/api/v1/support-measures/{id}");
    assert_eq!(s.pay(&id, &s.finance, "1000.00", "记-1").await.status, 201);
    let edit = |amount: &str| {
        s.app
            .patch(&path, &s.finance.token, json!({"amount": amount}))
    };

    // Raising the amount of a paid measure reopens it for payment.
    let raised = edit("1500.00").await;
    assert_eq!(raised.status, 200, "{}", raised.text);
    assert_eq!(
        raised.json::<SupportMeasure>().status.to_string(),
        "approved"
    );
    assert_eq!(s.pay(&id, &s.finance, "200.00", "记-2").await.status, 201);
    // Lowering it to exactly what was paid closes it; below that is refused.
    let lowered = edit("1200.00").await;
    assert_eq!(
        lowered.json::<SupportMeasure>().status.to_string(),
        "disbursed",
        "{}",
        lowered.text
    );
    assert_eq!(edit("1199.99").await.status, 422);
    // A monetary measure of nothing can never be paid: refused.
    let zero = s
        .app
        .post(
            "/api/v1/support-measures",
            &s.finance.token,
            s.body(json!({"amount": "0.00"})),
        )
        .await;
    assert_eq!(zero.status, 422, "{}", zero.text);
    assert_eq!(zero.error_fields(), ["amount"]);
}

#[actix_web::test]
async fn voucher_numbers_match_in_any_case_and_without_invisible_characters() {
    let s = setup().await;
    let id = s.approved("1000.00").await;
    assert_eq!(
        s.pay(&id, &s.finance, "100.00", "JZ-2025-11-0032")
            .await
            .status,
        201
    );
    for same in [
        "jz-2025-11-0032",
        "JZ-2025-11-0032\u{200B}",
        " ＪＺ-2025-11-0032 ",
    ] {
        let again = s.pay(&id, &s.finance, "100.00", same).await;
        assert_eq!(again.status, 409, "{same:?}: {}", again.text);
    }
    let paid: SupportMeasure = s
        .app
        .get(&format!("/api/v1/support-measures/{id}"), &s.finance.token)
        .await
        .json();
    assert_eq!(paid.disbursed_amount.to_string(), "100.00");
}
