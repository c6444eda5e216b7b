//! The job store: sled trees for job records, the queue, the per-tenant listing index, the
//! webhook outbox and idempotency keys, plus the per-request gateway keys, which are held in
//! memory only. The only code that touches sled.

mod idempotency;
mod outbox;

pub use idempotency::{IdempotencyRecord, IdempotentInsert, IDEMPOTENCY_TTL_HOURS};
pub use outbox::{event_name, now_ms, Delivery};

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sled::transaction::{TransactionError, Transactional};
use sled::{Db, Tree};
use thiserror::Error;
use tokio::sync::Notify;
use tracing::{debug, info};
use uuid::Uuid;

use super::model::{EventKind, Job, Outcome, Status};

/// Bumped when the on-disk layout changes; `open` refuses a layout it does not know.
/// 2: queue entries carry the job's tenant after its id (a version-1 server would drop them).
/// Additive trees that `open` can rebuild from the records (like `by_tenant`) do not bump it:
/// an older server simply ignores them, and the next `open` repairs what it left unindexed.
const LAYOUT_VERSION: u32 = 2;
/// The oldest layout `open` reads (and upgrades in place: version-1 queue entries still work).
const OLDEST_LAYOUT: u32 = 1;

/// Every status, in the order of `Store::counts`.
pub const STATUSES: [Status; 5] = [
    Status::Queued,
    Status::Rendering,
    Status::Completed,
    Status::Failed,
    Status::Cancelled,
];

fn status_index(status: Status) -> usize {
    match status {
        Status::Queued => 0,
        Status::Rendering => 1,
        Status::Completed => 2,
        Status::Failed => 3,
        Status::Cancelled => 4,
    }
}

/// The position of a job in its tenant's listing: newest first, ties broken by id. Opaque to
/// clients (it is the cursor), fixed for the life of the job.
const POSITION_LEN: usize = 8 + 16;

/// One page of a tenant's jobs, newest first.
#[derive(Debug)]
pub struct JobPage {
    pub jobs: Vec<Job>,
    /// The position of the last job returned, when more jobs may follow.
    pub next: Option<[u8; POSITION_LEN]>,
}

/// What a cancel request found.
#[derive(Debug)]
pub enum CancelResult {
    /// The job was queued or rendering and is now `cancelled`.
    Cancelled(Job),
    /// The job had already ended; it is returned unchanged.
    AlreadyEnded(Job),
    Missing,
}

/// What a retry request found.
#[derive(Debug)]
pub enum RetryResult {
    /// The job was failed or cancelled and is queued again.
    Queued(Job),
    /// The job is queued, rendering or completed; it is returned unchanged.
    NotRetryable(Job),
    Missing,
}

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
    /// Per-request gateway keys of jobs that have not ended. Never written to disk: sled keeps
    /// removed bytes in its log until it reuses the segment, and api.md promises the key is not
    /// left in the store. The record's `request_key` says a key is missing after a restart.
    secrets: Mutex<HashMap<Uuid, String>>,
    /// `tenant length, tenant, position` → empty: each tenant's jobs, newest first.
    by_tenant: Tree,
    /// `due time, delivery id` → `Delivery`: webhooks not yet acknowledged.
    outbox: Tree,
    outbox_wake: Notify,
    /// `tenant length, tenant, key` → `IdempotencyRecord`.
    idempotency: Tree,
    write: Mutex<()>,
    /// Length of the queue tree, kept here because sled counts a tree by walking it.
    waiting: AtomicUsize,
    /// Jobs by status (indexed as `STATUSES`), counted at open and kept up to date by writes.
    counts: [AtomicU64; 5],
}

