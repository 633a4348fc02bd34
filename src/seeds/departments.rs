//! The seeded departments: the plan's bodies under their current names and the cities' industry
//! bureaus (`seeds/departments.json`).

use diesel::sql_types::{Array, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;

const DEPARTMENTS: &str = include_str!("../../seeds/departments.json");

#[derive(Deserialize)]
struct DepartmentSeed {
    code: String,
    name: String,
    #[serde(default = "province")]
    level: String,
    region_code: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

fn province() -> String {
    "province".into()
}

/// Adds missing departments. An existing one takes the seeded name only while it still bears one
/// of the seeded former names (a database from before the renaming, 省工信委 → 江西省工业和信息化厅),
/// so an admin's own renaming survives; seeded aliases are added to its own. Nothing else of an
/// existing department changes, and a re-seed that changes nothing writes nothing.
pub async fn load(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    let seeds: Vec<DepartmentSeed> = serde_json::from_str(DEPARTMENTS)?;
    for d in seeds {
        diesel::sql_query(
            "INSERT INTO departments (code, name, level, region_code, aliases)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO UPDATE SET
                 name = CASE WHEN departments.name = ANY (EXCLUDED.aliases)
                             THEN EXCLUDED.name ELSE departments.name END,
                 aliases = departments.aliases || ARRAY(
                     SELECT a FROM unnest(EXCLUDED.aliases) AS a
                     WHERE a <> ALL (departments.aliases)
                       AND (a <> departments.name OR departments.name = ANY (EXCLUDED.aliases))),
                 version = departments.version + 1,
                 updated_at = now()
             WHERE departments.name = ANY (EXCLUDED.aliases)
                OR NOT EXCLUDED.aliases <@ array_append(departments.aliases, departments.name)",
        )
        .bind::<Text, _>(&d.code)
        .bind::<Text, _>(&d.name)
        .bind::<Text, _>(&d.level)
        .bind::<Nullable<Text>, _>(&d.region_code)
        .bind::<Array<Text>, _>(&d.aliases)
        .execute(conn)
        .await?;
    }
    Ok(())
}
