//! A render job as the store keeps it, and as clients see it (api.md §2).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Queued,
    Rendering,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }

    /// The wire name, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Rendering => "rendering",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = ();

    fn from_str(name: &str) -> Result<Self, ()> {
        super::store::STATUSES
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Strict,
    Preview,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    #[default]
    Video,
    Frames,
}

/// Why a job failed, as the stable `error_category` of api.md §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCategory {
    InvalidCode,
    InvalidSource,
    GenerationFailed,
    Timeout,
    Cancelled,
    LimitExceeded,
    Internal,
}

impl ErrorCategory {
    /// The wire name, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::InvalidCode => "invalid_code",
            ErrorCategory::InvalidSource => "invalid_source",
            ErrorCategory::GenerationFailed => "generation_failed",
            ErrorCategory::Timeout => "timeout",
            ErrorCategory::Cancelled => "cancelled",
            ErrorCategory::LimitExceeded => "limit_exceeded",
            ErrorCategory::Internal => "internal",
        }
    }
}

/// An asset the render used, as listed in `files`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FileEntry {
    pub url: String,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Timings {
    pub eval_ms: u64,
    pub generate_ms: u64,
    pub compose_ms: u64,
    pub encode_ms: u64,
    pub store_ms: u64,
}

/// The kind of change that produced the current version of a record; it is the SSE event name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Status,
    Progress,
}

/// The stored job record. Every write bumps `seq`, which is the SSE event id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub id: Uuid,
    pub tenant: String,
    pub status: Status,
    pub mode: Mode,
    pub output: OutputKind,
    pub code: String,
    pub webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub progress: f64,
    pub progress_message: String,
    pub output_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub files: Vec<FileEntry>,
    pub duration_ms: Option<u64>,
    pub timings: Option<Timings>,
    pub error: Option<String>,
    pub error_category: Option<ErrorCategory>,
    pub error_details: Option<Value>,
    pub warnings: Vec<String>,
    /// How many times a worker has started this job (crash recovery re-runs it).
    pub attempts: u32,
    pub seq: u64,
    pub last_event: EventKind,
    /// The job's entry in the queue tree while it waits.
    #[serde(default)]
    pub queue_key: Option<u64>,
    /// The current attempt came with its own `gatewayApiKey` (held in memory only, so a
    /// restart loses it and the attempt must fail rather than run without it).
    #[serde(default)]
    pub request_key: bool,
}

impl Job {
    pub fn new(tenant: &str, code: String, mode: Mode, output: OutputKind) -> Self {
        Job {
            id: Uuid::new_v4(),
            tenant: tenant.to_string(),
            status: Status::Queued,
            mode,
            output,
            code,
            webhook_url: None,
            created_at: Utc::now(),
            started_at: None,
            completed_at: None,
            progress: 0.0,
            progress_message: "queued".into(),
            output_url: None,
            thumbnail_url: None,
            files: Vec::new(),
            duration_ms: None,
            timings: None,
            error: None,
            error_category: None,
            error_details: None,
            warnings: Vec::new(),
            attempts: 0,
            seq: 1,
            last_event: EventKind::Status,
            queue_key: None,
            request_key: false,
        }
    }

    /// The poll answer (api.md §2); also the data of every SSE event and the webhook body.
    pub fn view(&self) -> JobView<'_> {
        JobView {
            job_id: self.id,
            status: self.status,
            mode: self.mode,
            created_at: self.created_at,
            started_at: self.started_at,
            completed_at: self.completed_at,
            progress: self.progress,
            progress_message: &self.progress_message,
            output_url: self.output_url.as_deref(),
            thumbnail_url: self.thumbnail_url.as_deref(),
            files: &self.files,
            duration_ms: self.duration_ms,
            timings: self.timings.as_ref(),
            error: self.error.as_deref(),
            error_category: self.error_category,
            error_details: self.error_details.as_ref(),
            warnings: &self.warnings,
        }
    }
}

/// A job as clients see it: the poll answer, every SSE event's data, the webhook body.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView<'a> {
    pub job_id: Uuid,
    pub status: Status,
    pub mode: Mode,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub progress: f64,
    pub progress_message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<&'a str>,
    pub files: &'a [FileEntry],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings: Option<&'a Timings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_category: Option<ErrorCategory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub error_details: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub warnings: &'a [String],
}

/// How a finished render ended, written into the record by the worker.
#[derive(Debug, Clone)]
pub enum Outcome {
    Completed {
        output_url: String,
        thumbnail_url: Option<String>,
        files: Vec<FileEntry>,
        timings: Timings,
        warnings: Vec<String>,
    },
    Failed(Failure),
    Cancelled,
}

/// A failed job's readable reason (api.md §2).
#[derive(Debug, Clone)]
pub struct Failure {
    pub category: ErrorCategory,
    pub message: String,
    pub details: Option<Value>,
}

impl Failure {
    pub fn new(category: ErrorCategory, message: impl Into<String>) -> Self {
        Failure {
            category,
            message: message.into(),
            details: None,
        }
    }

    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.details = Some(serde_json::json!({ "line": line, "column": column }));
        self
    }
}
