//! Fictional support measures (with 文号 such as 赣财企〔2025〕12号), payment tranches and
//! policy benefits for the demo enterprises, recorded through the same rules as the API by the
//! demo finance and liaison users. Skipped when any measure exists already.

use std::str::FromStr;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::money::Money;
use crate::db::schema::{enterprises, policies, support_measures, users};
use crate::domain::actor::{Actor, ActorKind, Role};
use crate::domain::benefits::model::BenefitStatus;
use crate::domain::benefits::store::{self as benefits, BenefitMove, NewBenefit};
use crate::domain::enterprises::model::EnterpriseSize;
use crate::domain::policies::store::{self as policy_store, PolicyFields};
use crate::domain::support::model::{MeasureStatus, SupportKind};
use crate::domain::support::payments::{self, NewDisbursement};
use crate::domain::support::store::{self as support, MeasureFields};

const TITLES: [(&str, SupportKind); 4] = [
    ("省级应急产业发展专项资金", SupportKind::Subsidy),
    ("技术改造项目贷款贴息", SupportKind::LoanInterestSubsidy),
    (
        "首台（套）重大技术装备保险补偿",
        SupportKind::InsurancePremiumSubsidy,
    ),
    ("中小企业融资担保费补贴", SupportKind::GuaranteeFeeSubsidy),
];

/// The demo user `username` as an actor, if it exists.
pub async fn actor(conn: &mut AsyncPgConnection, username: &str) -> anyhow::Result<Option<Actor>> {
    let row: Option<(Uuid, String, Vec<String>)> = users::table
        .filter(users::username.eq(username))
        .select((users::id, users::department, users::roles))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(id, department, roles)| Actor {
        id,
        kind: ActorKind::User,
        department,
        roles: Role::parse_all(&roles),
    }))
}

