//! The worker pool: starts queued jobs while workers are free, reports progress into the store,
//! and records every job's end, whatever happens inside the render.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use tracing::{error, info, info_span, warn, Instrument};
use uuid::Uuid;

use super::model::{ErrorCategory, Failure, Job, Outcome, Status};
use super::store::Store;

pub type RunFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// What a worker does with a job; the render pipeline implements it.
pub trait Runner: Send + Sync + 'static {
    fn run(
        &self,
        job: Job,
        secret: Option<String>,
        progress: Progress,
        cancel: Arc<AtomicBool>,
    ) -> RunFuture;
}

/// Writes a running job's progress into the store, at most a few times a second.
#[derive(Clone)]
pub struct Progress {
    store: Arc<Store>,
    id: Uuid,
    attempt: u32,
    last: Arc<Mutex<Option<Instant>>>,
    stage: Arc<Mutex<Stage>>,
}

const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// The stage a job is in, named by its progress message without the numbers
/// ("rendering frame 3/90" is the stage "rendering frame"), so each stage logs one line.
#[derive(Default)]
struct Stage {
    name: String,
    since: Option<Instant>,
}

impl Progress {
    pub fn report(&self, progress: f64, message: &str) {
        self.log_stage(message);
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < PROGRESS_INTERVAL) {
                return;
            }
            *last = Some(Instant::now());
        }
        if let Err(e) = self
            .store
            .progress(self.id, self.attempt, progress, message)
        {
            warn!(job_id = %self.id, error = %e, "cannot record progress");
        }
    }

    fn log_stage(&self, message: &str) {
        let name = message
            .split(|c: char| c.is_ascii_digit())
            .next()
            .unwrap_or_default()
            .trim();
        let mut stage = self.stage.lock().unwrap_or_else(|p| p.into_inner());
        if stage.name == name {
            return;
        }
        let previous_ms = stage.since.map(|t| t.elapsed().as_millis() as u64);
        info!(job_id = %self.id, stage = name, previous_stage_ms = previous_ms, "job stage");
        stage.name = name.to_string();
        stage.since = Some(Instant::now());
    }
}

/// A job a worker is running: the flag the render polls, and a wake-up for the worker itself.
struct Running {
    /// A retried job runs again under the same id; the attempt tells the runs apart.
    attempt: u32,
    cancel: Arc<AtomicBool>,
    stop: Arc<Notify>,
}

/// How many jobs each tenant may have rendering at once (api.md "Limits"); 0 is no limit.
#[derive(Debug, Clone, Default)]
pub struct TenantLimits {
    pub default: usize,
    pub overrides: HashMap<String, usize>,
}

impl TenantLimits {
    pub fn of(&self, tenant: &str) -> usize {
        self.overrides.get(tenant).copied().unwrap_or(self.default)
    }
}

/// After a cancel, how long the worker waits for the render to notice before it lets the
/// render finish unobserved and takes the next job.
const CANCEL_GRACE: Duration = Duration::from_millis(700);

pub struct Pool {
    store: Arc<Store>,
    runner: Arc<dyn Runner>,
    permits: Arc<Semaphore>,
    wake: Notify,
    size: usize,
    job_timeout: Duration,
    running: Mutex<HashMap<Uuid, Running>>,
    dispatcher: Mutex<Option<JoinHandle<()>>>,
    tenant_limits: TenantLimits,
    /// Jobs rendering per tenant; only grows under `claiming`, so a check and the take that
    /// follows it cannot interleave with another claim.
    per_tenant: Mutex<HashMap<String, usize>>,
    claiming: tokio::sync::Mutex<()>,
}

