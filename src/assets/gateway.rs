//! The varg gateway client (strict mode): `POST {base}/{image|video|speech|music}` with the
//! generation's JSON, `GET {base}/jobs/{id}` until the job ends, then the output downloaded.
//! Reference files go up first through `POST {base}/files`. Answers 429 and 5xx are retried
//! with backoff; a cancelled render cancels the gateway job too.
//!
//! The key is a secret of the client (api.md): it travels only in the `Authorization` header
//! to the gateway, never to an output URL's host, and any text the gateway sends back is
//! scrubbed of it before it can reach an error message.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::{Method, StatusCode, Url};
use serde_json::{json, Map, Value};
use thiserror::Error;

use super::fetch::{cancellable, fetch, plain_reason, FetchError, Limits};
use super::outbound::{refusal, OutboundError, OutboundPolicy};
use crate::scene::{AssetKind, Generation, Word};

/// Models used when the program names none (the varg CLI's defaults, §3).
pub fn default_model(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Image => "nano-banana-pro",
        AssetKind::Video => "kling-v3",
        AssetKind::Speech => "eleven_v3",
        AssetKind::Music => "music_v1",
    }
}

/// A gateway key. Its `Debug` never shows it, so it cannot leak through a `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayKey(String);

impl GatewayKey {
    /// `None` for an empty key.
    pub fn new(key: &str) -> Option<Self> {
        let key = key.trim();
        (!key.is_empty()).then(|| GatewayKey(key.to_string()))
    }

    /// `text` with every occurrence of the key blanked out.
    pub fn scrub(&self, text: &str) -> String {
        text.replace(&self.0, "[redacted]")
    }
}

impl std::fmt::Debug for GatewayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GatewayKey([redacted])")
    }
}

/// How patient the client is.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    /// One HTTP exchange with the gateway.
    pub request: Duration,
    /// A whole generation, from submit to downloaded output.
    pub generation: Duration,
    /// Tries of one call when the gateway answers 429/5xx or cannot be reached.
    pub attempts: u32,
    /// The first wait between tries; it doubles each time.
    pub backoff: Duration,
    /// The first wait between polls; it grows to `max_poll`.
    pub first_poll: Duration,
    pub max_poll: Duration,
    /// Output downloads.
    pub download: Limits,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            request: Duration::from_secs(60),
            generation: Duration::from_secs(12 * 60),
            attempts: 4,
            backoff: Duration::from_millis(500),
            first_poll: Duration::from_millis(250),
            max_poll: Duration::from_secs(3),
            download: Limits {
                max_bytes: 1024 * 1024 * 1024,
                time: Duration::from_secs(5 * 60),
            },
        }
    }
}

/// Longest `Retry-After` honoured; a longer one is shortened so the job still ends in time.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Debug, Error)]
pub enum GatewayError {
    #[error("the gateway answered {status}: {message}")]
    Http { status: u16, message: String },
    #[error("the gateway reported the generation failed: {0}")]
    Failed(String),
    #[error("the gateway did not finish within {0} s")]
    TimedOut(u64),
    #[error("cannot reach the gateway: {0}")]
    Network(String),
    #[error(transparent)]
    Refused(#[from] OutboundError),
    #[error("the gateway's answer is not understood: {0}")]
    BadAnswer(String),
    #[error("cannot download the generated file: {0}")]
    Download(FetchError),
    #[error("the generation was cancelled")]
    Cancelled,
}

/// A finished generation.
#[derive(Debug)]
pub struct Generated {
    pub bytes: Bytes,
    pub media_type: Option<String>,
    /// Speech word timings, when the gateway sent them.
    pub words: Option<Vec<Word>>,
}

/// One gateway, one key, one render's cancel flag.
pub struct Gateway<'a> {
    pub client: &'a reqwest::Client,
    pub policy: &'a OutboundPolicy,
    pub base: &'a str,
    pub key: &'a GatewayKey,
    pub cancel: &'a AtomicBool,
    pub patience: Patience,
}

