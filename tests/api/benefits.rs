//! `/api/v1/policy-benefits`: the status machine, one open benefit, department rules, events.

use liaison::domain::actor::Role;
use liaison::domain::benefits::model::BenefitStatus::{Applied, Approved, Identified, Realized};
use liaison::domain::benefits::model::{BenefitEvent, PolicyBenefit};
use liaison::domain::enterprises::model::Enterprise;
use liaison::web::api::policies::EligiblePolicies;
use liaison::web::api::timeline::{TimelineItem, TimelineType};
use serde_json::{Value, json};

use crate::common::{TestApp, TestUser};

struct Setup {
    app: TestApp,
    officer: TestUser,
    enterprise: Enterprise,
    policy: Value,
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let policy = app
        .post(
            "/api/v1/policies",
            &admin.token,
            json!({"title": "首台套保险补偿", "issuer": "江西省工信厅", "issued_on": "2025-01-01"}),
        )
        .await
        .body;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    Setup {
        app,
        officer,
        enterprise,
        policy,
    }
}

impl Setup {
    async fn benefit(&self) -> String {
        let resp = self
            .app
            .post("/api/v1/policy-benefits", &self.officer.token, json!({"enterprise_id": self.enterprise.id, "policy_id": self.policy["id"], "responsible_department": "gxw", "expected_amount": "300000.00"}))
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.id()
    }

    async fn move_to(&self, id: &str, who: &TestUser, body: Value) -> crate::common::Resp {
        self.app
            .post(
                &format!("/api/v1/policy-benefits/{id}/transitions"),
                &who.token,
                body,
            )
            .await
    }

    async fn benefit_in(&self, status: &str) -> String {
        let id = self.benefit().await;
        let path: &[&str] = match status {
            "identified" => &[],
            "applied" => &["applied"],
            "approved" => &["applied", "approved"],
            "realized" => &["applied", "approved", "realized"],
            "rejected" => &["rejected"],
            _ => &["withdrawn"],
        };
        for to in path {
            let resp = self.move_to(&id, &self.officer, full(to)).await;
            assert_eq!(resp.status, 200, "{to}: {}", resp.text);
        }
        id
    }
}

fn full(to: &str) -> Value {
    json!({"to": to, "note": "说明", "realized_amount": "280000.00", "realized_on": "2025-10-08"})
}

#[actix_web::test]
async fn every_allowed_and_refused_benefit_transition() {
    let s = setup().await;
    let all = [
        "identified",
        "applied",
        "approved",
        "realized",
        "rejected",
        "withdrawn",
    ];
    let allowed = [
        ("identified", "applied"),
        ("applied", "approved"),
        ("approved", "realized"),
        ("identified", "rejected"),
        ("applied", "rejected"),
        ("approved", "rejected"),
        ("identified", "withdrawn"),
        ("applied", "withdrawn"),
        ("approved", "withdrawn"),
    ];
    for from in all {
        for to in all {
            let id = s.benefit_in(from).await;
            let resp = s.move_to(&id, &s.officer, full(to)).await;
            let expected = if allowed.contains(&(from, to)) {
                200
            } else {
                409
            };
            assert_eq!(resp.status, expected, "{from} -> {to}: {}", resp.text);
            // Close what is still open so the next case can open a new one.
            if ["identified", "applied", "approved"].contains(
                &s.app
                    .get(&format!("/api/v1/policy-benefits/{id}"), &s.officer.token)
                    .await
                    .json::<PolicyBenefit>()
                    .status
                    .as_str(),
            ) {
                s.move_to(&id, &s.officer, json!({"to": "withdrawn"})).await;
            }
        }
    }
}

