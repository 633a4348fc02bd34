//! A year of fictional visits and demands for the demo enterprises, in every demand state,
//! with the events of each demand at plausible times. Deterministic: the same data each run;
//! enterprises that already have visits are left alone.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::demand_story::{Cast, Story};
use crate::db::clock::today_in_china;
use crate::db::schema::{enterprises, users, visits};

const SUMMARIES: [&str; 8] = [
    "走访企业生产车间，了解订单、产能和用工情况",
    "座谈了解企业一季度经营情况和新产品研发进展",
    "电话回访企业诉求办理情况，企业反映总体满意",
    "视频连线了解企业出口订单受物流影响情况",
    "陪同省级专家组调研企业应急装备研发平台建设",
    "召开政企座谈会，宣讲应急产业扶持政策",
    "实地察看企业新建厂房和生产线安装进度",
    "了解企业参与防汛抗旱应急物资保障情况",
];
const FINDINGS: [&str; 5] = [
    "订单饱满，部分岗位招工困难",
    "新产品已完成样机试制，待检测认证",
    "流动资金偏紧，希望获得贷款贴息支持",
    "新厂房建设用地手续尚未办结",
    "生产经营正常，无突出问题",
];
/// (category, title, department that handles it): the body whose remit it is, a city's bureau
/// for what the city decides.
const DEMANDS: [(&str, &str, &str); 10] = [
    ("financing", "申请技术改造项目贷款贴息", "czt"),
    ("financing", "对接银行办理应急转贷", "jrb"),
    ("land", "协调新厂房建设用地指标", "zrzyt"),
    ("talent", "招聘高级焊工和数控技师", "rst"),
    ("market", "组织参加中国应急产业博览会", "swt"),
    ("technology", "申报省级企业技术中心", "kjt"),
    ("policy", "咨询首台套重大技术装备保险补偿政策", "gxw"),
    ("permits", "加快应急产品生产许可审批", "scjgj"),
    ("infrastructure", "园区道路和供电线路改造", "nc_gxj"),
    ("other", "协调解决员工子女入学问题", "jyt"),
];
const KINDS: [&str; 4] = ["on_site", "on_site", "phone", "meeting"];

/// A small linear congruential generator: reproducible demo data without a dependency.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// How far a demand's story goes, and how: signed for, resolved, followed up (an unsatisfied
/// follow-up sends it back to work), reassigned, urged, rejected.
const STORIES: [&[&str]; 9] = [
    &[],
    &["accepted", "urged"],
    &["accepted", "resolved"],
    &["accepted", "resolved", "closed"],
    &["accepted", "resolved", "closed"],
    &["rejected"],
    &["reassigned", "accepted", "resolved", "closed"],
    &["accepted", "resolved", "unsatisfied", "resolved", "closed"],
    &[
        "accepted",
        "resolved",
        "unsatisfied",
        "urged",
        "resolved",
        "closed",
    ],
];

/// Adds the demo activity; returns (visits, demands) added.
pub async fn load(
    conn: &mut AsyncPgConnection,
    credit_codes: &[String],
) -> anyhow::Result<(usize, usize)> {
    let targets: Vec<(Uuid, String, Vec<Uuid>)> = enterprises::table
        .filter(enterprises::credit_code.eq_any(credit_codes))
        .select((
            enterprises::id,
            enterprises::lead_department,
            enterprises::liaison_officers,
        ))
        .order(enterprises::credit_code)
        .load(conn)
        .await?;
    let officers: Vec<(Uuid, String)> = users::table
        .select((users::id, users::department))
        .load(conn)
        .await?;
    let today = today_in_china();
    let cast = Cast::load(conn).await?;
    let (mut visit_count, mut demand_count) = (0, 0);
    for (index, (enterprise_id, lead, assigned_officers)) in targets.into_iter().enumerate() {
        let visited: bool = diesel::select(diesel::dsl::exists(
            visits::table.filter(visits::enterprise_id.eq(enterprise_id)),
        ))
        .get_result(conn)
        .await?;
        let visiting: Vec<Uuid> = assigned_officers
            .iter()
            .filter(|id| {
                officers
                    .iter()
                    .any(|(uid, dept)| uid == *id && *dept == lead)
            })
            .copied()
            .collect();
        if visited || visiting.is_empty() {
            continue;
        }
        let mut dice = Dice(index as u64 * 7919 + 17);
        let (v, d) = conn
            .transaction(async |conn| {
                let mut added = (0, 0);
                for _ in 0..2 + dice.roll(4) {
                    let day = today - Days::new(5 + dice.roll(360) as u64);
                    let visit_id = Uuid::new_v4();
                    diesel::insert_into(visits::table)
                        .values((
                            visits::id.eq(visit_id),
                            visits::enterprise_id.eq(enterprise_id),
                            visits::department.eq(&lead),
                            visits::visited_on.eq(day),
                            visits::kind.eq(KINDS[dice.roll(KINDS.len())]),
                            visits::officers.eq(&visiting),
                            visits::summary.eq(SUMMARIES[dice.roll(SUMMARIES.len())]),
                            visits::participants.eq("企业负责人及相关部门负责人"),
                            visits::purpose.eq("重点企业联系走访"),
                            visits::findings.eq(FINDINGS[dice.roll(FINDINGS.len())]),
                            visits::created_by.eq(visiting[0]),
                            visits::created_at.eq(at(day, 10)),
                            visits::updated_at.eq(at(day, 10)),
                        ))
                        .execute(conn)
                        .await?;
                    added.0 += 1;
                    for _ in 0..dice.roll(3) {
                        let story = STORIES[dice.roll(STORIES.len())];
                        let (category, title, dept) = DEMANDS[dice.roll(DEMANDS.len())];
                        add_demand(
                            conn,
                            &cast,
                            (enterprise_id, visit_id),
                            day,
                            (visiting[0], &lead),
                            (category, title, dept),
                            story,
                            &mut dice,
                        )
                        .await?;
                        added.1 += 1;
                    }
                }
                Ok::<_, diesel::result::Error>(added)
            })
            .await?;
        visit_count += v;
        demand_count += d;
    }
    Ok((visit_count, demand_count))
}

fn at(day: NaiveDate, hour: u32) -> chrono::DateTime<Utc> {
    let naive = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    // China Standard Time office hours, stored in UTC.
    Utc.from_utc_datetime(&naive) - chrono::Duration::hours(8)
}

/// One demo demand raised on a visit, told as far as its story goes (and not beyond today).
#[allow(clippy::too_many_arguments)]
async fn add_demand(
    conn: &mut AsyncPgConnection,
    cast: &Cast,
    (enterprise_id, visit_id): (Uuid, Uuid),
    day: NaiveDate,
    raiser: (Uuid, &str),
    (category, title, dept): (&str, &str, &str),
    story: &[&str],
    dice: &mut Dice,
) -> QueryResult<()> {
    let due = day + Days::new(30 + dice.roll(60) as u64);
    let mut when = at(day, 11);
    let mut told = Story::new(enterprise_id, when, (raiser.0, raiser.1.to_owned()), dept);
    for step in story {
        when += chrono::Duration::days(1 + dice.roll(12) as i64);
        if when > Utc::now() || !told.tell(step, when, cast, dice.roll(6)) {
            break;
        }
    }
    told.write(conn, visit_id, (category, title), due).await
}
