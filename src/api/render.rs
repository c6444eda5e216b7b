//! `POST /api/render` and `GET /api/render/jobs/{id}` (api.md §1, §2).

use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Tenant;
use super::error::{ApiError, ErrorBody};
use super::limits::Quota;
use super::AppState;
use crate::jobs::{IdempotentInsert, Job, JobView, Mode, OutputKind, Status};
use crate::script::{transpile, ScriptErrorKind};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubmitRequest {
    /// The TSX/JSX module; its default export must be a `<Render>` element.
    code: String,
    /// Key for real AI generation through the gateway; never echoed or stored past the job.
    gateway_api_key: Option<String>,
    /// `preview` (placeholders, no network) or `strict` (real generation); see api.md.
    mode: Option<Mode>,
    output: Option<OutputKind>,
    /// POSTed the job snapshot when the job ends.
    webhook_url: Option<String>,
}

/// The `202` answer to a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmitAccepted {
    pub job_id: Uuid,
    /// `rendering` when a worker took it at once, else `queued`.
    pub status: Status,
    pub estimated_duration_ms: u64,
    pub queue: QueueInfo,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueInfo {
    pub active: usize,
    pub waiting: usize,
}

/// Submits a program; answers at once with the job id. Every answer to an authenticated
/// submission carries `X-RateLimit-Limit/Remaining/Reset` (unless no rate limit is set).
#[utoipa::path(
    tag = "render",
    request_body = SubmitRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key and body within 24 h answers 200 with the job the first one made")),
    responses(
        (status = 200, description = "An idempotent repeat: the job the first request made (header `Idempotent-Replayed: true`)", body = SubmitAccepted),
        (status = 202, description = "Accepted: follow the job by polling or streaming", body = SubmitAccepted),
        (status = 400, description = "The body is not JSON (`invalid_json`)", body = ErrorBody),
        (status = 401, description = "No valid service key", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used with a different body (`conflict`)", body = ErrorBody),
        (status = 413, description = "The body is over the limit", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "A syntax error (`invalid_code`, with `details.line`/`column`) or a bad field (`invalid_request`)", body = ErrorBody),
        (status = 429, description = "Too many submissions this minute (`rate_limited`, with `Retry-After`)", body = ErrorBody),
        (status = 503, description = "The server cannot take the job now", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/api/render")]
pub async fn submit(
    tenant: Tenant,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let mut quota = None;
    let mut response = accept(&tenant, &req, payload, &state, &mut quota)
        .await
        .unwrap_or_else(|e| e.error_response());
    if let Some(quota) = quota.or_else(|| state.rate_limiter.peek(&tenant.0)) {
        quota.apply(response.headers_mut());
    }
    response
}

/// The submission itself; `quota` receives the rate limit's count when it was taken.
async fn accept(
    tenant: &Tenant,
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    quota: &mut Option<Quota>,
) -> Result<HttpResponse, ApiError> {
    check_content_type(req)?;
    let body = read_body(payload, state.max_body_bytes).await?;
    let request = parse_submit(&body)?;
    let idempotency = match idempotency_key(req)? {
        Some(key) => Some((key, fingerprint(&body)?)),
        None => None,
    };
    if let Some((key, fingerprint)) = &idempotency {
        let earlier = state
            .store
            .idempotent_job(&tenant.0, key)
            .map_err(|e| ApiError::internal("cannot read the idempotency key", e))?;
        if let Some((record, job)) = earlier {
            return replay(state, key, &record.fingerprint, fingerprint, &job);
        }
    }
    // A repeat made no job, so it is not counted; everything else readable is.
    *quota = state.rate_limiter.take(&tenant.0);
    if let Some(refused) = quota.filter(|q| !q.allowed) {
        return Err(rate_limited(&refused));
    }
    if request.code.trim().is_empty() {
        return Err(ApiError::invalid_request(
            "`code` is empty: send the TSX program to render",
        ));
    }
    if let Some(url) = &request.webhook_url {
        check_webhook_url(url)?;
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

    let secret = request_key(request.gateway_api_key.as_deref());
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
    let stored = match &idempotency {
        Some((key, fingerprint)) => {
            state
                .store
                .insert_idempotent(job, secret, key, fingerprint)
                .await
        }
        None => state
            .store
            .insert(job, secret)
            .await
            .map(IdempotentInsert::Inserted),
    };
    let job = match stored.map_err(|e| ApiError::internal("cannot store the job", e))? {
        IdempotentInsert::Inserted(job) => job,
        // A request with the same key got in between the look-up above and the insert.
        IdempotentInsert::Existing { job, fingerprint } => {
            let (key, mine) = idempotency.as_ref().map_or(("", ""), |(k, f)| (k, f));
            return replay(state, key, &fingerprint, mine, &job);
        }
    };
    tracing::info!(job_id = %job.id, tenant = %job.tenant, mode = ?job.mode, "job submitted");
    let status = match state.pool.submitted(job.id).await {
        Some(started) => started.status,
        None => job.status,
    };
    Ok(HttpResponse::Accepted().json(accepted(state, job.id, status)))
}

fn accepted(state: &AppState, job_id: Uuid, status: Status) -> SubmitAccepted {
    SubmitAccepted {
        job_id,
        status,
        estimated_duration_ms: state.estimate_ms(),
        queue: QueueInfo {
            active: state.pool.active(),
            waiting: state.store.waiting(),
        },
    }
}

/// The answer to a repeat of an earlier request: its job, or 409 when the body differs.
fn replay(
    state: &AppState,
    key: &str,
    stored: &str,
    fingerprint: &str,
    job: &Job,
) -> Result<HttpResponse, ApiError> {
    if stored != fingerprint {
        return Err(ApiError::conflict(format!(
            "Idempotency-Key \"{key}\" was already used for a different request (job {}); \
             send a new key for a new render",
            job.id
        ))
        .with_details(json!({ "job_id": job.id })));
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Idempotent-Replayed", "true"))
        .json(accepted(state, job.id, job.status)))
}

fn rate_limited(quota: &Quota) -> ApiError {
    let wait = quota.reset_secs.max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!(
            "this key may submit {} renders a minute; try again in {wait} s",
            quota.limit
        ),
    )
    .with_details(json!({ "limit": quota.limit, "retry_after": wait }))
}

/// What makes two requests "the same" for `Idempotency-Key`: SHA-256 of the body as JSON with
/// its keys sorted (so spacing and key order do not matter), leaving out `gatewayApiKey`, which
/// must not reach the store even hashed; a repeat with a rotated key is the same render.
fn fingerprint(body: &[u8]) -> Result<String, ApiError> {
    use sha2::{Digest, Sha256};
    let mut value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid_request(format!("the request is not valid: {e}")))?;
    if let Some(fields) = value.as_object_mut() {
        fields.remove("gatewayApiKey");
    }
    let canonical = serde_json::to_vec(&sorted(value))
        .map_err(|e| ApiError::internal("cannot fingerprint the request", e))?;
    Ok(hex::encode(Sha256::digest(canonical)))
}

/// `value` with every object's keys in order, whichever map type serde_json was built with.
fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The `Idempotency-Key` header, if sent: 1-255 visible ASCII characters.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid_request(
            "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_string()))
}

/// A `webhookUrl` must be something the sender can POST to; whether the outbound rules let
/// it reach the host is decided when the job ends (a refused webhook never affects the job).
fn check_webhook_url(url: &str) -> Result<(), ApiError> {
    let valid = url.len() <= 2048
        && reqwest::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_request(
            "`webhookUrl` must be an absolute http or https URL of at most 2048 characters",
        ))
    }
}

/// The job: status, progress, and its video, thumbnail and files, or its error.
#[utoipa::path(
    tag = "render",
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = 401, description = "No valid service key", body = ErrorBody),
        (status = 404, description = "No such job for this tenant", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

pub(super) fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
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
pub(super) async fn read_body(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
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

/// A `gatewayApiKey` as sent; blank counts as none.
pub(super) fn request_key(key: Option<&str>) -> Option<&str> {
    key.map(str::trim).filter(|k| !k.is_empty())
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