impl Gateway<'_> {
    /// Uploads a reference file; returns the URL the gateway gave it.
    pub async fn upload(&self, bytes: Bytes, media_type: &str) -> Result<String, GatewayError> {
        let answer = self
            .call(
                Method::POST,
                "files",
                Body::Raw(bytes, media_type.to_string()),
            )
            .await?;
        answer
            .get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GatewayError::BadAnswer("the file upload returned no `url`".into()))
    }

    /// Runs one generation to its downloaded output.
    pub async fn generate(&self, kind: AssetKind, body: Value) -> Result<Generated, GatewayError> {
        let started = Instant::now();
        let deadline = started + self.patience.generation;
        let job = self
            .call(Method::POST, capability(kind), Body::Json(body))
            .await?;
        let mut job = job;
        let mut wait = self.patience.first_poll;
        loop {
            match job.get("status").and_then(Value::as_str) {
                Some("completed") => break,
                Some("failed") => {
                    let reason = job
                        .get("error")
                        .map(|e| match e {
                            Value::String(s) => s.clone(),
                            Value::Object(o) => o
                                .get("message")
                                .and_then(Value::as_str)
                                .unwrap_or("no reason given")
                                .to_string(),
                            other => other.to_string(),
                        })
                        .unwrap_or_else(|| "no reason given".into());
                    return Err(GatewayError::Failed(self.key.scrub(&reason)));
                }
                Some("cancelled") => {
                    return Err(GatewayError::Failed("the gateway cancelled the job".into()))
                }
                _ => {}
            }
            let id = job_id(&job)?;
            if Instant::now() + wait > deadline {
                self.cancel_remote(&id);
                return Err(GatewayError::TimedOut(self.patience.generation.as_secs()));
            }
            if cancellable(self.cancel, tokio::time::sleep(wait))
                .await
                .is_none()
            {
                self.cancel_remote(&id);
                return Err(GatewayError::Cancelled);
            }
            wait = (wait * 3 / 2).min(self.patience.max_poll);
            job = match self
                .call(Method::GET, &format!("jobs/{id}"), Body::None)
                .await
            {
                Err(GatewayError::Cancelled) => {
                    self.cancel_remote(&id);
                    return Err(GatewayError::Cancelled);
                }
                other => other?,
            };
        }
        let output = job.get("output").unwrap_or(&Value::Null);
        let url = output
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| GatewayError::BadAnswer("the finished job has no output URL".into()))?;
        // Relative output URLs are the gateway's own.
        let url = Url::parse(self.base)
            .and_then(|base| base.join(url))
            .map_err(|_| GatewayError::BadAnswer("the output URL is not valid".into()))?;
        let mut limits = self.patience.download;
        limits.time = limits
            .time
            .min(deadline.saturating_duration_since(Instant::now()));
        // The download goes to whatever host the gateway named, so it carries no key.
        let bytes = fetch(self.client, self.policy, url.as_str(), limits, self.cancel)
            .await
            .map_err(|e| match e {
                FetchError::Cancelled => GatewayError::Cancelled,
                other => GatewayError::Download(other),
            })?;
        let media_type = output
            .get("media_type")
            .and_then(Value::as_str)
            .map(str::to_string);
        let words = word_timings(output).or_else(|| word_timings(&job));
        Ok(Generated {
            bytes,
            media_type,
            words,
        })
    }

    /// One call with retries: 429 and 5xx answers and unreachable gateways are tried again
    /// after a growing pause (or the pause `Retry-After` asks for).
    async fn call(&self, method: Method, path: &str, body: Body) -> Result<Value, GatewayError> {
        let url = format!("{}/{}", self.base.trim_end_matches('/'), path);
        let parsed = Url::parse(&url).map_err(|_| OutboundError::BadUrl(url.clone()))?;
        self.policy.check_url(&parsed)?;
        let mut backoff = self.patience.backoff;
        let mut attempt = 1;
        loop {
            let mut request = self
                .client
                .request(method.clone(), parsed.clone())
                .bearer_auth(&self.key.0)
                .timeout(self.patience.request);
            request = match &body {
                Body::None => request,
                Body::Json(value) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(serde_json::to_vec(value).unwrap_or_default()),
                Body::Raw(bytes, media_type) => request
                    .header(reqwest::header::CONTENT_TYPE, media_type)
                    .body(bytes.clone()),
            };
            let sent = cancellable(self.cancel, async {
                let response = request.send().await?;
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let text = response.text().await?;
                Ok::<_, reqwest::Error>((status, retry_after, text))
            })
            .await
            .ok_or(GatewayError::Cancelled)?;
            let (retryable, error, pause) = match sent {
                Ok((status, _, text)) if status.is_success() => {
                    return serde_json::from_str(&text).map_err(|_| {
                        GatewayError::BadAnswer(format!("{method} /{path} did not return JSON"))
                    });
                }
                Ok((status, retry_after, text)) => (
                    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
                    GatewayError::Http {
                        status: status.as_u16(),
                        message: self.key.scrub(&error_message(status, &text)),
                    },
                    retry_after,
                ),
                Err(e) => {
                    if let Some(refused) = refusal(&e, &url) {
                        return Err(GatewayError::Refused(refused));
                    }
                    // Only a request that never reached the gateway is safe to send again.
                    let safe = e.is_connect() || method == Method::GET;
                    (
                        safe,
                        GatewayError::Network(self.key.scrub(&plain_reason(&e))),
                        None,
                    )
                }
            };
            if !retryable || attempt >= self.patience.attempts {
                return Err(error);
            }
            let pause = pause.map_or(backoff, |p| p.min(MAX_RETRY_AFTER));
            tracing::info!(path, attempt, pause_ms = pause.as_millis() as u64, error = %error, "gateway call failed; trying again");
            cancellable(self.cancel, tokio::time::sleep(pause))
                .await
                .ok_or(GatewayError::Cancelled)?;
            backoff *= 2;
            attempt += 1;
        }
    }

    /// Asks the gateway to stop a job nobody will wait for; best effort, in the background.
    fn cancel_remote(&self, id: &str) {
        let url = format!("{}/jobs/{id}", self.base.trim_end_matches('/'));
        let Ok(parsed) = Url::parse(&url) else {
            return;
        };
        if self.policy.check_url(&parsed).is_err() {
            return;
        }
        let request = self
            .client
            .delete(parsed)
            .bearer_auth(&self.key.0)
            .timeout(Duration::from_secs(5));
        tokio::spawn(async move {
            let _ = request.send().await;
        });
    }
}

