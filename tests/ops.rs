//! The operator's surface against the real binary: cancel, listing, OpenAPI, metrics, logs.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// 6 clips of 4 s at 720p: long enough to still be rendering when a test cancels it.
const LONG: &str = "export default <Render width={1280} height={720}>{[1,2,3,4,5,6].map(i => <Clip duration={4}><Image prompt={\"shot \" + i} /><Title>Shot {i}</Title></Clip>)}</Render>;";

fn request(method: &str, server: &Server, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut req = ureq::request(method, &server.url(path));
    if let Some(key) = key {
        req = req.set("Authorization", &format!("Bearer {key}"));
    }
    match req.call() {
        Ok(resp) => (resp.status(), resp.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(status, resp)) => (status, resp.into_json().unwrap_or(Value::Null)),
        Err(e) => panic!("{method} {path}: {e}"),
    }
}

fn cancel(server: &Server, id: &str) -> (u16, Value) {
    request(
        "POST",
        server,
        &format!("/api/render/jobs/{id}/cancel"),
        Some(KEY),
    )
}

/// Waits until a job's progress passes `at` while it renders.
fn wait_rendering(server: &Server, id: &str, at: f64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = server.job(id);
        if job["status"] == "rendering" && job["progress"].as_f64().unwrap_or(0.0) > at {
            return;
        }
        assert!(
            !matches!(
                job["status"].as_str(),
                Some("completed" | "failed" | "cancelled")
            ),
            "ended before the test could cancel it: {job}"
        );
        assert!(Instant::now() < deadline, "never got going: {job}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn readyz(server: &Server) -> Value {
    ureq::get(&server.url("/readyz"))
        .call()
        .expect("readyz")
        .into_json()
        .expect("json")
}

#[test]
fn cancel_stops_queued_and_running_jobs_and_refuses_finished_ones() {
    let server = Server::start_with(ServerOptions {
        workers: 1,
        ..Default::default()
    });
    let running = server.submit_code(LONG);
    let queued = server.submit_code(LONG);
    let queued_too = server.submit_code(LONG);
    assert_eq!(server.job(&queued)["status"], "queued");

    // Queued: cancelled at once and out of the queue; DELETE does the same.
    let (status, body) = cancel(&server, &queued);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["error_category"], "cancelled");
    assert_eq!(server.job(&queued)["status"], "cancelled");
    let (status, body) = request(
        "DELETE",
        &server,
        &format!("/api/render/jobs/{queued_too}"),
        Some(KEY),
    );
    assert_eq!((status, body["status"].as_str()), (200, Some("cancelled")));
    let metrics = scrape(&server);
    assert_eq!(sample(&metrics, "varg_queue_depth"), 0.0, "{metrics}");

    // Running: the record says cancelled at once, and the worker is free within a second.
    wait_rendering(&server, &running, 0.12);
    let asked = Instant::now();
    let (status, body) = cancel(&server, &running);
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("cancelled")),
        "{body}"
    );
    loop {
        if readyz(&server)["workers_busy"] == 0 {
            break;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "the worker was still busy a second after the cancel"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let events = parse_sse(&server.stream_raw(&running, None));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].event.as_deref(), Some("status"));
    assert_eq!(events[0].data["status"], "cancelled");

    // The freed worker takes the next job, and the worker's own ending did not overwrite
    // the cancel.
    let hello = server.submit_code(&example("hello.tsx"));
    let done = server.wait(&hello, Duration::from_secs(120));
    assert_eq!(done["status"], "completed", "{done}");
    let job = server.job(&running);
    assert_eq!(job["status"], "cancelled", "{job}");
    assert_eq!(job["error_category"], "cancelled");
    assert!(job.get("output_url").is_none(), "{job}");

    // Finished jobs: 409 conflict with the envelope, by either route.
    for (method, path) in [
        ("POST", format!("/api/render/jobs/{hello}/cancel")),
        ("DELETE", format!("/api/render/jobs/{hello}")),
        ("POST", format!("/api/render/jobs/{running}/cancel")),
    ] {
        let (status, body) = request(method, &server, &path, Some(KEY));
        assert_eq!(status, 409, "{method} {path}: {body}");
        assert_eq!(body["error"]["code"], "conflict");
        assert!(body["error"]["message"].is_string());
    }
    assert_eq!(server.job(&hello)["status"], "completed");

    // Unknown ids are 404, and without a key the route says nothing but 401.
    let unknown = uuid::Uuid::new_v4();
    let (status, body) = cancel(&server, &unknown.to_string());
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, _) = cancel(&server, "not-a-uuid");
    assert_eq!(status, 404);
    let (status, body) = request(
        "POST",
        &server,
        &format!("/api/render/jobs/{hello}/cancel"),
        None,
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
}

