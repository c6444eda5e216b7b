//! Downloads with a size and a time limit, through the guarded client of `outbound`, that
//! stop when the render is cancelled.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::Url;
use thiserror::Error;

use super::outbound::{refusal, OutboundError, OutboundPolicy};

/// How often a waiting download looks at the render's cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(50);

#[derive(Debug, Error)]
pub enum FetchError {
    #[error(transparent)]
    Refused(#[from] OutboundError),
    #[error("\"{url}\" is larger than the limit of {limit_mib} MiB; the download was stopped")]
    TooLarge { url: String, limit_mib: u64 },
    #[error("\"{url}\" took longer than {seconds} s to download")]
    TimedOut { url: String, seconds: u64 },
    #[error("\"{url}\" answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("cannot download \"{url}\": {reason}")]
    Network { url: String, reason: String },
    #[error("the download was cancelled")]
    Cancelled,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    pub time: Duration,
}

/// Runs `work` until it ends or `cancel` is set, whichever is first.
pub async fn cancellable<T>(cancel: &AtomicBool, work: impl Future<Output = T>) -> Option<T> {
    let watch = async {
        while !cancel.load(Ordering::Relaxed) {
            tokio::time::sleep(CANCEL_POLL).await;
        }
    };
    tokio::select! {
        done = work => Some(done),
        _ = watch => None,
    }
}

/// GETs `url` with `client` (built by `outbound::client`), refusing it before any connection
/// when its scheme or literal address is not allowed.
pub async fn fetch(
    client: &reqwest::Client,
    policy: &OutboundPolicy,
    url: &str,
    limits: Limits,
    cancel: &AtomicBool,
) -> Result<Bytes, FetchError> {
    let parsed = Url::parse(url).map_err(|_| OutboundError::BadUrl(url.to_string()))?;
    policy.check_url(&parsed)?;
    let download = tokio::time::timeout(limits.time, download(client, parsed, url, limits));
    match cancellable(cancel, download).await {
        None => Err(FetchError::Cancelled),
        Some(Err(_)) => Err(FetchError::TimedOut {
            url: url.to_string(),
            seconds: limits.time.as_secs(),
        }),
        Some(Ok(result)) => result,
    }
}

async fn download(
    client: &reqwest::Client,
    parsed: Url,
    url: &str,
    limits: Limits,
) -> Result<Bytes, FetchError> {
    let network = |e: reqwest::Error| match refusal(&e, url) {
        Some(refused) => FetchError::Refused(refused),
        None => FetchError::Network {
            url: url.to_string(),
            reason: plain_reason(&e),
        },
    };
    let too_large = || FetchError::TooLarge {
        url: url.to_string(),
        limit_mib: limits.max_bytes / (1024 * 1024),
    };
    let mut response = client.get(parsed).send().await.map_err(network)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    // A declared size over the limit is refused before reading; a body that goes on past the
    // limit (size missing or wrong) is cut off while it streams.
    if response
        .content_length()
        .is_some_and(|n| n > limits.max_bytes)
    {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if body.len() as u64 + chunk.len() as u64 > limits.max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A reqwest error's innermost cause, which says what went wrong without repeating the URL.
pub fn plain_reason(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
    }
    if e.is_timeout() {
        "the connection timed out".into()
    } else {
        reason
    }
}
