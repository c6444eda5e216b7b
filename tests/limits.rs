//! Tenants and limits through the real binary: the keys file, the submission rate limit, the
//! per-tenant concurrency limit and `Idempotency-Key` (api.md "Authentication", "Limits", §1).

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::fake_http::{png, FakeHttp, Response};
use common::*;
use serde_json::{json, Value};

const QUICK: &str = "export default <Render width={160} height={90} fps={5}><Clip duration={0.4}><Image prompt=\"a cat\" /></Clip></Render>;";
const ALPHA: &str = "alpha-key-9f2c";
const BETA: &str = "beta-key-41d7";

fn keys_file(text: &str) -> PathBuf {
    let path = temp_dir("keys").join("keys");
    std::fs::write(&path, text).expect("write keys file");
    path
}

fn start(
    key: Option<&str>,
    workers: usize,
    env: &[(&str, String)],
    data: Option<PathBuf>,
) -> Server {
    Server::start_with(ServerOptions {
        key: key.map(str::to_string),
        workers,
        data_dir: data,
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        ..Default::default()
    })
}

/// A request with `key`; returns status, the headers asked for, and the JSON body.
fn call(
    request: ureq::Request,
    key: &str,
    body: Option<&Value>,
    headers: &[&str],
) -> (u16, Vec<Option<String>>, Value) {
    let request = request.set("Authorization", &format!("Bearer {key}"));
    let result = match body {
        Some(body) => request.send_json(body.clone()),
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = response.status();
    let found = headers
        .iter()
        .map(|h| response.header(h).map(str::to_string))
        .collect();
    (status, found, response.into_json().unwrap_or(Value::Null))
}

fn submit(
    server: &Server,
    key: &str,
    body: &Value,
    headers: &[&str],
) -> (u16, Vec<Option<String>>, Value) {
    call(
        ureq::post(&server.url("/api/render")),
        key,
        Some(body),
        headers,
    )
}

fn get(server: &Server, key: &str, path: &str) -> (u16, Value) {
    let (status, _, body) = call(ureq::get(&server.url(path)), key, None, &[]);
    (status, body)
}

fn quick() -> Value {
    json!({ "code": QUICK, "mode": "preview" })
}

#[test]
fn keys_file_tenants_see_only_their_own_jobs() {
    let file = keys_file(&format!(
        "# name key [webhook secret]\nalpha {ALPHA} whsec_a\nbeta {BETA}\n"
    ));
    // Only the keys file names tenants: no default key is made.
    let server = start(
        None,
        2,
        &[("VARG_KEYS_FILE", file.display().to_string())],
        None,
    );
    let (status, _, body) = submit(&server, ALPHA, &quick(), &[]);
    assert_eq!(status, 202, "{body}");
    let id = body["job_id"].as_str().expect("job_id").to_string();
    let (status, job) = get(&server, ALPHA, &format!("/api/render/jobs/{id}"));
    assert_eq!((status, job["job_id"].as_str()), (200, Some(id.as_str())));
    let (theirs, theirs_body) = get(&server, BETA, &format!("/api/render/jobs/{id}"));
    let unknown = uuid::Uuid::new_v4();
    let (missing, missing_body) = get(&server, BETA, &format!("/api/render/jobs/{unknown}"));
    assert_eq!((theirs, missing), (404, 404));
    assert_eq!(
        theirs_body["error"]["message"]
            .as_str()
            .map(|m| m.replace(&id, "ID")),
        missing_body["error"]["message"]
            .as_str()
            .map(|m| m.replace(&unknown.to_string(), "ID")),
        "another tenant's job reads exactly like an unknown one"
    );
    let (status, _) = get(&server, BETA, &format!("/api/render/jobs/{id}/stream"));
    assert_eq!(status, 404);
    let (_, list) = get(&server, BETA, "/api/render/jobs");
    assert_eq!(list["jobs"].as_array().map(Vec::len), Some(0), "{list}");
    let (_, list) = get(&server, ALPHA, "/api/render/jobs");
    assert_eq!(list["jobs"].as_array().map(Vec::len), Some(1), "{list}");
    let (status, _) = get(&server, KEY, "/api/render/jobs");
    assert_eq!(status, 401, "no default tenant without VARG_SERVICE_KEY");

    // The TOML form, beside VARG_SERVICE_KEY's default tenant.
    drop(server);
    let file = keys_file(&format!(
        "[alpha]\nkey = \"{ALPHA}\"\nwebhook_secret = \"s\"\n"
    ));
    let server = start(
        Some(KEY),
        2,
        &[("VARG_KEYS_FILE", file.display().to_string())],
        None,
    );
    let (status, _, body) = submit(&server, ALPHA, &quick(), &[]);
    assert_eq!(status, 202, "{body}");
    let id = body["job_id"].as_str().expect("job_id");
    assert_eq!(get(&server, KEY, &format!("/api/render/jobs/{id}")).0, 404);
    assert_eq!(
        get(&server, ALPHA, &format!("/api/render/jobs/{id}")).0,
        200
    );
}

#[test]
fn a_bad_keys_file_stops_the_start_with_a_reason_that_hides_the_keys() {
    let file = keys_file("alpha secret-key-must-not-print\nalpha other-key\n");
    let data = temp_dir("badkeys");
    let out = run(std::process::Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("VARG_KEYS_FILE", &file)
        .env_remove("VARG_SERVICE_KEY"));
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("appears twice"), "{text}");
    assert!(!text.contains("secret-key-must-not-print"), "{text}");
}

