use super::*;
use crate::db::clock::today_in_china;

fn draft() -> EnterpriseDraft {
    EnterpriseDraft {
        name: " 江西赣安应急装备有限公司 ".into(),
        credit_code: "91350100m000100y43".into(),
        credit_code_override_reason: None,
        region_code: "360100".into(),
        category: "rescue_disposal".into(),
        subcategory: None,
        size: EnterpriseSize::Medium,
        lead_department: "gxw".into(),
        legal_representative: None,
        address: None,
        key_products: vec!["救生衣".into(), "救生衣".into()],
        designated_on: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default(),
        designation_batch: None,
        status: EnterpriseStatus::Active,
        assigned_departments: vec!["fgw".into()],
        liaison_officers: vec![],
        tags: vec![],
        employees: Some(120),
        visit_cadence_days: Some(60),
        description: None,
    }
}

#[test]
fn normalize_adds_the_lead_and_cleans_text() {
    let mut d = draft();
    d.normalize();
    assert_eq!(d.name, "江西赣安应急装备有限公司");
    assert_eq!(d.credit_code, "91350100M000100Y43");
    assert_eq!(d.assigned_departments, vec!["gxw", "fgw"]);
    assert_eq!(d.key_products, vec!["救生衣"]);
    assert!(d.check(today_in_china()).is_empty());
}

#[test]
fn twenty_departments_besides_the_lead_are_one_too_many() {
    let mut d = draft();
    d.assigned_departments = (0..20).map(|i| format!("d{i}")).collect();
    d.liaison_officers = vec![Uuid::nil(); 30];
    d.normalize();
    let errors = d.check(today_in_china());
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["assigned_departments"],
        "30 copies of one officer are one"
    );
    d.assigned_departments.pop();
    assert!(d.check(today_in_china()).is_empty());
}

#[test]
fn check_lists_every_problem() {
    let mut d = draft();
    d.name = "  ".into();
    d.credit_code = "91350100M000100Y44".into();
    d.employees = Some(-1);
    d.designated_on = today_in_china() + chrono::Days::new(1);
    d.tags = vec!["".into()];
    d.normalize();
    let fields: Vec<String> = d
        .check(today_in_china())
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        vec![
            "name",
            "credit_code",
            "tags[0]",
            "employees",
            "designated_on"
        ]
    );
}

#[test]
fn an_override_reason_allows_a_failing_check_character_only() {
    let mut d = draft();
    d.credit_code = "91350100M000100Y44".into();
    d.credit_code_override_reason = Some("工商登记照面如此".into());
    d.normalize();
    assert!(d.check(today_in_china()).is_empty());
    d.credit_code = "91350100M000100I44".into();
    assert_eq!(d.check(today_in_china())[0].code, "invalid_character");
}
