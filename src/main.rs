//! The `liaison` command: serve, migrate, seed, user create, client create, openapi.

use std::io::Read;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use liaison::config::{Config, DatabaseArgs};
use liaison::db::local::PrivateCluster;
use liaison::domain::actor::Role;
use liaison::domain::error::AppError;
use liaison::domain::{auth, clients, stats, supervision, users, webhooks};
use liaison::web::state::AppState;
use liaison::{build_app, db, seeds};

#[derive(Parser)]
#[command(
    name = "liaison",
    version,
    about = "Key-enterprise liaison system (重点企业联系制度) API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API until SIGTERM/SIGINT.
    Serve {
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Apply pending migrations.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Load reference data (idempotent); `--demo` adds the fictional demo set; `--synthetic`
    /// fills an empty database with generated data for benchmarks.
    Seed {
        #[arg(long)]
        demo: bool,
        /// Generated data at scale (into an empty database only).
        #[arg(long, conflicts_with = "demo")]
        synthetic: bool,
        /// With --synthetic: enterprises (3 demands and 2 support measures each).
        #[arg(long, default_value_t = 100_000, requires = "synthetic")]
        enterprises: usize,
        /// With --synthetic: visits (default: ten per enterprise).
        #[arg(long, requires = "synthetic")]
        visits: Option<usize>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API clients.
    Client {
        #[command(subcommand)]
        action: ClientAction,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum UserAction {
    /// Create a user; prints a generated password unless --password-stdin is given.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        department: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum ClientAction {
    /// Create an API client; prints its client_id and client_secret once.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        department: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// An API error as a command-line message, naming the bad fields.
fn cli_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation(errors) => {
            let fields: Vec<String> = errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect();
            anyhow::anyhow!("invalid {}", fields.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn parse_roles(texts: &[String]) -> anyhow::Result<Vec<Role>> {
    texts
        .iter()
        .map(|t| {
            Role::parse(t)
                .with_context(|| format!("unknown role `{t}` (admin, liaison, finance, analyst)"))
        })
        .collect()
}

/// The database ready for use: found or started, migrated.
async fn prepare_database(
    database: &DatabaseArgs,
) -> anyhow::Result<(String, Option<PrivateCluster>)> {
    let configured = database
        .database_url
        .as_ref()
        .map(|s| s.expose().to_owned());
    let (url, cluster) =
        db::local::resolve_database(configured.as_deref(), &database.db_name, &database.data_dir)
            .await?;
    let applied = db::migrate::run_migrations(&url)
        .await
        .context("cannot migrate the database")?;
    if applied > 0 {
        log::info!("applied {applied} migration(s)");
    }
    // Reference data is part of a usable database: every command can rely on departments.
    let mut conn = AsyncPgConnection::establish(&url).await?;
    seeds::load_reference(&mut conn).await?;
    Ok((url, cluster))
}

#[tokio::main]
async fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("liaison: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let database = match &cli.command {
        Command::Openapi => {
            print!("{}", liaison::openapi::document_json());
            return Ok(());
        }
        Command::Serve { config } => config.database.clone(),
        Command::Migrate { database }
        | Command::Seed { database, .. }
        | Command::User {
            action: UserAction::Create { database, .. },
        }
        | Command::Client {
            action: ClientAction::Create { database, .. },
        } => database.clone(),
    };
    // Check the signing key before touching the database: a weak key must stop `serve` early.
    let secret = match &cli.command {
        Command::Serve { config } => Some(auth::jwt::resolve_secret(
            config.jwt_secret.as_ref().map(|s| s.expose()),
            &config.database.data_dir,
        )?),
        _ => None,
    };
    let (url, cluster) = prepare_database(&database).await?;
    let result = dispatch(cli.command, &url, secret).await;
    if let Some(cluster) = cluster {
        cluster.stop();
    }
    result
}

/// Runs one command on the prepared database at `url`.
async fn dispatch(command: Command, url: &str, secret: Option<Vec<u8>>) -> anyhow::Result<()> {
    match command {
        Command::Serve { config } => serve(*config, url, secret.unwrap_or_default()).await,
        Command::Migrate { .. } | Command::Openapi => Ok(()),
        Command::Seed {
            synthetic: true,
            enterprises,
            visits,
            ..
        } => {
            let scale = seeds::synthetic::Scale {
                enterprises,
                visits: visits.unwrap_or(enterprises * 10),
            };
            seed_synthetic(url, scale).await
        }
        Command::Seed { demo, .. } => seed(url, demo).await,
        Command::User {
            action:
                UserAction::Create {
                    username,
                    department,
                    roles,
                    display_name,
                    password_stdin,
                    ..
                },
        } => {
            create_user(
                url,
                username,
                department,
                roles,
                display_name,
                password_stdin,
            )
            .await
        }
        Command::Client {
            action:
                ClientAction::Create {
                    name,
                    department,
                    roles,
                    ..
                },
        } => create_client(url, name, department, roles).await,
    }
}

async fn serve(config: Config, url: &str, secret: Vec<u8>) -> anyhow::Result<()> {
    let bind = config.bind.clone();
    let workers = if config.workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        config.workers
    };
    // LIAISON_DB_POOL_SIZE connections in all, shared out among the workers.
    let per_worker = config.db_pool_size.div_ceil(workers).max(2);
    let pools = (0..workers)
        .map(|_| db::build_pool(url, per_worker, config.db_statement_timeout_ms))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // The overview's running totals are compacted on a connection of their own.
    stats::rollups::spawn_compaction(db::build_pool(url, 1, config.db_statement_timeout_ms)?);
    let state = AppState::with_pools(pools, config, &secret)?;
    spawn_background_work(&state, url)?;
    // The factory runs once on each worker thread (each has a clone of it).
    let next_worker = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    log::info!("listening on http://{bind}");
    actix_web::HttpServer::new(move || {
        let n = next_worker.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        build_app(actix_web::web::Data::new(state.for_worker(n)))
    })
    // Responses go out as soon as they are written: without TCP_NODELAY, the latest-visits
    // scenario ran 15-20 % slower, with a longer tail (see README, Performance).
    .on_connect(|conn, _| {
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
            let _ = tcp.set_nodelay(true);
        }
    })
    .workers(workers)
    .shutdown_timeout(30)
    .bind(&bind)
    .with_context(|| format!("cannot listen on {bind}"))?
    .run()
    .await?;
    log::info!("stopped");
    Ok(())
}

/// Supervision and webhook delivery, each on connections of its own so that they never take
/// one an API request needs.
fn spawn_background_work(state: &AppState, url: &str) -> anyhow::Result<()> {
    let config = &state.config;
    if config.supervise_every_secs > 0 {
        let rules = supervision::Rules {
            escalate_after_days: i64::from(config.escalate_after_days),
            unvisited_days: i64::from(config.alert_unvisited_days),
        };
        let every = std::time::Duration::from_secs(config.supervise_every_secs);
        let pool = db::build_pool(url, 1, config.db_statement_timeout_ms)?;
        supervision::spawn(pool, state.clock.clone(), rules, every);
    }
    if config.webhook_concurrency > 0 {
        let timeout = std::time::Duration::from_secs(10);
        let sender = webhooks::delivery::Sender::new(timeout, config.webhook_allow_private)?;
        let pool = db::build_pool(url, 2, config.db_statement_timeout_ms)?;
        let concurrency = i64::from(config.webhook_concurrency);
        webhooks::delivery::spawn(pool, state.clock.clone(), sender, concurrency);
    }
    Ok(())
}

async fn seed(url: &str, demo: bool) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    println!("reference data loaded: departments, regions, categories, policies");
    if demo {
        for (username, password) in seeds::load_demo(&mut conn).await? {
            match password {
                Some(p) => println!("demo user {username:<16} password {p}"),
                None => println!("demo user {username:<16} exists (password unchanged)"),
            }
        }
        let added = seeds::load_demo_enterprises(&mut conn).await?;
        println!("demo enterprises added: {added}");
    }
    Ok(())
}

async fn seed_synthetic(url: &str, scale: seeds::synthetic::Scale) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    for line in seeds::synthetic::load(url, scale).await? {
        println!("{line}");
    }
    println!(
        "synthetic data loaded in {:.0} s; users syn.admin, syn.gxw.liaison01, syn.czt.finance01, \
         syn.yjb.analyst01, … share the password {}",
        started.elapsed().as_secs_f64(),
        seeds::synthetic::SYNTHETIC_PASSWORD
    );
    Ok(())
}

async fn create_user(
    url: &str,
    username: String,
    department: String,
    roles: Vec<String>,
    display_name: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let roles = parse_roles(&roles)?;
    if let Err(e) = liaison::domain::validation::username(&username) {
        bail!("invalid username: {}", e.message.unwrap_or_default());
    }
    let (password, generated) = if password_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        (text.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (auth::secrets::random_secret()[..20].to_owned(), true)
    };
    if liaison::domain::validation::password(&password).is_err() {
        bail!("the password must have at least 12 characters");
    }
    let mut conn = AsyncPgConnection::establish(url).await?;
    let new = users::store::NewUser {
        username,
        display_name,
        password_hash: auth::secrets::hash_password(password.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        department,
        roles,
    };
    let user = users::store::create(&mut conn, None, new)
        .await
        .map_err(cli_error)?;
    println!("created user {} ({})", user.username, user.id);
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

async fn create_client(
    url: &str,
    name: String,
    department: String,
    roles: Vec<String>,
) -> anyhow::Result<()> {
    let roles = parse_roles(&roles)?;
    let mut conn = AsyncPgConnection::establish(url).await?;
    let (client, secret) = clients::store::create(&mut conn, None, &name, &department, &roles)
        .await
        .map_err(cli_error)?;
    println!(
        "{}",
        serde_json::json!({"client_id": client.client_id, "client_secret": secret})
    );
    Ok(())
}
