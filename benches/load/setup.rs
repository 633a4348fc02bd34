//! The database at a scale (synthetic data, loaded once and kept) and the release server on it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use liaison::db::local;

/// Where the server listens.
pub const PORT: u16 = 18_181;
const SECRET: &str = "bench-secret-bench-secret-bench-secret-0123456789";

/// The running server and what scenarios need to address it.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// Connection string of the same database, for the raw-SQL runs.
    pub db: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn liaison(db_name: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liaison"));
    command
        .env_remove("DATABASE_URL")
        .env("LIAISON_DB_NAME", db_name)
        .env("LIAISON_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        // Statistics are reused for a second, not ten: the uncached overview scenario asks for a
        // new window each time, and cycles through them in more than a second.
        .env("LIAISON_STATS_CACHE_SECS", "1")
        // The webhook scenario's receiver listens on loopback.
        .env("LIAISON_WEBHOOK_ALLOW_PRIVATE", "true")
        // The synthetic data holds some 100,000 overdue demands and unvisited enterprises: the
        // server's supervision would work through them (500 of each a minute) while the requests
        // are measured. Off here; measured on its own (README, Performance).
        .env("LIAISON_SUPERVISE_EVERY_SECS", "0");
    command
}

/// A database with `scale` synthetic enterprises (ten visits each), then the server on a fresh
/// copy of it: the write scenarios add rows, and a round on the rows an earlier round or run left
/// would measure more data, not the code.
pub async fn prepare(scale: usize) -> anyhow::Result<Server> {
    let db_name = format!("liaison_bench_{scale}");
    let admin = first_server("postgres").await?;
    load_once(&admin, &db_name, scale).await?;
    let run_name = format!("{db_name}_run");
    copy_database(&admin, &db_name, &run_name).await?;
    let db = admin.replace("dbname=postgres", &format!("dbname={run_name}"));
    let child = liaison(&run_name)
        .args(["serve", "--bind", &format!("127.0.0.1:{PORT}")])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("start liaison serve")?;
    let server = Server {
        child,
        addr: format!("127.0.0.1:{PORT}"),
        db,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(&server.addr).await.is_ok() {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not start")
}

/// `to` as a copy of `from`, replacing an earlier one. PostgreSQL 15 and later copy the files
/// (its default writes the whole database through the WAL, minutes for a few gigabytes).
async fn copy_database(admin: &str, from: &str, to: &str) -> anyhow::Result<()> {
    let client = local::probe(admin).await?;
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {to} WITH (FORCE)"))
        .await?;
    let version: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await?
        .get(0);
    let strategy = if version >= 150_000 {
        " STRATEGY = FILE_COPY"
    } else {
        ""
    };
    client
        .batch_execute(&format!("CREATE DATABASE {to} TEMPLATE {from}{strategy}"))
        .await
        .with_context(|| format!("copy {from} to {to}"))?;
    Ok(())
}

/// Loads `scale` synthetic enterprises into `db_name` unless it holds them already.
async fn load_once(admin: &str, db_name: &str, scale: usize) -> anyhow::Result<()> {
    let db = admin.replace("dbname=postgres", &format!("dbname={db_name}"));
    let loaded = match local::probe(&db).await {
        Ok(client) => client
            .query_one("SELECT count(*) FROM enterprises", &[])
            .await
            .map(|r| r.get::<_, i64>(0) as usize)
            .unwrap_or(0),
        Err(_) => 0,
    };
    if loaded != scale {
        eprintln!("loading {scale} synthetic enterprises into {db_name} …");
        let client = local::probe(admin).await?;
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
            .await?;
        let status = liaison(db_name)
            .args(["seed", "--synthetic", "--enterprises", &scale.to_string()])
            .status()
            .context("run liaison seed --synthetic")?;
        if !status.success() {
            bail!("liaison seed --synthetic failed");
        }
    }
    Ok(())
}

/// The first local PostgreSQL that answers (unix socket first).
async fn first_server(db_name: &str) -> anyhow::Result<String> {
    for candidate in local::local_server_candidates(db_name) {
        if local::probe(&candidate).await.is_ok() {
            return Ok(candidate);
        }
    }
    bail!("no local PostgreSQL answers (socket or 127.0.0.1:5432)")
}