const RATE_HEADERS: [&str; 4] = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
];

#[test]
fn the_submission_over_the_rate_limit_gets_429_with_retry_after() {
    let file = keys_file(&format!("beta {BETA}\n"));
    let server = start(
        Some(KEY),
        2,
        &[
            ("VARG_SUBMITS_PER_MINUTE", "3".into()),
            ("VARG_KEYS_FILE", file.display().to_string()),
        ],
        None,
    );
    for remaining in ["2", "1", "0"] {
        let (status, headers, body) = submit(&server, KEY, &quick(), &RATE_HEADERS);
        assert_eq!(status, 202, "{body}");
        assert_eq!(headers[0].as_deref(), Some("3"));
        assert_eq!(headers[1].as_deref(), Some(remaining));
        assert!(headers[2].is_some(), "X-RateLimit-Reset on every answer");
        assert_eq!(headers[3], None, "Retry-After only on a refusal");
    }
    let (status, headers, body) = submit(&server, KEY, &quick(), &RATE_HEADERS);
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(headers[0].as_deref(), Some("3"));
    assert_eq!(headers[1].as_deref(), Some("0"));
    let retry_after: u64 = headers[3]
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let reset: u64 = headers[2]
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("reset");
    assert!((1..=60).contains(&reset), "{reset}");
    // Errors before the count (a body that is not JSON) still carry the headers.
    let (status, headers, _) = call(
        ureq::post(&server.url("/api/render")).set("Content-Type", "application/json"),
        KEY,
        None,
        &RATE_HEADERS,
    );
    assert_eq!(status, 400);
    assert_eq!(headers[1].as_deref(), Some("0"));
    // Another tenant has its own allowance.
    let (status, headers, _) = submit(&server, BETA, &quick(), &RATE_HEADERS);
    assert_eq!((status, headers[1].as_deref()), (202, Some("2")));
}

