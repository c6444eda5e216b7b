//! `POST /api/render/jobs/{id}/retry`: a failed or cancelled job runs again as a new attempt.
//! Every asset the earlier attempts made is in the cache, so only what was missing is made.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tracing::info;
use utoipa::ToSchema;

use super::auth::Tenant;
use super::error::{ApiError, ErrorBody};
use super::render::{
    check_content_type, find_job, read_body, request_key, QueueInfo, SubmitAccepted,
};
use super::AppState;
use crate::jobs::RetryResult;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryRequest {
    /// The gateway key for this attempt (the first attempt's key is not kept past its end).
    gateway_api_key: Option<String>,
}

/// Runs a failed or cancelled job again, reusing every asset already made.
#[utoipa::path(
    tag = "jobs",
    params(("id" = String, Path, description = "The job id")),
    request_body(content = Option<RetryRequest>, description = "Optional: a gateway key for this attempt"),
    responses(
        (status = 202, description = "Queued again: follow the job as before", body = SubmitAccepted),
        (status = 400, description = "The body is not JSON (`invalid_json`)", body = ErrorBody),
        (status = 401, description = "No valid service key", body = ErrorBody),
        (status = 404, description = "No such job for this tenant", body = ErrorBody),
        (status = 409, description = "The job is queued, rendering or completed", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/api/render/jobs/{id}/retry")]
pub async fn retry_job(
    tenant: Tenant,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    check_content_type(&req)?;
    let body = read_body(payload, state.max_body_bytes).await?;
    let request: RetryRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RetryRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not valid JSON: {e}"),
            )
        })?
    };
    let job = find_job(&state, &tenant, &id)?;
    // An attempt still winding down after a cancel cannot touch this one: the store and the
    // pool record endings and progress per attempt.
    let secret = request_key(request.gateway_api_key.as_deref());
    let job = match state
        .store
        .retry(job.id, secret)
        .await
        .map_err(|e| ApiError::internal("cannot queue the job again", e))?
    {
        RetryResult::Queued(job) => job,
        RetryResult::NotRetryable(job) => {
            return Err(ApiError::conflict(format!(
                "job {} is {}; only failed or cancelled jobs can be retried",
                job.id,
                job.status.as_str()
            ))
            .with_details(serde_json::json!({ "status": job.status })))
        }
        RetryResult::Missing => return Err(ApiError::not_found(&format!("job {id}"))),
    };
    info!(job_id = %job.id, attempt = job.attempts + 1, "job retried");
    let status = match state.pool.submitted(job.id).await {
        Some(started) => started.status,
        None => job.status,
    };
    Ok(HttpResponse::Accepted().json(SubmitAccepted {
        job_id: job.id,
        status,
        estimated_duration_ms: state.estimate_ms(),
        queue: QueueInfo {
            active: state.pool.active(),
            waiting: state.store.waiting(),
        },
    }))
}
