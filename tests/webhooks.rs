//! Webhooks through the real binary (api.md "Webhooks"): a small HTTP server on loopback is
//! the receiver, allowlisted with `VARG_ALLOW_HOSTS` where the test needs it reachable.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::fake_http::{FakeHttp, Request, Response};
use common::*;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

const SECRET: &str = "whsec_test_5be1c0";
const QUICK: &str = "export default <Render width={160} height={90} fps={5}><Clip duration={0.4}><Image prompt=\"a cat\" /></Clip></Render>;";

fn server(
    retry_base_ms: u64,
    allow_loopback: bool,
    data_dir: Option<std::path::PathBuf>,
) -> Server {
    let mut env = vec![
        ("VARG_WEBHOOK_SECRET".to_string(), SECRET.to_string()),
        (
            "VARG_WEBHOOK_RETRY_BASE_MS".to_string(),
            retry_base_ms.to_string(),
        ),
    ];
    if allow_loopback {
        env.push(("VARG_ALLOW_HOSTS".into(), "127.0.0.1".into()));
    }
    Server::start_with(ServerOptions {
        env,
        data_dir,
        ..Default::default()
    })
}

fn submit_with_hook(server: &Server, code: &str, hook: &str) -> String {
    let (status, body) = server.submit(&json!({
        "code": code, "mode": "preview", "webhookUrl": hook,
        "gatewayApiKey": "gw-must-never-leak-4411",
    }));
    assert_eq!(status, 202, "{body}");
    body["job_id"].as_str().expect("job_id").to_string()
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Checks `X-Varg-Signature` against the tenant's secret, independently of the server's code.
fn assert_signed(req: &Request) {
    let timestamp = req.header("X-Varg-Timestamp").expect("timestamp header");
    let seconds: i64 = timestamp.parse().expect("unix seconds");
    assert!(
        (chrono::Utc::now().timestamp() - seconds).abs() < 300,
        "{timestamp}"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("hmac key");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&req.body);
    let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(req.header("X-Varg-Signature"), Some(expected.as_str()));
}

fn hooks(receiver: &FakeHttp) -> Vec<Request> {
    receiver
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/hook"))
        .collect()
}

#[test]
fn an_ended_job_is_posted_once_signed_with_its_event() {
    let receiver = FakeHttp::start(|_| Response::json(200, json!({ "ok": true })));
    let server = server(200, true, None);
    let done = submit_with_hook(&server, QUICK, &format!("{}/hook/done", receiver.base));
    let broken = "export default <Render><Clip><NoSuchThing /></Clip></Render>;";
    let failed = submit_with_hook(&server, broken, &format!("{}/hook/failed", receiver.base));
    // The ending and its delivery are one store transaction: the stream still sees the ending.
    let events = parse_sse(&server.stream_raw(&done, None));
    assert_eq!(
        events.last().map(|e| e.data["status"].clone()),
        Some(json!("completed"))
    );
    let done_job = server.wait(&done, Duration::from_secs(60));
    assert_eq!(done_job["status"], "completed", "{done_job}");
    assert_eq!(
        server.wait(&failed, Duration::from_secs(60))["status"],
        "failed"
    );
    wait_until("two deliveries", Duration::from_secs(20), || {
        hooks(&receiver).len() >= 2
    });
    // Acknowledged deliveries are not sent again.
    std::thread::sleep(Duration::from_millis(1500));
    let got = hooks(&receiver);
    assert_eq!(got.len(), 2, "one delivery per job");
    for req in &got {
        assert_signed(req);
        assert_eq!(req.header("Content-Type"), Some("application/json"));
        let text = String::from_utf8_lossy(&req.body);
        assert!(!text.contains("gw-must-never-leak"), "{text}");
        let (event, job) = match req.path.as_str() {
            "/hook/done" => ("render.completed", &done),
            _ => ("render.failed", &failed),
        };
        assert_eq!(req.header("X-Varg-Event"), Some(event));
        let body = req.json();
        assert_eq!(body["job_id"], job.as_str());
        // The body is the poll answer.
        assert_eq!(body, server.job(job), "{}", req.path);
    }
    let completed = got.iter().find(|r| r.path == "/hook/done").expect("done");
    assert_eq!(completed.json()["output_url"], done_job["output_url"]);
}

#[test]
fn a_refused_delivery_is_tried_again_until_acknowledged() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let receiver = FakeHttp::start(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Response::json(500, json!({ "error": "busy" }))
        } else {
            Response::json(204, json!({}))
        }
    });
    let server = server(300, true, None);
    let id = submit_with_hook(&server, QUICK, &format!("{}/hook", receiver.base));
    assert_eq!(
        server.wait(&id, Duration::from_secs(60))["status"],
        "completed"
    );
    wait_until("the second try", Duration::from_secs(20), || {
        hooks(&receiver).len() >= 2
    });
    std::thread::sleep(Duration::from_millis(1500));
    let got = hooks(&receiver);
    assert_eq!(got.len(), 2, "a 2xx ends the retries");
    assert_eq!(
        got[0].body, got[1].body,
        "every try sends the same snapshot"
    );
    assert_eq!(
        got[0].header("X-Varg-Delivery"),
        got[1].header("X-Varg-Delivery")
    );
    got.iter().for_each(assert_signed);
}

