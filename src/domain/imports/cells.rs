//! From a file's cells to an enterprise draft: which column sets which field, header checks,
//! and each cell's text read as the API reads the field.

use chrono::NaiveDate;

use super::labels::{self, Labels};
use crate::domain::enterprises::model::{EnterpriseDraft, EnterpriseSize, EnterpriseStatus};
use crate::domain::error::{FieldError, RowError};
use crate::domain::exports::enterprises::{COLUMNS, IMPORTED_COLUMNS};
use crate::domain::validation::date_out_of_range;

/// The draft field each imported column sets, in [`COLUMNS`] order.
pub(super) const FIELDS: [&str; IMPORTED_COLUMNS] = [
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
    "liaison_officers",
];

/// The column a draft field's error belongs to (`tags[2]` → 标签).
pub(super) fn column_of(field: &str) -> &'static str {
    let base = field.split('[').next().unwrap_or(field);
    let base = match base {
        "credit_code_override_reason" => "credit_code",
        other => other,
    };
    FIELDS
        .iter()
        .position(|f| *f == base)
        .map_or("", |i| COLUMNS[i].header)
}

pub(super) fn cell_error(
    row: u64,
    column: &str,
    code: &str,
    message: impl Into<String>,
) -> RowError {
    RowError {
        row,
        column: column.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

pub(super) fn field_errors(row: u64, errors: Vec<FieldError>) -> impl Iterator<Item = RowError> {
    errors.into_iter().map(move |e| RowError {
        row,
        column: column_of(&e.field).to_owned(),
        message: if e.field.starts_with("liaison_officers") {
            "联络员须为联系部门的在职人员 (a liaison officer belongs to an assigned department)"
                .to_owned()
        } else {
            e.message
        },
        code: e.code,
    })
}

/// Where each imported column sits in the file.
pub(super) fn locate_columns(
    headers: &[String],
) -> Result<[Option<usize>; IMPORTED_COLUMNS], Vec<RowError>> {
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
pub(super) fn restore_formula_text(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

pub(super) fn list(text: &str) -> Vec<String> {
    text.split([';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The users a 联络员 cell names (usernames, in any letter case); the first unknown one is the
/// error.
fn officers(text: &str, labels: &Labels) -> Result<Vec<uuid::Uuid>, String> {
    list(text)
        .into_iter()
        .map(|name| {
            let key = crate::domain::validation::canonical_username(&name);
            key.and_then(|k| labels.users.get(&k).copied()).ok_or(name)
        })
        .collect()
}

/// A new enterprise before the file's cells are applied.
pub(super) fn blank_draft(code: &str, today: NaiveDate) -> EnterpriseDraft {
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
        visit_cadence_days: None,
    }
}

/// A new enterprise needs its size: there is no default to fall back on.
pub(super) fn missing_size(cells: &[Option<&str>; IMPORTED_COLUMNS], row: u64) -> Option<RowError> {
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
/// A blank cell leaves the field as it is (a stored enterprise keeps its value: clearing a field
/// is done through the API). Names and aliases are read as codes (see [`Labels`]).
pub(super) fn apply_cells(
    draft: &mut EnterpriseDraft,
    cells: &[Option<&str>; IMPORTED_COLUMNS],
    row: u64,
    labels: &Labels,
    errors: &mut Vec<RowError>,
) {
    for (k, cell) in cells.iter().enumerate() {
        let Some(text) = cell.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        // A cell that does not read as its field: the error names the row and the column.
        if let Err((code, message)) = apply_cell(draft, FIELDS[k], text, labels) {
            errors.push(cell_error(row, COLUMNS[k].header, code, message));
        }
    }
}

/// A cell that cannot be read: its error code and message.
type Unreadable = (&'static str, String);

/// Sets `field` of the draft from one non-blank cell.
fn apply_cell(
    draft: &mut EnterpriseDraft,
    field: &str,
    text: &str,
    labels: &Labels,
) -> Result<(), Unreadable> {
    let trimmed = text.trim();
    match field {
        "name" => draft.name = text.to_owned(),
        "region_code" => draft.region_code = labels.region(trimmed),
        "category" => draft.category = labels.category(trimmed),
        "subcategory" => draft.subcategory = Some(labels.subcategory(trimmed)),
        "size" => draft.size = labels::size(trimmed).ok_or_else(bad_size)?,
        "lead_department" => draft.lead_department = labels.department(trimmed),
        "assigned_departments" => {
            draft.assigned_departments = list(text).iter().map(|d| labels.department(d)).collect();
        }
        "legal_representative" => draft.legal_representative = Some(text.to_owned()),
        "address" => draft.address = Some(text.to_owned()),
        "key_products" => draft.key_products = list(text),
        "designated_on" => draft.designated_on = date(trimmed)?,
        "designation_batch" => draft.designation_batch = Some(text.to_owned()),
        "status" => draft.status = labels::status(trimmed).ok_or_else(bad_status)?,
        "tags" => draft.tags = list(text),
        "employees" => {
            let n = trimmed.parse::<i32>();
            draft.employees =
                Some(n.map_err(|_| ("invalid_number", "填整数 (a whole number)".into()))?);
        }
        "description" => draft.description = Some(text.to_owned()),
        "liaison_officers" => {
            draft.liaison_officers = officers(text, labels).map_err(|name| {
                let message =
                    format!("联络员 {name} 不是系统用户 (write liaison officers' usernames)");
                ("unknown_user", message)
            })?;
        }
        _ => {}
    }
    Ok(())
}

fn bad_size() -> Unreadable {
    let message = "企业规模填 大型、中型、小型 或 微型 (large, medium, small or micro)";
    ("invalid", message.into())
}

fn bad_status() -> Unreadable {
    (
        "invalid",
        "状态填 正常、暂停 或 撤销 (active, suspended or withdrawn)".into(),
    )
}

/// A date cell, YYYY-MM-DD within the range every date of the API keeps.
fn date(text: &str) -> Result<NaiveDate, Unreadable> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        (
            "invalid_date",
            "日期写作 YYYY-MM-DD (a date is written YYYY-MM-DD)".into(),
        )
    })?;
    if date_out_of_range(text).is_some() {
        let message =
            "日期在 1949-10-01 至 2099-12-31 之间 (dates run from 1949-10-01 to 2099-12-31)";
        return Err(("out_of_range", message.into()));
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_column() {
        assert_eq!(column_of("tags[2]"), "标签");
        assert_eq!(column_of("credit_code_override_reason"), "统一社会信用代码");
        assert_eq!(column_of("liaison_officers[0]"), "联络员");
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
