//! `GET /files/{key}`: stored outputs and assets, with `Range`, so browsers can seek in the MP4.

use actix_files::NamedFile;
use actix_web::{get, web, HttpRequest, HttpResponse};

use super::error::ApiError;
use super::AppState;

/// A stored video, thumbnail or asset, with `Range` support.
#[utoipa::path(
    tag = "files",
    params(("key" = String, Path, description = "The file's key, as in the URLs the server hands out")),
    responses(
        (status = 200, description = "The file"),
        (status = 206, description = "The requested range of the file"),
        (status = 404, description = "No such file", body = super::error::ErrorBody),
    )
)]
#[get("/files/{key:.*}")]
pub async fn file(
    key: web::Path<String>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::not_found(&format!("file {key}"));
    let path = state.storage.local_file(&key).ok_or_else(not_found)?;
    let file = NamedFile::open_async(&path)
        .await
        .map_err(|_| not_found())?;
    // Keys are content addresses or job ids: a file never changes once written.
    Ok(file
        .use_etag(true)
        .use_last_modified(true)
        .into_response(&req)
        .customize_cache())
}

trait CacheForever {
    fn customize_cache(self) -> Self;
}

impl CacheForever for HttpResponse {
    fn customize_cache(mut self) -> Self {
        if self.status().is_success() {
            self.headers_mut().insert(
                actix_web::http::header::CACHE_CONTROL,
                actix_web::http::header::HeaderValue::from_static(
                    "public, max-age=31536000, immutable",
                ),
            );
        }
        self
    }
}
