//! `Idempotency-Key` records: which job a tenant's key made, and a fingerprint of the request
//! that made it, kept for 24 hours (api.md §1).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{tenant_prefix, Store, StoreError};
use crate::jobs::model::Job;

/// How long a key is remembered.
pub const IDEMPOTENCY_TTL_HOURS: i64 = 24;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub job_id: Uuid,
    /// SHA-256 (hex) of the request, as the API computes it.
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
}

impl IdempotencyRecord {
    fn expired(&self, now: DateTime<Utc>) -> bool {
        now - self.created_at >= Duration::hours(IDEMPOTENCY_TTL_HOURS)
    }
}

/// What an insert under an idempotency key did.
#[derive(Debug)]
pub enum IdempotentInsert {
    /// A new job (the key was unused or had expired).
    Inserted(Job),
    /// The key is already in use: the job it made, with that request's fingerprint.
    Existing { job: Job, fingerprint: String },
}

fn record_key(tenant: &str, key: &str) -> Vec<u8> {
    let mut k = tenant_prefix(tenant);
    k.extend_from_slice(key.as_bytes());
    k
}

impl Store {
    /// The live record of `tenant`'s `key`, with its job; `None` when unused, expired or when
    /// its job is gone.
    pub fn idempotent_job(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<(IdempotencyRecord, Job)>, StoreError> {
        let Some(value) = self.idempotency.get(record_key(tenant, key))? else {
            return Ok(None);
        };
        let record: IdempotencyRecord = serde_json::from_slice(&value)?;
        if record.expired(Utc::now()) {
            return Ok(None);
        }
        Ok(self
            .get(record.job_id)?
            .filter(|job| job.tenant == tenant)
            .map(|job| (record, job)))
    }

    /// Stores a new job under `tenant`'s idempotency `key`, unless a live record holds the key
    /// already (a concurrent request with the same key got there first): checked and written
    /// under the store lock, so two requests never both make a job.
    pub async fn insert_idempotent(
        &self,
        job: Job,
        secret: Option<&str>,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotentInsert, StoreError> {
        let mut job = job;
        {
            let _guard = self.lock();
            if let Some((record, existing)) = self.idempotent_job(&job.tenant, key)? {
                return Ok(IdempotentInsert::Existing {
                    job: existing,
                    fingerprint: record.fingerprint,
                });
            }
            let record = IdempotencyRecord {
                job_id: job.id,
                fingerprint: fingerprint.to_string(),
                created_at: Utc::now(),
            };
            // The record first: a crash before the job lands leaves a record without a job,
            // which reads as unused.
            self.idempotency
                .insert(record_key(&job.tenant, key), serde_json::to_vec(&record)?)?;
            self.insert_locked(&mut job, secret)?;
        }
        self.db.flush_async().await?;
        Ok(IdempotentInsert::Inserted(job))
    }

    /// Drops records older than the TTL; returns how many.
    pub fn prune_idempotency(&self) -> Result<usize, StoreError> {
        let now = Utc::now();
        let mut pruned = 0;
        for entry in self.idempotency.iter() {
            let (key, value) = entry?;
            let expired = serde_json::from_slice::<IdempotencyRecord>(&value)
                .map_or(true, |r| r.expired(now));
            if expired {
                self.idempotency.remove(key)?;
                pruned += 1;
            }
        }
        Ok(pruned)
    }
}
