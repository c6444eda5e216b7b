//! `POST /api/render` and `GET /api/render/jobs/{id}` (api.md §1, §2).

use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::auth::Tenant;
use super::error::ApiError;
use super::AppState;
use crate::jobs::{Job, Mode, OutputKind};
use crate::script::{transpile, ScriptErrorKind};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubmitRequest {
    code: String,
    gateway_api_key: Option<String>,
    mode: Option<Mode>,
    output: Option<OutputKind>,
    webhook_url: Option<String>,
}

#[post("/api/render")]
pub async fn submit(
    tenant: Tenant,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    check_content_type(&req)?;
    let body = read_body(payload, state.max_body_bytes).await?;
    let request = parse_submit(&body)?;
    if request.code.trim().is_empty() {
        return Err(ApiError::invalid_request(
            "`code` is empty: send the TSX program to render",
        ));
    }

    // Syntax errors answer now (422); everything that needs the program to run fails the job.
    let code = request.code.clone();
    match web::block(move || transpile(&code)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) if e.kind == ScriptErrorKind::Syntax => {
            let mut error = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_code",
                e.message.clone(),
            );
            if let (Some(line), Some(column)) = (e.line, e.column) {
                error = error.with_details(json!({ "line": line, "column": column }));
            }
            return Err(error);
        }
        // Other transpile failures surface again, with context, when the job runs.
        Ok(Err(_)) => {}
        Err(e) => return Err(ApiError::internal("cannot check the program", e)),
    }

    let secret = request
        .gateway_api_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let mode = request
        .mode
        .unwrap_or(if secret.is_some() || state.has_gateway_key {
            Mode::Strict
        } else {
            Mode::Preview
        });
    let mut job = Job::new(
        &tenant.0,
        request.code,
        mode,
        request.output.unwrap_or_default(),
    );
    job.webhook_url = request.webhook_url;
    let job = state
        .store
        .insert(job, secret)
        .await
        .map_err(|e| ApiError::internal("cannot store the job", e))?;
    let status = match state.pool.submitted(job.id).await {
        Some(started) => started.status,
        None => job.status,
    };
    Ok(HttpResponse::Accepted().json(json!({
        "job_id": job.id,
        "status": status,
        "estimated_duration_ms": state.estimate_ms(),
        "queue": { "active": state.pool.active(), "waiting": state.store.waiting() },
    })))
}

#[get("/api/render/jobs/{id}")]
pub async fn poll(
    tenant: Tenant,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let job = find_job(&state, &tenant, &id)?;
    Ok(HttpResponse::Ok().json(job.view()))
}

/// The tenant's job `id`; another tenant's job answers exactly like an unknown one.
pub fn find_job(state: &AppState, tenant: &Tenant, id: &str) -> Result<Job, ApiError> {
    let not_found = || ApiError::not_found(&format!("job {id}"));
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    match state.store.get(id) {
        Ok(Some(job)) if job.tenant == tenant.0 => Ok(job),
        Ok(_) => Err(not_found()),
        Err(e) => Err(ApiError::internal("cannot read the job", e)),
    }
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(CONTENT_TYPE) else {
        return Ok(());
    };
    let mime = value.to_str().unwrap_or_default().to_ascii_lowercase();
    let essence = mime.split(';').next().unwrap_or_default().trim();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("the body must be JSON (Content-Type: application/json), not {essence}"),
        ))
    }
}

/// Reads the body, refusing it as soon as it passes `limit` bytes.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("cannot read the request body: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the request body is over the limit of {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_submit(body: &[u8]) -> Result<SubmitRequest, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::invalid_request(format!("the request is not valid: {e}")),
            Category::Syntax | Category::Eof | Category::Io => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not valid JSON: {e}"),
            )
            .with_details(json!({ "line": e.line(), "column": e.column() })),
        }
    })
}
