//! The seed's three calls against the real binary on loopback (api.md §1–§3).

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

#[test]
fn seed_example_renders_to_a_valid_1080p_mp4() {
    let server = Server::start();
    let (status, body) = server.submit(&json!({ "code": example("hello.tsx") }));
    assert_eq!(status, 202, "{body}");
    assert!(
        matches!(body["status"].as_str(), Some("rendering" | "queued")),
        "{body}"
    );
    assert!(body["estimated_duration_ms"].as_u64().is_some(), "{body}");
    assert!(
        body["queue"]["active"].as_u64().is_some() && body["queue"]["waiting"].as_u64().is_some(),
        "{body}"
    );
    let id = body["job_id"].as_str().expect("job id").to_string();
    assert_eq!(
        uuid::Uuid::parse_str(&id).map(|u| u.get_version_num()).ok(),
        Some(4)
    );

    let job = server.wait(&id, Duration::from_secs(120));
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["mode"], "preview", "no gateway key: preview by default");
    assert_eq!(job["progress"], 1.0);
    for field in ["created_at", "started_at", "completed_at"] {
        let text = job[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} missing: {job}"));
        assert!(
            chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            "{field}: {text}"
        );
    }
    assert!(job["duration_ms"].as_u64().is_some(), "{job}");
    for t in [
        "eval_ms",
        "generate_ms",
        "compose_ms",
        "encode_ms",
        "store_ms",
    ] {
        assert!(job["timings"][t].as_u64().is_some(), "timings.{t}: {job}");
    }
    let url = job["output_url"].as_str().expect("output_url");
    assert!(
        url.starts_with(&server.base) && url.ends_with(".mp4"),
        "{url}"
    );
    let mp4 = download(url, "hello.mp4");
    assert_valid_mp4(&mp4, 1920, 1080, "30/1", 120);
    let duration: f64 = probe(&mp4)["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("duration");
    assert!((duration - 4.0).abs() < 0.05, "duration {duration}");

    let thumb = download(
        job["thumbnail_url"].as_str().expect("thumbnail_url"),
        "thumb.jpg",
    );
    let bytes = std::fs::read(&thumb).expect("thumb");
    assert!(
        bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "thumbnail is a JPEG"
    );

    let files = job["files"].as_array().expect("files");
    assert_eq!(files.len(), 1, "{job}");
    assert_eq!(files[0]["mediaType"], "image/png");
    assert_eq!(files[0]["metadata"]["type"], "image");
    assert_eq!(files[0]["metadata"]["prompt"], "a cat in space");
    assert_eq!(files[0]["metadata"]["placeholder"], true);
    let png = download(files[0]["url"].as_str().expect("file url"), "asset.png");
    assert!(
        std::fs::read(png).expect("png").starts_with(b"\x89PNG"),
        "asset is served"
    );
}

#[test]
fn stream_sends_status_events_then_closes_and_replays_only_the_end() {
    let server = Server::start();
    let id = server.submit_code(&example("hello.tsx"));
    let text = server.stream_raw(&id, None);
    let events = parse_sse(&text);
    assert!(!events.is_empty(), "no events in {text:?}");
    // Framing: `id:`, `event:`, `data:` lines, one blank line after each event.
    for block in text.split("\n\n").filter(|b| b.contains("data: ")) {
        let lines: Vec<&str> = block.lines().filter(|l| !l.starts_with(':')).collect();
        assert!(
            lines[0].starts_with("id: ")
                && lines[1].starts_with("event: ")
                && lines[2].starts_with("data: "),
            "{block}"
        );
    }
    let mut last_id = 0;
    for event in &events {
        assert!(
            matches!(event.event.as_deref(), Some("status" | "progress")),
            "{event:?}"
        );
        assert_eq!(event.data["job_id"], id.as_str());
        assert!(event.data["status"].is_string());
        let seq = event.id.expect("id");
        assert!(seq > last_id, "ids increase: {text}");
        last_id = seq;
    }
    let last = events.last().expect("last");
    assert_eq!(last.event.as_deref(), Some("status"));
    assert_eq!(last.data["status"], "completed", "{text}");
    assert!(
        last.data["output_url"].is_string()
            && last.data["files"].is_array()
            && last.data["duration_ms"].is_u64()
    );
    let progress: Vec<f64> = events
        .iter()
        .filter_map(|e| e.data["progress"].as_f64())
        .collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress never moves back: {progress:?}"
    );

    // A client connecting after the end gets the one terminal event, then the close.
    let again = parse_sse(&server.stream_raw(&id, None));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].data["status"], "completed");
    // ... even when it says it has seen everything.
    let resumed = parse_sse(&server.stream_raw(&id, Some(last_id)));
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].data["status"], "completed");
}

