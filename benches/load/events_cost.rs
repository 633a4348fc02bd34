//! What events cost the writes, measured within one run: each write alternates between the
//! server as it is and the same server with events switched off in its database (`emit_event`
//! replaced by a function that writes nothing; the audit record is still written), three times
//! each, so that a slow stretch of this shared machine falls on both sides alike.

use std::time::Duration;

use crate::scenarios::{Outcome, http_load, skipped};
use crate::setup::Server;

/// The function that writes nothing: the audit record keeps no event.
const NO_EVENTS: &str = "CREATE OR REPLACE FUNCTION emit_event(p_type TEXT, p_actor_id UUID, \
     p_actor_kind TEXT, p_department TEXT, p_enterprise_id UUID, p_subject_type TEXT, \
     p_subject_id TEXT, p_data JSONB, p_from TEXT, p_to TEXT) RETURNS BIGINT \
     LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$";

/// How many times each side runs.
const PAIRS: usize = 3;

/// One write scenario, on and off in turn; returns the two sides (rates averaged, latencies the
/// median of the runs) and prints the difference.
pub async fn events_cost(
    server: &Server,
    db: &tokio_postgres::Client,
    connections: usize,
    duration: Duration,
    names: (&'static str, &'static str),
    make: &dyn Fn(u64) -> Vec<u8>,
) -> anyhow::Result<Vec<Outcome>> {
    let (on_name, off_name) = names;
    if skipped(on_name) && skipped(off_name) {
        return Ok(Vec::new());
    }
    let original: String = db
        .query_one("SELECT pg_get_functiondef('emit_event'::regproc)", &[])
        .await?
        .get(0);
    // A run stopped between the two statements below leaves events off for good.
    anyhow::ensure!(
        !original.contains("RETURN NULL"),
        "events are still switched off in this database: drop it to reload"
    );
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for _ in 0..PAIRS {
        on.push(http_load(on_name, server, connections, duration, make).await);
        db.batch_execute(NO_EVENTS).await?;
        let measured = http_load(off_name, server, connections, duration, make).await;
        db.batch_execute(&original).await?;
        off.push(measured);
    }
    let (on, off) = (merged(on_name, &on), merged(off_name, &off));
    if off.rps > 0.0 {
        println!(
            "{on_name}: {:.0} req/s with events, {:.0} without: {:+.1} %",
            on.rps,
            off.rps,
            100.0 * (on.rps / off.rps - 1.0)
        );
    }
    Ok(vec![on, off])
}

/// The runs of one side as one row: requests and errors summed, the rate averaged, latencies
/// and memory the median of the runs.
fn merged(name: &'static str, runs: &[Outcome]) -> Outcome {
    let median = |f: fn(&Outcome) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(f).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or_default()
    };
    Outcome {
        name,
        requests: runs.iter().map(|r| r.requests).sum(),
        errors: runs.iter().map(|r| r.errors).sum(),
        rps: runs.iter().map(|r| r.rps).sum::<f64>() / runs.len().max(1) as f64,
        p50_ms: median(|r| r.p50_ms),
        p99_ms: median(|r| r.p99_ms),
        max_ms: median(|r| r.max_ms),
        peak_rss_mib: median(|r| r.peak_rss_mib),
    }
}
