//! `GET /api/render/jobs/{id}/stream`: Server-Sent Events (api.md §3).
//!
//! Subscribe first, then read the current state, then forward only changes with a higher
//! sequence number: nothing is missed between the read and the watch, nothing is sent twice.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{get, web, HttpRequest, Responder};
use actix_web_lab::sse::{self, Sse};
use futures_util::stream;
use tokio::sync::broadcast::{self, error::RecvError};

use super::auth::Tenant;
use super::error::ApiError;
use super::render::find_job;
use super::AppState;
use crate::jobs::{EventKind, Job, JobView, Store};

/// Server-Sent Events: the current state, then every change until the job ends.
#[utoipa::path(
    tag = "render",
    params(
        ("id" = String, Path, description = "The job id"),
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id"),
    ),
    responses(
        (status = 200, description = "`event: status` / `event: progress`, each with the job as `data`; closes after the terminal event", content_type = "text/event-stream", body = JobView),
        (status = 401, description = "No valid service key", body = super::error::ErrorBody),
        (status = 404, description = "No such job for this tenant", body = super::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/api/render/jobs/{id}/stream")]
pub async fn stream_job(
    tenant: Tenant,
    id: web::Path<String>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<impl Responder, ApiError> {
    // Authorise with a first read, subscribe, then read again: the second read is the one
    // the sequence numbers are compared against.
    let job = find_job(&state, &tenant, &id)?;
    let rx = state.hub.subscribe(job.id);
    let current = state
        .store
        .get(job.id)
        .map_err(|e| ApiError::internal("cannot read the job", e))?
        .unwrap_or(job);
    let last_event_id = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());

    // The current state goes first, unless a reconnecting client has seen it already; a
    // terminal state is always sent, so a late client still learns how the job ended.
    let first = match last_event_id {
        Some(seen) if seen >= current.seq && !current.status.is_terminal() => None,
        _ => Some(Arc::new(current.clone())),
    };
    let watch = Watch {
        id: current.id,
        store: state.store.clone(),
        rx: Some(rx),
        first,
        last_seq: last_event_id.unwrap_or(0),
        done: false,
        keepalive: state.sse_keepalive,
    };
    let events = stream::unfold(watch, |mut watch| async move {
        let event = watch.next_event().await?;
        Some((event, watch))
    });
    Ok(Sse::from_infallible_stream(events)
        .customize()
        .insert_header(("X-Accel-Buffering", "no")))
}

/// How often a watch without live events re-reads the store.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

struct Watch {
    id: uuid::Uuid,
    store: Arc<Store>,
    /// `None` once the channel closed; the watch then polls the store instead.
    rx: Option<broadcast::Receiver<Arc<Job>>>,
    first: Option<Arc<Job>>,
    last_seq: u64,
    done: bool,
    keepalive: Duration,
}

impl Watch {
    async fn next_event(&mut self) -> Option<sse::Event> {
        if self.done {
            return None;
        }
        if let Some(job) = self.first.take() {
            return Some(self.emit(&job, EventKind::Status));
        }
        loop {
            let job = match self.rx.as_mut() {
                Some(rx) => match tokio::time::timeout(self.keepalive, rx.recv()).await {
                    Err(_) => return Some(sse::Event::Comment("keepalive".into())),
                    Ok(Ok(job)) => job,
                    // Fell behind: the store has the truth, read it.
                    Ok(Err(RecvError::Lagged(_))) => self.read()?,
                    Ok(Err(RecvError::Closed)) => {
                        self.rx = None;
                        continue;
                    }
                },
                None => {
                    tokio::time::sleep(POLL_INTERVAL).await;
                    self.read()?
                }
            };
            if job.seq <= self.last_seq {
                continue;
            }
            return Some(self.emit(&job, job.last_event));
        }
    }

    fn read(&self) -> Option<Arc<Job>> {
        self.store.get(self.id).ok().flatten().map(Arc::new)
    }

    fn emit(&mut self, job: &Job, kind: EventKind) -> sse::Event {
        self.last_seq = self.last_seq.max(job.seq);
        self.done = job.status.is_terminal();
        let name = match (kind, self.done) {
            (_, true) | (EventKind::Status, _) => "status",
            (EventKind::Progress, false) => "progress",
        };
        let data = sse::Data::new_json(job.view()).unwrap_or_else(|_| {
            sse::Data::new(format!(
                "{{\"job_id\":\"{}\",\"status\":\"failed\"}}",
                job.id
            ))
        });
        sse::Event::Data(data.event(name).id(job.seq.to_string()))
    }
}
