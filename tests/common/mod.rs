//! Test support: a PostgreSQL server (the local one, or a throwaway cluster), a migrated and
//! seeded template database, a fresh database per test cloned from it, and the real app served
//! over HTTP on a random port.

#![allow(dead_code)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::OnceLock;

use actix_web::web;
use liaison::config::Config;
use liaison::db::QueryCounter;
use liaison::db::local::{self, PrivateCluster};
use liaison::domain::actor::{ActorKind, Role};
use liaison::domain::enterprises::model::Enterprise;
use liaison::domain::error::{FieldError, RowError};
use liaison::web::problem::{Problem, ProblemErrors};
use liaison::web::state::AppState;
use serde_json::Value;
use uuid::Uuid;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The server every test database lives on.
struct Server {
    /// Connection string with `dbname={db}` to fill in.
    conn_template: String,
    template_db: String,
    _cluster: Option<PrivateCluster>,
}

impl Server {
    fn conn_str(&self, db: &str) -> String {
        self.conn_template.replace("{db}", db)
    }
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// Runs `f` on a runtime of its own in another thread: connections made there die with it, so
/// nothing it opens outlives the work (each test has its own runtime too).
fn on_own_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f)
        .join()
        .unwrap_or_else(|_| panic!("test setup thread panicked"))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}

/// A hash of the migrations and seeds: the template is rebuilt when either changes.
fn schema_hash() -> u64 {
    fn walk(dir: &Path, h: &mut DefaultHasher) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().collect())
            .unwrap_or_default();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let path = e.path();
            if path.is_dir() {
                walk(&path, h);
            } else {
                path.to_string_lossy().hash(h);
                std::fs::read(&path).unwrap_or_default().hash(h);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut h = DefaultHasher::new();
    walk(&root.join("migrations"), &mut h);
    walk(&root.join("seeds"), &mut h);
    h.finish()
}

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        on_own_runtime(|| {
            block_on(async {
                let (conn_template, cluster) = find_or_start_server().await;
                let template_db = format!("liaison_tmpl_{:016x}", schema_hash());
                build_template(&conn_template, &template_db).await;
                Server {
                    conn_template,
                    template_db,
                    _cluster: cluster,
                }
            })
        })
    })
}

async fn find_or_start_server() -> (String, Option<PrivateCluster>) {
    for candidate in local::local_server_candidates("{db}") {
        if local::probe(&candidate.replace("{db}", "postgres"))
            .await
            .is_ok()
        {
            return (candidate, None);
        }
    }
    let base = std::env::temp_dir().join(format!("liaison-test-pg-{}", std::process::id()));
    let cluster = tokio::task::spawn_blocking(move || PrivateCluster::start(&base, true))
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("tests need PostgreSQL: {e:#}"));
    (cluster.conn_str("{db}"), Some(cluster))
}

/// Builds the template once per schema version, under an advisory lock so that parallel test
/// processes do not race; it is built under another name and renamed when complete.
async fn build_template(conn_template: &str, template_db: &str) {
    let admin = local::probe(&conn_template.replace("{db}", "postgres"))
        .await
        .expect("connect to postgres");
    admin
        .batch_execute("SELECT pg_advisory_lock(74280042)")
        .await
        .expect("lock");
    let exists = admin
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1",
            &[&template_db],
        )
        .await
        .expect("query")
        .is_some();
    if !exists {
        let building = format!("{template_db}_building");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .expect("drop");
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        let url = conn_template.replace("{db}", &building);
        liaison::db::migrate::run_migrations(&url)
            .await
            .expect("migrate template");
        {
            use diesel_async::AsyncConnection;
            let mut conn = diesel_async::AsyncPgConnection::establish(&url)
                .await
                .expect("connect template");
            liaison::seeds::load_reference(&mut conn)
                .await
                .expect("seed template");
        }
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {building} RENAME TO {template_db}"
            ))
            .await
            .expect("rename template");
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(74280042)")
        .await
        .expect("unlock");
}

/// A database of one's own, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let server = server();
        let name = format!("t_{}", Uuid::new_v4().simple());
        let admin_conn = server.conn_str("postgres");
        let sql = format!(
            "CREATE DATABASE {name} TEMPLATE {} STRATEGY FILE_COPY",
            server.template_db
        );
        let admin = local::probe(&admin_conn).await.expect("connect");
        admin.batch_execute(&sql).await.expect("clone template");
        TestDb {
            url: server.conn_str(&name),
            name,
        }
    }

    /// A plain client on this database, for checks behind the API's back.
    pub async fn client(&self) -> tokio_postgres::Client {
        local::probe(&self.url).await.expect("connect test db")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin_conn = server().conn_str("postgres");
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        on_own_runtime(move || {
            block_on(async move {
                if let Ok(admin) = local::probe(&admin_conn).await {
                    let _ = admin.batch_execute(&sql).await;
                }
            })
        });
    }
}