/// The fields `open` needs from each record; the rest (notably the code) is skipped.
#[derive(Deserialize)]
struct RecordHead {
    id: Uuid,
    tenant: String,
    status: Status,
    created_at: DateTime<Utc>,
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
                if !(OLDEST_LAYOUT..=LAYOUT_VERSION).contains(&found) {
                    return Err(StoreError::Layout {
                        path: path.display().to_string(),
                        found,
                    });
                }
                if found < LAYOUT_VERSION {
                    meta.insert("layout", &LAYOUT_VERSION.to_be_bytes())?;
                    info!(
                        from = found,
                        to = LAYOUT_VERSION,
                        "job store layout upgraded"
                    );
                }
            }
        }
        let queue = db.open_tree("queue")?;
        // Versions before 0.1 kept per-request keys in this tree; it must not outlive them.
        if db
            .tree_names()
            .iter()
            .any(|name| name.as_ref() == b"secrets")
        {
            db.drop_tree("secrets")?;
        }
        let store = Store {
            waiting: AtomicUsize::new(queue.len()),
            jobs: db.open_tree("jobs")?,
            queue,
            secrets: Mutex::new(HashMap::new()),
            by_tenant: db.open_tree("by_tenant")?,
            outbox: db.open_tree("outbox")?,
            outbox_wake: Notify::new(),
            idempotency: db.open_tree("idempotency")?,
            db,
            write: Mutex::new(()),
            counts: Default::default(),
        };
        store.index_and_count()?;
        Ok(store)
    }

    /// One pass over the records at open: counts them by status and indexes any record the
    /// listing index lacks (a store from before the index, or one an older server wrote to).
    fn index_and_count(&self) -> Result<(), StoreError> {
        let mut indexed = 0usize;
        for entry in self.jobs.iter() {
            let (_, value) = entry?;
            let head: RecordHead = serde_json::from_slice(&value)?;
            self.counts[status_index(head.status)].fetch_add(1, Ordering::Relaxed);
            let key = tenant_key(&head.tenant, head.created_at, head.id);
            if !self.by_tenant.contains_key(&key)? {
                self.by_tenant.insert(key, &[])?;
                indexed += 1;
            }
        }
        if indexed > 0 {
            self.db.flush()?;
            info!(indexed, "jobs added to the listing index");
        }
        Ok(())
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
            self.insert_locked(&mut job, secret)?;
        }
        self.db.flush_async().await?;
        debug!(job_id = %job.id, "job stored");
        Ok(job)
    }

    fn insert_locked(&self, job: &mut Job, secret: Option<&str>) -> Result<(), StoreError> {
        let key = self.db.generate_id()?;
        job.queue_key = Some(key);
        job.request_key = secret.is_some();
        self.keep_secret(job.id, secret);
        self.jobs
            .insert(job.id.as_bytes(), serde_json::to_vec(&job)?)?;
        self.by_tenant
            .insert(tenant_key(&job.tenant, job.created_at, job.id), &[])?;
        self.queue.insert(key.to_be_bytes(), queue_entry(job))?;
        self.waiting.fetch_add(1, Ordering::Relaxed);
        self.count(None, job.status);
        Ok(())
    }

    /// Takes the oldest queued job whose tenant `admit` lets start, and marks it rendering.
    /// Jobs of tenants `admit` refuses keep their place, so they go first once admitted.
    pub async fn claim_next(
        &self,
        mut admit: impl FnMut(&str) -> bool,
    ) -> Result<Option<Job>, StoreError> {
        let claimed = {
            let _guard = self.lock();
            let mut claimed = None;
            while let Some((key, id)) = self.next_admitted(&mut admit)? {
                self.queue.remove(&key)?;
                self.waiting.fetch_sub(1, Ordering::Relaxed);
                debug!(?key, %id, "queue take");
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

    /// The first queue entry `admit` accepts. A walk over the waiting jobs of refused tenants:
    /// cheap (the tenant is in the entry, no record is read), and the queue is short unless
    /// one tenant floods it, which its rate limit bounds.
    fn next_admitted(
        &self,
        admit: &mut impl FnMut(&str) -> bool,
    ) -> Result<Option<(sled::IVec, Uuid)>, StoreError> {
        let mut refused: Vec<String> = Vec::new();
        for entry in self.queue.iter() {
            let (key, value) = entry?;
            let Some(id) = value.get(..16).and_then(|b| Uuid::from_slice(b).ok()) else {
                // Not an entry this server wrote: drop it rather than trip on it forever.
                if self.queue.remove(&key)?.is_some() {
                    self.waiting.fetch_sub(1, Ordering::Relaxed);
                }
                continue;
            };
            let tenant = match value.get(16..) {
                Some(t) if !t.is_empty() => String::from_utf8_lossy(t).into_owned(),
                // Entries written before the tenant was kept in them.
                _ => match self.get(id)? {
                    Some(job) => job.tenant,
                    None => return Ok(Some((key, id))),
                },
            };
            if refused.contains(&tenant) {
                continue;
            }
            if admit(&tenant) {
                return Ok(Some((key, id)));
            }
            refused.push(tenant);
        }
        Ok(None)
    }

    /// Takes one specific queued job (the submit path, when a worker is free at once), if
    /// `admit` lets its tenant start.
    pub async fn claim(
        &self,
        id: Uuid,
        admit: impl FnOnce(&str) -> bool,
    ) -> Result<Option<Job>, StoreError> {
        let claimed = {
            let _guard = self.lock();
            let Some(job) = self.get(id)? else {
                return Ok(None);
            };
            match job.queue_key {
                Some(key) if job.status == Status::Queued && admit(&job.tenant) => {
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
        self.write_locked(&mut job, EventKind::Status, Status::Queued)?;
        Ok(Some(job))
    }

    /// Moves a rendering job's progress forward (never back). Not flushed: a lost progress
    /// write costs nothing, the job re-runs after a crash anyway.
    pub fn progress(
        &self,
        id: Uuid,
        attempt: u32,
        progress: f64,
        message: &str,
    ) -> Result<(), StoreError> {
        let _guard = self.lock();
        let Some(mut job) = self.get(id)? else {
            return Ok(());
        };
        // A cancelled attempt still winding down must not move a retry's progress.
        if job.status != Status::Rendering || job.attempts != attempt || progress < job.progress {
            return Ok(());
        }
        job.progress = progress.min(1.0);
        job.progress_message = message.to_string();
        self.write_locked(&mut job, EventKind::Progress, Status::Rendering)
    }

    /// Records how a job ended, forgets its secret, and makes both durable. A job that has
    /// already ended keeps its first ending (a worker finishing after a cancel changes nothing).
    pub async fn finish(&self, id: Uuid, outcome: Outcome) -> Result<Option<Job>, StoreError> {
        let ended = {
            let _guard = self.lock();
            self.finish_locked(id, outcome)?
        };
        match ended {
            Ended::Now(job) => {
                self.db.flush_async().await?;
                Ok(Some(job))
            }
            Ended::Before(job) => Ok(Some(job)),
            Ended::Missing => Ok(None),
        }
    }

    /// A worker's ending of the attempt it ran. Recorded only while that attempt is still the
    /// job's current one and rendering: a render winding down after a cancel (and perhaps a
    /// retry that queued the job again) must not overwrite what has happened since.
    pub async fn finish_attempt(
        &self,
        id: Uuid,
        attempt: u32,
        outcome: Outcome,
    ) -> Result<Option<Job>, StoreError> {
        let ended = {
            let _guard = self.lock();
            match self.get(id)? {
                Some(job) if job.status == Status::Rendering && job.attempts == attempt => {
                    self.finish_locked(id, outcome)?
                }
                Some(job) => Ended::Before(job),
                None => Ended::Missing,
            }
        };
        match ended {
            Ended::Now(job) => {
                self.db.flush_async().await?;
                Ok(Some(job))
            }
            Ended::Before(job) => Ok(Some(job)),
            Ended::Missing => Ok(None),
        }
    }

    /// Cancels a queued or rendering job: a queued one leaves the queue, and the record says
    /// `cancelled` at once. Stopping the render itself is the pool's part (`Pool::cancel`).
    pub async fn cancel(&self, id: Uuid) -> Result<CancelResult, StoreError> {
        let ended = {
            let _guard = self.lock();
            self.finish_locked(id, Outcome::Cancelled)?
        };
        Ok(match ended {
            Ended::Now(job) => {
                self.db.flush_async().await?;
                CancelResult::Cancelled(job)
            }
            Ended::Before(job) => CancelResult::AlreadyEnded(job),
            Ended::Missing => CancelResult::Missing,
        })
    }

    fn finish_locked(&self, id: Uuid, outcome: Outcome) -> Result<Ended, StoreError> {
        let Some(mut job) = self.get(id)? else {
            return Ok(Ended::Missing);
        };
        if job.status.is_terminal() {
            return Ok(Ended::Before(job));
        }
        let before = job.status;
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
        self.keep_secret(id, None);
        let delivery = self.delivery_entry(&job)?;
        let webhook = delivery.is_some();
        self.write_locked_with(&mut job, EventKind::Status, before, delivery)?;
        crate::metrics::job_ended(job.status);
        if webhook {
            self.outbox_wake.notify_one();
        }
        Ok(Ended::Now(job))
    }

    /// The per-request gateway key of a job that has not ended, unless the process that was
    /// given it has since stopped.
    pub fn secret(&self, id: Uuid) -> Option<String> {
        self.secrets_map().get(&id).cloned()
    }

    /// Holds `secret` for job `id`, or forgets the job's key when `None`.
    fn keep_secret(&self, id: Uuid, secret: Option<&str>) {
        let mut secrets = self.secrets_map();
        match secret {
            Some(secret) => secrets.insert(id, secret.to_string()),
            None => secrets.remove(&id),
        };
    }

    fn secrets_map(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, String>> {
        // A panic elsewhere while holding the lock leaves the map itself consistent.
        self.secrets.lock().unwrap_or_else(|e| e.into_inner())
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
                self.write_locked(&mut job, EventKind::Status, Status::Rendering)?;
                self.queue.insert(key.to_be_bytes(), queue_entry(&job))?;
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

    /// Puts a failed or cancelled job back in the queue as a new attempt; `secret` is the
    /// gateway key for it (the last attempt's was forgotten when it ended). Any other status
    /// comes back unchanged as `NotRetryable`.
    pub async fn retry(&self, id: Uuid, secret: Option<&str>) -> Result<RetryResult, StoreError> {
        let queued = {
            let _guard = self.lock();
            let Some(mut job) = self.get(id)? else {
                return Ok(RetryResult::Missing);
            };
            if !matches!(job.status, Status::Failed | Status::Cancelled) {
                return Ok(RetryResult::NotRetryable(job));
            }
            let before = job.status;
            let key = self.db.generate_id()?;
            job.status = Status::Queued;
            job.queue_key = Some(key);
            job.progress = 0.0;
            job.progress_message = "queued again (retry)".into();
            job.started_at = None;
            job.completed_at = None;
            job.duration_ms = None;
            job.error = None;
            job.error_category = None;
            job.error_details = None;
            job.output_url = None;
            job.thumbnail_url = None;
            job.files.clear();
            job.timings = None;
            job.warnings.clear();
            job.request_key = secret.is_some();
            self.keep_secret(job.id, secret);
            self.write_locked(&mut job, EventKind::Status, before)?;
            self.queue.insert(key.to_be_bytes(), queue_entry(&job))?;
            self.waiting.fetch_add(1, Ordering::Relaxed);
            job
        };
        self.db.flush_async().await?;
        info!(job_id = %queued.id, "job queued again for a retry");
        Ok(RetryResult::Queued(queued))
    }

    /// How many jobs wait in the queue.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// How many jobs the store holds in each status, in the order of `STATUSES`.
    pub fn counts(&self) -> [(Status, u64); 5] {
        STATUSES.map(|status| {
            let n = self.counts[status_index(status)].load(Ordering::Relaxed);
            (status, n)
        })
    }

    /// A page of `tenant`'s jobs, newest first, starting after the position `after` (from an
    /// earlier page's `next`), keeping only the given statuses (all when empty).
    pub fn list(
        &self,
        tenant: &str,
        statuses: &[Status],
        after: Option<&[u8; POSITION_LEN]>,
        limit: usize,
    ) -> Result<JobPage, StoreError> {
        let prefix = tenant_prefix(tenant);
        let start = match after {
            Some(position) => {
                let mut key = prefix.clone();
                key.extend_from_slice(position);
                Bound::Excluded(key)
            }
            None => Bound::Included(prefix.clone()),
        };
        let mut jobs = Vec::new();
        let mut more = false;
        for entry in self.by_tenant.range((start, Bound::Unbounded)) {
            let (key, _) = entry?;
            if !key.starts_with(&prefix) {
                break;
            }
            let Some(id) = key
                .get(key.len() - 16..)
                .and_then(|b| Uuid::from_slice(b).ok())
            else {
                continue;
            };
            let Some(job) = self.get(id)? else {
                continue;
            };
            if job.tenant != tenant || !(statuses.is_empty() || statuses.contains(&job.status)) {
                continue;
            }
            if jobs.len() == limit {
                more = true;
                break;
            }
            jobs.push(job);
        }
        let next = match jobs.last() {
            Some(last) if more => Some(position(last.created_at, last.id)),
            _ => None,
        };
        Ok(JobPage { jobs, next })
    }

    fn write_locked(
        &self,
        job: &mut Job,
        kind: EventKind,
        before: Status,
    ) -> Result<(), StoreError> {
        self.write_locked_with(job, kind, before, None)
    }

    /// Writes the record, and with it, in one transaction, an outbox entry.
    fn write_locked_with(
        &self,
        job: &mut Job,
        kind: EventKind,
        before: Status,
        outbox_entry: Option<outbox::OutboxEntry>,
    ) -> Result<(), StoreError> {
        job.seq += 1;
        job.last_event = kind;
        let record = serde_json::to_vec(job)?;
        match outbox_entry {
            None => {
                self.jobs.insert(job.id.as_bytes(), record)?;
            }
            Some((key, delivery)) => {
                (&self.jobs, &self.outbox)
                    .transaction(|(jobs, outbox)| {
                        jobs.insert(&job.id.as_bytes()[..], record.as_slice())?;
                        outbox.insert(&key[..], delivery.as_slice())?;
                        Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
                    })
                    .map_err(|e| match e {
                        TransactionError::Storage(e) => StoreError::Sled(e),
                        // The closure never aborts.
                        TransactionError::Abort(()) => StoreError::Sled(sled::Error::Unsupported(
                            "the outbox transaction aborted".into(),
                        )),
                    })?;
            }
        }
        self.count(Some(before), job.status);
        Ok(())
    }

    fn count(&self, before: Option<Status>, after: Status) {
        if before == Some(after) {
            return;
        }
        if let Some(before) = before {
            self.counts[status_index(before)].fetch_sub(1, Ordering::Relaxed);
        }
        self.counts[status_index(after)].fetch_add(1, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic while holding the lock leaves no half-written record (each write is one
        // sled insert), so a poisoned lock is safe to keep using.
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What `finish_locked` did.
enum Ended {
    Now(Job),
    Before(Job),
    Missing,
}

/// A queue entry's value: the job id, then its tenant (so the dispatcher can pass over a tenant
/// at its limit without reading records).
fn queue_entry(job: &Job) -> Vec<u8> {
    let mut value = job.id.as_bytes().to_vec();
    value.extend_from_slice(job.tenant.as_bytes());
    value
}

/// The listing key's tenant part; length-prefixed so no tenant's keys run into another's.
fn tenant_prefix(tenant: &str) -> Vec<u8> {
    let bytes = tenant.as_bytes();
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    let mut key = Vec::with_capacity(2 + bytes.len() + POSITION_LEN);
    key.extend_from_slice(&len.to_be_bytes());
    key.extend_from_slice(&bytes[..usize::from(len)]);
    key
}

fn tenant_key(tenant: &str, created_at: DateTime<Utc>, id: Uuid) -> Vec<u8> {
    let mut key = tenant_prefix(tenant);
    key.extend_from_slice(&position(created_at, id));
    key
}

/// Newest first: the creation time counts down, so sled's ascending order is newest first.
fn position(created_at: DateTime<Utc>, id: Uuid) -> [u8; POSITION_LEN] {
    let micros = u64::try_from(created_at.timestamp_micros()).unwrap_or(0);
    let mut key = [0u8; POSITION_LEN];
    key[..8].copy_from_slice(&(u64::MAX - micros).to_be_bytes());
    key[8..].copy_from_slice(id.as_bytes());
    key
}

/// Turns a cursor a client sent back into a position; `None` when it is not one of ours.
pub fn parse_cursor(cursor: &str) -> Option<[u8; POSITION_LEN]> {
    hex::decode(cursor).ok()?.try_into().ok()
}

pub fn cursor(position: &[u8; POSITION_LEN]) -> String {
    hex::encode(position)
}

#[cfg(test)]
mod tests;
