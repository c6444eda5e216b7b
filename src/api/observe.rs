//! One log line and one metric sample per request, labelled by route pattern rather than raw
//! path, so job ids and file keys neither flood the metrics nor end up as label values.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::Error;
use tracing::info;

/// Requests that did not match a route share one label.
const UNMATCHED: &str = "unmatched";

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_string();
    let result = next.call(req).await;
    let (status, route) = match &result {
        Ok(res) => (
            res.status().as_u16(),
            res.request()
                .match_pattern()
                .unwrap_or_else(|| UNMATCHED.to_string()),
        ),
        Err(e) => (
            e.as_response_error().status_code().as_u16(),
            UNMATCHED.to_string(),
        ),
    };
    let elapsed = started.elapsed();
    crate::metrics::record_http(&method, &route, status, elapsed.as_secs_f64());
    info!(
        target: "varg_render::http",
        method,
        route,
        path,
        status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    result
}
