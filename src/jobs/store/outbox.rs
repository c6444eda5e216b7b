//! The webhook outbox: deliveries waiting for a 2xx, keyed by when they are due next.
//!
//! A delivery is written in the same sled transaction as the job's ending (see
//! `Store::write_locked`), so a crash can lose neither one without the other. It leaves the
//! outbox only when the receiver acknowledged it or the sender gave up.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use uuid::Uuid;

use super::{Store, StoreError};
use crate::jobs::model::{Job, Status};

/// An outbox key and value, written with the record of the ending that made it.
pub(super) type OutboxEntry = ([u8; 16], Vec<u8>);

/// One webhook POST still to be made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: u64,
    pub job_id: Uuid,
    pub tenant: String,
    pub url: String,
    /// `render.completed`, `render.failed` or `render.cancelled`.
    pub event: String,
    /// The job snapshot as it was when the job ended; every try sends these same bytes.
    pub body: String,
    /// Tries made so far.
    pub attempts: u32,
    /// Unix milliseconds when the next try is due.
    pub next_at_ms: u64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub last_error: Option<String>,
}

/// The `X-Varg-Event` of a job that ended with `status`.
pub fn event_name(status: Status) -> Option<&'static str> {
    match status {
        Status::Completed => Some("render.completed"),
        Status::Failed => Some("render.failed"),
        Status::Cancelled => Some("render.cancelled"),
        Status::Queued | Status::Rendering => None,
    }
}

/// Due time first, so the sender reads the outbox from the front and stops at the first
/// delivery that is not due yet.
fn outbox_key(next_at_ms: u64, id: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&next_at_ms.to_be_bytes());
    key[8..].copy_from_slice(&id.to_be_bytes());
    key
}

pub fn now_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0)
}

impl Store {
    /// The outbox entry for a job that has just ended, when it asked for a webhook.
    pub(super) fn delivery_entry(&self, job: &Job) -> Result<Option<OutboxEntry>, StoreError> {
        let (Some(url), Some(event)) = (&job.webhook_url, event_name(job.status)) else {
            return Ok(None);
        };
        let delivery = Delivery {
            id: self.db.generate_id()?,
            job_id: job.id,
            tenant: job.tenant.clone(),
            url: url.clone(),
            event: event.to_string(),
            body: serde_json::to_string(&job.view())?,
            attempts: 0,
            next_at_ms: now_ms(),
            created_at: Utc::now(),
            last_error: None,
        };
        Ok(Some((
            outbox_key(delivery.next_at_ms, delivery.id),
            serde_json::to_vec(&delivery)?,
        )))
    }

    /// Woken whenever a delivery is added (and by the sender itself when a try ends).
    pub fn outbox_notify(&self) -> &Notify {
        &self.outbox_wake
    }

    /// Up to `limit` deliveries due at `now_ms`, the most overdue first.
    pub fn due_deliveries(&self, now_ms: u64, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let mut due = Vec::new();
        for entry in self.outbox.range(..outbox_key(now_ms, u64::MAX)) {
            if due.len() == limit {
                break;
            }
            let (key, value) = entry?;
            match serde_json::from_slice(&value) {
                Ok(delivery) => due.push(delivery),
                // One unreadable entry must not stall every delivery behind it.
                Err(e) => {
                    tracing::error!(error = %e, "dropping an unreadable webhook delivery");
                    self.outbox.remove(key)?;
                }
            }
        }
        Ok(due)
    }

    /// When the earliest waiting delivery is due (unix ms).
    pub fn next_delivery_at(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.outbox.first()?.and_then(|(key, _)| {
            key.get(..8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
        }))
    }

    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// Removes a delivery that was acknowledged or given up on.
    pub async fn delivery_done(&self, delivery: &Delivery) -> Result<(), StoreError> {
        self.outbox
            .remove(outbox_key(delivery.next_at_ms, delivery.id))?;
        self.db.flush_async().await?;
        Ok(())
    }

    /// Records a failed try and moves the delivery to its next due time.
    pub async fn delivery_retry(
        &self,
        delivery: &Delivery,
        next_at_ms: u64,
        error: &str,
    ) -> Result<Delivery, StoreError> {
        let mut next = delivery.clone();
        next.attempts += 1;
        next.next_at_ms = next_at_ms;
        next.last_error = Some(error.to_string());
        let mut batch = sled::Batch::default();
        batch.remove(&outbox_key(delivery.next_at_ms, delivery.id));
        batch.insert(
            &outbox_key(next.next_at_ms, next.id),
            serde_json::to_vec(&next)?,
        );
        self.outbox.apply_batch(batch)?;
        self.db.flush_async().await?;
        Ok(next)
    }
}