#[test]
fn auth_and_error_envelopes() {
    let server = Server::start();
    let code = example("hello.tsx");
    for auth in [None, Some("Bearer wrong"), Some("Basic abc")] {
        let mut req = ureq::post(&server.url("/api/render"));
        if let Some(a) = auth {
            req = req.set("Authorization", a);
        }
        match req.send_json(json!({ "code": code })) {
            Err(ureq::Error::Status(401, resp)) => {
                let body: serde_json::Value = resp.into_json().expect("json");
                assert_eq!(body["error"]["code"], "unauthorized");
            }
            other => panic!("expected 401, got {other:?}"),
        }
    }
    // An unknown job and a job id that is not a UUID: 404 with the envelope, also without auth → 401.
    let (status, body) = server.get_json(&format!("/api/render/jobs/{}", uuid::Uuid::new_v4()));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, _) = server.get_json("/api/render/jobs/not-a-uuid");
    assert_eq!(status, 404);
    assert!(matches!(
        ureq::get(&server.url(&format!("/api/render/jobs/{}", uuid::Uuid::new_v4()))).call(),
        Err(ureq::Error::Status(401, _))
    ));

    // Bad JSON → 400, missing code → 422, wrong content type → 415, huge body → 413.
    let post =
        || ureq::post(&server.url("/api/render")).set("Authorization", &format!("Bearer {KEY}"));
    let status_of = |r: Result<ureq::Response, ureq::Error>| match r {
        Ok(resp) => (
            resp.status(),
            resp.into_json::<serde_json::Value>().unwrap_or_default(),
        ),
        Err(ureq::Error::Status(s, resp)) => (s, resp.into_json().unwrap_or_default()),
        Err(e) => panic!("{e}"),
    };
    let (s, b) = status_of(
        post()
            .set("Content-Type", "application/json")
            .send_string("{\"code\": "),
    );
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("invalid_json")),
        "{b}"
    );
    let (s, b) = status_of(post().send_json(json!({ "mode": "preview" })));
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (422, Some("invalid_request")),
        "{b}"
    );
    let (s, b) = status_of(post().set("Content-Type", "text/plain").send_string("{}"));
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "{b}"
    );
    let big = "x".repeat(2 * 1024 * 1024);
    let (s, b) = status_of(post().send_json(json!({ "code": big })));
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (413, Some("payload_too_large")),
        "{b}"
    );
    // Unknown paths are JSON too.
    let (s, b) = status_of(ureq::get(&server.url("/nope")).call());
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("not_found")));
}

