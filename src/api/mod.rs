//! The HTTP surface: routes, auth, the error envelope, SSE and file serving. Knows HTTP and
//! nothing about pixels.

mod auth;
mod error;
mod files;
mod health;
mod jobs_admin;
mod limits;
mod metrics;
mod observe;
mod openapi;
mod playground;
mod render;
mod retry;
mod stream;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};

pub use auth::Tenants;
pub use error::ApiError;
pub use limits::RateLimiter;
pub use openapi::ApiDoc;

use crate::jobs::{Hub, Pool, Store};
use crate::storage::Storage;

/// Shared by every request handler.
pub struct AppState {
    pub store: Arc<Store>,
    pub hub: Arc<Hub>,
    pub pool: Arc<Pool>,
    pub storage: Storage,
    pub tenants: Tenants,
    /// Submissions per tenant per minute (api.md "Limits").
    pub rate_limiter: RateLimiter,
    pub has_gateway_key: bool,
    pub max_body_bytes: usize,
    pub sse_keepalive: Duration,
    /// A running average of recent render times, for `estimated_duration_ms`.
    pub estimate: Arc<AtomicU64>,
}

impl AppState {
    pub fn estimate_ms(&self) -> u64 {
        self.estimate.load(Ordering::Relaxed)
    }
}

/// Every route. Each one also belongs in `openapi::ApiDoc` (a test compares the two).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(render::submit)
        .service(render::poll)
        .service(stream::stream_job)
        .service(jobs_admin::list_jobs)
        .service(jobs_admin::cancel_job)
        .service(jobs_admin::delete_job)
        .service(retry::retry_job)
        .service(files::file)
        .service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics)
        .service(openapi::openapi_json)
        .service(playground::static_file)
        .service(health::index);
}

/// The answer for paths no route matches; its message tells "no such route" apart from
/// "no such job" (tests rely on that).
pub const NO_ROUTE_MESSAGE: &str = "there is nothing at this path";

/// Runs the HTTP server until it is stopped.
pub async fn run_http(state: AppState, bind: std::net::SocketAddr) -> std::io::Result<()> {
    let state = web::Data::new(state);
    HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(actix_web::middleware::from_fn(observe::observe))
            .configure(routes)
            .default_service(web::to(|| async {
                HttpResponse::NotFound().json(serde_json::json!({
                    "error": { "code": "not_found", "message": NO_ROUTE_MESSAGE }
                }))
            }))
    })
    .bind(bind)?
    .run()
    .await
}