#[test]
fn listing_is_newest_first_paginated_filtered_and_survives_a_restart() {
    let data_dir = temp_dir("list");
    let options = || ServerOptions {
        workers: 1,
        data_dir: Some(data_dir.clone()),
        ..Default::default()
    };
    let mut server = Server::start_with(options());
    // One long render holds the only worker, so the rest stay queued until cancelled.
    let submitted: Vec<String> = (0..7).map(|_| server.submit_code(LONG)).collect();
    for id in &submitted[4..] {
        assert_eq!(cancel(&server, id).0, 200);
    }
    let newest_first: Vec<String> = submitted.iter().rev().cloned().collect();

    let page = |query: &str| -> Value {
        let (status, body) = server.get_json(&format!("/api/render/jobs{query}"));
        assert_eq!(status, 200, "{query}: {body}");
        body
    };
    let ids = |body: &Value| -> Vec<String> {
        body["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .map(|j| j["job_id"].as_str().expect("job_id").to_string())
            .collect()
    };

    // Pages of 3 walk every job exactly once, newest first, and the last has no cursor.
    let mut seen = Vec::new();
    let mut query = "?limit=3".to_string();
    let mut pages = 0;
    loop {
        let body = page(&query);
        pages += 1;
        let got = ids(&body);
        assert!(got.len() <= 3, "{body}");
        seen.extend(got);
        match body["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
            None => break,
        }
        assert!(pages < 10, "the cursor does not advance: {body}");
    }
    assert_eq!(seen, newest_first);
    assert_eq!(pages, 3);
    // Each item is the poll answer.
    let first = &page("?limit=1")["jobs"][0];
    assert_eq!(first["job_id"], submitted[6].as_str());
    assert_eq!(first["status"], "cancelled");
    for field in [
        "status",
        "mode",
        "created_at",
        "progress",
        "progress_message",
    ] {
        assert!(first.get(field).is_some(), "{field}: {first}");
    }

    // Filtering by status, one or several.
    let cancelled = ids(&page("?status=cancelled"));
    let expected: Vec<String> = submitted[4..7].iter().rev().cloned().collect();
    assert_eq!(cancelled, expected);
    let waiting = ids(&page("?status=queued,cancelled&limit=50"));
    let expected: Vec<String> = submitted[1..7].iter().rev().cloned().collect();
    assert_eq!(waiting, expected);
    let filtered_pages = page("?status=cancelled&limit=2");
    assert_eq!(ids(&filtered_pages).len(), 2);
    let rest = page(&format!(
        "?status=cancelled&limit=2&cursor={}",
        filtered_pages["next_cursor"].as_str().expect("cursor")
    ));
    assert_eq!(ids(&rest), vec![submitted[4].clone()]);
    assert!(rest.get("next_cursor").is_none(), "{rest}");

    // Bad parameters are 422 with the envelope; no key is 401.
    for bad in [
        "?limit=0",
        "?limit=201",
        "?limit=many",
        "?status=done",
        "?cursor=zz",
        "?cursor=00",
    ] {
        let (status, body) = server.get_json(&format!("/api/render/jobs{bad}"));
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("invalid_request")),
            "{bad}: {body}"
        );
    }
    let (status, _) = request("GET", &server, "/api/render/jobs", None);
    assert_eq!(status, 401);

    // After a restart the index and the order are the same.
    server.kill();
    let server = Server::start_with(options());
    let (status, body) = server.get_json("/api/render/jobs?limit=50");
    assert_eq!(status, 200);
    assert_eq!(ids(&body), newest_first);
    for id in &submitted {
        let _ = cancel(&server, id);
    }
    let (_, body) = server.get_json("/api/render/jobs?status=queued,rendering");
    assert_eq!(ids(&body), Vec::<String>::new(), "{body}");
}

