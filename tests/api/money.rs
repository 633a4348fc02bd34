//! Money integrity (issue 18): one measure per 文号, payments after their approval, reversals
//! instead of deletions (exact under concurrency), and what eligibility offers.

use liaison::domain::actor::Role;
use liaison::domain::enterprises::model::Enterprise;
use liaison::domain::policies::store::Policy;
use liaison::domain::support::model::{Disbursement, SupportMeasure};
use liaison::web::api::policies::EligiblePolicies;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp, TestUser};

struct Desk {
    app: TestApp,
    admin: TestUser,
    finance: TestUser,
    enterprise: Enterprise,
}

async fn desk() -> Desk {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let finance = app.user("czt", &[Role::Finance]).await;
    Desk {
        app,
        admin,
        finance,
        enterprise,
    }
}

impl Desk {
    async fn record(&self, enterprise: &Enterprise, extra: Value) -> Resp {
        let mut body = json!({"enterprise_id": enterprise.id, "kind": "subsidy",
            "title": "2025年省级应急产业发展专项资金", "fiscal_year": 2025, "amount": "1000.00",
            "status": "approved", "approved_on": "2025-06-30"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .post("/api/v1/support-measures", &self.finance.token, body)
            .await
    }

    async fn approved(&self, document_no: &str) -> String {
        let resp = self
            .record(&self.enterprise, json!({"document_no": document_no}))
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.id()
    }

    async fn pay(&self, id: &str, amount: &str, paid_on: &str, voucher: &str) -> Resp {
        let body = json!({"amount": amount, "paid_on": paid_on, "voucher_no": voucher});
        let path = format!("/api/v1/support-measures/{id}/disbursements");
        self.app.post(&path, &self.finance.token, body).await
    }

    async fn reverse(&self, who: &TestUser, id: &str, payment: &str, reason: &str) -> Resp {
        let path = format!("/api/v1/support-measures/{id}/disbursements/{payment}/reversal");
        self.app
            .post(&path, &who.token, json!({"reason": reason}))
            .await
    }

    async fn edit(&self, id: &str, patch: Value) -> Resp {
        let path = format!("/api/v1/support-measures/{id}");
        self.app.patch(&path, &self.finance.token, patch).await
    }

    async fn measure(&self, id: &str) -> SupportMeasure {
        let path = format!("/api/v1/support-measures/{id}");
        self.app.get(&path, &self.finance.token).await.json()
    }

    async fn entries(&self, id: &str) -> Vec<Disbursement> {
        let path = format!("/api/v1/support-measures/{id}/disbursements");
        let resp = self.app.get(&path, &self.finance.token).await;
        resp.page::<Disbursement>().items
    }
}

#[actix_web::test]
async fn a_document_number_is_recorded_once_per_enterprise() {
    let d = desk().await;
    let first = d.approved("赣财企〔2025〕12号").await;
    // The same 文号 typed again: other letter case, full-width digits, blanks around it.
    for again in ["赣财企〔2025〕12号", " 赣财企〔２０２５〕１２号 "] {
        let resp = d.record(&d.enterprise, json!({"document_no": again})).await;
        assert_eq!(resp.status, 409, "{again}: {}", resp.text);
        assert!(
            resp.problem().detail.contains(&first),
            "the clerk is told which measure holds it: {}",
            resp.text
        );
    }
    let latin = d.approved("JXCZ-2025-7").await;
    let resp = d
        .record(&d.enterprise, json!({"document_no": "jxcz-2025-7"}))
        .await;
    assert_eq!(resp.status, 409, "any letter case: {}", resp.text);
    assert_eq!(d.app.count("support_measures").await, 2, "nothing recorded");

    // Another enterprise may hold the same 文号 (one document grants several enterprises).
    let other = d.app.enterprise(&d.admin, 2, json!({})).await;
    let resp = d
        .record(&other, json!({"document_no": "赣财企〔2025〕12号"}))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);

    // Editing a measure onto a taken 文号 is refused the same way.
    let resp = d
        .edit(&latin, json!({"document_no": "赣财企〔2025〕12号"}))
        .await;
    assert_eq!(resp.status, 409, "{}", resp.text);
    assert_eq!(
        d.measure(&latin).await.document_no.as_deref(),
        Some("JXCZ-2025-7")
    );

    // A measure recorded in error is cancelled; its 文号 is then free for the right one.
    let resp = d.edit(&first, json!({"status": "cancelled"})).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let resp = d
        .record(&d.enterprise, json!({"document_no": "赣财企〔2025〕12号"}))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
}

#[actix_web::test]
async fn two_clerks_entering_one_document_at_once_record_it_once() {
    let d = desk().await;
    let attempts =
        (0..6).map(|_| d.record(&d.enterprise, json!({"document_no": "赣财企〔2025〕30号"})));
    let results = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(d.app.count("support_measures").await, 1);
}

#[actix_web::test]
async fn a_payment_is_not_dated_before_its_approval() {
    let d = desk().await;
    let id = d.approved("赣财企〔2025〕12号").await;
    let early = d.pay(&id, "100.00", "2025-06-29", "记-01").await;
    assert_eq!(early.status, 422, "{}", early.text);
    assert_eq!(early.error_codes(), ["before_approval"]);
    assert!(d.entries(&id).await.is_empty(), "nothing paid");
    assert_eq!(d.measure(&id).await.disbursed_amount.to_string(), "0.00");

    let on_the_day = d.pay(&id, "100.00", "2025-06-30", "记-01").await;
    assert_eq!(on_the_day.status, 201, "{}", on_the_day.text);

    // Nor may the approval be moved after a payment already made.
    let resp = d.edit(&id, json!({"approved_on": "2025-07-01"})).await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.error_codes(), ["after_payment"]);
    let resp = d.edit(&id, json!({"approved_on": "2025-06-01"})).await;
    assert_eq!(
        resp.status, 200,
        "an earlier approval is fine: {}",
        resp.text
    );
}

