//! `/api/v1/policies` and eligible policies.

use liaison::domain::actor::Role;
use liaison::domain::enterprises::model::EnterpriseSize;
use liaison::domain::policies::model::PolicyRule;
use liaison::domain::policies::store::Policy;
use liaison::web::api::policies::EligiblePolicies;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn admins_write_policies_everyone_reads_them() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let analyst = app.user("tjj", &[Role::Analyst]).await;
    let seeded = app.get("/api/v1/policies", &analyst.token).await;
    assert_eq!(seeded.status, 200);
    let seeded = seeded.page::<Policy>().items;
    let docs: Vec<&str> = seeded
        .iter()
        .filter_map(|p| p.document_no.as_deref())
        .collect();
    assert!(docs.contains(&"国办发〔2014〕63号"));

    let body = json!({"title": "江西省应急产业发展专项资金管理办法", "issuer": "江西省财政厅", "issued_on": "2025-03-01",
        "document_no": "赣财企〔2025〕12号", "benefit_kind": "subsidy", "responsible_departments": ["czt", "gxw"],
        "categories": ["rescue_disposal"], "sizes": ["medium", "small"], "region_codes": ["360100"]});
    for role in [Role::Liaison, Role::Finance, Role::Analyst] {
        let user = app.user("czt", &[role]).await;
        assert_eq!(
            app.post("/api/v1/policies", &user.token, body.clone())
                .await
                .status,
            403
        );
    }
    let created = app
        .post("/api/v1/policies", &admin.token, body.clone())
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json::<Policy>().sizes,
        [EnterpriseSize::Medium, EnterpriseSize::Small]
    );
    assert_eq!(
        app.post("/api/v1/policies", &admin.token, body)
            .await
            .status,
        409,
        "document numbers are unique"
    );
    // A document number longer than the 100 characters the OpenAPI file allows is named too.
    let bad = app.post("/api/v1/policies", &admin.token, json!({"title": " ", "issuer": "x", "issued_on": "2025-01-01", "document_no": "号".repeat(101), "categories": ["nope"], "region_codes": ["999999"], "responsible_departments": ["gxw", "zzz"]})).await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "categories[0]",
            "document_no",
            "region_codes[0]",
            "responsible_departments[1]",
            "title"
        ]
    );

    let path = format!("/api/v1/policies/{}", created.id());
    let changed = app
        .send(
            "PATCH",
            &path,
            Some(&admin.token),
            &[("If-Match", "\"1\"")],
            Some((
                "application/merge-patch+json",
                json!({"effective_until": "2027-12-31"}).to_string(),
            )),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let stale = app
        .send(
            "PATCH",
            &path,
            Some(&admin.token),
            &[("If-Match", "\"1\"")],
            Some(("application/json", json!({"summary": "x"}).to_string())),
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(
        app.audit_of("policy", path.rsplit('/').next().unwrap())
            .await
            .len(),
        2
    );
}

#[actix_web::test]
async fn eligible_policies_match_rules_in_force_with_reasons() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app
        .enterprise(
            &admin,
            1,
            json!({"region_code": "360121", "category": "rescue_disposal", "size": "medium"}),
        )
        .await;
    let mk = |title: &str, extra: serde_json::Value| {
        let mut body =
            json!({"title": title, "issuer": "江西省人民政府", "issued_on": "2025-01-01"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for body in [
        mk(
            "南昌救援装备专项",
            json!({"categories": ["rescue_disposal"], "sizes": ["medium"], "region_codes": ["360100"]}),
        ),
        mk(
            "监测预警专项",
            json!({"categories": ["monitoring_warning"]}),
        ),
        mk("已失效政策", json!({"effective_until": "2020-12-31"})),
        mk("尚未生效政策", json!({"effective_from": "2098-01-01"})),
        mk("大型企业专项", json!({"sizes": ["large"]})),
        mk("全省通用专项", json!({})),
    ] {
        assert_eq!(
            app.post("/api/v1/policies", &admin.token, body)
                .await
                .status,
            201
        );
    }
    let analyst = app.user("tjj", &[Role::Analyst]).await;
    let resp = app
        .get(
            &format!("/api/v1/enterprises/{}/eligible-policies", e.id),
            &analyst.token,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let items = resp.json::<EligiblePolicies>().items;
    let titles: Vec<&str> = items.iter().map(|i| i.policy.title.as_str()).collect();
    assert!(
        titles.contains(&"南昌救援装备专项"),
        "a city rule covers its counties: {titles:?}"
    );
    assert!(titles.contains(&"全省通用专项"), "no rules: any enterprise");
    assert!(
        !titles.contains(&"国务院办公厅关于加快应急产业发展的意见"),
        "a framework document is not claimable: {titles:?}"
    );
    for absent in ["监测预警专项", "已失效政策", "尚未生效政策", "大型企业专项"]
    {
        assert!(!titles.contains(&absent), "{absent}");
    }
    let matched = items
        .iter()
        .find(|i| i.policy.title == "南昌救援装备专项")
        .unwrap();
    assert_eq!(
        matched.matched,
        [PolicyRule::Category, PolicyRule::Size, PolicyRule::Region]
    );
    assert_eq!(
        app.get(
            "/api/v1/enterprises/00000000-0000-0000-0000-000000000000/eligible-policies",
            &analyst.token
        )
        .await
        .status,
        404
    );
}
