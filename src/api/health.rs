//! Liveness and the page.

use actix_web::{get, web, HttpResponse};
use serde_json::json;

use super::AppState;

#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the job store answers and the output store takes a write.
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let store_ok = state.store.get(uuid::Uuid::nil()).is_ok();
    let storage_ok = state.storage.check_writable().await.is_ok();
    let body = json!({
        "status": if store_ok && storage_ok { "ready" } else { "unavailable" },
        "store": store_ok,
        "storage": storage_ok,
        "workers": state.pool.size(),
    });
    if store_ok && storage_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

#[get("/")]
pub async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("../../static/index.html"))
}
