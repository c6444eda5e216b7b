//! The job store: sled trees for job records, the queue and per-job secrets.
//! The only code that touches sled.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::Utc;
use sled::{Db, Tree};
use thiserror::Error;
use tracing::{debug, info};
use uuid::Uuid;

use super::model::{EventKind, Job, Outcome, Status};

/// Bumped when the on-disk layout changes; `open` refuses a layout it does not know.
const LAYOUT_VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the job store failed: {0}")]
    Sled(#[from] sled::Error),
    #[error("a job record is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("the job store at {path} has layout version {found}; this server knows version {LAYOUT_VERSION}")]
    Layout { path: String, found: u32 },
}

/// Job records, the queue and secrets. All writes go through one lock, so read-modify-write
/// updates never interleave (sled allows only one process per store, so this lock is enough).
pub struct Store {
    db: Db,
    jobs: Tree,
    queue: Tree,
    secrets: Tree,
    write: Mutex<()>,
    /// Length of the queue tree, kept here because sled counts a tree by walking it.
    waiting: AtomicUsize,
}

impl Store {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = sled::open(path)?;
        let meta = db.open_tree("meta")?;
        match meta.get("layout")? {
            None => {
                meta.insert("layout", &LAYOUT_VERSION.to_be_bytes())?;
            }
            Some(v) => {
                let found = v
                    .as_ref()
                    .try_into()
                    .map(u32::from_be_bytes)
                    .unwrap_or(u32::MAX);
                if found != LAYOUT_VERSION {
                    return Err(StoreError::Layout {
                        path: path.display().to_string(),
                        found,
                    });
                }
            }
        }
        let queue = db.open_tree("queue")?;
        Ok(Store {
            waiting: AtomicUsize::new(queue.len()),
            jobs: db.open_tree("jobs")?,
            queue,
            secrets: db.open_tree("secrets")?,
            db,
            write: Mutex::new(()),
        })
    }

    /// The tree SSE subscribers watch; every record write is one event.
    pub fn jobs_tree(&self) -> &Tree {
        &self.jobs
    }

    pub fn get(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        self.jobs
            .get(id.as_bytes())?
            .map(|v| serde_json::from_slice(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Stores a new queued job (and its secret, if any) and makes it durable before returning.
    pub async fn insert(&self, mut job: Job, secret: Option<&str>) -> Result<Job, StoreError> {
        {
            let _guard = self.lock();
            let key = self.db.generate_id()?;
            job.queue_key = Some(key);
            if let Some(secret) = secret {
                self.secrets.insert(job.id.as_bytes(), secret.as_bytes())?;
            }
            self.jobs
                .insert(job.id.as_bytes(), serde_json::to_vec(&job)?)?;
            self.queue.insert(key.to_be_bytes(), job.id.as_bytes())?;
            self.waiting.fetch_add(1, Ordering::Relaxed);
        }
        self.db.flush_async().await?;
        debug!(job_id = %job.id, "job stored");
        Ok(job)
    }

    /// Takes the oldest queued job for a worker and marks it rendering.
    pub async fn claim_next(&self) -> Result<Option<Job>, StoreError> {
        let claimed = {
            let _guard = self.lock();
            let mut claimed = None;
            while let Some((key, id)) = self.queue.pop_min()? {
                let Ok(id) = Uuid::from_slice(&id) else {
                    continue;
                };
                self.waiting.fetch_sub(1, Ordering::Relaxed);
                debug!(?key, %id, "queue pop");
                if let Some(job) = self.start_locked(id)? {
                    claimed = Some(job);
                    break;
                }
            }
            claimed
        };
        if claimed.is_some() {
            self.db.flush_async().await?;
        }
        Ok(claimed)
    }

    /// Takes one specific queued job (the submit path, when a worker is free at once).
    pub async fn claim(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        let claimed = {
            let _guard = self.lock();
            let Some(job) = self.get(id)? else {
                return Ok(None);
            };
            match job.queue_key {
                Some(key) if job.status == Status::Queued => {
                    if self.queue.remove(key.to_be_bytes())?.is_none() {
                        return Ok(None);
                    }
                    self.waiting.fetch_sub(1, Ordering::Relaxed);
                    self.start_locked(id)?
                }
                _ => None,
            }
        };
        if claimed.is_some() {
            self.db.flush_async().await?;
        }
        Ok(claimed)
    }

    fn start_locked(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        let Some(mut job) = self.get(id)? else {
            return Ok(None);
        };
        if job.status != Status::Queued {
            return Ok(None);
        }
        job.status = Status::Rendering;
        job.queue_key = None;
        job.started_at = Some(Utc::now());
        job.attempts += 1;
        job.progress = 0.0;
        job.progress_message = "starting".into();
        self.write_locked(&mut job, EventKind::Status)?;
        Ok(Some(job))
    }

    /// Moves a rendering job's progress forward (never back). Not flushed: a lost progress
    /// write costs nothing, the job re-runs after a crash anyway.
    pub fn progress(&self, id: Uuid, progress: f64, message: &str) -> Result<(), StoreError> {
        let _guard = self.lock();
        let Some(mut job) = self.get(id)? else {
            return Ok(());
        };
        if job.status != Status::Rendering || progress < job.progress {
            return Ok(());
        }
        job.progress = progress.min(1.0);
        job.progress_message = message.to_string();
        self.write_locked(&mut job, EventKind::Progress)
    }

    /// Records how a job ended, forgets its secret, and makes both durable.
    pub async fn finish(&self, id: Uuid, outcome: Outcome) -> Result<Option<Job>, StoreError> {
        let job = {
            let _guard = self.lock();
            let Some(mut job) = self.get(id)? else {
                return Ok(None);
            };
            if job.status.is_terminal() {
                return Ok(Some(job));
            }
            if let Some(key) = job.queue_key.take() {
                if self.queue.remove(key.to_be_bytes())?.is_some() {
                    self.waiting.fetch_sub(1, Ordering::Relaxed);
                }
            }
            let now = Utc::now();
            job.completed_at = Some(now);
            job.duration_ms = Some(
                (now - job.started_at.unwrap_or(job.created_at))
                    .num_milliseconds()
                    .max(0) as u64,
            );
            match outcome {
                Outcome::Completed {
                    output_url,
                    thumbnail_url,
                    files,
                    timings,
                    warnings,
                } => {
                    job.status = Status::Completed;
                    job.progress = 1.0;
                    job.progress_message = "done".into();
                    job.output_url = Some(output_url);
                    job.thumbnail_url = thumbnail_url;
                    job.files = files;
                    job.timings = Some(timings);
                    job.warnings = warnings;
                }
                Outcome::Failed(failure) => {
                    job.status = Status::Failed;
                    job.progress_message = "failed".into();
                    job.error = Some(failure.message);
                    job.error_category = Some(failure.category);
                    job.error_details = failure.details;
                }
                Outcome::Cancelled => {
                    job.status = Status::Cancelled;
                    job.progress_message = "cancelled".into();
                    job.error = Some("the job was cancelled".into());
                    job.error_category = Some(super::model::ErrorCategory::Cancelled);
                }
            }
            self.secrets.remove(id.as_bytes())?;
            self.write_locked(&mut job, EventKind::Status)?;
            job
        };
        self.db.flush_async().await?;
        Ok(Some(job))
    }

    /// The per-request gateway key of a job that has not ended.
    pub fn secret(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        Ok(self
            .secrets
            .get(id.as_bytes())?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// At start-up: every job that was rendering when the process died goes back to the queue,
    /// in its original order. Returns how many.
    pub async fn requeue_in_progress(&self) -> Result<usize, StoreError> {
        let mut count = 0;
        {
            let _guard = self.lock();
            for entry in self.jobs.iter() {
                let (_, value) = entry?;
                let mut job: Job = serde_json::from_slice(&value)?;
                if job.status != Status::Rendering {
                    continue;
                }
                let key = self.db.generate_id()?;
                job.status = Status::Queued;
                job.queue_key = Some(key);
                job.progress = 0.0;
                job.progress_message = "queued again after a restart".into();
                self.write_locked(&mut job, EventKind::Status)?;
                self.queue.insert(key.to_be_bytes(), job.id.as_bytes())?;
                self.waiting.fetch_add(1, Ordering::Relaxed);
                count += 1;
            }
        }
        if count > 0 {
            self.db.flush_async().await?;
            info!(
                count,
                "jobs that were rendering at the last shutdown are queued again"
            );
        }
        Ok(count)
    }

    /// How many jobs wait in the queue.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    fn write_locked(&self, job: &mut Job, kind: EventKind) -> Result<(), StoreError> {
        job.seq += 1;
        job.last_event = kind;
        self.jobs
            .insert(job.id.as_bytes(), serde_json::to_vec(job)?)?;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic while holding the lock leaves no half-written record (each write is one
        // sled insert), so a poisoned lock is safe to keep using.
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }
}
