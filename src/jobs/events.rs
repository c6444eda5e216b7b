//! Fan-out of job changes to any number of watchers (SSE streams, tests).
//!
//! sled's subscriber blocks every writer once it falls 1024 events behind, and dropping a
//! stalled one deadlocks, so exactly one thread drains it and never blocks: it hands each
//! change to per-job `broadcast` channels, whose slow receivers just lag (and re-read).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use tracing::warn;
use uuid::Uuid;

use super::model::Job;
use super::store::Store;

/// Per-job channels; a watcher subscribes here **before** reading the job's current state.
pub struct Hub {
    channels: Mutex<HashMap<Uuid, broadcast::Sender<Arc<Job>>>>,
}

/// Events a watcher may fall behind before it is told it lagged.
const CHANNEL_CAPACITY: usize = 64;

impl Hub {
    /// Starts the one draining thread for `store`'s job tree.
    pub fn start(store: &Store) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            channels: Mutex::new(HashMap::new()),
        });
        let subscriber = store.jobs_tree().watch_prefix(Vec::new());
        let weak = Arc::downgrade(&hub);
        let spawned = std::thread::Builder::new()
            .name("job-events".into())
            .spawn(move || {
                for event in subscriber {
                    let sled::Event::Insert { value, .. } = event else {
                        continue;
                    };
                    let Some(hub) = weak.upgrade() else {
                        break;
                    };
                    match serde_json::from_slice::<Job>(&value) {
                        Ok(job) => hub.publish(Arc::new(job)),
                        Err(e) => warn!(error = %e, "unreadable job record in the event stream"),
                    }
                }
            });
        if let Err(e) = spawned {
            // Without the thread, streams still get the current state and poll answers stay
            // right; only live updates stop. Say so loudly rather than refuse to start.
            warn!(error = %e, "cannot start the job event thread: streams will not update");
        }
        hub
    }

    fn publish(&self, job: Arc<Job>) {
        let mut channels = self.lock();
        if let Some(sender) = channels.get(&job.id) {
            if sender.send(job.clone()).is_err() {
                channels.remove(&job.id);
            }
        }
    }

    /// A receiver of every later change to job `id`.
    pub fn subscribe(&self, id: Uuid) -> broadcast::Receiver<Arc<Job>> {
        let mut channels = self.lock();
        // Drop channels whose watchers all left, so jobs that never change again do not pile up.
        channels.retain(|_, sender| sender.receiver_count() > 0);
        channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, broadcast::Sender<Arc<Job>>>> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }
}
