//! Strict mode against a fake varg gateway: a real HTTP server on loopback (allowlisted with
//! `VARG_ALLOW_HOSTS`) that speaks the gateway's protocol, counts its calls and can fail.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fake_http::{png, FakeHttp, Request, Response};
use common::{fetch_bytes, Server, ServerOptions};
use serde_json::{json, Value};

const GATEWAY_KEY: &str = "gw-secret-7f3a9c1e5b";

/// What the fake gateway knows and can be told.
#[derive(Default)]
struct State {
    /// Prompts whose generation answers 500.
    failing: HashSet<String>,
    /// Prompts whose jobs never finish.
    stuck: HashSet<String>,
    /// job id → (capability, prompt)
    jobs: HashMap<String, (String, String)>,
    next: u32,
}

struct Gateway {
    http: FakeHttp,
    state: Arc<Mutex<State>>,
}

/// The colour the fake gateway paints a prompt with, so a test can tell its image in a frame.
fn colour_of(prompt: &str) -> [u8; 3] {
    match prompt {
        p if p.contains("red") => [220, 30, 30],
        p if p.contains("blue") => [30, 60, 220],
        _ => [30, 180, 60],
    }
}

impl Gateway {
    fn start() -> Gateway {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let base = Arc::new(Mutex::new(String::new()));
        let base_in = base.clone();
        let http = FakeHttp::start(move |req: &Request| {
            let mut state = shared.lock().expect("state");
            if req.path.starts_with("/v1/")
                && req.header("authorization") != Some(&format!("Bearer {GATEWAY_KEY}"))
            {
                return Response::json(
                    401,
                    json!({ "error": "Unauthorized", "message": "bad key" }),
                );
            }
            let base = base_in.lock().expect("base").clone();
            match (req.method.as_str(), req.path.as_str()) {
                ("POST", "/v1/files") => Response::json(
                    200,
                    json!({ "url": format!("{base}/uploads/{}", req.body.len()) }),
                ),
                ("POST", path) => {
                    let capability = path.trim_start_matches("/v1/").to_string();
                    let body = req.json();
                    let prompt = body["prompt"].as_str().unwrap_or_default().to_string();
                    if state.failing.contains(&prompt) {
                        // A careless provider error that quotes the caller's key back.
                        return Response::json(
                            500,
                            json!({ "error": "ProviderError",
                                    "message": format!("upstream exploded (key {GATEWAY_KEY})") }),
                        );
                    }
                    state.next += 1;
                    let id = format!("job-{}", state.next);
                    state.jobs.insert(id.clone(), (capability, prompt));
                    Response::json(202, json!({ "job_id": id, "status": "queued" }))
                }
                ("GET", path) if path.starts_with("/v1/jobs/") => {
                    let id = path.trim_start_matches("/v1/jobs/");
                    let Some((_, prompt)) = state.jobs.get(id).cloned() else {
                        return Response::json(404, json!({ "error": "NotFound" }));
                    };
                    if state.stuck.contains(&prompt) {
                        return Response::json(
                            200,
                            json!({ "job_id": id, "status": "processing" }),
                        );
                    }
                    Response::json(
                        200,
                        json!({ "job_id": id, "status": "completed",
                                "output": { "url": format!("{base}/out/{id}.png"), "media_type": "image/png" } }),
                    )
                }
                ("DELETE", path) if path.starts_with("/v1/jobs/") => {
                    Response::json(200, json!({ "status": "cancelled" }))
                }
                ("GET", path) if path.starts_with("/out/") => {
                    let id = path.trim_start_matches("/out/").trim_end_matches(".png");
                    let prompt = state.jobs.get(id).map(|j| j.1.clone()).unwrap_or_default();
                    Response::bytes(200, "image/png", png(64, 36, colour_of(&prompt)))
                }
                _ => Response::json(404, json!({ "error": "NotFound" })),
            }
        });
        *base.lock().expect("base") = http.base.clone();
        Gateway { http, state }
    }

    fn url(&self) -> String {
        format!("{}/v1", self.http.base)
    }

