//! `varg-render serve`: opens the store, recovers interrupted jobs, starts the workers and
//! the HTTP server.

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tracing::info;

use crate::api::{run_http, AppState, Tenants};
use crate::cli::ServeArgs;
use crate::config::{open_storage, RenderSettings};
use crate::jobs::{Hub, Pool, Store};
use crate::pipeline::PipelineRunner;

const MAX_BODY_BYTES: usize = 1024 * 1024;
const SSE_KEEPALIVE: Duration = Duration::from_secs(15);
const JOB_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// `estimated_duration_ms` before any render has finished.
const FIRST_ESTIMATE_MS: u64 = 3000;

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let data_dir = &args.data.data_dir;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.bind))
        .trim_end_matches('/')
        .to_string();

    let store = Arc::new(
        Store::open(&data_dir.join("jobs"))
            .with_context(|| format!("cannot open the job store in {}", data_dir.display()))?,
    );
    store
        .requeue_in_progress()
        .await
        .context("cannot recover interrupted jobs")?;
    let hub = Hub::start(&store);
    let storage = open_storage(&args.data, &data_dir.join("files"), &public_url)?;
    let settings = RenderSettings::from_args(&args.data, Vec::new())?;
    // api.md: strict is the default mode when a generation provider is configured.
    let has_gateway_key = settings.gateway_key.is_some();

    let (key, generated) = service_key(args.service_key.as_deref(), data_dir)?;
    let mut tenants = Tenants::default();
    tenants.add(key.clone(), "default");

    let estimate = Arc::new(AtomicU64::new(FIRST_ESTIMATE_MS));
    let runner = Arc::new(PipelineRunner {
        settings,
        storage: storage.clone(),
        estimate: estimate.clone(),
    });
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let pool = Pool::start(store.clone(), runner, workers, JOB_TIMEOUT);

    let state = AppState {
        store,
        hub,
        pool,
        storage,
        tenants,
        has_gateway_key,
        max_body_bytes: MAX_BODY_BYTES,
        sse_keepalive: SSE_KEEPALIVE,
        estimate,
    };
    info!(bind = %args.bind, workers, data_dir = %data_dir.display(), "varg-render listening");
    println!("varg-render is listening on {public_url}");
    if generated {
        println!(
            "  service key (kept in {}): {key}",
            data_dir.join("service_key").display()
        );
    } else {
        println!("  service key: {key}");
    }
    println!("  open {public_url}/#key={key}");
    run_http(state, args.bind)
        .await
        .with_context(|| format!("the HTTP server on {} failed", args.bind))
}

/// The configured key, or the one kept in the data directory, made on first start.
fn service_key(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<(String, bool)> {
    if let Some(key) = configured.map(str::trim).filter(|k| !k.is_empty()) {
        return Ok((key.to_string(), false));
    }
    let path = data_dir.join("service_key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if !existing.is_empty() {
            return Ok((existing.to_string(), true));
        }
    }
    let key = format!(
        "vr_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    write_private(&path, &key)
        .with_context(|| format!("cannot keep the service key in {}", path.display()))?;
    Ok((key, true))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}