/// A test user with a token.
#[derive(Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub username: String,
    pub password: String,
    pub department: String,
    pub token: String,
}

/// One audit record of an entity, as stored: its action and its field changes.
#[derive(Debug)]
pub struct Audited {
    pub action: String,
    /// `{field: {before, after}}`.
    pub changes: Value,
}

/// A page of a list, as the API sends it.
#[derive(Debug, serde::Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body as received (files).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The body as a `T` (a response type of the API); a body that is not one fails the test.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "the body is not a {}: {e}\n{}",
                std::any::type_name::<T>(),
                self.text
            )
        })
    }

    /// The `id` of the resource in the body (a created or read record).
    pub fn id(&self) -> String {
        #[derive(serde::Deserialize)]
        struct Identified {
            id: Uuid,
        }
        self.json::<Identified>().id.to_string()
    }

    /// The body as a page of `T`.
    pub fn page<T: serde::de::DeserializeOwned>(&self) -> Page<T> {
        self.json::<Page<T>>()
    }

    /// The body as an RFC 9457 problem.
    pub fn problem(&self) -> Problem {
        self.json::<Problem>()
    }

    /// The bad fields of a validation problem (none for another body).
    pub fn field_errors(&self) -> Vec<FieldError> {
        match serde_json::from_str::<Problem>(&self.text).map(|p| p.errors) {
            Ok(Some(ProblemErrors::Fields(errors))) => errors,
            _ => Vec::new(),
        }
    }

    /// The bad cells of an import problem (none for another body).
    pub fn cell_errors(&self) -> Vec<RowError> {
        match serde_json::from_str::<Problem>(&self.text).map(|p| p.errors) {
            Ok(Some(ProblemErrors::Cells(errors))) => errors,
            _ => Vec::new(),
        }
    }

    /// The `field` of every validation error.
    pub fn error_fields(&self) -> Vec<String> {
        self.field_errors().into_iter().map(|e| e.field).collect()
    }

    /// The `code` of every validation error, in the body's order.
    pub fn error_codes(&self) -> Vec<String> {
        self.field_errors().into_iter().map(|e| e.code).collect()
    }
}