    /// Generation requests per prompt.
    fn calls(&self) -> HashMap<String, usize> {
        let mut calls = HashMap::new();
        for req in self.http.requests() {
            if req.method == "POST" && req.path == "/v1/image" {
                let prompt = req.json()["prompt"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                *calls.entry(prompt).or_default() += 1;
            }
        }
        calls
    }
}

fn server_for(
    gateway: &Gateway,
    data_dir: Option<std::path::PathBuf>,
    extra: &[(&str, &str)],
) -> Server {
    let mut env = vec![
        ("VARG_GATEWAY_URL".to_string(), gateway.url()),
        ("VARG_ALLOW_HOSTS".to_string(), "127.0.0.1".to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Server::start_with(ServerOptions {
        data_dir,
        env,
        ..Default::default()
    })
}

const THREE_CLIPS: &str = r#"
export default (
  <Render width={320} height={180} fps={10}>
    <Clip duration={1}><Image prompt="a red square" model={varg.imageModel("flux-schnell")} /></Clip>
    <Clip duration={1}><Image prompt="a blue circle" /></Clip>
    <Clip duration={1}><Image prompt="a red square" model={varg.imageModel("flux-schnell")} zoom="out" /></Clip>
  </Render>
);
"#;

fn files_by_prompt(job: &Value) -> HashMap<String, Value> {
    job["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["metadata"]["prompt"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f.clone(),
            )
        })
        .collect()
}

/// The RGB at the centre of the frame at `seconds` of an MP4.
fn frame_centre(mp4: &Path, seconds: f64) -> [u8; 3] {
    let png_path = mp4.with_extension(format!("{seconds}.png"));
    let out = common::run(
        std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-ss", &seconds.to_string(), "-i"])
            .arg(mp4)
            .args(["-frames:v", "1"])
            .arg(&png_path),
    );
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&png_path).expect("frame").to_rgb8();
    img.get_pixel(img.width() / 2, img.height() / 2).0
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 30)
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn assert_key_absent(what: &str, text: &str) {
    assert!(
        !text.contains(GATEWAY_KEY),
        "the gateway key leaked into {what}"
    );
}

/// The key is in no answer, log line or file of the data directory (the job store included:
/// a per-request key is held in memory only).
fn assert_key_nowhere(server: &Server, answers: &[String]) {
    for (i, answer) in answers.iter().enumerate() {
        assert_key_absent(&format!("answer #{i}"), answer);
    }
    assert_key_absent("standard output", &server.stdout());
    assert_key_absent("the log", &server.stderr());
    for file in files_under(&server.data_dir) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !bytes
                .windows(GATEWAY_KEY.len())
                .any(|w| w == GATEWAY_KEY.as_bytes()),
            "the gateway key is in {}",
            file.display()
        );
    }
}