impl Pool {
    /// Starts the dispatcher; queued jobs (including any re-queued at start-up) begin at once.
    pub fn start(
        store: Arc<Store>,
        runner: Arc<dyn Runner>,
        size: usize,
        job_timeout: Duration,
        tenant_limits: TenantLimits,
    ) -> Arc<Pool> {
        let size = size.max(1);
        let pool = Arc::new(Pool {
            store,
            runner,
            permits: Arc::new(Semaphore::new(size)),
            wake: Notify::new(),
            size,
            job_timeout,
            running: Mutex::new(HashMap::new()),
            dispatcher: Mutex::new(None),
            tenant_limits,
            per_tenant: Mutex::new(HashMap::new()),
            claiming: tokio::sync::Mutex::new(()),
        });
        let dispatcher = pool.clone();
        let handle = tokio::spawn(async move { dispatcher.dispatch().await });
        *pool.dispatcher.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        pool
    }

    async fn dispatch(self: Arc<Self>) {
        loop {
            while let Ok(permit) = self.permits.clone().try_acquire_owned() {
                let claiming = self.claiming.lock().await;
                let claimed = self.store.claim_next(|t| self.has_room(t)).await;
                if let Ok(Some(job)) = &claimed {
                    self.take_slot(&job.tenant);
                }
                drop(claiming);
                match claimed {
                    Ok(Some(job)) => self.clone().spawn(job, permit),
                    Ok(None) => break,
                    Err(e) => {
                        error!(error = %e, "cannot take a job from the queue");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
            self.wake.notified().await;
        }
    }

    /// Called after a job is stored: starts it at once when a worker is free. Returns the
    /// job as it now is (rendering) or `None` when it waits in the queue.
    pub async fn submitted(self: &Arc<Self>, id: Uuid) -> Option<Job> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            let claiming = self.claiming.lock().await;
            let claimed = self.store.claim(id, |t| self.has_room(t)).await;
            if let Ok(Some(job)) = &claimed {
                self.take_slot(&job.tenant);
            }
            drop(claiming);
            match claimed {
                Ok(Some(job)) => {
                    self.clone().spawn(job.clone(), permit);
                    return Some(job);
                }
                Ok(None) => {}
                Err(e) => error!(job_id = %id, error = %e, "cannot start a submitted job"),
            }
        }
        self.wake.notify_one();
        None
    }

    fn has_room(&self, tenant: &str) -> bool {
        let limit = self.tenant_limits.of(tenant);
        limit == 0 || self.tenant_running(tenant) < limit
    }

    /// Jobs of `tenant` a worker holds now.
    pub fn tenant_running(&self, tenant: &str) -> usize {
        let per_tenant = self.per_tenant.lock().unwrap_or_else(|p| p.into_inner());
        per_tenant.get(tenant).copied().unwrap_or(0)
    }

    fn take_slot(&self, tenant: &str) {
        let mut per_tenant = self.per_tenant.lock().unwrap_or_else(|p| p.into_inner());
        *per_tenant.entry(tenant.to_string()).or_default() += 1;
    }

    fn give_back_slot(&self, tenant: &str) {
        let mut per_tenant = self.per_tenant.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = per_tenant.get_mut(tenant) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                per_tenant.remove(tenant);
            }
        }
    }

    /// Renders in progress.
    pub fn active(&self) -> usize {
        self.size - self.permits.available_permits()
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the dispatcher that hands queued jobs to workers is still running.
    pub fn alive(&self) -> bool {
        self.dispatcher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|h| !h.is_finished())
    }

    /// Asks a running job to stop; `false` when it is not running here. The render sees the
    /// flag at its next frame; the worker is free again within `CANCEL_GRACE` either way.
    pub fn cancel(&self, id: Uuid) -> bool {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get(&id) {
            Some(job) => {
                job.cancel.store(true, Ordering::Relaxed);
                job.stop.notify_one();
                true
            }
            None => false,
        }
    }

    fn spawn(self: Arc<Self>, job: Job, permit: OwnedSemaphorePermit) {
        let id = job.id;
        let attempt = job.attempts;
        let tenant = job.tenant.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(Notify::new());
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                id,
                Running {
                    attempt,
                    cancel: cancel.clone(),
                    stop: stop.clone(),
                },
            );
        let span = info_span!("job", job_id = %id, attempt = job.attempts);
        tokio::spawn(
            async move {
                // A cancel that came between the claim and the line above found nothing to
                // stop, but it did end the record: look before starting the render.
                let ended_already = !matches!(
                    self.store.get(id),
                    Ok(Some(j)) if j.status == Status::Rendering && j.attempts == attempt
                );
                if ended_already {
                    info!("job ended before its render started");
                } else {
                    let started = Instant::now();
                    let outcome = self.run(job, cancel, &stop).await;
                    crate::metrics::observe_job(started.elapsed().as_secs_f64());
                    let ended = self.store.finish_attempt(id, attempt, outcome).await;
                    // Stage times count only for a video the record kept (not one that
                    // finished just after its cancel).
                    if let Ok(Some(job)) = &ended {
                        if let (Status::Completed, Some(timings)) = (job.status, &job.timings) {
                            crate::metrics::observe_timings(timings);
                        }
                    }
                    match ended {
                        Ok(Some(job)) => info!(
                            status = job.status.as_str(),
                            duration_ms = job.duration_ms,
                            eval_ms = job.timings.as_ref().map(|t| t.eval_ms),
                            generate_ms = job.timings.as_ref().map(|t| t.generate_ms),
                            compose_ms = job.timings.as_ref().map(|t| t.compose_ms),
                            encode_ms = job.timings.as_ref().map(|t| t.encode_ms),
                            store_ms = job.timings.as_ref().map(|t| t.store_ms),
                            error_category = job.error_category.map(|c| c.as_str()),
                            "render ended"
                        ),
                        Ok(None) => warn!("the job vanished from the store"),
                        Err(e) => error!(error = %e, "cannot record the job's end"),
                    }
                }
                {
                    let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
                    if running.get(&id).is_some_and(|r| r.attempt == attempt) {
                        running.remove(&id);
                    }
                }
                // The tenant's slot frees with the worker, so its next job can start.
                self.give_back_slot(&tenant);
                drop(permit);
                self.wake.notify_one();
            }
            .instrument(span),
        );
    }

    /// Runs one job to its outcome: the render's own, a crash, the job time limit, or a cancel.
    async fn run(&self, job: Job, cancel: Arc<AtomicBool>, stop: &Notify) -> Outcome {
        let id = job.id;
        info!("render started");
        let secret = self.store.secret(id);
        if job.request_key && secret.is_none() {
            return Outcome::Failed(Failure::new(
                ErrorCategory::GenerationFailed,
                format!(
                    "this job's gatewayApiKey was held in memory only and the server restarted \
                     before the job finished; retry it (POST /api/render/jobs/{id}/retry) with \
                     the key"
                ),
            ));
        }
        let progress = Progress {
            store: self.store.clone(),
            id,
            attempt: job.attempts,
            last: Arc::new(Mutex::new(None)),
            stage: Arc::new(Mutex::new(Stage::default())),
        };
        // A panic inside the render must not lose the job: run it as its own task and turn a
        // crash into a failed job.
        let mut task = tokio::spawn(self.runner.run(job, secret, progress, cancel.clone()));
        tokio::select! {
            joined = &mut task => match joined {
                Ok(outcome) => outcome,
                Err(join) => {
                    error!(error = %join, "render crashed");
                    Outcome::Failed(Failure::new(
                        ErrorCategory::Internal,
                        "the renderer crashed while making this video; this is a bug in varg-render",
                    ))
                }
            },
            _ = stop.notified() => {
                // The record already says cancelled. Frames check the flag, but evaluation or
                // a download may not: give the render a moment, then stop waiting for it.
                if tokio::time::timeout(CANCEL_GRACE, &mut task).await.is_err() {
                    warn!("the render did not stop within the grace period; freeing its worker");
                    task.abort();
                }
                Outcome::Cancelled
            }
            _ = tokio::time::sleep(self.job_timeout) => {
                cancel.store(true, Ordering::Relaxed);
                task.abort();
                Outcome::Failed(Failure::new(
                    ErrorCategory::Timeout,
                    format!(
                        "the job ran for more than {} minutes and was stopped",
                        self.job_timeout.as_secs() / 60
                    ),
                ))
            }
        }
    }
}