#[actix_web::test]
async fn a_wrong_payment_is_reversed_never_deleted() {
    let d = desk().await;
    let id = d.approved("赣财企〔2025〕12号").await;
    assert_eq!(
        d.pay(&id, "600.00", "2025-07-15", "记-01").await.status,
        201
    );
    let wrong: Disbursement = d.pay(&id, "400.00", "2025-07-16", "记-02").await.json();
    assert_eq!(d.measure(&id).await.status.to_string(), "disbursed");

    // Only finance of the granting department, with a reason.
    let other_finance = d.app.user("gxw", &[Role::Finance]).await;
    let liaison = d.app.user("czt", &[Role::Liaison]).await;
    let w = wrong.id.to_string();
    assert_eq!(d.reverse(&other_finance, &id, &w, "错").await.status, 403);
    assert_eq!(d.reverse(&liaison, &id, &w, "错").await.status, 403);
    let blank = d.reverse(&d.finance, &id, &w, "  ").await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    assert_eq!(blank.error_codes(), ["blank"]);
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(d.reverse(&d.finance, &id, &unknown, "错").await.status, 404);
    assert_eq!(d.entries(&id).await.len(), 2, "refusals change nothing");

    let resp = d.reverse(&d.finance, &id, &w, "凭证号录入错误").await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let reversal: Disbursement = resp.json();
    assert_eq!(reversal.amount.to_string(), "-400.00");
    assert_eq!(reversal.reverses_id, Some(wrong.id));
    assert_eq!(reversal.voucher_no, "记-02");
    assert_eq!(reversal.reason.as_deref(), Some("凭证号录入错误"));

    let measure = d.measure(&id).await;
    assert_eq!(measure.disbursed_amount.to_string(), "600.00");
    assert_eq!(
        measure.status.to_string(),
        "approved",
        "open for payment again"
    );
    let entries = d.entries(&id).await;
    assert_eq!(entries.len(), 3, "the wrong payment stays on record");
    assert!(
        entries
            .iter()
            .any(|e| e.id == wrong.id && e.amount.to_string() == "400.00")
    );

    // Once only; a reversal is not reversed.
    let again = d.reverse(&d.finance, &id, &w, "再冲").await;
    assert_eq!(again.status, 409, "{}", again.text);
    let back = d
        .reverse(&d.finance, &id, &reversal.id.to_string(), "冲回")
        .await;
    assert_eq!(back.status, 409, "{}", back.text);

    // The right payment is then recorded under a voucher of its own (a reversed voucher stays
    // used, as in the books).
    let reused = d.pay(&id, "400.00", "2025-07-20", "记-02").await;
    assert_eq!(reused.status, 409, "{}", reused.text);
    let right = d.pay(&id, "400.00", "2025-07-20", "记-03").await;
    assert_eq!(right.status, 201, "{}", right.text);
    assert_eq!(d.measure(&id).await.status.to_string(), "disbursed");

    // The auditor sees who reversed what, and why.
    let trail = d
        .app
        .audit_of("disbursement", &reversal.id.to_string())
        .await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "reverse");
    assert_eq!(trail[0].changes["reason"]["after"], "凭证号录入错误");
    let measure_trail = d.app.audit_of("support_measure", &id).await;
    assert!(measure_trail.iter().any(
        |a| a.action == "reverse_payment" && a.changes["disbursed_amount"]["after"] == "600.00"
    ));
}

