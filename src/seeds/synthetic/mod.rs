//! Synthetic data at scale for benchmarks (`liaison seed --synthetic`): enterprises with valid
//! credit codes and Chinese text, visits, demands with their events, support measures with
//! payment tranches, and eight quarters of indicators, loaded with `COPY`. Every row is derived
//! from its index with a seeded generator, so related rows (a visit's enterprise, a demand's
//! events) are computed again instead of being kept in memory.
//!
//! Only into an empty database: synthetic rows never mix with real ones.

mod copy;
mod deferred;
mod demands;
mod money;
mod text;
mod world;

use std::time::Instant;

use crate::db::local;
use crate::domain::auth::secrets;
use anyhow::{Context, bail};

pub use world::{SYNTHETIC_PASSWORD, synthetic_users};

/// How much to load.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub enterprises: usize,
    pub visits: usize,
}

impl Scale {
    /// Three demands per enterprise.
    pub fn demands(self) -> usize {
        self.enterprises * 3
    }

    /// Two support measures per enterprise.
    pub fn measures(self) -> usize {
        self.enterprises * 2
    }
}

/// Rows per call of a COPY filler (one chunk sent to the server).
const CHUNK_ROWS: usize = 5_000;

/// Loads the synthetic set; returns a line per table with its row count and time.
pub async fn load(url: &str, scale: Scale) -> anyhow::Result<Vec<String>> {
    let client = local::probe(url).await?;
    let existing: i64 = client
        .query_one("SELECT count(*) FROM enterprises", &[])
        .await?
        .get(0);
    if existing > 0 {
        bail!(
            "the database holds {existing} enterprises: synthetic data goes into an empty \
             database only (set LIAISON_DB_NAME or DATABASE_URL to a new one)"
        );
    }
    let regions: Vec<String> = client
        .query("SELECT code FROM regions ORDER BY code", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let subcategories: Vec<(String, String)> = client
        .query(
            "SELECT category_code, code FROM subcategories ORDER BY category_code, code",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let world = world::World::new(scale, regions, subcategories);
    let hash = secrets::hash_password(SYNTHETIC_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let mut report = Vec::new();
    // One transaction: a load that fails leaves the database empty, never half loaded.
    client
        .batch_execute("BEGIN; SET LOCAL maintenance_work_mem = '256MB'")
        .await?;
    let deferred = deferred::drop_all(&client).await?;
    timed(&mut report, "users", world.copy_users(&client, &hash)).await?;
    timed(&mut report, "enterprises", world.copy_enterprises(&client)).await?;
    timed(&mut report, "visits", world.copy_visits(&client)).await?;
    timed(&mut report, "demands", world.copy_demands(&client)).await?;
    timed(
        &mut report,
        "demand events",
        world.copy_demand_events(&client),
    )
    .await?;
    timed(
        &mut report,
        "support measures",
        world.copy_measures(&client),
    )
    .await?;
    timed(
        &mut report,
        "disbursements",
        world.copy_disbursements(&client),
    )
    .await?;
    timed(&mut report, "indicators", world.copy_indicators(&client)).await?;
    timed(&mut report, "indexes and keys", deferred.rebuild(&client)).await?;
    client.batch_execute("COMMIT").await?;
    let started = Instant::now();
    client
        .batch_execute("VACUUM ANALYZE")
        .await
        .context("VACUUM ANALYZE")?;
    report.push(format!(
        "vacuum analyze          {:>8.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(report)
}

async fn timed(
    report: &mut Vec<String>,
    name: &str,
    work: impl Future<Output = anyhow::Result<u64>>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let rows = work.await.with_context(|| format!("loading {name}"))?;
    let line = format!(
        "{name:<20} {rows:>10} rows {:>8.1} s",
        started.elapsed().as_secs_f64()
    );
    log::info!("{line}");
    report.push(line);
    Ok(())
}
