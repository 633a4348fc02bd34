//! User queries; every write with its audit event in one transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{refresh_tokens, users};
use crate::domain::actor::{Actor, Role};
use crate::domain::audit::{self, AuditEntry};
use crate::domain::departments;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected, OrNotFound};
use crate::domain::validation::canonical_username;

/// A user as stored (the hash never leaves this module's callers in auth).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: Option<String>,
    pub password_hash: String,
    pub department: String,
    pub roles: Vec<String>,
    pub disabled: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// A user as the API shows it: no password, no hash.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: Option<String>,
    /// Department code.
    pub department: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl crate::db::keyset::Keyed for User {
    type Key = (String, Uuid);

    fn key(&self) -> Self::Key {
        (self.username.clone(), self.id)
    }
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            department: r.department,
            roles: Role::parse_all(&r.roles),
            disabled: r.disabled,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// What a new user is made of (validated by the caller; the password already hashed).
pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub password_hash: String,
    pub department: String,
    pub roles: Vec<Role>,
}

/// A change to a user (validated; the password already hashed).
#[derive(Default)]
pub struct UserChange {
    pub display_name: Option<Option<String>>,
    pub roles: Option<Vec<Role>>,
    pub department: Option<String>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
}

fn unknown_department(code: &str) -> AppError {
    AppError::invalid(
        "department",
        "unknown_department",
        &format!("no department `{code}`"),
    )
}

/// Creates a user under its canonical username (409 when that is taken).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    mut new: NewUser,
) -> AppResult<User> {
    new.username = canonical_username(&new.username).ok_or_else(|| {
        AppError::invalid(
            "username",
            "invalid_username",
            "3 to 64 letters, digits, '.', '_' or '-'",
        )
    })?;
    conn.transaction(async move |conn| {
        if !departments::store::exists(conn, &new.department).await? {
            return Err(unknown_department(&new.department));
        }
        let row: UserRow = diesel::insert_into(users::table)
            .values((
                users::id.eq(Uuid::new_v4()),
                users::username.eq(&new.username),
                users::display_name.eq(&new.display_name),
                users::password_hash.eq(&new.password_hash),
                users::department.eq(&new.department),
                users::roles.eq(Role::to_strings(&new.roles)),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => {
                    AppError::Conflict(format!("username `{}` is taken", new.username))
                }
                other => other,
            })?;
        let user = User::from(row);
        audit::created(conn, actor, "user", user.id, &user).await?;
        Ok(user)
    })
    .await
}

/// One user by id.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .or_not_found("no such user")
}

/// One user by its canonical username (see [`canonical_username`]; rows stored before
/// usernames were canonical match in any letter case).
pub async fn find_by_username(
    conn: &mut AsyncPgConnection,
    canonical: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(username) = ")
                .bind::<diesel::sql_types::Text, _>(canonical),
        )
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Filters of the user list (its query parameters).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only users of this department.
    pub department: Option<String>,
    /// Only users holding this role.
    pub role: Option<Role>,
    /// Only disabled (true) or enabled (false) users.
    pub disabled: Option<bool>,
}

/// A page (plus one row) of users by username, served by `users_list_idx`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: UserFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    crate::filter_present!(query,
        f.department => |department| users::department.eq(department),
        f.role => |role| users::roles.contains(vec![role.as_str().to_owned()]),
        f.disabled => |disabled| users::disabled.eq(disabled),
    );
    crate::keyset_page!(query by users::username, users::id, asc; after, limit)
        .load(conn)
        .await
}

/// Applies a change, honouring `If-Match`. An admin may not disable or demote itself (409).
/// Disabling a user or changing its password ends its logins (refresh tokens).
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    change: UserChange,
    expected_version: Expected,
) -> AppResult<User> {
    conn.transaction(async move |conn| {
        let before: UserRow = users::table
            .find(id)
            .select(UserRow::as_select())
            .for_update()
            .first(conn)
            .await
            .or_not_found("no such user")?;
        if id == actor.id {
            check_own_change(&change)?;
        }
        if let Some(department) = &change.department
            && !departments::store::exists(conn, department).await?
        {
            return Err(unknown_department(department));
        }
        check_version(&expected_version, before.version)?;
        let after = write_change(conn, id, &change).await?;
        if after.disabled || change.password_hash.is_some() {
            revoke_all_refresh_tokens(conn, id).await?;
        }
        let (b, a) = (User::from(before), User::from(after));
        let mut changes = audit::changes(
            serde_json::to_value(&b).ok().as_ref(),
            serde_json::to_value(&a).ok().as_ref(),
        );
        if change.password_hash.is_some() {
            changes["password"] = json!({"before": "(hidden)", "after": "(changed)"});
        }
        let entry = AuditEntry {
            action: "update",
            entity: "user",
            entity_id: id.to_string(),
            changes,
            data: None,
        };
        audit::record(conn, Some(actor), entry).await?;
        Ok(a)
    })
    .await
}

/// An admin may neither disable itself nor take away its own admin role.
fn check_own_change(change: &UserChange) -> AppResult<()> {
    if change.disabled == Some(true) {
        return Err(AppError::Conflict("you cannot disable yourself".into()));
    }
    if change
        .roles
        .as_ref()
        .is_some_and(|r| !r.contains(&Role::Admin))
    {
        return Err(AppError::Conflict(
            "you cannot remove your own admin role".into(),
        ));
    }
    Ok(())
}

/// The columns a change sets (`None` leaves a column alone).
#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset {
    display_name: Option<Option<String>>,
    roles: Option<Vec<String>>,
    department: Option<String>,
    disabled: Option<bool>,
    password_hash: Option<String>,
}

/// Writes a checked change as a new version.
async fn write_change(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    change: &UserChange,
) -> AppResult<UserRow> {
    let columns = UserChangeset {
        display_name: change.display_name.clone(),
        roles: change.roles.as_deref().map(Role::to_strings),
        department: change.department.clone(),
        disabled: change.disabled,
        password_hash: change.password_hash.clone(),
    };
    let after = diesel::update(users::table.find(id))
        .set((
            columns,
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(after)
}

/// Ends every login of a user.
pub async fn revoke_all_refresh_tokens(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
}
