//! Enterprises from a table with the export's columns: each row becomes a draft (the stored
//! enterprise with the file's cells over it, or a new one), checked like the API checks it,
//! and written in one transaction — or nothing is written and every bad cell is reported.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use super::sheet::Sheet;
use crate::db::clock::today_in_china;
use crate::db::schema::enterprises;
use crate::domain::actor::Actor;
use crate::domain::enterprises::credit_code;
use crate::domain::enterprises::model::{
    Enterprise, EnterpriseDraft, EnterpriseSize, EnterpriseStatus,
};
use crate::domain::enterprises::references::References;
use crate::domain::enterprises::store::{insert, write_update};
use crate::domain::error::{AppError, AppResult, FieldError, RowError};
use crate::domain::exports::enterprises::{COLUMNS, IMPORTED_COLUMNS};

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// The draft field each imported column sets, in [`COLUMNS`] order.
const FIELDS: [&str; IMPORTED_COLUMNS] = [
    "credit_code",
    "name",
    "region_code",
    "category",
    "subcategory",
    "size",
    "lead_department",
    "assigned_departments",
    "legal_representative",
    "address",
    "key_products",
    "designated_on",
    "designation_batch",
    "status",
    "tags",
    "employees",
    "description",
];

/// The column a draft field's error belongs to (`tags[2]` → 标签).
fn column_of(field: &str) -> &'static str {
    let base = field.split('[').next().unwrap_or(field);
    let base = match base {
        "credit_code_override_reason" => "credit_code",
        // Officers must belong to an assigned department: the departments are what the file
        // can change.
        "liaison_officers" => "assigned_departments",
        other => other,
    };
    FIELDS
        .iter()
        .position(|f| *f == base)
        .map_or("", |i| COLUMNS[i].header)
}

