//! The worker pool: starts queued jobs while workers are free, reports progress into the store,
//! and records every job's end, whatever happens inside the render.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tracing::{error, info, info_span, warn, Instrument};
use uuid::Uuid;

use super::model::{ErrorCategory, Failure, Job, Outcome};
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
    last: Arc<Mutex<Option<Instant>>>,
}

const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

impl Progress {
    pub fn report(&self, progress: f64, message: &str) {
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < PROGRESS_INTERVAL) {
                return;
            }
            *last = Some(Instant::now());
        }
        if let Err(e) = self.store.progress(self.id, progress, message) {
            warn!(job_id = %self.id, error = %e, "cannot record progress");
        }
    }
}

pub struct Pool {
    store: Arc<Store>,
    runner: Arc<dyn Runner>,
    permits: Arc<Semaphore>,
    wake: Notify,
    size: usize,
    job_timeout: Duration,
    running: Mutex<HashMap<Uuid, Arc<AtomicBool>>>,
}

impl Pool {
    /// Starts the dispatcher; queued jobs (including any re-queued at start-up) begin at once.
    pub fn start(
        store: Arc<Store>,
        runner: Arc<dyn Runner>,
        size: usize,
        job_timeout: Duration,
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
        });
        let dispatcher = pool.clone();
        tokio::spawn(async move { dispatcher.dispatch().await });
        pool
    }

    async fn dispatch(self: Arc<Self>) {
        loop {
            while let Ok(permit) = self.permits.clone().try_acquire_owned() {
                match self.store.claim_next().await {
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
            match self.store.claim(id).await {
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

    /// Renders in progress.
    pub fn active(&self) -> usize {
        self.size - self.permits.available_permits()
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Asks a running job to stop; `false` when it is not running here.
    pub fn cancel(&self, id: Uuid) -> bool {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get(&id) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    fn spawn(self: Arc<Self>, job: Job, permit: OwnedSemaphorePermit) {
        let id = job.id;
        let cancel = Arc::new(AtomicBool::new(false));
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, cancel.clone());
        let span = info_span!("job", job_id = %id, attempt = job.attempts);
        tokio::spawn(
            async move {
                info!("render started");
                let secret = self.store.secret(id).unwrap_or_else(|e| {
                    warn!(error = %e, "cannot read the job's gateway key");
                    None
                });
                let progress = Progress {
                    store: self.store.clone(),
                    id,
                    last: Arc::new(Mutex::new(None)),
                };
                // A panic inside the render must not lose the job: run it as its own task and
                // turn a crash into a failed job.
                let task = tokio::spawn(self.runner.run(job, secret, progress, cancel.clone()));
                let outcome = match tokio::time::timeout(self.job_timeout, task).await {
                    Ok(Ok(outcome)) => outcome,
                    Ok(Err(join)) => {
                        error!(error = %join, "render crashed");
                        Outcome::Failed(Failure::new(
                            ErrorCategory::Internal,
                            "the renderer crashed while making this video; this is a bug in varg-render",
                        ))
                    }
                    Err(_) => {
                        cancel.store(true, Ordering::Relaxed);
                        Outcome::Failed(Failure::new(
                            ErrorCategory::Timeout,
                            format!(
                                "the job ran for more than {} minutes and was stopped",
                                self.job_timeout.as_secs() / 60
                            ),
                        ))
                    }
                };
                match self.store.finish(id, outcome).await {
                    Ok(Some(job)) => info!(status = ?job.status, duration_ms = job.duration_ms, "render ended"),
                    Ok(None) => warn!("the job vanished from the store"),
                    Err(e) => error!(error = %e, "cannot record the job's end"),
                }
                self.running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
                drop(permit);
                self.wake.notify_one();
            }
            .instrument(span),
        );
    }
}
