//! Prometheus metrics: request counts and latency histograms by route and status (from
//! actix-web-prom), and the database pool's use, rendered at `GET /metrics`.

use actix_web::{HttpResponse, web};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::{Encoder, IntGauge, Registry, TextEncoder};

use crate::web::state::AppState;

/// The registry and the instruments in it.
pub struct Metrics {
    registry: Registry,
    http: PrometheusMetrics,
    pool_size: IntGauge,
    pool_available: IntGauge,
    pool_waiting: IntGauge,
    pool_max: IntGauge,
    security_events_dropped: IntGauge,
}

impl Metrics {
    /// Creates and registers every instrument.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let http = PrometheusMetricsBuilder::new("liaison")
            .registry(registry.clone())
            // Unknown paths share one label so that scanners cannot blow up cardinality.
            .mask_unmatched_patterns("UNKNOWN")
            .exclude("/metrics")
            .exclude_regex("^/docs.*")
            .build()
            .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
        let gauge = |name: &str, help: &str| -> anyhow::Result<IntGauge> {
            let g = IntGauge::new(name, help)?;
            registry.register(Box::new(g.clone()))?;
            Ok(g)
        };
        Ok(Metrics {
            pool_size: gauge("liaison_db_pool_connections", "Connections currently open")?,
            pool_available: gauge("liaison_db_pool_idle", "Idle connections")?,
            pool_waiting: gauge(
                "liaison_db_pool_waiting",
                "Requests waiting for a connection",
            )?,
            pool_max: gauge("liaison_db_pool_max", "Largest pool size")?,
            security_events_dropped: gauge(
                "liaison_security_events_dropped",
                "Security events not written because their queue was full",
            )?,
            registry,
            http,
        })
    }

    /// The request-recording middleware.
    pub fn middleware(&self) -> PrometheusMetrics {
        self.http.clone()
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn render(state: web::Data<AppState>) -> HttpResponse {
    // Summed over the workers' pools.
    let (mut size, mut available, mut waiting, mut max) = (0, 0, 0, 0);
    for status in state.pools.iter().map(|p| p.status()) {
        size += status.size as i64;
        available += status.available as i64;
        waiting += status.waiting as i64;
        max += status.max_size as i64;
    }
    let m = &state.metrics;
    m.pool_size.set(size);
    m.pool_available.set(available);
    m.pool_waiting.set(waiting);
    m.pool_max.set(max);
    let dropped =
        crate::domain::audit::security::DROPPED.load(std::sync::atomic::Ordering::Relaxed);
    m.security_events_dropped
        .set(i64::try_from(dropped).unwrap_or(i64::MAX));
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut out) {
        log::error!("cannot encode metrics: {e}");
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(out)
}