#[actix_web::test]
async fn concurrent_reversals_and_payments_stay_exact() {
    let d = desk().await;
    let id = d.approved("赣财企〔2025〕12号").await;
    let mut payments = Vec::new();
    for i in 0..10 {
        let p: Disbursement = d
            .pay(&id, "100.00", "2025-07-15", &format!("记-{i:02}"))
            .await
            .json();
        payments.push(p.id.to_string());
    }
    // Each of five payments reversed twice at once, while ten new payments of 100 race them.
    let (d, id) = (&d, id.as_str());
    let reversals = payments[..5]
        .iter()
        .flat_map(|p| [p, p])
        .map(|p| d.reverse(&d.finance, id, p, "重复录入"));
    let new_vouchers: Vec<String> = (0..10).map(|i| format!("新-{i:02}")).collect();
    let new_payments = new_vouchers
        .iter()
        .map(|v| d.pay(id, "100.00", "2025-08-01", v));
    let (reversed, paid) = futures_util::future::join(
        futures_util::future::join_all(reversals),
        futures_util::future::join_all(new_payments),
    )
    .await;
    let status_count = |rs: &[Resp], s: u16| rs.iter().filter(|r| r.status == s).count();
    assert_eq!(
        status_count(&reversed, 201),
        5,
        "each payment reversed once"
    );
    assert_eq!(
        status_count(&reversed, 409),
        5,
        "the second reversal of each is refused"
    );
    let paid_ok = status_count(&paid, 201);
    assert!(
        paid.iter().all(|r| [201, 409, 422].contains(&r.status)),
        "{:?}",
        paid.iter().map(|r| r.status).collect::<Vec<_>>()
    );

    let entries = d.entries(id).await;
    assert_eq!(entries.len(), 10 + 5 + paid_ok);
    let sum: rust_decimal::Decimal = entries.iter().map(|e| e.amount.0).sum();
    let measure = d.measure(id).await;
    assert_eq!(
        measure.disbursed_amount.0, sum,
        "the total is the sum of the entries"
    );
    assert_eq!(sum, rust_decimal::Decimal::from(500 + 100 * paid_ok as i64));
    assert!(
        sum <= rust_decimal::Decimal::from(1000),
        "never more than granted"
    );
    let full = sum == rust_decimal::Decimal::from(1000);
    assert_eq!(measure.status.to_string() == "disbursed", full);
}

#[actix_web::test]
async fn eligibility_leaves_out_framework_documents_and_policies_already_paid() {
    let d = desk().await;
    let resp = d
        .app
        .post(
            "/api/v1/policies",
            &d.admin.token,
            json!({"title": "江西省应急产业发展专项资金管理办法", "issuer": "江西省财政厅",
                   "issued_on": "2025-01-01", "benefit_kind": "subsidy"}),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let policy: Policy = resp.json();
    assert!(policy.claimable, "a new policy is claimable by default");
    let offered = || async {
        let path = format!("/api/v1/enterprises/{}/eligible-policies", d.enterprise.id);
        let items = d
            .app
            .get(&path, &d.finance.token)
            .await
            .json::<EligiblePolicies>()
            .items;
        items
            .into_iter()
            .map(|i| i.policy.title)
            .collect::<Vec<_>>()
    };
    let titles = offered().await;
    assert_eq!(
        titles,
        ["江西省应急产业发展专项资金管理办法"],
        "no framework document"
    );
    let plan: Policy = d
        .app
        .get(
            "/api/v1/policies/6f1c8a52-3b0e-4d7a-9a61-2014063a0001",
            &d.finance.token,
        )
        .await
        .json();
    assert!(!plan.claimable, "{} is a framework document", plan.title);

    // A measure under the policy, approved but not paid, leaves it on offer; paid, it is gone.
    let policy_id = policy.id.to_string();
    let resp = d
        .record(
            &d.enterprise,
            json!({"policy_id": policy_id, "document_no": "赣财企〔2025〕40号"}),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let measure = resp.id();
    assert_eq!(offered().await.len(), 1);
    assert_eq!(
        d.pay(&measure, "100.00", "2025-07-15", "记-01")
            .await
            .status,
        201
    );
    assert!(offered().await.is_empty(), "already paid under it");

    // An admin marks a policy as a framework document.
    let other = d.app.enterprise(&d.admin, 2, json!({})).await;
    let path = format!("/api/v1/policies/{policy_id}");
    let resp = d
        .app
        .patch(&path, &d.admin.token, json!({"claimable": false}))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let path = format!("/api/v1/enterprises/{}/eligible-policies", other.id);
    let items = d
        .app
        .get(&path, &d.finance.token)
        .await
        .json::<EligiblePolicies>()
        .items;
    assert!(items.is_empty(), "{items:?}");
}
