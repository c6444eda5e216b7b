//! `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the handlers' own
//! annotations and types. `tests/ops.rs` checks that its paths and the router's are the same
//! set, so a route added without its entry here fails the tests.

use std::sync::LazyLock;

use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{files, health, jobs_admin, metrics, playground, render, retry, stream};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "varg-render",
        description = "Self-hosted render server for varg TSX videos. Every `/api/*` call needs \
                       `Authorization: Bearer <service key>`. Errors are always \
                       `{\"error\":{\"code\",\"message\",\"details\"}}`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        render::submit,
        render::poll,
        stream::stream_job,
        jobs_admin::list_jobs,
        jobs_admin::cancel_job,
        jobs_admin::delete_job,
        retry::retry_job,
        files::file,
        health::healthz,
        health::readyz,
        metrics::metrics,
        openapi_json,
        health::index,
        playground::static_file,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "render", description = "Submit, poll and stream (the seed's calls)"),
        (name = "jobs", description = "List and cancel the tenant's jobs"),
        (name = "files", description = "Stored videos, thumbnails and assets"),
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "playground", description = "The web page"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The service key printed at start-up"))
                    .build(),
            ),
        );
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_json()
        .unwrap_or_else(|e| format!("{{\"error\":{{\"code\":\"internal\",\"message\":\"{e}\"}}}}"))
});

/// This document.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of every route", content_type = "application/json"))
)]
#[get("/api/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT.as_str())
}