/// The real app on its own database, served over HTTP on a random local port.
pub struct TestApp {
    pub db: TestDb,
    pub state: web::Data<AppState>,
    /// The statements the app's pool has sent.
    pub queries: QueryCounter,
    pub base: String,
    server: actix_web::dev::ServerHandle,
    client: awc::Client,
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    /// An app whose config is adjusted by `adjust` first.
    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::new().await;
        let mut config = Config::with_database(&db.url, JWT_SECRET).expect("config");
        // Tests read their own writes at once.
        config.stats_cache_secs = 0;
        adjust(&mut config);
        let url = config
            .database
            .database_url
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        let queries = QueryCounter::default();
        let pool =
            liaison::db::build_counted_pool(&url, 4, 10_000, Some(queries.clone())).expect("pool");
        let state =
            web::Data::new(AppState::new(pool, config, JWT_SECRET.as_bytes()).expect("state"));
        let app_state = state.clone();
        let server = actix_web::HttpServer::new(move || liaison::build_app(app_state.clone()))
            .workers(1)
            .disable_signals()
            .bind("127.0.0.1:0")
            .expect("bind");
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TestApp {
            db,
            state,
            queries,
            base: format!("http://{addr}"),
            server: handle,
            // Longer than the server's own bounded waits (10 s), so a test sees their end.
            client: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
        }
    }

    /// Creates a user directly and returns it with a fresh access token.
    pub async fn user(&self, department: &str, roles: &[Role]) -> TestUser {
        use diesel_async::AsyncConnection;
        let username = format!("u{}", &Uuid::new_v4().simple().to_string()[..10]);
        let password = "password-for-tests".to_owned();
        let mut conn = diesel_async::AsyncPgConnection::establish(&self.db.url)
            .await
            .expect("connect");
        let user = liaison::domain::users::store::create(
            &mut conn,
            None,
            liaison::domain::users::store::NewUser {
                username: username.clone(),
                display_name: Some("测试用户".into()),
                password_hash: liaison::domain::auth::secrets::hash_password(password.clone())
                    .await
                    .expect("hash"),
                department: department.to_owned(),
                roles: roles.to_vec(),
            },
        )
        .await
        .expect("create user");
        let token = self
            .state
            .keys
            .issue(user.id, ActorKind::User, department, roles)
            .expect("token");
        TestUser {
            id: user.id,
            username,
            password,
            department: department.to_owned(),
            token,
        }
    }

    /// A user of `department` with the one `role`, logged in.
    pub async fn login_as(&self, role: Role, department: &str) -> TestUser {
        self.user(department, &[role]).await
    }

    pub async fn admin(&self) -> TestUser {
        self.user("gxw", &[Role::Admin]).await
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        self.send(
            method,
            path,
            token,
            &[],
            body.map(|b| ("application/json", b.to_string())),
        )
        .await
    }

    /// Sends a request with extra headers and a raw body `(content_type, text)`.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, String)>,
    ) -> Resp {
        self.send_bytes(
            method,
            path,
            token,
            headers,
            body.map(|(ct, text)| (ct, text.into_bytes())),
        )
        .await
    }

    /// Sends a request with a binary body `(content_type, bytes)`.
    pub async fn send_bytes(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Resp {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("method");
        let req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        self.exchange(req, token, headers, body).await
    }

    /// Sends a request and keeps the body as it came over the wire (compressed, if it was).
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("method");
        let req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .no_decompress();
        self.exchange(req, token, headers, None).await
    }

    async fn exchange(
        &self,
        mut req: awc::ClientRequest,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Resp {
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut res = match body {
            Some((content_type, text)) => {
                req.insert_header(("Content-Type", content_type))
                    .send_body(text)
                    .await
            }
            None => req.send().await,
        }
        .expect("request");
        let bytes = res.body().limit(64 * 1024 * 1024).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call("POST", path, Some(token), Some(&body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call("PATCH", path, Some(token), Some(&body)).await
    }

    /// Audit events about one record, oldest first.
    pub async fn audit_of(&self, entity: &str, entity_id: &str) -> Vec<Audited> {
        let rows = self
            .db
            .client()
            .await
            .query(
                "SELECT action, changes::text FROM audit_events WHERE entity = $1 AND entity_id = $2 ORDER BY at, id",
                &[&entity, &entity_id],
            )
            .await
            .expect("audit query");
        rows.iter()
            .map(|r| Audited {
                action: r.get(0),
                changes: serde_json::from_str(r.get(1)).unwrap_or(Value::Null),
            })
            .collect()
    }

    /// Number of rows of a table, for "nothing changed" checks.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .client()
            .await
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .expect("count");
        row.get(0)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting and let the worker go before the database is dropped.
        // The stop command is sent at once; waiting for it is not needed.
        drop(self.server.stop(false));
    }
}

/// A valid credit code (GB 32100-2015), different for each `seed`.
pub fn credit_code(seed: u32) -> String {
    let first17 = format!("9136010{:010}", seed);
    let check =
        liaison::domain::enterprises::credit_code::check_character(&first17).expect("charset");
    format!("{first17}{check}")
}

/// A valid enterprise body; `overrides` replaces or adds fields.
pub fn enterprise_body(seed: u32, overrides: Value) -> Value {
    let mut body = serde_json::json!({
        "name": format!("江西赣安应急装备有限公司{seed}"),
        "credit_code": credit_code(seed),
        "region_code": "360100",
        "category": "rescue_disposal",
        "subcategory": "life_rescue",
        "size": "medium",
        "lead_department": "gxw",
    });
    if let (Some(target), Some(extra)) = (body.as_object_mut(), overrides.as_object()) {
        for (k, v) in extra {
            target.insert(k.clone(), v.clone());
        }
    }
    body
}

impl TestApp {
    /// Designates an enterprise through the API as `admin`; returns its JSON.
    pub async fn enterprise(&self, admin: &TestUser, seed: u32, overrides: Value) -> Enterprise {
        let resp = self
            .post(
                "/api/v1/enterprises",
                &admin.token,
                enterprise_body(seed, overrides),
            )
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.json()
    }
}

/// A process of the real binary, killed when the test ends, however it ends.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The release-like server: `liaison serve` of the real binary on `db_url`, on a free port, with
/// `env` added and its standard error going to `stderr`; returns once `/healthz` answers.
pub async fn serve_binary(
    db_url: &str,
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_liaison"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", db_url)
            .env("LIAISON_JWT_SECRET", JWT_SECRET)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::default();
    for _ in 0..300 {
        let up = client.get(format!("{base}/healthz")).send().await;
        if up.is_ok_and(|r| r.status().is_success()) {
            return (server, base);
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}
