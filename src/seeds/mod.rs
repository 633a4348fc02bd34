//! Seed data from `seeds/` (embedded in the binary): reference data, loaded idempotently, and
//! the fictional demo set.

pub mod activity;
mod demand_rules;
mod demand_story;
pub mod departments;
pub mod indicators;
pub mod money;
pub mod synthetic;

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use crate::db::schema::{categories, policies, regions, subcategories};
use crate::domain::actor::Role;
use crate::domain::auth::secrets;
use crate::domain::contacts::model::ContactFields;
use crate::domain::enterprises::model::{EnterpriseDraft, EnterpriseSize, EnterpriseStatus};
use crate::domain::reference::store::RegionLevel;
use crate::domain::{contacts, enterprises, users};

#[derive(Deserialize)]
struct RegionSeed {
    code: String,
    name: String,
    level: RegionLevel,
    parent_code: Option<String>,
}

#[derive(Deserialize)]
struct CategorySeed {
    code: String,
    name: String,
    subcategories: Vec<SubcategorySeed>,
}

#[derive(Deserialize)]
struct SubcategorySeed {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct PolicySeed {
    id: Uuid,
    title: String,
    issuer: String,
    issued_on: chrono::NaiveDate,
    document_no: Option<String>,
    effective_from: Option<chrono::NaiveDate>,
    summary: Option<String>,
    summary_file: Option<String>,
    responsible_departments: Vec<String>,
    categories: Vec<String>,
    sizes: Vec<EnterpriseSize>,
    region_codes: Vec<String>,
    /// Framework documents are not claimable.
    claimable: bool,
}

#[derive(Deserialize)]
struct DemoUserSeed {
    username: String,
    display_name: String,
    department: String,
    roles: Vec<Role>,
}

const REGIONS: &str = include_str!("../../seeds/regions.json");
const CATEGORIES: &str = include_str!("../../seeds/categories.json");
const POLICIES: &str = include_str!("../../seeds/policies.json");
const PROVINCIAL_PLAN: &str = include_str!("../../seeds/provincial-plan.txt");
const DEMO_USERS: &str = include_str!("../../seeds/demo/users.json");
const DEMO_ENTERPRISES: &str = include_str!("../../seeds/demo/enterprises.json");

#[derive(Deserialize)]
struct DemoContactSeed {
    name: String,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
struct DemoEnterpriseSeed {
    name: String,
    credit_code: String,
    region_code: String,
    category: String,
    subcategory: Option<String>,
    size: EnterpriseSize,
    lead_department: String,
    assigned_departments: Vec<String>,
    /// Usernames of demo users.
    liaison_officers: Vec<String>,
    legal_representative: Option<String>,
    address: Option<String>,
    key_products: Vec<String>,
    designated_on: chrono::NaiveDate,
    designation_batch: Option<String>,
    tags: Vec<String>,
    employees: Option<i32>,
    description: Option<String>,
    contacts: Vec<DemoContactSeed>,
}

/// Loads regions, departments, categories and policies. Existing departments keep an admin's
/// renaming (see [`departments::load`]); regions and categories follow the files.
pub async fn load_reference(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    let seeds: Vec<RegionSeed> = serde_json::from_str(REGIONS)?;
    // Cities come first in the file, so a county's parent always exists.
    for r in &seeds {
        diesel::insert_into(regions::table)
            .values((
                regions::code.eq(&r.code),
                regions::name.eq(&r.name),
                regions::level.eq(&r.level),
                regions::parent_code.eq(&r.parent_code),
            ))
            .on_conflict(regions::code)
            .do_update()
            .set((
                regions::name.eq(excluded(regions::name)),
                regions::level.eq(excluded(regions::level)),
            ))
            .execute(conn)
            .await?;
    }
    // After the regions: a city's bureau names its city.
    departments::load(conn).await?;
    demand_rules::load(conn).await?;
    let seeds: Vec<CategorySeed> = serde_json::from_str(CATEGORIES)?;
    for (i, c) in seeds.iter().enumerate() {
        diesel::insert_into(categories::table)
            .values((
                categories::code.eq(&c.code),
                categories::name.eq(&c.name),
                categories::sort_order.eq(i as i32),
            ))
            .on_conflict(categories::code)
            .do_update()
            .set((
                categories::name.eq(excluded(categories::name)),
                categories::sort_order.eq(i as i32),
            ))
            .execute(conn)
            .await?;
        for (j, s) in c.subcategories.iter().enumerate() {
            diesel::insert_into(subcategories::table)
                .values((
                    subcategories::category_code.eq(&c.code),
                    subcategories::code.eq(&s.code),
                    subcategories::name.eq(&s.name),
                    subcategories::sort_order.eq(j as i32),
                ))
                .on_conflict((subcategories::category_code, subcategories::code))
                .do_update()
                .set((
                    subcategories::name.eq(excluded(subcategories::name)),
                    subcategories::sort_order.eq(j as i32),
                ))
                .execute(conn)
                .await?;
        }
    }
    let seeds: Vec<PolicySeed> = serde_json::from_str(POLICIES)?;
    for p in seeds {
        let summary = match p.summary_file.as_deref() {
            Some("provincial-plan.txt") => Some(PROVINCIAL_PLAN.trim().to_owned()),
            _ => p.summary,
        };
        diesel::insert_into(policies::table)
            .values((
                policies::id.eq(p.id),
                policies::title.eq(p.title),
                policies::issuer.eq(p.issuer),
                policies::issued_on.eq(p.issued_on),
                policies::document_no.eq(p.document_no),
                policies::effective_from.eq(p.effective_from),
                policies::summary.eq(summary),
                policies::responsible_departments.eq(p.responsible_departments),
                policies::categories.eq(p.categories),
                policies::sizes.eq(p.sizes),
                policies::region_codes.eq(p.region_codes),
                policies::claimable.eq(p.claimable),
            ))
            .on_conflict(policies::id)
            .do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Creates the demo users that do not exist yet; returns `(username, password)` of each new one
/// (the password is random and shown only here).
pub async fn load_demo(
    conn: &mut AsyncPgConnection,
) -> anyhow::Result<Vec<(String, Option<String>)>> {
    let seeds: Vec<DemoUserSeed> = serde_json::from_str(DEMO_USERS)?;
    let mut out = Vec::new();
    for u in seeds {
        if users::store::find_by_username(conn, &u.username.to_lowercase())
            .await?
            .is_some()
        {
            out.push((u.username, None));
            continue;
        }
        let password = secrets::random_secret()[..16].to_owned();
        let new = users::store::NewUser {
            username: u.username.clone(),
            display_name: Some(u.display_name),
            password_hash: secrets::hash_password(password.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            department: u.department,
            roles: u.roles,
        };
        users::store::create(conn, None, new)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        out.push((u.username, Some(password)));
    }
    Ok(out)
}

/// Designates the demo enterprises (with contacts) that are not registered yet; returns how
/// many were added. Demo users name the liaison officers.
pub async fn load_demo_enterprises(conn: &mut AsyncPgConnection) -> anyhow::Result<usize> {
    let added = add_demo_enterprises(conn).await?;
    let seeds: Vec<DemoEnterpriseSeed> = serde_json::from_str(DEMO_ENTERPRISES)?;
    let codes: Vec<String> = seeds.into_iter().map(|e| e.credit_code).collect();
    let (visits, demands) = activity::load(conn, &codes).await?;
    if visits > 0 {
        log::info!("demo activity: {visits} visits, {demands} demands");
    }
    let reported = indicators::load(conn, &codes).await?;
    if reported > 0 {
        log::info!("demo indicators: {reported} enterprise quarters");
    }
    let (measures, payments, benefits) = money::load(conn, &codes).await?;
    if measures > 0 {
        log::info!(
            "demo money: {measures} support measures, {payments} payments, {benefits} policy benefits"
        );
    }
    Ok(added)
}

async fn add_demo_enterprises(conn: &mut AsyncPgConnection) -> anyhow::Result<usize> {
    use crate::db::schema::{enterprises as enterprise_table, users as user_table};
    let seeds: Vec<DemoEnterpriseSeed> = serde_json::from_str(DEMO_ENTERPRISES)?;
    let officers: Vec<(String, Uuid)> = user_table::table
        .select((user_table::username, user_table::id))
        .load(conn)
        .await?;
    let mut added = 0;
    for e in seeds {
        let known: bool = diesel::select(diesel::dsl::exists(
            enterprise_table::table.filter(enterprise_table::credit_code.eq(&e.credit_code)),
        ))
        .get_result(conn)
        .await?;
        if known {
            continue;
        }
        let liaison_officers = e
            .liaison_officers
            .iter()
            .filter_map(|name| officers.iter().find(|(u, _)| u == name).map(|(_, id)| *id))
            .collect();
        let mut draft = EnterpriseDraft {
            name: e.name,
            credit_code: e.credit_code,
            credit_code_override_reason: None,
            region_code: e.region_code,
            category: e.category,
            subcategory: e.subcategory,
            size: e.size,
            lead_department: e.lead_department,
            legal_representative: e.legal_representative,
            address: e.address,
            key_products: e.key_products,
            designated_on: e.designated_on,
            designation_batch: e.designation_batch,
            status: EnterpriseStatus::Active,
            assigned_departments: e.assigned_departments,
            liaison_officers,
            tags: e.tags,
            employees: e.employees,
            description: e.description,
            visit_cadence_days: None,
        };
        draft.normalize();
        let created = enterprises::store::create(conn, None, draft, None)
            .await
            .map_err(|err| anyhow::anyhow!("demo enterprise: {err:?}"))?;
        for c in e.contacts {
            let fields = ContactFields {
                name: c.name,
                title: c.title,
                phone: c.phone,
                email: c.email,
            };
            contacts::store::create(conn, None, created.id, fields)
                .await
                .map_err(|err| anyhow::anyhow!("demo contact: {err:?}"))?;
        }
        added += 1;
    }
    Ok(added)
}
