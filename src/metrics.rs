//! Process-wide counters for `GET /metrics` (Prometheus text format).
//!
//! Any module records through the small functions here; only the scrape reads them. The job
//! counts by status and the queue depth are not counted here: the store is their truth, and the
//! scrape copies them in, so they cannot disagree with the job records.

use std::sync::LazyLock;

use prometheus_client::encoding::prometheus_text;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::jobs::{Status, Timings};

/// `Content-Type` of the scrape answer.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabel {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabel {
    method: String,
    /// The route pattern (`/api/render/jobs/{id}`), never the raw path: one series per route.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

struct Metrics {
    registry: Registry,
    jobs: Family<StatusLabel, Gauge>,
    queue_depth: Gauge,
    workers: Gauge,
    workers_busy: Gauge,
    jobs_ended: Family<StatusLabel, Counter>,
    render_seconds: Histogram,
    encode_seconds: Histogram,
    job_seconds: Histogram,
    frames: Counter,
    cache: Family<CacheLabel, Counter>,
    http_requests: Family<HttpLabel, Counter>,
    http_seconds: HistogramFamily<RouteLabel>,
}

/// Seconds, from a few milliseconds (a cached frame) to the 15-minute job limit.
fn seconds_buckets() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
        900.0,
    ])
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::default();
    let m = Metrics {
        registry: Registry::default(),
        jobs: Family::default(),
        queue_depth: Gauge::default(),
        workers: Gauge::default(),
        workers_busy: Gauge::default(),
        jobs_ended: Family::default(),
        render_seconds: seconds_buckets(),
        encode_seconds: seconds_buckets(),
        job_seconds: seconds_buckets(),
        frames: Counter::default(),
        cache: Family::default(),
        http_requests: Family::default(),
        http_seconds: Family::new_with_constructor(seconds_buckets as fn() -> Histogram),
    };
    registry.register("varg_jobs", "Jobs in the store by status", m.jobs.clone());
    registry.register(
        "varg_queue_depth",
        "Jobs waiting for a worker",
        m.queue_depth.clone(),
    );
    registry.register("varg_workers", "Render workers", m.workers.clone());
    registry.register(
        "varg_workers_busy",
        "Render workers running a job",
        m.workers_busy.clone(),
    );
    registry.register(
        "varg_jobs_ended",
        "Jobs that reached a terminal status since the server started",
        m.jobs_ended.clone(),
    );
    registry.register(
        "varg_render_seconds",
        "Time spent drawing the frames of a completed job",
        m.render_seconds.clone(),
    );
    registry.register(
        "varg_encode_seconds",
        "Time spent encoding the video of a completed job",
        m.encode_seconds.clone(),
    );
    registry.register(
        "varg_job_seconds",
        "Wall time of a job from start to end, whatever the outcome",
        m.job_seconds.clone(),
    );
    registry.register("varg_frames_rendered", "Frames drawn", m.frames.clone());
    registry.register(
        "varg_asset_cache_requests",
        "Asset cache look-ups by result (hit or miss)",
        m.cache.clone(),
    );
    registry.register(
        "varg_http_requests",
        "HTTP requests by method, route and status",
        m.http_requests.clone(),
    );
    registry.register(
        "varg_http_request_seconds",
        "Time to the response head, by route",
        m.http_seconds.clone(),
    );
    // Zero-valued series from the start, so a dashboard sees them before the first event.
    for result in ["hit", "miss"] {
        let _ = m.cache.get_or_create(&CacheLabel { result });
    }
    Metrics { registry, ..m }
});

/// An asset cache look-up: `hit` when the asset was already stored.
pub fn record_cache(hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    METRICS.cache.get_or_create(&CacheLabel { result }).inc();
}

/// Frames drawn by a render.
pub fn add_frames(frames: u64) {
    METRICS.frames.inc_by(frames);
}

/// A job reached a terminal status (called once per job, by the store).
pub fn job_ended(status: Status) {
    METRICS
        .jobs_ended
        .get_or_create(&StatusLabel {
            status: status.as_str(),
        })
        .inc();
}

/// The stage times of a completed job.
pub fn observe_timings(timings: &Timings) {
    METRICS
        .render_seconds
        .observe(timings.compose_ms as f64 / 1000.0);
    METRICS
        .encode_seconds
        .observe(timings.encode_ms as f64 / 1000.0);
}

/// A job's wall time, start to end.
pub fn observe_job(seconds: f64) {
    METRICS.job_seconds.observe(seconds);
}

/// One answered HTTP request.
pub fn record_http(method: &str, route: &str, status: u16, seconds: f64) {
    METRICS
        .http_requests
        .get_or_create(&HttpLabel {
            method: method.to_string(),
            route: route.to_string(),
            status,
        })
        .inc();
    METRICS
        .http_seconds
        .get_or_create(&RouteLabel {
            route: route.to_string(),
        })
        .observe(seconds);
}

/// What the scrape copies in from the store and the pool.
pub struct Snapshot {
    pub jobs: [(Status, u64); 5],
    pub queue_depth: usize,
    pub workers: usize,
    pub workers_busy: usize,
}

/// The scrape answer.
pub fn encode(snapshot: &Snapshot) -> String {
    let m = &*METRICS;
    for (status, count) in snapshot.jobs {
        m.jobs
            .get_or_create(&StatusLabel {
                status: status.as_str(),
            })
            .set(gauge_value(count));
    }
    m.queue_depth.set(gauge_value(snapshot.queue_depth as u64));
    m.workers.set(gauge_value(snapshot.workers as u64));
    m.workers_busy
        .set(gauge_value(snapshot.workers_busy as u64));
    let mut text = String::new();
    // Writing into a String cannot fail; an encoder error would be a bug in a label type.
    if let Err(e) = prometheus_text::encode(&mut text, &m.registry) {
        tracing::error!(error = %e, "cannot encode the metrics");
    }
    text
}

fn gauge_value(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
