//! The enterprise export, whose columns are also the import's. The first contact person comes
//! along, masked as in the lists.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::labels::Code;
use super::lookup::usernames;
use super::{Batch, Cell, Column, PAGE_ROWS, Pager, Source, coded, col};
use crate::db::schema::enterprise_contacts;
use crate::domain::actor::Actor;
use crate::domain::contacts::model::contact_view;
use crate::domain::contacts::store::ContactRow;
use crate::domain::enterprises::list::{self, After, EnterpriseFilter, SortKey};
use crate::domain::enterprises::model::Enterprise;
use crate::domain::enterprises::store::may_edit;
use crate::domain::error::AppResult;

/// The columns; the first [`IMPORTED_COLUMNS`] are read back by the import.
pub const COLUMNS: [Column; 24] = [
    col("统一社会信用代码", 22.0),
    col("企业名称", 36.0),
    coded("行政区划代码", 12.0, Code::Region),
    coded("行业类别", 22.0, Code::Category),
    coded("细分领域", 22.0, Code::Subcategory),
    coded("企业规模", 10.0, Code::Size),
    coded("牵头部门", 10.0, Code::Department),
    coded("联系部门", 16.0, Code::Department),
    col("法定代表人", 12.0),
    col("地址", 40.0),
    col("主要产品", 30.0),
    col("认定日期", 12.0),
    col("认定批次", 14.0),
    coded("状态", 10.0, Code::EnterpriseStatus),
    col("标签", 20.0),
    col("从业人数", 10.0),
    col("简介", 40.0),
    col("联络员", 16.0),
    col("联系人", 10.0),
    col("联系人职务", 12.0),
    col("联系电话", 16.0),
    col("电子邮箱", 24.0),
    col("更新时间", 20.0),
    col("编号", 38.0),
];

/// Columns that an import reads; the others (contact, update time, id) are for reading only.
pub const IMPORTED_COLUMNS: usize = 18;

/// Enterprises matching the list's filters, by name.
pub struct EnterpriseExport {
    pub filter: EnterpriseFilter,
    pub viewer: Actor,
    pager: Pager<After>,
}

impl EnterpriseExport {
    pub fn new(filter: EnterpriseFilter, viewer: Actor) -> Self {
        EnterpriseExport {
            filter,
            viewer,
            pager: Pager::default(),
        }
    }
}

/// The enterprise's own columns, in [`COLUMNS`] order; `usernames` names its liaison officers.
pub fn enterprise_cells(e: &Enterprise, usernames: &HashMap<Uuid, String>) -> Vec<Cell> {
    let officers: Vec<String> = e
        .liaison_officers
        .iter()
        .filter_map(|id| usernames.get(id).cloned())
        .collect();
    vec![
        Cell::text(&e.credit_code),
        Cell::text(&e.name),
        Cell::text(&e.region_code),
        Cell::text(&e.category),
        Cell::opt_text(e.subcategory.as_deref()),
        Cell::text(e.size.as_str()),
        Cell::text(&e.lead_department),
        Cell::list(&e.assigned_departments),
        Cell::opt_text(e.legal_representative.as_deref()),
        Cell::opt_text(e.address.as_deref()),
        Cell::list(&e.key_products),
        Cell::Date(e.designated_on),
        Cell::opt_text(e.designation_batch.as_deref()),
        Cell::text(e.status.as_str()),
        Cell::list(&e.tags),
        e.employees.map_or(Cell::Empty, |n| Cell::Int(i64::from(n))),
        Cell::opt_text(e.description.as_deref()),
        Cell::list(&officers),
    ]
}

/// The first contact person (oldest) of each enterprise, one query per page.
async fn first_contacts(
    conn: &mut AsyncPgConnection,
    ids: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, ContactRow>> {
    let rows: Vec<ContactRow> = enterprise_contacts::table
        .filter(enterprise_contacts::enterprise_id.eq_any(ids))
        .distinct_on(enterprise_contacts::enterprise_id)
        .order((
            enterprise_contacts::enterprise_id,
            enterprise_contacts::created_at,
            enterprise_contacts::id,
        ))
        .select(ContactRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|c| (c.enterprise_id, c)).collect())
}

impl Source for EnterpriseExport {
    const NAME: &'static str = "enterprises";
    const SHEET: &'static str = "联系点企业";

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    async fn next_batch(&mut self, conn: &mut AsyncPgConnection) -> AppResult<Option<Batch>> {
        let filter = &self.filter;
        let fetch = async |after| {
            list::list(conn, filter.clone(), SortKey::Name, false, after, PAGE_ROWS).await
        };
        let by_name = |e: &Enterprise| After::Name(e.name.clone(), e.id);
        let Some(rows) = self.pager.next(fetch, by_name).await? else {
            return Ok(None);
        };
        let mut contacts = first_contacts(conn, rows.iter().map(|e| e.id).collect()).await?;
        let officers = rows.iter().flat_map(|e| e.liaison_officers.iter().copied());
        let usernames = usernames(conn, officers).await?;
        let batch = rows
            .iter()
            .map(|e| {
                let mut cells = enterprise_cells(e, &usernames);
                let contact = contacts
                    .remove(&e.id)
                    .map(|c| contact_view(c, may_edit(&self.viewer, e)));
                cells.extend([
                    Cell::opt_text(contact.as_ref().map(|c| c.name.as_str())),
                    Cell::opt_text(contact.as_ref().and_then(|c| c.title.as_deref())),
                    Cell::opt_text(contact.as_ref().and_then(|c| c.phone.as_deref())),
                    Cell::opt_text(contact.as_ref().and_then(|c| c.email.as_deref())),
                    Cell::Time(e.updated_at),
                    Cell::text(e.id.to_string()),
                ]);
                cells
            })
            .collect();
        Ok(Some(batch))
    }
}
