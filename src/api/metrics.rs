//! `GET /metrics`: Prometheus text format.

use actix_web::{get, web, HttpResponse};

use super::AppState;
use crate::metrics::{encode, Snapshot, CONTENT_TYPE};

/// Jobs by status, queue depth, workers, render and encode seconds, frames, asset cache hits
/// and misses, HTTP requests by route and status. Unauthenticated, like `/healthz`: it holds
/// counts only, never ids, keys or prompts.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus text format (version 0.0.4)", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let snapshot = Snapshot {
        jobs: state.store.counts(),
        queue_depth: state.store.waiting(),
        workers: state.pool.size(),
        workers_busy: state.pool.active(),
    };
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(encode(&snapshot))
}