enum Body {
    None,
    Json(Value),
    Raw(Bytes, String),
}

fn capability(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Image => "image",
        AssetKind::Video => "video",
        AssetKind::Speech => "speech",
        AssetKind::Music => "music",
    }
}

fn job_id(job: &Value) -> Result<String, GatewayError> {
    let id = match job.get("job_id").or_else(|| job.get("id")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(GatewayError::BadAnswer("the answer has no `job_id`".into())),
    };
    // The id goes into a URL path: keep it to characters that cannot change the path.
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || id.contains("..")
    {
        return Err(GatewayError::BadAnswer(
            "the `job_id` is not a plain id".into(),
        ));
    }
    Ok(id)
}

/// The readable part of an error answer (`{"error": "...", "message": "..."}` or text).
fn error_message(status: StatusCode, text: &str) -> String {
    let from_json = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        let message = v
            .get("message")
            .or_else(|| v.get("error").and_then(|e| e.get("message")))
            .or_else(|| v.get("error"))?;
        message.as_str().map(str::to_string)
    });
    let message = from_json.unwrap_or_else(|| {
        let text = text.trim();
        if text.is_empty() || text.starts_with('<') {
            status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_string()
        } else {
            text.chars().take(300).collect()
        }
    });
    message.trim().to_string()
}

/// The JSON a generation is submitted with. `files` are the uploaded (or already public)
/// reference files: `{url, media_type?}`.
pub fn request_body(kind: AssetKind, generation: &Generation, files: Vec<Value>) -> Value {
    let mut body = Map::new();
    let model = generation
        .model
        .as_ref()
        .map(|m| m.model_id.as_str())
        .unwrap_or(default_model(kind));
    body.insert("model".into(), json!(model));
    let text_field = if kind == AssetKind::Speech {
        "text"
    } else {
        "prompt"
    };
    body.insert(text_field.into(), json!(generation.prompt));
    if let Some(ratio) = &generation.aspect_ratio {
        body.insert("aspect_ratio".into(), json!(ratio));
    }
    if matches!(kind, AssetKind::Video | AssetKind::Music) {
        if let Some(duration) = generation.duration {
            body.insert("duration".into(), json!(duration));
        }
    }
    if let Some(voice) = &generation.voice {
        body.insert("voice".into(), json!(voice));
    }
    if !files.is_empty() {
        body.insert("files".into(), Value::Array(files));
    }
    // `providerOptions={{ varg: {...} }}` is meant for this gateway; other shapes go as given.
    if let Some(options) = &generation.options {
        let options = options.get("varg").unwrap_or(options);
        body.insert("provider_options".into(), options.clone());
    }
    Value::Object(body)
}

