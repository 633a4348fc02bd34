//! Finding a PostgreSQL when no `DATABASE_URL` is given: the server on this machine, or a
//! private cluster started from the machine's PostgreSQL binaries.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio_postgres::NoTls;

/// The usual socket directory of a Debian/Ubuntu PostgreSQL.
const SYSTEM_SOCKET_DIR: &str = "/var/run/postgresql";

/// Connection strings (key-value form) of the local server to try, socket first: the unix
/// socket gives PostgreSQL about twice the rate of TCP.
pub fn local_server_candidates(dbname: &str) -> Vec<String> {
    let user = local_user();
    vec![
        format!("host={SYSTEM_SOCKET_DIR} user={user} dbname={dbname}"),
        format!("host=127.0.0.1 port=5432 user={user} dbname={dbname}"),
    ]
}

/// The database role to use on a local server with trust or peer authentication.
fn local_user() -> String {
    std::env::var("PGUSER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| {
            if is_root() {
                "root".into()
            } else {
                "postgres".into()
            }
        })
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// Connects once with a short timeout; `Ok` means the server answers.
pub async fn probe(conn_str: &str) -> anyhow::Result<tokio_postgres::Client> {
    let connect = tokio_postgres::connect(conn_str, NoTls);
    let (client, connection) = tokio::time::timeout(Duration::from_secs(3), connect)
        .await
        .context("timed out")??;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Creates `dbname` on the server behind `admin_conn` unless it exists.
pub async fn ensure_database(admin: &tokio_postgres::Client, dbname: &str) -> anyhow::Result<()> {
    let plain = !dbname.is_empty()
        && dbname
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        bail!("database name `{dbname}`: use letters, digits and '_' only");
    }
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&dbname])
        .await?
        .is_some();
    if !exists {
        let sql = format!("CREATE DATABASE \"{dbname}\"");
        if let Err(e) = admin.batch_execute(&sql).await {
            // Another instance may have created it in the meantime.
            if e.code() != Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) {
                return Err(e.into());
            }
        }
    }
    Ok(())
}

/// Looks for `initdb` on PATH, then under /usr/lib/postgresql/*/bin (newest version first).
pub fn find_postgres_bin_dir() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// A PostgreSQL cluster of our own, reached only through a socket in its own directory.
#[derive(Debug)]
pub struct PrivateCluster {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<String>,
}

impl PrivateCluster {
    /// Initialises (when new) and starts a cluster under `base`, and arranges for it to stop
    /// when this process ends, even if it is killed. `remove_on_exit` also deletes `base` then.
    pub fn start(base: &Path, remove_on_exit: bool) -> anyhow::Result<Self> {
        let bin_dir = find_postgres_bin_dir().context(
            "no PostgreSQL server answers on this machine and no PostgreSQL binaries were found \
             (initdb, pg_ctl). Install PostgreSQL (Debian/Ubuntu: `apt-get install postgresql`) \
             or set DATABASE_URL",
        )?;
        std::fs::create_dir_all(base)?;
        let base = base.canonicalize()?;
        let cluster = PrivateCluster {
            bin_dir,
            data_dir: base.join("pgdata"),
            socket_dir: base.join("socket"),
            // initdb and postgres refuse to run as root.
            run_as: is_root().then(unprivileged_user),
        };
        std::fs::create_dir_all(&cluster.socket_dir)?;
        if let Some(user) = &cluster.run_as {
            run(Command::new("chown").args(["-R", user]).arg(&base))?;
        }
        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.init()?;
        }
        let running = cluster
            .pg_ctl()
            .arg("status")
            .output()
            .map(|o| o.status.success());
        if !matches!(running, Ok(true)) {
            let options = format!("-k {} -c listen_addresses=''", cluster.socket_dir.display());
            let log = base.join("postgres.log");
            run(cluster
                .pg_ctl()
                .args(["-w", "-t", "60", "-l"])
                .arg(&log)
                .args(["-o", &options, "start"]))?;
        }
        cluster.stop_when_process_ends(remove_on_exit.then_some(&base))?;
        Ok(cluster)
    }

    fn init(&self) -> anyhow::Result<()> {
        let initdb = |locale: &[&str]| {
            let mut cmd = self.command("initdb");
            cmd.arg("-D").arg(&self.data_dir);
            cmd.args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
                .args(locale);
            run(&mut cmd)
        };
        // C.UTF-8 lets pg_trgm index Chinese text; fall back where that locale is missing.
        initdb(&["--locale=C.UTF-8"]).or_else(|_| {
            let _ = std::fs::remove_dir_all(&self.data_dir);
            initdb(&["--no-locale"])
        })
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(path);
                cmd
            }
            None => Command::new(path),
        }
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D").arg(&self.data_dir);
        cmd
    }

    /// A watchdog shell waits for this process to end, then stops the cluster.
    fn stop_when_process_ends(&self, remove: Option<&PathBuf>) -> anyhow::Result<()> {
        let pg_ctl = self.bin_dir.join("pg_ctl");
        let stop = match &self.run_as {
            Some(user) => format!("runuser -u {user} -- {}", pg_ctl.display()),
            None => pg_ctl.display().to_string(),
        };
        let cleanup = remove
            .map(|b| format!("; rm -rf '{}'", b.display()))
            .unwrap_or_default();
        let script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; {stop} -D '{data}' -m fast stop >/dev/null 2>&1{cleanup}",
            pid = std::process::id(),
            data = self.data_dir.display(),
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        Ok(())
    }

    /// Stops the cluster now (a graceful shutdown).
    pub fn stop(&self) {
        let _ = self.pg_ctl().args(["-m", "fast", "stop"]).output();
    }

    /// Connection string for `dbname` on this cluster.
    pub fn conn_str(&self, dbname: &str) -> String {
        format!(
            "host={} user=postgres dbname={dbname}",
            self.socket_dir.display()
        )
    }
}

fn unprivileged_user() -> String {
    let has_postgres = Command::new("id")
        .arg("postgres")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if has_postgres {
        "postgres".into()
    } else {
        "nobody".into()
    }
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Where the service's database is: the URL given, else the local server, else a private
/// cluster under `data_dir`. Creates the database `dbname` when missing.
pub async fn resolve_database(
    configured: Option<&str>,
    dbname: &str,
    data_dir: &Path,
) -> anyhow::Result<(String, Option<PrivateCluster>)> {
    if let Some(url) = configured {
        return Ok((url.to_owned(), None));
    }
    for candidate in local_server_candidates("postgres") {
        if let Ok(admin) = probe(&candidate).await {
            ensure_database(&admin, dbname).await?;
            return Ok((
                candidate.replace("dbname=postgres", &format!("dbname={dbname}")),
                None,
            ));
        }
    }
    log::info!(
        "no local PostgreSQL answers; starting a private cluster in {}",
        data_dir.display()
    );
    let base = data_dir.join("postgres");
    let cluster =
        tokio::task::spawn_blocking(move || PrivateCluster::start(&base, false)).await??;
    let admin = probe(&cluster.conn_str("postgres")).await?;
    ensure_database(&admin, dbname).await?;
    Ok((cluster.conn_str(dbname), Some(cluster)))
}