#[test]
fn strict_renders_call_the_gateway_once_per_generation_and_never_again() {
    let gateway = Gateway::start();
    let server = server_for(&gateway, None, &[]);
    let mut answers = Vec::new();

    let (status, accepted) =
        server.submit(&json!({ "code": THREE_CLIPS, "gatewayApiKey": GATEWAY_KEY }));
    assert_eq!(status, 202, "{accepted}");
    answers.push(accepted.to_string());
    let id = accepted["job_id"].as_str().expect("id").to_string();
    let job = server.wait(&id, Duration::from_secs(120));
    answers.push(job.to_string());
    answers.push(server.stream_raw(&id, None));
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(
        job["mode"], "strict",
        "a gateway key makes strict the default"
    );

    // Two distinct generations (the repeated red square is the same asset).
    let calls = gateway.calls();
    assert_eq!(calls.get("a red square"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("a blue circle"), Some(&1), "{calls:?}");
    assert_eq!(calls.len(), 2);
    assert!(
        gateway.http.count("GET", "/v1/jobs/") >= 2,
        "the jobs were polled"
    );

    let files = files_by_prompt(&job);
    let red = &files["a red square"];
    assert_eq!(red["metadata"]["placeholder"], false);
    assert_eq!(red["metadata"]["cached"], false);
    assert_eq!(red["metadata"]["model"], "flux-schnell");
    assert_eq!(
        files["a blue circle"]["metadata"]["model"], "nano-banana-pro",
        "the default image model"
    );
    // The stored asset is the gateway's own file, and the video shows it.
    assert_eq!(
        fetch_bytes(red["url"].as_str().expect("url")),
        png(64, 36, colour_of("a red square"))
    );
    let mp4 = common::download(job["output_url"].as_str().expect("output"), "strict.mp4");
    assert!(
        close(frame_centre(&mp4, 0.5), colour_of("a red square")),
        "clip 1 shows the red image"
    );
    assert!(
        close(frame_centre(&mp4, 1.5), colour_of("a blue circle")),
        "clip 2 shows the blue image"
    );

    // The same program again: no gateway call at all, every asset from the cache.
    let before = gateway.http.requests().len();
    let (status, accepted) =
        server.submit(&json!({ "code": THREE_CLIPS, "gatewayApiKey": GATEWAY_KEY }));
    assert_eq!(status, 202);
    let again = server.wait(
        accepted["job_id"].as_str().expect("id"),
        Duration::from_secs(120),
    );
    answers.push(again.to_string());
    assert_eq!(again["status"], "completed", "{again}");
    assert_eq!(
        gateway.http.requests().len(),
        before,
        "an identical render calls the gateway no more"
    );
    for (prompt, file) in files_by_prompt(&again) {
        assert_eq!(file["metadata"]["cached"], true, "{prompt}");
    }
    let (_, listing) = server.get_json("/api/render/jobs");
    answers.push(listing.to_string());
    assert_key_nowhere(&server, &answers);
}

#[test]
fn a_failed_generation_names_its_prompt_and_a_retry_makes_only_what_was_missing() {
    let gateway = Gateway::start();
    gateway
        .state
        .lock()
        .expect("state")
        .failing
        .insert("a stormy harbour".into());
    let server = server_for(&gateway, None, &[]);
    let code = r#"export default (
  <Render width={320} height={180} fps={10}>
    <Clip duration={1}><Image prompt="a calm lake" /></Clip>
    <Clip duration={1}>
      <Image prompt="a stormy harbour" />
    </Clip>
    <Clip duration={1}><Image prompt="green hills" /></Clip>
  </Render>
);"#;
    let mut answers = Vec::new();
    let (status, accepted) =
        server.submit(&json!({ "code": code, "gatewayApiKey": GATEWAY_KEY, "mode": "strict" }));
    assert_eq!(status, 202);
    let id = accepted["job_id"].as_str().expect("id").to_string();
    let failed = server.wait(&id, Duration::from_secs(120));
    answers.push(failed.to_string());
    answers.push(server.stream_raw(&id, None));
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error_category"], "generation_failed");
    let error = failed["error"].as_str().expect("error");
    assert!(
        error.contains("<Image>") && error.contains("a stormy harbour"),
        "{error}"
    );
    assert!(error.contains("500"), "{error}");
    assert_eq!(failed["error_details"]["line"], 5, "{failed}");
    let calls = gateway.calls();
    assert!(
        calls["a stormy harbour"] >= 2,
        "5xx answers are retried: {calls:?}"
    );
    assert_eq!(calls.get("a calm lake"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("green hills"), Some(&1), "{calls:?}");

    // A retry while the job is not failed or cancelled is refused; after the gateway
    // recovers, a retry makes only the missing image.
    gateway.state.lock().expect("state").failing.clear();
    let (status, retried) = server.post_json(
        &format!("/api/render/jobs/{id}/retry"),
        &json!({ "gatewayApiKey": GATEWAY_KEY }),
    );
    assert_eq!(status, 202, "{retried}");
    answers.push(retried.to_string());
    assert_eq!(retried["job_id"], id.as_str());
    let done = server.wait(&id, Duration::from_secs(120));
    answers.push(done.to_string());
    assert_eq!(done["status"], "completed", "{done}");
    let after = gateway.calls();
    assert_eq!(after["a calm lake"], 1, "{after:?}");
    assert_eq!(after["green hills"], 1, "{after:?}");
    assert_eq!(
        after["a stormy harbour"],
        calls["a stormy harbour"] + 1,
        "{after:?}"
    );
    let files = files_by_prompt(&done);
    assert_eq!(files["a calm lake"]["metadata"]["cached"], true);
    assert_eq!(files["green hills"]["metadata"]["cached"], true);
    assert_eq!(files["a stormy harbour"]["metadata"]["cached"], false);

    let (status, conflict) = server.post_json(&format!("/api/render/jobs/{id}/retry"), &json!({}));
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(conflict["error"]["code"], "conflict");
    let (status, _) = server.post_json(
        "/api/render/jobs/00000000-0000-4000-8000-000000000000/retry",
        &json!({}),
    );
    assert_eq!(status, 404);
    assert_key_nowhere(&server, &answers);
}

#[test]
fn a_server_key_makes_strict_the_default_and_cancel_stops_the_gateway_job() {
    let gateway = Gateway::start();
    gateway
        .state
        .lock()
        .expect("state")
        .stuck
        .insert("a very slow painting".into());
    let server = server_for(&gateway, None, &[("VARG_GATEWAY_KEY", GATEWAY_KEY)]);
    let mut answers = Vec::new();

    // No key in the request: the server's key is used, and strict is the default.
    let (status, accepted) = server.submit(&json!({ "code": "export default <Render width={320} height={180}><Clip duration={1}><Image prompt=\"a blue boat\" /></Clip></Render>;" }));
    assert_eq!(status, 202);
    let done = server.wait(
        accepted["job_id"].as_str().expect("id"),
        Duration::from_secs(120),
    );
    answers.push(done.to_string());
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["mode"], "strict");
    assert_eq!(gateway.calls().get("a blue boat"), Some(&1));

    // A generation that never finishes: cancelling the job stops the polling at once and
    // cancels the gateway's job too.
    let (_, accepted) = server.submit(&json!({ "code": "export default <Render width={320} height={180}><Clip duration={1}><Image prompt=\"a very slow painting\" /></Clip></Render>;" }));
    let id = accepted["job_id"].as_str().expect("id").to_string();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while gateway.http.count("GET", "/v1/jobs/") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the job never polled the gateway"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, cancelled) =
        server.post_json(&format!("/api/render/jobs/{id}/cancel"), &json!({}));
    assert_eq!(status, 200, "{cancelled}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(server.job(&id)["status"], "cancelled");
    assert_eq!(
        gateway.http.count("DELETE", "/v1/jobs/"),
        1,
        "the gateway job was cancelled"
    );
    let polls = gateway.http.count("GET", "/v1/jobs/");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        gateway.http.count("GET", "/v1/jobs/"),
        polls,
        "polling stopped"
    );
    assert_key_nowhere(&server, &answers);
}

