//! The error envelope of api.md: `{"error":{"code","message","details"}}`, never HTML.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid service key is required: send `Authorization: Bearer <key>`",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} was not found"),
        )
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// A failure of ours, logged in full and told to the client in one sentence.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(error = %error, "{context}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("{context}; try again shortly"),
        )
    }
}

/// The error envelope, for the OpenAPI document (responses are built by `error_response`).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorFields,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorFields {
    /// Stable machine-readable code, e.g. `invalid_code`, `not_found`, `conflict`.
    pub code: String,
    /// One readable sentence.
    pub message: String,
    /// Where it helps, e.g. `{"line": 3, "column": 14}`.
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({ "code": self.code, "message": self.message });
        if let Some(details) = &self.details {
            body["details"] = details.clone();
        }
        HttpResponse::build(self.status).json(json!({ "error": body }))
    }
}