#[actix_web::test]
async fn realizing_records_exact_amount_and_date_and_events_tell_the_story() {
    let s = setup().await;
    let id = s.benefit_in("approved").await;
    let missing = s.move_to(&id, &s.officer, json!({"to": "realized"})).await;
    let mut fields = missing.error_fields();
    fields.sort();
    assert_eq!(
        (missing.status, fields),
        (
            422,
            vec!["realized_amount".to_owned(), "realized_on".to_owned()]
        )
    );
    let rejected = s.move_to(&id, &s.officer, json!({"to": "rejected"})).await;
    assert_eq!(
        (rejected.status, rejected.error_fields()),
        (422, vec!["note".to_owned()])
    );
    let done = s
        .move_to(
            &id,
            &s.officer,
            json!({"to": "realized", "realized_amount": "280000.05", "realized_on": "2025-10-08"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        done.json::<PolicyBenefit>()
            .realized_amount
            .map(|v| v.to_string())
            .as_deref(),
        Some("280000.05")
    );
    assert_eq!(
        done.json::<PolicyBenefit>()
            .expected_amount
            .map(|v| v.to_string())
            .as_deref(),
        Some("300000.00")
    );
    let events = s
        .app
        .get(
            &format!("/api/v1/policy-benefits/{id}/events"),
            &s.officer.token,
        )
        .await;
    let events = events.page::<BenefitEvent>().items;
    let moves: Vec<_> = events
        .iter()
        .map(|e| (e.from_status, e.to_status))
        .collect();
    assert_eq!(
        moves,
        vec![
            (None, Identified),
            (Some(Identified), Applied),
            (Some(Applied), Approved),
            (Some(Approved), Realized)
        ]
    );
    assert_eq!(
        events[3].realized_amount.map(|a| a.to_string()).as_deref(),
        Some("280000.05")
    );
    let eid = &s.enterprise.id.to_string();
    let timeline = s
        .app
        .get(
            &format!("/api/v1/enterprises/{eid}/timeline"),
            &s.officer.token,
        )
        .await;
    let latest = &timeline.page::<TimelineItem>().items[0];
    assert_eq!(latest.item_type, TimelineType::BenefitEvent);
    assert_eq!(latest.benefit_id.map(|b| b.to_string()), Some(id));
}

#[actix_web::test]
async fn one_open_benefit_per_enterprise_and_policy_and_eligibility_follows() {
    let s = setup().await;
    let eid = &s.enterprise.id.to_string();
    let eligible = |resp: &crate::common::Resp| {
        let policies = resp.json::<EligiblePolicies>().items;
        policies.iter().any(|i| i.policy.title == "首台套保险补偿")
    };
    assert!(eligible(
        &s.app
            .get(
                &format!("/api/v1/enterprises/{eid}/eligible-policies"),
                &s.officer.token
            )
            .await
    ));
    let id = s.benefit().await;
    assert!(!eligible(
        &s.app
            .get(
                &format!("/api/v1/enterprises/{eid}/eligible-policies"),
                &s.officer.token
            )
            .await
    ));
    let dup = s
        .app
        .post("/api/v1/policy-benefits", &s.officer.token, json!({"enterprise_id": eid, "policy_id": s.policy["id"], "responsible_department": "czt"}))
        .await;
    assert_eq!(dup.status, 409);
    s.move_to(
        &id,
        &s.officer,
        json!({"to": "rejected", "note": "企业不符合条件"}),
    )
    .await;
    assert!(
        eligible(
            &s.app
                .get(
                    &format!("/api/v1/enterprises/{eid}/eligible-policies"),
                    &s.officer.token
                )
                .await
        ),
        "listed again after rejection"
    );
    assert_eq!(s.benefit().await.len(), 36, "a new one may be opened");
}

#[actix_web::test]
async fn department_rules_for_recording_and_moving() {
    let s = setup().await;
    let eid = &s.enterprise.id.to_string();
    let body =
        json!({"enterprise_id": eid, "policy_id": s.policy["id"], "responsible_department": "czt"});
    let outsider = s.app.user("kjt", &[Role::Liaison]).await;
    assert_eq!(
        s.app
            .post("/api/v1/policy-benefits", &outsider.token, body.clone())
            .await
            .status,
        403,
        "not an assigned department"
    );
    let finance = s.app.user("czt", &[Role::Finance]).await;
    assert_eq!(
        s.app
            .post("/api/v1/policy-benefits", &finance.token, body.clone())
            .await
            .status,
        403
    );
    let created = s
        .app
        .post("/api/v1/policy-benefits", &s.officer.token, body)
        .await;
    assert_eq!(created.status, 201);
    let id = &created.id();
    assert_eq!(
        s.move_to(id, &s.officer, json!({"to": "applied"}))
            .await
            .status,
        403,
        "czt is responsible, not gxw"
    );
    assert_eq!(
        s.move_to(id, &finance, json!({"to": "applied"}))
            .await
            .status,
        200,
        "finance of the responsible department"
    );
    let analyst = s.app.user("czt", &[Role::Analyst]).await;
    assert_eq!(
        s.move_to(id, &analyst, json!({"to": "approved"}))
            .await
            .status,
        403
    );
    let bad = s.app.post("/api/v1/policy-benefits", &s.officer.token, json!({"enterprise_id": eid, "policy_id": "00000000-0000-0000-0000-000000000000", "responsible_department": "nope", "expected_amount": 5})).await;
    assert_eq!(bad.status, 422);
}
