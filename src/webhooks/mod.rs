//! Webhook delivery (api.md "Webhooks"): a background task POSTs each job snapshot from the
//! store's outbox to the job's `webhookUrl`, signed with the tenant's secret, until the
//! receiver answers 2xx or the tries run out. Deliveries live in the store, so they survive a
//! restart; a delivery in flight when the process dies is sent again (at least once: receivers
//! deduplicate on `X-Varg-Delivery`).
//!
//! Requests go through the same guarded client and URL check as `src` downloads, so a webhook
//! can reach only what they can.

mod sign;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use reqwest::Url;
use tokio::sync::Semaphore;
use tracing::{error, info, warn};

use crate::assets::outbound::{refusal, OutboundPolicy};
use crate::jobs::{now_ms, Delivery, Store};

pub use sign::{retry_delay, signature, MAX_TRIES};

/// One try may take this long before it counts as failed.
const TRY_TIMEOUT: Duration = Duration::from_secs(10);
/// Tries in flight at once, so one slow receiver does not hold up everyone else's.
const PARALLEL: usize = 8;
/// The sender looks at the outbox at least this often, whatever wakes it.
const IDLE_WAIT: Duration = Duration::from_secs(60);

pub struct WebhookSettings {
    /// The guarded client `outbound::client` built (the one `src` downloads use).
    pub http: reqwest::Client,
    pub policy: OutboundPolicy,
    /// Each tenant's signing secret; a tenant without one gets unsigned deliveries.
    pub secrets: HashMap<String, String>,
    pub retry_base: Duration,
}

struct Sender {
    store: Arc<Store>,
    settings: WebhookSettings,
    in_flight: Mutex<HashSet<u64>>,
    slots: Arc<Semaphore>,
}

/// How one try went.
enum Try {
    Delivered(u16),
    /// Worth another try later.
    Failed(String),
    /// Never deliverable (the outbound rules refuse the URL): dropped at once.
    Refused(String),
}

/// Starts the sender; it runs for the life of the process.
pub fn start(store: Arc<Store>, settings: WebhookSettings) -> tokio::task::JoinHandle<()> {
    let sender = Arc::new(Sender {
        store,
        settings,
        in_flight: Mutex::new(HashSet::new()),
        slots: Arc::new(Semaphore::new(PARALLEL)),
    });
    tokio::spawn(sender.run())
}

impl Sender {
    async fn run(self: Arc<Self>) {
        let pending = self.store.outbox_len();
        if pending > 0 {
            info!(pending, "webhook deliveries waiting from before the start");
        }
        loop {
            let wait = match self.start_due() {
                Ok(wait) => wait,
                Err(e) => {
                    error!(error = %e, "cannot read the webhook outbox");
                    Duration::from_secs(1)
                }
            };
            // A job ending or a try finishing wakes the sender early (`notify_one` keeps the
            // wake-up if it comes while the outbox is being read).
            tokio::select! {
                _ = self.store.outbox_notify().notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Starts a try for every due delivery not already in flight, while slots last; returns
    /// how long to sleep before the next look.
    fn start_due(self: &Arc<Self>) -> Result<Duration, crate::jobs::StoreError> {
        let now = now_ms();
        for delivery in self.store.due_deliveries(now, PARALLEL * 4)? {
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                // Every slot is busy; a finishing try wakes the loop.
                return Ok(IDLE_WAIT);
            };
            if !self.lock_in_flight().insert(delivery.id) {
                continue;
            }
            let sender = self.clone();
            tokio::spawn(async move {
                sender.attempt(&delivery).await;
                sender.lock_in_flight().remove(&delivery.id);
                drop(permit);
                sender.store.outbox_notify().notify_one();
            });
        }
        Ok(match self.store.next_delivery_at()? {
            Some(at) if at > now => Duration::from_millis(at - now).min(IDLE_WAIT),
            // Only deliveries in flight are due: their ends wake the loop.
            Some(_) | None => IDLE_WAIT,
        })
    }

    fn lock_in_flight(&self) -> std::sync::MutexGuard<'_, HashSet<u64>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One try, and what the outbox keeps afterwards.
    async fn attempt(&self, delivery: &Delivery) {
        let tries = delivery.attempts + 1;
        let host = Url::parse(&delivery.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let outcome = self.send(delivery).await;
        let result = match outcome {
            Try::Delivered(status) => {
                info!(job_id = %delivery.job_id, delivery = delivery.id, event = %delivery.event,
                      host, status, tries, "webhook delivered");
                self.store.delivery_done(delivery).await
            }
            Try::Refused(reason) => {
                warn!(job_id = %delivery.job_id, delivery = delivery.id, reason,
                      "webhook refused by the outbound rules; it will not be sent");
                self.store.delivery_done(delivery).await
            }
            Try::Failed(reason) => {
                let jitter = f64::from(uuid::Uuid::new_v4().as_bytes()[0]) / 255.0;
                match retry_delay(self.settings.retry_base, tries, jitter) {
                    Some(wait) => {
                        warn!(job_id = %delivery.job_id, delivery = delivery.id, host, tries,
                              reason, retry_in_ms = wait.as_millis() as u64,
                              "webhook delivery failed; it will be tried again");
                        let next = now_ms().saturating_add(wait.as_millis() as u64);
                        self.store
                            .delivery_retry(delivery, next, &reason)
                            .await
                            .map(drop)
                    }
                    None => {
                        warn!(job_id = %delivery.job_id, delivery = delivery.id, host, tries,
                              reason, "webhook delivery failed for the last time; giving up");
                        self.store.delivery_done(delivery).await
                    }
                }
            }
        };
        if let Err(e) = result {
            error!(job_id = %delivery.job_id, error = %e, "cannot update the webhook outbox");
        }
    }

    async fn send(&self, delivery: &Delivery) -> Try {
        let url = match Url::parse(&delivery.url) {
            Ok(url) => url,
            Err(_) => return Try::Refused("the webhook URL is not a valid URL".into()),
        };
        if let Err(e) = self.settings.policy.check_url(&url) {
            return Try::Refused(e.to_string());
        }
        let timestamp = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        let mut request = self
            .settings
            .http
            .post(url)
            .timeout(TRY_TIMEOUT)
            .header(CONTENT_TYPE, "application/json")
            .header("X-Varg-Event", &delivery.event)
            .header("X-Varg-Timestamp", timestamp.to_string())
            .header("X-Varg-Delivery", delivery.id.to_string());
        if let Some(secret) = self.settings.secrets.get(&delivery.tenant) {
            request = request.header(
                "X-Varg-Signature",
                signature(secret, timestamp, delivery.body.as_bytes()),
            );
        }
        match request.body(delivery.body.clone()).send().await {
            Ok(response) if response.status().is_success() => {
                Try::Delivered(response.status().as_u16())
            }
            Ok(response) => {
                Try::Failed(format!("the receiver answered HTTP {}", response.status()))
            }
            Err(e) => match refusal(&e, &delivery.url) {
                Some(refused) => Try::Refused(refused.to_string()),
                None => Try::Failed(reason(e)),
            },
        }
    }
}

/// A failed request's innermost cause, without the URL (which may carry a token).
fn reason(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", TRY_TIMEOUT.as_secs());
    }
    let e = e.without_url();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
    }
    reason
}
