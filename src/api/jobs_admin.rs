//! The tenant's own view of its jobs: `GET /api/render/jobs` (newest first, paginated) and
//! cancelling with `POST /api/render/jobs/{id}/cancel` or `DELETE /api/render/jobs/{id}`.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use tracing::info;
use utoipa::{IntoParams, ToSchema};

use super::auth::Tenant;
use super::error::{ApiError, ErrorBody};
use super::render::find_job;
use super::AppState;
use crate::jobs::{cursor, parse_cursor, CancelResult, JobView, Status};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Jobs per page, 1 to 200 (default 50).
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Only these statuses: one name, or several separated by commas
    /// (`queued`, `rendering`, `completed`, `failed`, `cancelled`).
    status: Option<String>,
}

/// One page of jobs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList<'a> {
    pub jobs: Vec<JobView<'a>>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The tenant's jobs, newest first.
#[utoipa::path(
    tag = "jobs",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of the tenant's jobs", body = JobList),
        (status = 401, description = "No valid service key", body = ErrorBody),
        (status = 422, description = "A bad limit, cursor or status", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/api/render/jobs")]
pub async fn list_jobs(
    tenant: Tenant,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<ListQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::invalid_request(format!("the query is not valid: {e}")))?
        .into_inner();
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(n @ 1..=MAX_LIMIT) => n,
        Some(n) => {
            return Err(ApiError::invalid_request(format!(
                "`limit` must be between 1 and {MAX_LIMIT}, not {n}"
            )))
        }
    };
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(parse_cursor(c).ok_or_else(|| {
            ApiError::invalid_request("`cursor` is not one this server gave out")
        })?),
    };
    let statuses = parse_statuses(query.status.as_deref().unwrap_or_default())?;
    let store = state.store.clone();
    let tenant_name = tenant.0.clone();
    let page = web::block(move || store.list(&tenant_name, &statuses, after.as_ref(), limit))
        .await
        .map_err(|e| ApiError::internal("cannot list the jobs", e))?
        .map_err(|e| ApiError::internal("cannot list the jobs", e))?;
    Ok(HttpResponse::Ok().json(JobList {
        jobs: page.jobs.iter().map(|j| j.view()).collect(),
        next_cursor: page.next.as_ref().map(cursor),
    }))
}

fn parse_statuses(list: &str) -> Result<Vec<Status>, ApiError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            name.parse::<Status>().map_err(|_| {
                ApiError::invalid_request(format!(
                    "`status` {name:?} is not one of queued, rendering, completed, failed, cancelled"
                ))
            })
        })
        .collect()
}

/// Cancels a queued or rendering job.
#[utoipa::path(
    tag = "jobs",
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 200, description = "The job, now cancelled", body = JobView),
        (status = 401, description = "No valid service key", body = ErrorBody),
        (status = 404, description = "No such job for this tenant", body = ErrorBody),
        (status = 409, description = "The job had already ended", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/api/render/jobs/{id}/cancel")]
pub async fn cancel_job(
    tenant: Tenant,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    cancel(&state, &tenant, &id).await
}

/// Cancels a queued or rendering job (the same as `POST .../cancel`).
#[utoipa::path(
    tag = "jobs",
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 200, description = "The job, now cancelled", body = JobView),
        (status = 401, description = "No valid service key", body = ErrorBody),
        (status = 404, description = "No such job for this tenant", body = ErrorBody),
        (status = 409, description = "The job had already ended", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/api/render/jobs/{id}")]
pub async fn delete_job(
    tenant: Tenant,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    cancel(&state, &tenant, &id).await
}

async fn cancel(state: &AppState, tenant: &Tenant, id: &str) -> Result<HttpResponse, ApiError> {
    let job = find_job(state, tenant, id)?;
    // The record goes to `cancelled` first, under the store's lock, so the worker's own ending
    // cannot overwrite it; then the render is told to stop.
    match state
        .store
        .cancel(job.id)
        .await
        .map_err(|e| ApiError::internal("cannot cancel the job", e))?
    {
        CancelResult::Cancelled(job) => {
            let was_running = state.pool.cancel(job.id);
            info!(job_id = %job.id, was_running, "job cancelled");
            Ok(HttpResponse::Ok().json(job.view()))
        }
        CancelResult::AlreadyEnded(job) => Err(ApiError::conflict(format!(
            "job {} has already ended ({}); only queued or rendering jobs can be cancelled",
            job.id,
            job.status.as_str()
        ))
        .with_details(serde_json::json!({ "status": job.status }))),
        CancelResult::Missing => Err(ApiError::not_found(&format!("job {id}"))),
    }
}