#[test]
fn openapi_paths_are_exactly_the_router_paths() {
    let server = Server::start();
    let resp = ureq::get(&server.url("/api/openapi.json"))
        .call()
        .expect("openapi");
    assert!(resp
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("application/json")));
    let doc: Value = resp.into_json().expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }

    // Every documented route answers from a handler, not the fallback for unknown paths.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{key}", "renders/none.mp4")
            .replace("{path}", "none.js");
        let (status, body) = request(method, &server, &concrete, Some(KEY));
        assert!(
            !is_fallback(status, &body),
            "{method} {path} is documented but no route answers it"
        );
    }
    // ...and the fallback is recognisable, so the check above can fail.
    let (status, body) = request("PUT", &server, "/api/render", Some(KEY));
    assert!(is_fallback(status, &body), "{status} {body}");

    // Every route the router has is documented: the routes are the actix attributes in src/api.
    let routed = routes_in_source();
    assert!(routed.len() >= 10, "found only {routed:?}");
    assert_eq!(
        routed, documented,
        "routes in src/api (left) and paths in /api/openapi.json (right) differ"
    );
}

fn is_fallback(status: u16, body: &Value) -> bool {
    status == 404 && body["error"]["message"] == "there is nothing at this path"
}

/// `(METHOD, /path/{param})` of every `#[get("…")]`-style route attribute under src/api,
/// with actix's `{name:regex}` written as OpenAPI's `{name}`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("src/api") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for line in text.lines().map(str::trim) {
            for method in ["get", "post", "put", "delete", "patch"] {
                let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) else {
                    continue;
                };
                let route = rest.split('"').next().unwrap_or_default();
                routes.insert((method.to_uppercase(), openapi_form(route)));
            }
        }
        assert!(
            !text.contains(".route(\"") && !text.contains("web::resource(\""),
            "{}: register routes with the method attributes so this test sees them",
            path.display()
        );
    }
    routes
}

fn openapi_form(route: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    let mut skipping = false;
    for c in route.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push(c);
            }
            ':' if in_param => skipping = true,
            '}' if in_param => {
                in_param = false;
                skipping = false;
                out.push(c);
            }
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

fn scrape(server: &Server) -> String {
    let resp = ureq::get(&server.url("/metrics")).call().expect("metrics");
    assert!(
        resp.header("Content-Type")
            .is_some_and(|t| t.starts_with("text/plain") && t.contains("0.0.4")),
        "{:?}",
        resp.header("Content-Type")
    );
    resp.into_string().expect("text")
}

/// The value of one sample line (`name{labels} value`), 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            (name == series).then(|| value.parse().ok())?
        })
        .unwrap_or(0.0)
}

#[test]
fn metrics_change_after_a_render() {
    let server = Server::start();
    let before = scrape(&server);
    for family in [
        "# TYPE varg_jobs gauge",
        "# TYPE varg_queue_depth gauge",
        "# TYPE varg_render_seconds histogram",
        "# TYPE varg_encode_seconds histogram",
        "# TYPE varg_frames_rendered_total counter",
        "# TYPE varg_asset_cache_requests_total counter",
        "# TYPE varg_http_requests_total counter",
    ] {
        assert!(before.contains(family), "{family} missing from:\n{before}");
    }
    assert_eq!(sample(&before, "varg_workers"), 2.0);

    let id = server.submit_code(&example("hello.tsx"));
    assert_eq!(
        server.wait(&id, Duration::from_secs(120))["status"],
        "completed"
    );
    let after = scrape(&server);
    let delta = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(delta("varg_jobs{status=\"completed\"}"), 1.0, "{after}");
    assert_eq!(delta("varg_jobs_ended_total{status=\"completed\"}"), 1.0);
    assert_eq!(delta("varg_render_seconds_count"), 1.0);
    assert_eq!(delta("varg_encode_seconds_count"), 1.0);
    assert!(delta("varg_render_seconds_sum") > 0.0);
    assert_eq!(delta("varg_job_seconds_count"), 1.0);
    assert_eq!(
        delta("varg_http_requests_total{method=\"POST\",route=\"/api/render\",status=\"202\"}"),
        1.0,
        "{after}"
    );
    assert!(
        delta("varg_http_requests_total{method=\"GET\",route=\"/api/render/jobs/{id}\",status=\"200\"}")
            >= 1.0,
        "polls are counted under the route pattern, not the raw path: {after}"
    );
    assert!(!after.contains(&id), "job ids never become label values");
    assert_eq!(sample(&after, "varg_queue_depth"), 0.0);
    assert_eq!(sample(&after, "varg_workers_busy"), 0.0);

    let ready = readyz(&server);
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["workers_alive"], true, "{ready}");
}

