//! The web playground: the files of `static/`, compiled into the binary so that the binary is
//! all a self-hoster copies. Nothing is fetched from elsewhere at run time.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, web, HttpRequest, HttpResponse};

use super::error::{ApiError, ErrorBody};

#[derive(rust_embed::Embed)]
#[folder = "static/"]
struct Static;

/// A file of the playground (script, style, editor bundle, examples).
#[utoipa::path(
    tag = "playground",
    params(("path" = String, Path, description = "A file of the playground, e.g. `app.js`")),
    responses(
        (status = 200, description = "The file"),
        (status = 304, description = "Unchanged since the `ETag` the client holds"),
        (status = 404, description = "No such file", body = ErrorBody),
    )
)]
#[get("/static/{path:.*}")]
pub async fn static_file(
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    serve(&path, &req).ok_or_else(|| ApiError::not_found(&format!("static file {path}")))
}

/// The page at `/`.
pub fn index_page(req: &HttpRequest) -> HttpResponse {
    serve("index.html", req).unwrap_or_else(|| {
        HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body("the playground was not built into this binary")
    })
}

fn serve(path: &str, req: &HttpRequest) -> Option<HttpResponse> {
    let file = Static::get(path)?;
    // The files change only with the binary, but do change then: revalidate, cheaply, by hash.
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok()
            .content_type(content_type(path, file.metadata.mimetype()))
            .body(file.data.into_owned())
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Some(response)
}

fn content_type(path: &str, guessed: &str) -> String {
    // `.tsx` guesses as an MPEG transport stream; the examples are program text.
    if path.ends_with(".tsx") || path.ends_with(".txt") || path.ends_with(".md") {
        return "text/plain; charset=utf-8".into();
    }
    if guessed.starts_with("text/") || guessed.ends_with("javascript") || guessed.ends_with("json")
    {
        return format!("{guessed}; charset=utf-8");
    }
    guessed.to_string()
}