/// Word timings in a job answer: `words: [{word|text, start, end}]`, or an ElevenLabs-style
/// `alignment` of characters grouped into words at whitespace.
fn word_timings(value: &Value) -> Option<Vec<Word>> {
    if let Some(list) = value.get("words").and_then(Value::as_array) {
        let words: Vec<Word> = list
            .iter()
            .filter_map(|w| {
                let text = w.get("word").or_else(|| w.get("text"))?.as_str()?;
                Some(Word {
                    text: text.trim().to_string(),
                    start: w.get("start")?.as_f64()?,
                    end: w.get("end")?.as_f64()?,
                })
            })
            .filter(|w| !w.text.is_empty() && w.end >= w.start && w.start >= 0.0)
            .collect();
        return (!words.is_empty()).then_some(words);
    }
    let alignment = value.get("alignment")?;
    let chars = alignment.get("characters")?.as_array()?;
    let starts = alignment.get("character_start_times_seconds")?.as_array()?;
    let ends = alignment.get("character_end_times_seconds")?.as_array()?;
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    for ((c, s), e) in chars.iter().zip(starts).zip(ends) {
        let (Some(c), Some(s), Some(e)) = (c.as_str(), s.as_f64(), e.as_f64()) else {
            continue;
        };
        if c.trim().is_empty() {
            words.extend(current.take());
            continue;
        }
        match current.as_mut() {
            Some(word) => {
                word.text.push_str(c);
                word.end = e;
            }
            None => {
                current = Some(Word {
                    text: c.to_string(),
                    start: s,
                    end: e,
                })
            }
        }
    }
    words.extend(current);
    (!words.is_empty()).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::ModelRef;

    #[test]
    fn the_key_never_shows() {
        let key = GatewayKey::new("  sk-secret-123 ").expect("key");
        assert_eq!(format!("{key:?}"), "GatewayKey([redacted])");
        assert_eq!(
            key.scrub("invalid key sk-secret-123 for sk-secret-123"),
            "invalid key [redacted] for [redacted]"
        );
        assert!(GatewayKey::new("  ").is_none());
    }

    #[test]
    fn bodies_follow_the_gateway_contract() {
        let image = Generation {
            prompt: "a cat".into(),
            model: Some(ModelRef {
                provider: "varg".into(),
                model_id: "flux-schnell".into(),
            }),
            aspect_ratio: Some("16:9".into()),
            options: Some(json!({ "varg": { "seed": 3 } })),
            ..Generation::default()
        };
        let body = request_body(
            AssetKind::Image,
            &image,
            vec![json!({ "url": "https://x/a.png" })],
        );
        assert_eq!(
            body,
            json!({ "model": "flux-schnell", "prompt": "a cat", "aspect_ratio": "16:9",
                    "files": [{ "url": "https://x/a.png" }], "provider_options": { "seed": 3 } })
        );
        let speech = Generation {
            prompt: "hello there".into(),
            voice: Some("rachel".into()),
            ..Generation::default()
        };
        assert_eq!(
            request_body(AssetKind::Speech, &speech, Vec::new()),
            json!({ "model": "eleven_v3", "text": "hello there", "voice": "rachel" })
        );
        let music = Generation {
            prompt: "calm".into(),
            duration: Some(12.0),
            ..Generation::default()
        };
        assert_eq!(
            request_body(AssetKind::Music, &music, Vec::new()),
            json!({ "model": "music_v1", "prompt": "calm", "duration": 12.0 })
        );
    }

    #[test]
    fn word_timings_from_words_or_alignment() {
        let words = word_timings(&json!({ "words": [
            { "word": "hello", "start": 0.0, "end": 0.4 },
            { "text": "world", "start": 0.5, "end": 0.9 },
            { "word": "bad", "start": 1.0 }
        ] }))
        .expect("words");
        assert_eq!(words.len(), 2);
        assert_eq!(words[1].text, "world");
        let aligned = word_timings(&json!({ "alignment": {
            "characters": ["h", "i", " ", "y", "o"],
            "character_start_times_seconds": [0.0, 0.1, 0.2, 0.3, 0.4],
            "character_end_times_seconds": [0.1, 0.2, 0.3, 0.4, 0.5]
        } }))
        .expect("alignment");
        assert_eq!(
            aligned,
            vec![
                Word {
                    text: "hi".into(),
                    start: 0.0,
                    end: 0.2
                },
                Word {
                    text: "yo".into(),
                    start: 0.3,
                    end: 0.5
                }
            ]
        );
        assert!(word_timings(&json!({ "url": "x" })).is_none());
    }

    #[test]
    fn job_ids_cannot_change_the_path() {
        assert!(job_id(&json!({ "job_id": "abc-123" })).is_ok());
        assert!(job_id(&json!({ "job_id": "../files" })).is_err());
        assert!(job_id(&json!({ "job_id": "a/b" })).is_err());
        assert!(job_id(&json!({})).is_err());
    }

    #[test]
    fn error_messages_are_read_from_json_or_text() {
        let status = StatusCode::BAD_GATEWAY;
        assert_eq!(
            error_message(
                status,
                r#"{"error":"ProviderError","message":"fal failed"}"#
            ),
            "fal failed"
        );
        assert_eq!(
            error_message(status, r#"{"error":{"message":"nope"}}"#),
            "nope"
        );
        assert_eq!(error_message(status, "<html>oops</html>"), "Bad Gateway");
        assert_eq!(error_message(status, "plain"), "plain");
    }
}
