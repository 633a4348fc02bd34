//! Enterprises from a table with the export's columns: each row becomes a draft (the stored
//! enterprise with the file's cells over it, or a new one), checked like the API checks it,
//! and written in one transaction — or nothing is written and every bad cell is reported.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cells::{
    apply_cells, blank_draft, cell_error, field_errors, locate_columns, missing_size,
    restore_formula_text,
};
use super::labels::Labels;
use super::limits::{Problems, rejected};
use super::sheet::Sheet;
use crate::db::clock::today_in_china;
use crate::db::schema::enterprises;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::enterprises::credit_code;
use crate::domain::enterprises::model::{Enterprise, EnterpriseDraft};
use crate::domain::enterprises::references::References;
use crate::domain::enterprises::store::{insert, write_update};
use crate::domain::error::AppResult;
use crate::domain::exports::enterprises::{COLUMNS, IMPORTED_COLUMNS};

/// What an import did (or, with `dry_run`, would do), row by row.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Every row, in file order, with what it changes.
    pub rows: Vec<ImportedRow>,
}

crate::text_enum! {
    /// What a row does to its enterprise.
    pub enum ImportAction {
        Create = "create",
        Update = "update",
        Unchanged = "unchanged",
    }
}

/// One row's effect: the fields it changes, each `{before, after}` (`before` null for a new
/// enterprise).
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ImportedRow {
    /// The row's number in the file (the header is row 1).
    pub row: u64,
    pub credit_code: String,
    pub action: ImportAction,
    #[schema(value_type = Object, example = json!({"address": {"before": "南昌市红谷滩区", "after": "南昌市青山湖区"}}))]
    pub changes: serde_json::Value,
}

/// One planned write.
struct Plan {
    before: Option<Enterprise>,
    draft: EnterpriseDraft,
}

/// Where each imported column is in the file.
type Positions = [Option<usize>; IMPORTED_COLUMNS];

/// Imports `sheet`: all rows or none. With `dry_run` nothing is written either way.
pub async fn import(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    sheet: Sheet,
    dry_run: bool,
) -> AppResult<ImportOutcome> {
    let positions = locate_columns(&sheet.headers).map_err(rejected)?;
    let today = today_in_china();
    conn.transaction(async move |conn| {
        let existing = lock_existing(conn, &sheet, &positions).await?;
        let labels = Labels::load(conn).await?;
        let (plans, mut problems) = plan_rows(&sheet, &positions, &existing, &labels, today);
        let drafts: Vec<&EnterpriseDraft> = plans.iter().map(|(_, p)| &p.draft).collect();
        let references = References::load(conn, &drafts).await?;
        for (row, plan) in &plans {
            problems.extend(field_errors(*row, references.check(&plan.draft)));
        }
        if !problems.is_empty() {
            return Err(problems.into_error());
        }
        apply_plans(conn, actor, plans, dry_run).await
    })
    .await
}

/// The file's enterprises that exist already, by credit code; locked, so that no one changes
/// them between the check and the write.
async fn lock_existing(
    conn: &mut AsyncPgConnection,
    sheet: &Sheet,
    positions: &Positions,
) -> AppResult<HashMap<String, Enterprise>> {
    let codes: Vec<String> = sheet
        .rows
        .iter()
        .filter_map(|r| positions[0].and_then(|i| r.cells.get(i)))
        .map(|c| credit_code::normalize(c.trim()))
        .collect();
    Ok(enterprises::table
        .filter(enterprises::credit_code.eq_any(&codes))
        .select(Enterprise::as_select())
        .for_update()
        .load(conn)
        .await?
        .into_iter()
        .map(|e| (e.credit_code.clone(), e))
        .collect())
}

/// What each row would make of its enterprise, and every problem of form found on the way.
fn plan_rows(
    sheet: &Sheet,
    positions: &Positions,
    existing: &HashMap<String, Enterprise>,
    labels: &Labels,
    today: NaiveDate,
) -> (Vec<(u64, Plan)>, Problems) {
    let mut problems = Problems::default();
    let mut seen = HashSet::new();
    let mut plans: Vec<(u64, Plan)> = Vec::with_capacity(sheet.rows.len());
    for row in &sheet.rows {
        let cells: [Option<&str>; IMPORTED_COLUMNS] = positions
            .map(|p| p.map(|i| restore_formula_text(row.cells.get(i).map_or("", String::as_str))));
        let code = credit_code::normalize(cells[0].unwrap_or_default().trim());
        if !seen.insert(code.clone()) {
            problems.extend([cell_error(
                row.number,
                COLUMNS[0].header,
                "duplicate_credit_code",
                "this credit code appears on an earlier row",
            )]);
            continue;
        }
        let before = existing.get(&code).cloned();
        let mut draft = before
            .as_ref()
            .map_or_else(|| blank_draft(&code, today), EnterpriseDraft::from);
        let mut errors = Vec::new();
        if before.is_none() {
            errors.extend(missing_size(&cells, row.number));
        }
        apply_cells(&mut draft, &cells, row.number, labels, &mut errors);
        draft.normalize();
        errors.extend(field_errors(row.number, draft.check(today)));
        problems.extend(errors);
        plans.push((row.number, Plan { before, draft }));
    }
    (plans, problems)
}

/// Creates, updates or leaves each planned enterprise (writes nothing on a dry run).
async fn apply_plans(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    plans: Vec<(u64, Plan)>,
    dry_run: bool,
) -> AppResult<ImportOutcome> {
    let mut outcome = ImportOutcome::default();
    for (row, plan) in plans {
        let stored = plan.before.as_ref().map(EnterpriseDraft::from);
        let changes = audit::changes(
            stored
                .as_ref()
                .and_then(|d| serde_json::to_value(d).ok())
                .as_ref(),
            serde_json::to_value(&plan.draft).ok().as_ref(),
        );
        let credit_code = plan.draft.credit_code.clone();
        let action = match plan.before {
            None => {
                outcome.created += 1;
                if !dry_run {
                    insert(conn, Some(actor), plan.draft).await?;
                }
                ImportAction::Create
            }
            Some(_) if stored.as_ref() == Some(&plan.draft) => {
                outcome.unchanged += 1;
                ImportAction::Unchanged
            }
            Some(before) => {
                outcome.updated += 1;
                if !dry_run {
                    write_update(conn, actor, before, plan.draft).await?;
                }
                ImportAction::Update
            }
        };
        outcome.rows.push(ImportedRow {
            row,
            credit_code,
            action,
            changes,
        });
    }
    Ok(outcome)
}