#[test]
fn json_logs_have_one_line_per_request_and_per_job_stage() {
    let data_dir = temp_dir("jsonlog");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let stderr_path = data_dir.with_extension("stderr.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--log-format", "json", "--workers", "1"])
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(&data_dir)
        .env("VARG_SERVICE_KEY", KEY)
        .env("VARG_LOG", "info")
        .env_remove("VARG_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("start");
    let base = format!("http://127.0.0.1:{port}");
    let result = std::panic::catch_unwind(|| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while ureq::get(&format!("{base}/healthz")).call().is_err() {
            assert!(Instant::now() < deadline, "no /healthz");
            std::thread::sleep(Duration::from_millis(50));
        }
        let secret = "gw-secret-never-logged";
        let resp = ureq::post(&format!("{base}/api/render"))
            .set("Authorization", &format!("Bearer {KEY}"))
            .send_json(
                json!({ "code": example("hello.tsx"), "mode": "preview", "gatewayApiKey": secret }),
            )
            .expect("submit");
        let id = resp.into_json::<Value>().expect("json")["job_id"]
            .as_str()
            .expect("id")
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let job: Value = ureq::get(&format!("{base}/api/render/jobs/{id}"))
                .set("Authorization", &format!("Bearer {KEY}"))
                .call()
                .expect("poll")
                .into_json()
                .expect("json");
            if job["status"] == "completed" {
                break;
            }
            assert!(Instant::now() < deadline, "{job}");
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_millis(200));
        let text = std::fs::read_to_string(&stderr_path).expect("log");
        assert!(!text.contains(secret), "the gateway key was logged");
        // The bundled H.264 encoder writes its own warnings straight to stderr.
        let lines: Vec<Value> = text
            .lines()
            .filter(|l| !l.starts_with("[OpenH264]"))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        let submit = lines
            .iter()
            .find(|l| l["message"] == "request" && l["route"] == "/api/render")
            .unwrap_or_else(|| panic!("no request line for the submit:\n{text}"));
        assert_eq!(submit["method"], "POST");
        assert_eq!(submit["status"], 202);
        assert!(submit["duration_ms"].is_number());
        let stages: Vec<&str> = lines
            .iter()
            .filter(|l| l["message"] == "job stage" && l["job_id"] == id.as_str())
            .filter_map(|l| l["stage"].as_str())
            .collect();
        assert!(
            stages.len() >= 3 && stages.contains(&"rendering frame"),
            "stages {stages:?} in:\n{text}"
        );
        let ended = lines
            .iter()
            .find(|l| l["message"] == "render ended")
            .unwrap_or_else(|| panic!("no end line:\n{text}"));
        assert_eq!(ended["status"], "completed");
        assert_eq!(ended["span"]["job_id"], id.as_str());
        assert!(ended["encode_ms"].is_number(), "{ended}");
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn a_retry_right_after_a_cancel_runs_to_the_end_untouched_by_the_old_attempt() {
    let server = Server::start_with(ServerOptions {
        workers: 2,
        ..Default::default()
    });
    let id = server.submit_code(LONG);
    wait_rendering(&server, &id, 0.12);
    let (status, body) = cancel(&server, &id);
    assert_eq!((status, body["status"].as_str()), (200, Some("cancelled")));
    // At once: the cancelled attempt may still be drawing its last frames.
    let (status, body) = server.post_json(&format!("/api/render/jobs/{id}/retry"), &json!({}));
    assert_eq!(status, 202, "{body}");
    let done = server.wait(&id, Duration::from_secs(180));
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["output_url"].is_string(), "{done}");
    assert!(done.get("error").is_none(), "{done}");

    // The retry body follows the submit route's rules: JSON only, and bounded.
    let wrong_type = ureq::post(&server.url(&format!("/api/render/jobs/{id}/retry")))
        .set("Authorization", &format!("Bearer {KEY}"))
        .set("Content-Type", "text/plain")
        .send_string("{}");
    assert!(
        matches!(wrong_type, Err(ureq::Error::Status(415, _))),
        "{wrong_type:?}"
    );
    let huge = format!("{{\"gatewayApiKey\":\"{}\"}}", "k".repeat(2 << 20));
    let too_big = ureq::post(&server.url(&format!("/api/render/jobs/{id}/retry")))
        .set("Authorization", &format!("Bearer {KEY}"))
        .set("Content-Type", "application/json")
        .send_string(&huge);
    assert!(
        matches!(too_big, Err(ureq::Error::Status(413, _))),
        "{too_big:?}"
    );
}