#[test]
fn a_delivery_pending_at_a_crash_is_made_after_the_restart() {
    let accept = Arc::new(AtomicBool::new(false));
    let open = accept.clone();
    let receiver = FakeHttp::start(move |_| {
        if open.load(Ordering::SeqCst) {
            Response::json(200, json!({}))
        } else {
            Response::json(503, json!({}))
        }
    });
    let data_dir = temp_dir("webhook-restart");
    let mut first = server(3000, true, Some(data_dir.clone()));
    let id = submit_with_hook(&first, QUICK, &format!("{}/hook", receiver.base));
    assert_eq!(
        first.wait(&id, Duration::from_secs(60))["status"],
        "completed"
    );
    wait_until("the first try", Duration::from_secs(20), || {
        !hooks(&receiver).is_empty()
    });
    first.kill();
    assert_eq!(
        hooks(&receiver).len(),
        1,
        "the retry was not due before the crash"
    );
    accept.store(true, Ordering::SeqCst);
    let second = server(3000, true, Some(data_dir));
    wait_until(
        "the delivery after the restart",
        Duration::from_secs(30),
        || hooks(&receiver).len() >= 2,
    );
    let got = hooks(&receiver);
    assert_eq!(got[1].json()["job_id"], id.as_str());
    assert_eq!(got[0].body, got[1].body);
    assert_signed(&got[1]);
    drop(second);
}

#[test]
fn a_webhook_to_a_forbidden_address_is_never_called_and_the_job_is_unaffected() {
    let receiver = FakeHttp::start(|_| Response::json(200, json!({})));
    // No allowlist: loopback and link-local are off limits.
    let server = server(100, false, None);
    let loopback = submit_with_hook(&server, QUICK, &format!("{}/hook", receiver.base));
    let metadata = submit_with_hook(&server, QUICK, "http://169.254.169.254/latest/meta-data/");
    for id in [&loopback, &metadata] {
        let job = server.wait(id, Duration::from_secs(60));
        assert_eq!(job["status"], "completed", "{job}");
    }
    wait_until("both refusals in the log", Duration::from_secs(10), || {
        server.stderr().matches("webhook refused").count() >= 2
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        receiver.requests().is_empty(),
        "nothing reached the receiver"
    );
    // A URL that cannot be a webhook at all is a bad request.
    let (status, body) = server.submit(&json!({
        "code": QUICK, "mode": "preview", "webhookUrl": "file:///etc/passwd",
    }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_request")),
        "{body}"
    );
}
