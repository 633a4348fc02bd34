//! The directory (通讯录): who is who, readable by every role, so that frontends show officers'
//! names instead of ids. No username and no contact data.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::users;
use crate::domain::actor::Role;

/// A user as everyone may see them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DirectoryEntry {
    pub id: Uuid,
    /// The person's name, e.g. 王芳 (null when the admin gave none).
    pub display_name: Option<String>,
    pub department: String,
    pub roles: Vec<Role>,
    /// A disabled user is listed so that old records still show a name.
    pub disabled: bool,
}

impl crate::db::keyset::Keyed for DirectoryEntry {
    type Key = (String, Uuid);

    fn key(&self) -> Self::Key {
        (self.department.clone(), self.id)
    }
}

/// The columns of a user the directory shows.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
struct DirectoryRow {
    id: Uuid,
    display_name: Option<String>,
    department: String,
    roles: Vec<String>,
    disabled: bool,
}

/// Filters of the directory (its query parameters).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DirectoryFilter {
    /// Only people of this department.
    pub department: Option<String>,
    /// Only people holding this role.
    pub role: Option<Role>,
}

/// A page (plus one row) of the directory by department, then id, served by
/// `users_directory_idx`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: DirectoryFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DirectoryEntry>> {
    let mut query = users::table.select(DirectoryRow::as_select()).into_boxed();
    crate::filter_present!(query,
        f.department => |department| users::department.eq(department),
        f.role => |role| users::roles.contains(vec![role.as_str().to_owned()]),
    );
    let rows: Vec<DirectoryRow> =
        crate::keyset_page!(query by users::department, users::id, asc; after, limit)
            .load(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| DirectoryEntry {
            id: r.id,
            display_name: r.display_name,
            department: r.department,
            roles: Role::parse_all(&r.roles),
            disabled: r.disabled,
        })
        .collect())
}
