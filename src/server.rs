//! `varg-render serve`: opens the store, recovers interrupted jobs, starts the workers and
//! the HTTP server.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tracing::info;

use crate::api::{run_http, AppState, RateLimiter, Tenants};
use crate::cli::ServeArgs;
use crate::config::keys::{self, TenantConfig, DEFAULT_TENANT};
use crate::config::{open_storage, RenderSettings};
use crate::jobs::{Hub, Pool, Store, TenantLimits};
use crate::pipeline::PipelineRunner;
use crate::webhooks::{self, WebhookSettings};

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

    let configured = load_tenants(&args, data_dir)?;
    let mut tenants = Tenants::default();
    for tenant in &configured.list {
        tenants.add(tenant.key.clone(), tenant.name.clone());
    }
    let limits = &args.limits;
    let rate_limiter = RateLimiter::new(
        limits.submits_per_minute,
        configured
            .list
            .iter()
            .filter_map(|t| Some((t.name.clone(), t.submits_per_minute?)))
            .collect(),
    );
    let tenant_limits = TenantLimits {
        default: limits.max_jobs_per_tenant,
        overrides: configured
            .list
            .iter()
            .filter_map(|t| Some((t.name.clone(), t.max_jobs?)))
            .collect(),
    };
    let webhook_secrets: HashMap<String, String> = configured
        .list
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.webhook_secret.clone()?)))
        .collect();
    for tenant in configured
        .list
        .iter()
        .filter(|t| t.webhook_secret.is_none())
    {
        tracing::warn!(
            tenant = %tenant.name,
            "this tenant has no webhook secret: its webhooks go unsigned"
        );
    }
    webhooks::start(
        store.clone(),
        WebhookSettings {
            http: settings.http.clone(),
            policy: settings.outbound.clone(),
            secrets: webhook_secrets,
            retry_base: Duration::from_millis(limits.webhook_retry_base_ms.max(1)),
        },
    );
    start_pruning(store.clone());

    let estimate = Arc::new(AtomicU64::new(FIRST_ESTIMATE_MS));
    let runner = Arc::new(PipelineRunner {
        settings,
        storage: storage.clone(),
        estimate: estimate.clone(),
    });
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let pool = Pool::start(store.clone(), runner, workers, JOB_TIMEOUT, tenant_limits);

    let state = AppState {
        store,
        hub,
        pool,
        storage,
        tenants,
        rate_limiter,
        has_gateway_key,
        max_body_bytes: MAX_BODY_BYTES,
        sse_keepalive: SSE_KEEPALIVE,
        estimate,
    };
    info!(bind = %args.bind, workers, data_dir = %data_dir.display(), "varg-render listening");
    println!("varg-render is listening on {public_url}");
    if configured.from_file > 0 {
        println!("  {} tenants from the keys file", configured.from_file);
    }
    if let Some((key, generated)) = &configured.default_key {
        if *generated {
            println!(
                "  service key (kept in {}): {key}",
                data_dir.join("service_key").display()
            );
        } else {
            println!("  service key: {key}");
        }
        println!("  open {public_url}/#key={key}");
    }
    run_http(state, args.bind)
        .await
        .with_context(|| format!("the HTTP server on {} failed", args.bind))
}

/// Every tenant the server knows, and how the default one's key came about.
struct ConfiguredTenants {
    list: Vec<TenantConfig>,
    from_file: usize,
    /// The default tenant's key and whether it was generated; `None` when only the keys file
    /// names tenants.
    default_key: Option<(String, bool)>,
}

/// The keys file's tenants, plus the default tenant: `VARG_SERVICE_KEY`, or, when no key is
/// configured anywhere, one generated and kept in the data directory.
fn load_tenants(args: &ServeArgs, data_dir: &Path) -> anyhow::Result<ConfiguredTenants> {
    let mut list = match &args.keys_file {
        Some(path) => keys::load(path).with_context(|| "VARG_KEYS_FILE".to_string())?,
        None => Vec::new(),
    };
    let from_file = list.len();
    let configured_key = args
        .service_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let default_key = if configured_key.is_some() || list.is_empty() {
        Some(service_key(configured_key, data_dir)?)
    } else {
        None
    };
    if let Some((key, _)) = &default_key {
        if list.iter().any(|t| &t.key == key) {
            anyhow::bail!("a tenant in the keys file has the same key as VARG_SERVICE_KEY");
        }
        let secret = webhook_secret(args.webhook_secret.as_deref(), data_dir)?;
        list.push(TenantConfig::new(DEFAULT_TENANT, key, Some(secret)));
    }
    Ok(ConfiguredTenants {
        list,
        from_file,
        default_key,
    })
}

/// The default tenant's webhook secret: configured, or made on first start and kept in the
/// data directory (`webhook_secret`) for the operator to hand to receivers.
fn webhook_secret(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<String> {
    if let Some(secret) = configured.map(str::trim).filter(|s| !s.is_empty()) {
        return Ok(secret.to_string());
    }
    let path = data_dir.join("webhook_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.trim().is_empty() {
            return Ok(existing.trim().to_string());
        }
    }
    let secret = format!("whsec_{}", uuid::Uuid::new_v4().simple());
    write_private(&path, &secret)
        .with_context(|| format!("cannot keep the webhook secret in {}", path.display()))?;
    Ok(secret)
}

/// Forgets expired idempotency keys now and every hour.
fn start_pruning(store: Arc<Store>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match store.prune_idempotency() {
                Ok(0) => {}
                Ok(pruned) => info!(pruned, "expired idempotency keys removed"),
                Err(e) => tracing::warn!(error = %e, "cannot prune idempotency keys"),
            }
        }
    });
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
