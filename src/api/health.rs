//! Liveness, readiness and the page.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde_json::json;

use super::AppState;

/// Liveness: the process answers HTTP.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The server is up", example = json!({"status": "ok"})))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the job store answers, the output store takes a write and the dispatcher that
/// hands jobs to the workers is running.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to take jobs", example = json!({"status": "ready", "store": true, "storage": true, "workers_alive": true, "workers": 2, "workers_busy": 0})),
        (status = 503, description = "Not ready: the body says which part is not"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let store_ok = state.store.get(uuid::Uuid::nil()).is_ok();
    let storage_ok = state.storage.check_writable().await.is_ok();
    let workers_ok = state.pool.alive();
    let ready = store_ok && storage_ok && workers_ok;
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "store": store_ok,
        "storage": storage_ok,
        "workers_alive": workers_ok,
        "workers": state.pool.size(),
        "workers_busy": state.pool.active(),
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// The web playground.
#[utoipa::path(
    tag = "playground",
    responses((status = 200, description = "The playground page", content_type = "text/html"))
)]
#[get("/")]
pub async fn index(req: HttpRequest) -> HttpResponse {
    super::playground::index_page(&req)
}