#[test]
fn syntax_errors_answer_422_with_line_and_column() {
    let server = Server::start();
    let code = "const a = 1;\nconst b = 2;\nconst c = (3 +;\nexport default <Render><Clip><Image prompt=\"x\" /></Clip></Render>;\n";
    let (status, body) = server.submit(&json!({ "code": code }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_code");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert_eq!(body["error"]["details"]["line"], 3, "{body}");
    assert_eq!(body["error"]["details"]["column"], 15, "{body}");
}

#[test]
fn runaway_programs_fail_their_job_and_the_server_keeps_serving() {
    let server = Server::start();
    let forever = server.submit_code(
        "while (true) {}\nexport default <Render><Clip><Image prompt=\"x\" /></Clip></Render>;",
    );
    let memory = server.submit_code(
        "let s = \"x\";\nwhile (true) { s = s + s; }\nexport default <Render><Clip><Image prompt=\"x\" /></Clip></Render>;",
    );
    for (id, categories) in [
        (&forever, ["timeout", "limit_exceeded"]),
        (&memory, ["limit_exceeded", "timeout"]),
    ] {
        let job = server.wait(id, Duration::from_secs(30));
        assert_eq!(job["status"], "failed", "{job}");
        assert!(
            categories.contains(&job["error_category"].as_str().unwrap_or_default()),
            "{job}"
        );
        let error = job["error"].as_str().expect("error sentence");
        assert!(error.len() > 10 && !error.contains("panicked"), "{error}");
        assert!(ureq::get(&server.url("/healthz")).call().is_ok());
    }
    // Still rendering for everyone else.
    let ok = server.submit_code(&example("hello.tsx"));
    assert_eq!(
        server.wait(&ok, Duration::from_secs(120))["status"],
        "completed"
    );
}

#[test]
fn errors_that_need_the_program_to_run_fail_the_job_with_a_location() {
    let server = Server::start();
    let id = server.submit_code(
        "export default (\n  <Render>\n    <Clip transition={{ name: \"spin\" }}>\n      <Image prompt=\"a\" />\n    </Clip>\n    <Clip><Image prompt=\"b\" /></Clip>\n  </Render>\n);\n",
    );
    let job = server.wait(&id, Duration::from_secs(30));
    assert_eq!(job["status"], "failed");
    assert_eq!(job["error_category"], "invalid_code");
    assert!(
        job["error"].as_str().is_some_and(|e| e.contains("spin")),
        "{job}"
    );
    assert_eq!(job["error_details"]["line"], 3, "{job}");
}

#[test]
fn files_are_served_with_range_support() {
    let server = Server::start();
    let id = server.submit_code(&example("hello.tsx"));
    let job = server.wait(&id, Duration::from_secs(120));
    let url = job["output_url"].as_str().expect("url");
    let resp = ureq::get(url)
        .set("Range", "bytes=0-99")
        .call()
        .expect("range request");
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.header("Content-Type"), Some("video/mp4"));
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).expect("body");
    assert_eq!(body.len(), 100);
    assert!(matches!(
        ureq::get(&server.url("/files/renders/../../jobs")).call(),
        Err(ureq::Error::Status(404, _))
    ));
}

#[test]
fn a_generated_key_is_kept_and_printed_with_a_url() {
    let data_dir = temp_dir("keygen");
    let server = Server::start_with(ServerOptions {
        key: None,
        data_dir: Some(data_dir.clone()),
        ..Default::default()
    });
    let key = std::fs::read_to_string(data_dir.join("service_key")).expect("key file");
    let key = key.trim();
    assert!(key.len() >= 32);
    let out = server.stdout();
    assert!(
        out.contains(key) && out.contains(&format!("{}/#key={key}", server.base)),
        "{out}"
    );
    let ok = ureq::get(&server.url(&format!("/api/render/jobs/{}", uuid::Uuid::new_v4())))
        .set("Authorization", &format!("Bearer {key}"))
        .call();
    assert!(
        matches!(ok, Err(ureq::Error::Status(404, _))),
        "the generated key authenticates"
    );
}

#[test]
fn a_job_interrupted_by_sigkill_completes_after_restart() {
    let data_dir = temp_dir("crash");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let options = || ServerOptions {
        data_dir: Some(data_dir.clone()),
        port: Some(port),
        workers: 1,
        ..Default::default()
    };
    let mut server = Server::start_with(options());
    // Long enough to still be rendering when it is killed.
    let code = "export default <Render width={1280} height={720}>{[1,2,3,4,5,6].map(i => <Clip duration={4} transition={{name:\"fade\"}}><Image prompt={\"shot \" + i} /><Title>Shot {i}</Title></Clip>)}</Render>;";
    let id = server.submit_code(code);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let job = server.job(&id);
        if job["status"] == "rendering" && job["progress"].as_f64().unwrap_or(0.0) > 0.15 {
            break;
        }
        assert_ne!(
            job["status"], "completed",
            "rendered before it could be killed"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "never got going: {job}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server.kill();
    let server = Server::start_with(options());
    let job = server.wait(&id, Duration::from_secs(180));
    assert_eq!(job["status"], "completed", "{job}");
    assert_valid_mp4(
        &download(job["output_url"].as_str().expect("url"), "crash.mp4"),
        1280,
        720,
        "30/1",
        645,
    );
}

#[test]
fn the_seed_js_client_prints_the_video_url() {
    let server = Server::start();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed_client.mjs");
    let out = run(std::process::Command::new("node")
        .arg(&script)
        .env("VARG_RENDER_URL", &server.base)
        .env("VARG_API_KEY", KEY)
        .env("VARG_CODE_FILE", examples_dir().join("hello.tsx")));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = stdout.trim();
    assert!(
        url.starts_with(&format!("{}/files/renders/", server.base)) && url.ends_with(".mp4"),
        "{stdout}"
    );
    assert_valid_mp4(&download(url, "seed.mp4"), 1920, 1080, "30/1", 120);
}
