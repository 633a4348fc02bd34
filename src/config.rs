//! Typed configuration: read once from the environment, flags override it.
//! Every variable here is listed in the README.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A secret value that never shows itself in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret's text, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

/// Where the database is: every command that touches it takes these.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL. Unset: the local server (socket, then 127.0.0.1:5432), else a private
    /// cluster started from the machine's PostgreSQL binaries under the data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<Secret>,

    /// Database to use (created when missing) when `DATABASE_URL` is unset.
    #[arg(long, env = "LIAISON_DB_NAME", default_value = "liaison")]
    pub db_name: String,

    /// Directory for the generated JWT key and the private PostgreSQL cluster.
    #[arg(long, env = "LIAISON_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

/// Service configuration (`serve`). Each field is a flag of its own and falls back to its
/// variable.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Address the HTTP server listens on.
    #[arg(long, env = "LIAISON_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// HS256 key for access tokens, at least 32 bytes. Unset: generated once and kept in the
    /// data directory.
    #[arg(long, env = "LIAISON_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,

    /// `iss` claim of issued tokens, and the only one accepted.
    #[arg(long, env = "LIAISON_JWT_ISSUER", default_value = "liaison")]
    pub jwt_issuer: String,

    /// `aud` claim of issued tokens, and the only one accepted.
    #[arg(long, env = "LIAISON_JWT_AUDIENCE", default_value = "liaison-api")]
    pub jwt_audience: String,

    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "LIAISON_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: i64,

    /// Lifetime of a refresh token, in seconds.
    #[arg(long, env = "LIAISON_REFRESH_TOKEN_TTL", default_value_t = 2_592_000)]
    pub refresh_token_ttl: i64,

    /// Comma-separated origins allowed by CORS (e.g. `https://liaison.example.gov.cn`).
    #[arg(long, env = "LIAISON_CORS_ORIGINS", default_value = "")]
    pub cors_origins: String,

    /// Largest number of pooled database connections.
    #[arg(long, env = "LIAISON_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,

    /// Longest a query may run, in milliseconds.
    #[arg(
        long,
        env = "LIAISON_DB_STATEMENT_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub db_statement_timeout_ms: u64,

    /// Alerts: an active enterprise not visited for this many days needs attention.
    #[arg(long, env = "LIAISON_ALERT_UNVISITED_DAYS", default_value_t = 90)]
    pub alert_unvisited_days: u32,

    /// Alerts: a year-on-year revenue fall larger than this share (0.2 = 20 %) needs attention.
    #[arg(long, env = "LIAISON_ALERT_REVENUE_DROP", default_value = "0.2")]
    pub alert_revenue_drop: rust_decimal::Decimal,

    /// How long computed statistics (overview, indicator sums) are reused, in seconds (0: never).
    #[arg(long, env = "LIAISON_STATS_CACHE_SECS", default_value_t = 10)]
    pub stats_cache_secs: u64,

    /// Largest import file, in bytes (exports have no limit: they stream).
    #[arg(
        long,
        env = "LIAISON_IMPORT_MAX_BYTES",
        default_value_t = 32 * 1024 * 1024,
            )]
    pub import_max_bytes: usize,

    /// Supervision: a demand this many days overdue is escalated (level 1; level 2 at twice as
    /// many).
    #[arg(
        long,
        env = "LIAISON_ESCALATE_AFTER_DAYS",
        default_value_t = 7,
        value_parser = clap::value_parser!(u32).range(1..=365),
            )]
    pub escalate_after_days: u32,

    /// Supervision: seconds between two checks (overdue, escalation, unvisited); 0: never.
    #[arg(long, env = "LIAISON_SUPERVISE_EVERY_SECS", default_value_t = 60)]
    pub supervise_every_secs: u64,

    /// Events: the longest an empty page of the feed is held open, in seconds (a `wait` above it
    /// is shortened to it; for proxies that cut idle requests sooner).
    #[arg(
        long,
        env = "LIAISON_EVENTS_MAX_WAIT_SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(0..=30),
            )]
    pub events_max_wait_secs: u64,

    /// Webhooks: allow URLs that resolve to loopback, private or link-local addresses
    /// (on-premise networks, tests).
    #[arg(long, env = "LIAISON_WEBHOOK_ALLOW_PRIVATE", default_value_t = false)]
    pub webhook_allow_private: bool,

    /// Webhooks: deliveries sent at once by this server instance (0: this instance sends none).
    #[arg(
        long,
        env = "LIAISON_WEBHOOK_CONCURRENCY",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(0..=64),
            )]
    pub webhook_concurrency: u32,

    /// HTTP worker threads (0: one per core).
    #[arg(long, env = "LIAISON_WORKERS", default_value_t = 0)]
    pub workers: usize,
}

impl Config {
    /// The allowed CORS origins, trimmed, empty entries dropped.
    pub fn cors_origin_list(&self) -> Vec<String> {
        self.cors_origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Every setting at the default the command line declares, whatever the environment says
    /// (the one place defaults are written is the `#[arg]` of each field).
    pub fn defaults() -> Result<Self, clap::Error> {
        use clap::{Args, FromArgMatches};
        let command = Self::augment_args(clap::Command::new("liaison")).mut_args(|a| a.env(None));
        Self::from_arg_matches(&command.try_get_matches_from(["liaison"])?)
    }

    /// The defaults with a database URL and a JWT key (tests and tools).
    pub fn with_database(database_url: &str, jwt_secret: &str) -> Result<Self, clap::Error> {
        let defaults = Self::defaults()?;
        Ok(Config {
            database: DatabaseArgs {
                database_url: Some(Secret(database_url.to_owned())),
                ..defaults.database
            },
            jwt_secret: Some(Secret(jwt_secret.to_owned())),
            ..defaults
        })
    }
}
