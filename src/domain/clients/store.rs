//! API client queries; every write with its audit event in one transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::api_clients;
use crate::domain::actor::{Actor, Role};
use crate::domain::audit::{self, AuditEntry};
use crate::domain::auth::secrets;
use crate::domain::departments;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected, OrNotFound};

/// A client as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_clients, check_for_backend(diesel::pg::Pg))]
pub struct ClientRow {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub secret_hash: Vec<u8>,
    pub department: String,
    pub roles: Vec<String>,
    pub disabled: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// A client as the API shows it (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiClient {
    pub id: Uuid,
    /// The `client_id` of the client-credentials grant.
    pub client_id: String,
    pub name: String,
    pub department: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl crate::db::keyset::Keyed for ApiClient {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

impl From<ClientRow> for ApiClient {
    fn from(r: ClientRow) -> Self {
        ApiClient {
            id: r.id,
            client_id: r.client_id,
            name: r.name,
            department: r.department,
            roles: Role::parse_all(&r.roles),
            disabled: r.disabled,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// A change to a client.
#[derive(Default)]
pub struct ClientChange {
    pub name: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub disabled: Option<bool>,
}

/// The columns a change sets (`None` leaves a column alone).
#[derive(AsChangeset)]
#[diesel(table_name = api_clients)]
struct ClientChangeset {
    name: Option<String>,
    roles: Option<Vec<String>>,
    disabled: Option<bool>,
}

impl ClientChangeset {
    fn of(change: ClientChange) -> Self {
        ClientChangeset {
            name: change.name.map(|n| n.trim().to_owned()),
            roles: change.roles.as_deref().map(Role::to_strings),
            disabled: change.disabled,
        }
    }
}

/// Creates a client; returns it with its secret, which is stored only as a hash.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    name: &str,
    department: &str,
    roles: &[Role],
) -> AppResult<(ApiClient, String)> {
    let secret = secrets::random_secret();
    let client_id = format!("lc_{}", secrets::random_hex(12));
    let secret_hash = secrets::sha256(&secret);
    let client = conn
        .transaction(async move |conn| {
            if !departments::store::exists(conn, department).await? {
                return Err(AppError::invalid(
                    "department",
                    "unknown_department",
                    &format!("no department `{department}`"),
                ));
            }
            let row: ClientRow = diesel::insert_into(api_clients::table)
                .values((
                    api_clients::id.eq(Uuid::new_v4()),
                    api_clients::client_id.eq(&client_id),
                    api_clients::name.eq(name.trim()),
                    api_clients::secret_hash.eq(&secret_hash),
                    api_clients::department.eq(department),
                    api_clients::roles.eq(Role::to_strings(roles)),
                ))
                .returning(ClientRow::as_returning())
                .get_result(conn)
                .await?;
            let client = ApiClient::from(row);
            audit::created(conn, actor, "client", client.id, &client).await?;
            Ok::<_, AppError>(client)
        })
        .await?;
    Ok((client, secret))
}

/// One client by id.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<ClientRow> {
    api_clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .or_not_found("no such client")
}

/// One client by its `client_id`.
pub async fn find_by_client_id(
    conn: &mut AsyncPgConnection,
    client_id: &str,
) -> QueryResult<Option<ClientRow>> {
    api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A page (plus one row) of clients, oldest first, served by `api_clients_list_idx`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ClientRow>> {
    let query = api_clients::table
        .select(ClientRow::as_select())
        .into_boxed();
    crate::keyset_page!(query by api_clients::created_at, api_clients::id, asc; after, limit)
        .load(conn)
        .await
}

/// Applies a change, honouring `If-Match`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    change: ClientChange,
    expected_version: Expected,
) -> AppResult<ApiClient> {
    conn.transaction(async move |conn| {
        let before = api_clients::table
            .find(id)
            .select(ClientRow::as_select())
            .for_update()
            .first(conn)
            .await
            .or_not_found("no such client")?;
        check_version(&expected_version, before.version)?;
        let after: ClientRow = diesel::update(api_clients::table.find(id))
            .set((
                ClientChangeset::of(change),
                api_clients::version.eq(api_clients::version + 1),
                api_clients::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ClientRow::as_returning())
            .get_result(conn)
            .await?;
        let (b, a) = (ApiClient::from(before), ApiClient::from(after));
        audit::updated(conn, Some(actor), "client", id, &b, &a).await?;
        Ok(a)
    })
    .await
}

/// Gives a client a new secret: the old one stops working at once. Returns the client with the
/// new secret, which is stored only as a hash (the audit event records that it changed, not it).
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(ApiClient, String)> {
    let secret = secrets::random_secret();
    let secret_hash = secrets::sha256(&secret);
    let client = conn
        .transaction(async move |conn| {
            let row: ClientRow = diesel::update(api_clients::table.find(id))
                .set((
                    api_clients::secret_hash.eq(&secret_hash),
                    api_clients::version.eq(api_clients::version + 1),
                    api_clients::updated_at.eq(diesel::dsl::now),
                ))
                .returning(ClientRow::as_returning())
                .get_result(conn)
                .await
                .or_not_found("no such client")?;
            let entry = AuditEntry {
                action: "rotate_secret",
                entity: "client",
                entity_id: id.to_string(),
                changes: serde_json::json!({"client_secret": "rotated"}),
                data: None,
            };
            audit::record(conn, Some(actor), entry).await?;
            Ok::<_, AppError>(ApiClient::from(row))
        })
        .await?;
    Ok((client, secret))
}