fn cell_error(row: u64, column: &str, code: &str, message: impl Into<String>) -> RowError {
    RowError {
        row,
        column: column.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

fn field_errors(row: u64, errors: Vec<FieldError>) -> impl Iterator<Item = RowError> {
    errors.into_iter().map(move |e| RowError {
        row,
        column: column_of(&e.field).to_owned(),
        message: if e.field.starts_with("liaison_officers") {
            "a liaison officer of this enterprise belongs to a department no longer assigned"
                .to_owned()
        } else {
            e.message
        },
        code: e.code,
    })
}

/// Where each imported column sits in the file.
fn locate_columns(headers: &[String]) -> Result<[Option<usize>; IMPORTED_COLUMNS], Vec<RowError>> {
    let mut positions = [None; IMPORTED_COLUMNS];
    let mut errors = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let header = header.trim();
        match COLUMNS.iter().position(|c| c.header == header) {
            Some(k) if k < IMPORTED_COLUMNS => {
                if positions[k].replace(i).is_some() {
                    errors.push(cell_error(
                        1,
                        header,
                        "duplicate_column",
                        "this column appears twice",
                    ));
                }
            }
            // Contact, update time and id are for reading only.
            Some(_) => {}
            None if header.is_empty() => {}
            None => errors.push(cell_error(
                1,
                header,
                "unknown_column",
                "not a column of the enterprise export (garbled headers: save the file as CSV UTF-8)",
            )),
        }
    }
    if positions[0].is_none() {
        errors.push(cell_error(
            1,
            COLUMNS[0].header,
            "missing_column",
            "the credit code column identifies each enterprise and is required",
        ));
    }
    if errors.is_empty() {
        Ok(positions)
    } else {
        Err(errors)
    }
}

/// Undoes the export's protection against spreadsheet formulas (a leading `'`).
fn restore_formula_text(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

fn optional(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_owned())
}

fn list(text: &str) -> Vec<String> {
    text.split([';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A new enterprise before the file's cells are applied.
fn blank_draft(code: &str, today: NaiveDate) -> EnterpriseDraft {
    EnterpriseDraft {
        name: String::new(),
        credit_code: code.to_owned(),
        credit_code_override_reason: None,
        region_code: String::new(),
        category: String::new(),
        subcategory: None,
        // A placeholder: a new row without a size is refused (see `missing_size`).
        size: EnterpriseSize::Medium,
        lead_department: String::new(),
        legal_representative: None,
        address: None,
        key_products: Vec::new(),
        designated_on: today,
        designation_batch: None,
        status: EnterpriseStatus::Active,
        assigned_departments: Vec::new(),
        liaison_officers: Vec::new(),
        tags: Vec::new(),
        employees: None,
        description: None,
    }
}

/// A new enterprise needs its size: there is no default to fall back on.
fn missing_size(cells: &[Option<&str>; IMPORTED_COLUMNS], row: u64) -> Option<RowError> {
    let k = FIELDS.iter().position(|f| *f == "size")?;
    let blank = cells[k].is_none_or(|text| text.trim().is_empty());
    blank.then(|| {
        cell_error(
            row,
            COLUMNS[k].header,
            "required",
            "a new enterprise needs its size",
        )
    })
}

/// Applies one row's cells to a draft; problems of form (numbers, dates, codes) go to `errors`.
fn apply_cells(
    draft: &mut EnterpriseDraft,
    cells: &[Option<&str>; IMPORTED_COLUMNS],
    row: u64,
    errors: &mut Vec<RowError>,
) {
    for (k, cell) in cells.iter().enumerate() {
        let Some(text) = *cell else { continue };
        let header = COLUMNS[k].header;
        match FIELDS[k] {
            "name" => draft.name = text.to_owned(),
            "credit_code" => {}
            "region_code" => draft.region_code = text.trim().to_owned(),
            "category" => draft.category = text.trim().to_owned(),
            "subcategory" => draft.subcategory = optional(text.trim()),
            "size" => match EnterpriseSize::parse(text.trim()) {
                Some(size) => draft.size = size,
                None => errors.push(cell_error(
                    row,
                    header,
                    "invalid",
                    "large, medium, small or micro",
                )),
            },
            "lead_department" => draft.lead_department = text.trim().to_owned(),
            "assigned_departments" => draft.assigned_departments = list(text),
            "legal_representative" => draft.legal_representative = optional(text),
            "address" => draft.address = optional(text),
            "key_products" => draft.key_products = list(text),
            "designated_on" if !text.trim().is_empty() => {
                match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                    Ok(day) => draft.designated_on = day,
                    Err(_) => errors.push(cell_error(
                        row,
                        header,
                        "invalid_date",
                        "a date is written YYYY-MM-DD",
                    )),
                }
            }
            "designation_batch" => draft.designation_batch = optional(text),
            "status" if !text.trim().is_empty() => match EnterpriseStatus::parse(text.trim()) {
                Some(status) => draft.status = status,
                None => errors.push(cell_error(
                    row,
                    header,
                    "invalid",
                    "active, suspended or withdrawn",
                )),
            },
            "tags" => draft.tags = list(text),
            "employees" if text.trim().is_empty() => draft.employees = None,
            "employees" => match text.trim().parse::<i32>() {
                Ok(n) => draft.employees = Some(n),
                Err(_) => errors.push(cell_error(row, header, "invalid_number", "a whole number")),
            },
            "description" => draft.description = optional(text),
            _ => {}
        }
    }
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
    let positions = locate_columns(&sheet.headers).map_err(AppError::ImportRejected)?;
    let today = today_in_china();
    conn.transaction(async move |conn| {
        let existing = lock_existing(conn, &sheet, &positions).await?;
        let (plans, mut errors) = plan_rows(&sheet, &positions, &existing, today);
        let drafts: Vec<&EnterpriseDraft> = plans.iter().map(|(_, p)| &p.draft).collect();
        let references = References::load(conn, &drafts).await?;
        for (row, plan) in &plans {
            errors.extend(field_errors(*row, references.check(&plan.draft)));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(AppError::ImportRejected(errors));
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
    today: NaiveDate,
) -> (Vec<(u64, Plan)>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut plans: Vec<(u64, Plan)> = Vec::with_capacity(sheet.rows.len());
    for row in &sheet.rows {
        let cells: [Option<&str>; IMPORTED_COLUMNS] = positions
            .map(|p| p.map(|i| restore_formula_text(row.cells.get(i).map_or("", String::as_str))));
        let code = credit_code::normalize(cells[0].unwrap_or_default().trim());
        if !seen.insert(code.clone()) {
            errors.push(cell_error(
                row.number,
                COLUMNS[0].header,
                "duplicate_credit_code",
                "this credit code appears on an earlier row",
            ));
            continue;
        }
        let before = existing.get(&code).cloned();
        let mut draft = before
            .as_ref()
            .map_or_else(|| blank_draft(&code, today), EnterpriseDraft::from);
        if before.is_none() {
            errors.extend(missing_size(&cells, row.number));
        }
        apply_cells(&mut draft, &cells, row.number, &mut errors);
        draft.normalize();
        errors.extend(field_errors(row.number, draft.check(today)));
        plans.push((row.number, Plan { before, draft }));
    }
    (plans, errors)
}

/// Creates, updates or leaves each planned enterprise (writes nothing on a dry run).
async fn apply_plans(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    plans: Vec<(u64, Plan)>,
    dry_run: bool,
) -> AppResult<ImportOutcome> {
    let mut outcome = ImportOutcome::default();
    for (_, plan) in plans {
        match plan.before {
            None => {
                outcome.created += 1;
                if !dry_run {
                    insert(conn, Some(actor), plan.draft).await?;
                }
            }
            Some(before) if EnterpriseDraft::from(&before) == plan.draft => {
                outcome.unchanged += 1;
            }
            Some(before) => {
                outcome.updated += 1;
                if !dry_run {
                    write_update(conn, actor, before, plan.draft).await?;
                }
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_column() {
        assert_eq!(column_of("tags[2]"), "标签");
        assert_eq!(column_of("credit_code_override_reason"), "统一社会信用代码");
        assert_eq!(column_of("liaison_officers[0]"), "联系部门");
        assert_eq!(column_of("designated_on"), "认定日期");
    }

    #[test]
    fn headers_are_checked() {
        let headers = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = locate_columns(&headers(&["企业名称", "统一社会信用代码", "联系人", ""])).unwrap();
        assert_eq!(ok[0], Some(1));
        assert_eq!(ok[1], Some(0));
        let err = locate_columns(&headers(&["企业名称", "Name"])).unwrap_err();
        let codes: Vec<_> = err.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["unknown_column", "missing_column"]);
    }

    #[test]
    fn formula_guard_is_undone_and_lists_split() {
        assert_eq!(restore_formula_text("'=1+1"), "=1+1");
        assert_eq!(restore_formula_text("'abc"), "'abc");
        assert_eq!(list("救生衣; 呼吸器；;"), ["救生衣", "呼吸器"]);
    }
}