#[test]
fn a_tenant_at_its_job_limit_waits_while_another_tenant_runs() {
    // An image host that holds its answer until the test lets go.
    let release = Arc::new(AtomicBool::new(false));
    let held = release.clone();
    let host = FakeHttp::start(move |_| {
        while !held.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        Response::bytes(200, "image/png", png(16, 9, [200, 40, 40]))
    });
    let file = keys_file(&format!("beta {BETA}\n"));
    let server = start(
        Some(KEY),
        2,
        &[
            ("VARG_MAX_JOBS_PER_TENANT", "1".into()),
            ("VARG_KEYS_FILE", file.display().to_string()),
            ("VARG_ALLOW_HOSTS", "127.0.0.1".into()),
        ],
        None,
    );
    let slow = format!(
        "export default <Render width={{160}} height={{90}} fps={{5}}><Clip duration={{0.4}}><Image src=\"{}/slow.png\" /></Clip></Render>;",
        host.base
    );
    let (status, _, a1) = submit(
        &server,
        KEY,
        &json!({ "code": slow, "mode": "preview" }),
        &[],
    );
    assert_eq!(
        (status, a1["status"].as_str()),
        (202, Some("rendering")),
        "{a1}"
    );
    let (_, _, a2) = submit(&server, KEY, &quick(), &[]);
    assert_eq!(
        a2["status"], "queued",
        "a worker is free but the tenant is at its limit: {a2}"
    );
    let (_, _, b1) = submit(&server, BETA, &quick(), &[]);
    // Another tenant takes the free worker (the answer may say `queued` when the dispatcher
    // held the free worker for an instant; the job starts either way).
    assert!(
        matches!(b1["status"].as_str(), Some("rendering" | "queued")),
        "{b1}"
    );
    let b1_id = b1["job_id"].as_str().expect("id");
    // B's job ends while A's second still waits, its place kept.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while get(&server, BETA, &format!("/api/render/jobs/{b1_id}")).1["status"] != "completed" {
        assert!(
            std::time::Instant::now() < deadline,
            "b's job did not finish"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let a2_id = a2["job_id"].as_str().expect("id");
    assert_eq!(server.job(a2_id)["status"], "queued");
    let a1_id = a1["job_id"].as_str().expect("id");
    assert_eq!(server.job(a1_id)["status"], "rendering");
    release.store(true, Ordering::SeqCst);
    assert_eq!(
        server.wait(a1_id, Duration::from_secs(60))["status"],
        "completed"
    );
    assert_eq!(
        server.wait(a2_id, Duration::from_secs(60))["status"],
        "completed"
    );
}

#[test]
fn an_idempotency_key_returns_the_same_job_even_after_a_restart() {
    let data = temp_dir("idem");
    let mut server = start(Some(KEY), 2, &[], Some(data.clone()));
    let with_key = |server: &Server, key: &str, body: &Value| {
        call(
            ureq::post(&server.url("/api/render")).set("Idempotency-Key", key),
            KEY,
            Some(body),
            &["Idempotent-Replayed"],
        )
    };
    let (status, _, first) = with_key(&server, "order-17", &quick());
    assert_eq!(status, 202, "{first}");
    let id = first["job_id"].as_str().expect("id").to_string();
    // The same body, spaced and ordered differently, is the same request.
    let same = json!({ "mode": "preview", "code": QUICK });
    let (status, replayed, again) = with_key(&server, "order-17", &same);
    assert_eq!(
        (status, again["job_id"].as_str()),
        (200, Some(id.as_str())),
        "{again}"
    );
    assert_eq!(replayed[0].as_deref(), Some("true"));
    let other = json!({ "code": QUICK.replace("a cat", "a dog"), "mode": "preview" });
    let (status, _, conflict) = with_key(&server, "order-17", &other);
    assert_eq!(
        (status, conflict["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{conflict}"
    );
    let message = conflict["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Idempotency-Key") && message.contains("different"),
        "{message}"
    );
    // A new key is a new job.
    let (status, _, fresh) = with_key(&server, "order-18", &quick());
    assert_eq!(status, 202);
    assert_ne!(fresh["job_id"], first["job_id"]);
    let (status, _, bad) = with_key(&server, "has space", &quick());
    assert_eq!(status, 422, "{bad}");

    server.kill();
    let server = start(Some(KEY), 2, &[], Some(data));
    let (status, _, after) = with_key(&server, "order-17", &quick());
    assert_eq!(
        (status, after["job_id"].as_str()),
        (200, Some(id.as_str())),
        "{after}"
    );
    let (status, _, _) = with_key(&server, "order-17", &other);
    assert_eq!(status, 409);
}