fn money(text: &str) -> Money {
    Money::from_str(text).unwrap_or_default()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Adds the demo money; returns (measures, disbursements, benefits) added.
pub async fn load(
    conn: &mut AsyncPgConnection,
    credit_codes: &[String],
) -> anyhow::Result<(usize, usize, usize)> {
    let any: bool = diesel::select(diesel::dsl::exists(
        support_measures::table.select(support_measures::id),
    ))
    .get_result(conn)
    .await?;
    let (Some(finance), Some(liaison)) = (
        actor(conn, "czt.chenjing").await?,
        actor(conn, "gxw.liwei").await?,
    ) else {
        return Ok((0, 0, 0));
    };
    if any {
        return Ok((0, 0, 0));
    }
    let targets: Vec<(Uuid, Vec<String>)> = enterprises::table
        .filter(enterprises::credit_code.eq_any(credit_codes))
        .select((enterprises::id, enterprises::assigned_departments))
        .order(enterprises::credit_code)
        .load(conn)
        .await?;
    if let Some(admin) = actor(conn, "admin").await? {
        add_demo_policies(conn, &admin).await?;
    }
    let national: Option<Uuid> = policies::table
        .filter(policies::document_no.eq("国办发〔2014〕63号"))
        .select(policies::id)
        .first(conn)
        .await
        .optional()?;
    let err = |e: crate::domain::error::AppError| anyhow::anyhow!("demo money: {e:?}");
    let (mut measures, mut payments, mut benefit_count) = (0, 0, 0);
    for (i, (enterprise_id, assigned)) in targets.iter().enumerate().take(40) {
        let (title, kind) = TITLES[i % TITLES.len()];
        let amount = money(&format!("{}0000.00", 10 + (i * 7) % 90));
        let approved = i % 5 != 0;
        let fields = MeasureFields {
            kind,
            title: format!("2025年{title}"),
            fiscal_year: 2025,
            amount: Some(amount),
            policy_id: None,
            document_no: Some(format!("赣财企〔2025〕{}号", 10 + i)),
            status: if approved {
                MeasureStatus::Approved
            } else {
                MeasureStatus::Planned
            },
            approved_on: approved.then(|| day(2025, 3 + (i % 6) as u32, 10)),
        };
        let measure = support::create(conn, &finance, *enterprise_id, fields)
            .await
            .map_err(err)?;
        measures += 1;
        // Some are paid in full in two tranches, some in part, some not yet.
        if approved && i % 3 != 2 {
            let first = Money(amount.0 / rust_decimal::Decimal::from(2))
                .0
                .round_dp(2);
            let tranches = if i % 3 == 0 {
                vec![Money(first), Money(amount.0 - first)]
            } else {
                vec![Money(first)]
            };
            for (n, tranche) in tranches.into_iter().enumerate() {
                let payment = NewDisbursement {
                    amount: tranche,
                    paid_on: day(2025, 9 + n as u32, 15),
                    voucher_no: format!("记-2025-{:02}-{:04}", 9 + n, i * 10 + n),
                };
                payments::disburse(conn, &finance, measure.id, payment)
                    .await
                    .map_err(err)?;
                payments += 1;
            }
        }
        // Policy benefits in every state, for enterprises the demo liaison officer may edit.
        if let (Some(policy_id), true) = (national, assigned.contains(&liaison.department)) {
            let new = NewBenefit {
                enterprise_id: *enterprise_id,
                policy_id,
                responsible_department: "czt".into(),
                expected_amount: Some(money("200000.00")),
                notes: Some("落实国办发〔2014〕63号财税支持政策".into()),
            };
            let benefit = benefits::create(conn, &liaison, new).await.map_err(err)?;
            benefit_count += 1;
            let story: &[BenefitStatus] = match benefit_count % 5 {
                0 => &[],
                1 => &[BenefitStatus::Applied],
                2 => &[BenefitStatus::Applied, BenefitStatus::Approved],
                3 => &[
                    BenefitStatus::Applied,
                    BenefitStatus::Approved,
                    BenefitStatus::Realized,
                ],
                _ => &[BenefitStatus::Rejected],
            };
            for to in story {
                let m = BenefitMove {
                    to: *to,
                    note: Some("按程序办理".into()),
                    realized_amount: Some(money("180000.00")),
                    realized_on: Some(day(2025, 11, 20)),
                };
                benefits::transition(conn, &finance, benefit.id, m)
                    .await
                    .map_err(err)?;
            }
        }
    }
    Ok((measures, payments, benefit_count))
}

/// A few provincial policies with eligibility rules, so that eligibility has something to find.
async fn add_demo_policies(conn: &mut AsyncPgConnection, admin: &Actor) -> anyhow::Result<()> {
    let policy = |title: &str,
                  issuer: &str,
                  document_no: &str,
                  kind: SupportKind,
                  categories: &[&str],
                  sizes: &[EnterpriseSize],
                  regions: &[&str]| {
        PolicyFields {
            title: title.to_owned(),
            issuer: issuer.to_owned(),
            issued_on: day(2025, 2, 18),
            document_no: Some(document_no.to_owned()),
            effective_from: Some(day(2025, 3, 1)),
            effective_until: Some(day(2027, 12, 31)),
            summary: Some(format!("{title}（演示数据）")),
            benefit_kind: Some(kind),
            responsible_departments: vec!["czt".into(), "gxw".into()],
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            sizes: sizes.to_vec(),
            region_codes: regions.iter().map(|c| (*c).to_owned()).collect(),
            claimable: true,
        }
    };
    let demo = [
        policy(
            "江西省应急产业发展专项资金管理办法",
            "江西省财政厅",
            "赣财企〔2025〕3号",
            SupportKind::Subsidy,
            &[],
            &[],
            &[],
        ),
        policy(
            "首台（套）应急装备保险补偿实施细则",
            "江西省工业和信息化厅",
            "赣工信装备〔2025〕7号",
            SupportKind::InsurancePremiumSubsidy,
            &["rescue_disposal", "prevention_protection"],
            &[],
            &[],
        ),
        policy(
            "中小应急企业融资担保费补贴办法",
            "江西省地方金融监督管理局",
            "赣金发〔2025〕5号",
            SupportKind::GuaranteeFeeSubsidy,
            &[],
            &[EnterpriseSize::Small, EnterpriseSize::Micro],
            &[],
        ),
        policy(
            "赣南应急产业集聚区扶持政策",
            "赣州市人民政府",
            "赣市府发〔2025〕9号",
            SupportKind::Grant,
            &[],
            &[],
            &["360700"],
        ),
    ];
    for fields in demo {
        policy_store::create(conn, admin, fields)
            .await
            .map_err(|e| anyhow::anyhow!("demo policy: {e:?}"))?;
    }
    Ok(())
}