#[test]
fn an_edit_uploads_its_source_as_a_reference_file() {
    let gateway = Gateway::start();
    let dir = common::temp_dir("edit-source");
    let photo = png(24, 24, [240, 240, 10]);
    std::fs::write(dir.join("photo.png"), &photo).expect("photo");
    let server = Server::start_with(ServerOptions {
        asset_dirs: Some(dir),
        env: vec![
            ("VARG_GATEWAY_URL".into(), gateway.url()),
            ("VARG_ALLOW_HOSTS".into(), "127.0.0.1".into()),
        ],
        ..Default::default()
    });
    let (_, accepted) = server.submit(&json!({
        "code": "export default <Render width={320} height={180}><Clip duration={1}><Image src=\"photo.png\" prompt=\"make it red\" aspectRatio=\"1:1\" /></Clip></Render>;",
        "gatewayApiKey": GATEWAY_KEY,
    }));
    let job = server.wait(
        accepted["job_id"].as_str().expect("id"),
        Duration::from_secs(120),
    );
    assert_eq!(job["status"], "completed", "{job}");
    let requests = gateway.http.requests();
    let upload = requests
        .iter()
        .find(|r| r.path == "/v1/files")
        .expect("the source was uploaded");
    assert_eq!(upload.body, photo);
    assert_eq!(upload.header("content-type"), Some("image/png"));
    let generation = requests
        .iter()
        .find(|r| r.path == "/v1/image")
        .expect("the edit was generated")
        .json();
    assert_eq!(generation["prompt"], "make it red");
    assert_eq!(generation["aspect_ratio"], "1:1");
    assert_eq!(
        generation["files"][0]["url"],
        format!("{}/uploads/{}", gateway.http.base, photo.len())
    );
    let files = files_by_prompt(&job);
    assert_eq!(files["make it red"]["metadata"]["placeholder"], false);
}
