//! Shared test plumbing: the real binary on a loopback port, HTTP helpers, ffprobe.
#![allow(dead_code)]

pub mod fake_http;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_varg-render");
pub const KEY: &str = "test-key-0123456789";

pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/examples")
}

pub fn example(name: &str) -> String {
    let path = examples_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("varg-test-{tag}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A running `varg-render serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub stdout_path: PathBuf,
}

pub struct ServerOptions {
    pub key: Option<String>,
    pub workers: usize,
    pub asset_dirs: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub port: Option<u16>,
    /// Extra environment variables for the server (`VARG_GATEWAY_URL`, `VARG_STORAGE`, ...).
    pub env: Vec<(String, String)>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            key: Some(KEY.into()),
            workers: 2,
            asset_dirs: None,
            data_dir: None,
            port: None,
            env: Vec::new(),
        }
    }
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(ServerOptions::default())
    }

    pub fn start_with(options: ServerOptions) -> Server {
        let port = options.port.unwrap_or_else(free_port);
        let data_dir = options.data_dir.unwrap_or_else(|| temp_dir("data"));
        let stdout_path = data_dir.with_extension(format!("stdout-{port}.log"));
        let stdout = std::fs::File::create(&stdout_path).expect("stdout file");
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--workers")
            .arg(options.workers.to_string())
            .env_remove("VARG_SERVICE_KEY")
            .env_remove("VARG_PUBLIC_URL")
            .env("VARG_LOG", "info")
            .stdout(stdout)
            .stderr(Stdio::from(
                std::fs::File::create(data_dir.with_extension(format!("stderr-{port}.log")))
                    .expect("stderr file"),
            ));
        if let Some(key) = &options.key {
            cmd.env("VARG_SERVICE_KEY", key);
        }
        if let Some(dirs) = &options.asset_dirs {
            cmd.env("VARG_ASSET_DIRS", dirs);
        }
        // Only what a test sets reaches the server, whatever the machine's environment says.
        for name in [
            "VARG_GATEWAY_URL",
            "VARG_GATEWAY_KEY",
            "VARG_ALLOW_HOSTS",
            "VARG_STORAGE",
            "VARG_S3_BUCKET",
            "VARG_S3_ENDPOINT",
            "VARG_S3_REGION",
            "VARG_S3_PREFIX",
            "VARG_S3_PUBLIC_URL",
            "VARG_KEYS_FILE",
            "VARG_WEBHOOK_SECRET",
            "VARG_MAX_JOBS_PER_TENANT",
            "VARG_SUBMITS_PER_MINUTE",
            "VARG_WEBHOOK_RETRY_BASE_MS",
            "VARG_FONTS_DIR",
        ] {
            cmd.env_remove(name);
        }
        for (name, value) in &options.env {
            cmd.env(name, value);
        }
        let child = cmd.spawn().expect("start varg-render serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            data_dir,
            stdout_path,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if ureq::get(&format!("{}/healthz", server.base))
                .call()
                .is_ok()
            {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not answer /healthz within 30 s");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout_path).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(
            self.data_dir
                .with_extension(format!("stderr-{}.log", self.port)),
        )
        .unwrap_or_default()
    }

    /// SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// POST /api/render; returns (status, body).
    pub fn submit(&self, body: &Value) -> (u16, Value) {
        send(
            ureq::post(&self.url("/api/render"))
                .set("Authorization", &format!("Bearer {KEY}"))
                .send_json(body.clone()),
        )
    }

    pub fn submit_code(&self, code: &str) -> String {
        let (status, body) = self.submit(&serde_json::json!({ "code": code, "mode": "preview" }));
        assert_eq!(status, 202, "submit answered {status}: {body}");
        body["job_id"].as_str().expect("job_id").to_string()
    }

    /// POST `body` as JSON to `path` with the service key; returns (status, body).
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        send(
            ureq::post(&self.url(path))
                .set("Authorization", &format!("Bearer {KEY}"))
                .send_json(body.clone()),
        )
    }

    pub fn get_json(&self, path: &str) -> (u16, Value) {
        send(
            ureq::get(&self.url(path))
                .set("Authorization", &format!("Bearer {KEY}"))
                .call(),
        )
    }

    pub fn job(&self, id: &str) -> Value {
        let (status, body) = self.get_json(&format!("/api/render/jobs/{id}"));
        assert_eq!(status, 200, "poll answered {status}: {body}");
        body
    }

    /// Polls until the job is terminal.
    pub fn wait(&self, id: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let job = self.job(id);
            if matches!(
                job["status"].as_str(),
                Some("completed" | "failed" | "cancelled")
            ) {
                return job;
            }
            assert!(
                Instant::now() < deadline,
                "job {id} did not end in {timeout:?}: {job}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Reads the SSE stream of a job until the server closes it; returns the raw text.
    pub fn stream_raw(&self, id: &str, last_event_id: Option<u64>) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .expect("timeout");
        let mut request = format!(
            "GET /api/render/jobs/{id}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\nAccept: text/event-stream\r\nConnection: close\r\n"
        );
        if let Some(last) = last_event_id {
            request.push_str(&format!("Last-Event-ID: {last}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).expect("write");
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("head");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "stream head: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "{head}"
        );
        let mut body = Vec::new();
        reader.read_to_end(&mut body).expect("body");
        dechunk(
            &body,
            head.to_ascii_lowercase()
                .contains("transfer-encoding: chunked"),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn dechunk(body: &[u8], chunked: bool) -> String {
    if !chunked {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(pos) = rest.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&rest[..pos]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = pos + 2;
        out.extend_from_slice(&rest[start..start + size]);
        rest = &rest[start + size + 2..];
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One parsed SSE event.
#[derive(Debug)]
pub struct SseEvent {
    pub id: Option<u64>,
    pub event: Option<String>,
    pub data: Value,
}

pub fn parse_sse(text: &str) -> Vec<SseEvent> {
    text.split("\n\n")
        .filter(|block| block.lines().any(|l| l.starts_with("data:")))
        .map(|block| {
            let mut event = SseEvent {
                id: None,
                event: None,
                data: Value::Null,
            };
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    event.id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    event.event = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
            event.data =
                serde_json::from_str(&data).unwrap_or_else(|e| panic!("event data {data}: {e}"));
            event
        })
        .collect()
}

fn send(result: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
    match result {
        Ok(resp) => {
            let status = resp.status();
            (status, resp.into_json().unwrap_or(Value::Null))
        }
        Err(ureq::Error::Status(status, resp)) => (status, resp.into_json().unwrap_or(Value::Null)),
        Err(e) => panic!("request failed: {e}"),
    }
}

/// Downloads a URL to a temp file.
/// The body of a GET, panicking with the URL when it fails.
pub fn fetch_bytes(url: &str) -> Vec<u8> {
    let resp = ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let mut bytes = Vec::new();
    resp.into_reader()
        .read_to_end(&mut bytes)
        .expect("read body");
    bytes
}

pub fn download(url: &str, name: &str) -> PathBuf {
    let bytes = fetch_bytes(url);
    let path = temp_dir("dl").join(name);
    std::fs::write(&path, bytes).expect("write download");
    path
}

/// ffprobe's JSON for the first video stream and the format.
pub fn probe(path: &Path) -> Value {
    let out = run(Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_frames",
            "-show_entries",
            "stream=codec_name,width,height,r_frame_rate,nb_read_frames,pix_fmt:format=duration",
            "-of",
            "json",
        ])
        .arg(path));
    serde_json::from_slice(&out.stdout).expect("ffprobe json")
}

/// `ffmpeg -v error -i FILE -f null -`: what it prints (empty when the file decodes cleanly).
pub fn decode_errors(path: &Path) -> String {
    let out = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"]));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Byte offsets of the top-level `moov` and `mdat` boxes.
pub fn box_offsets(path: &Path) -> (Option<usize>, Option<usize>) {
    let bytes = std::fs::read(path).expect("read mp4");
    let (mut moov, mut mdat) = (None, None);
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size =
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let kind = &bytes[at + 4..at + 8];
        match kind {
            b"moov" => moov = Some(at),
            b"mdat" => mdat = Some(at),
            _ => {}
        }
        let size = if size == 1 && at + 16 <= bytes.len() {
            u64::from_be_bytes(bytes[at + 8..at + 16].try_into().expect("8 bytes")) as usize
        } else {
            size
        };
        if size < 8 {
            break;
        }
        at += size;
    }
    (moov, mdat)
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"))
}

/// Asserts an MP4 is H.264 of the given size, fps and frame count, moov first, cleanly decodable.
pub fn assert_valid_mp4(path: &Path, width: u64, height: u64, fps: &str, frames: u64) {
    let info = probe(path);
    let stream = &info["streams"][0];
    assert_eq!(stream["codec_name"], "h264", "{info}");
    assert_eq!(stream["width"], width, "{info}");
    assert_eq!(stream["height"], height, "{info}");
    assert_eq!(stream["r_frame_rate"], fps, "{info}");
    let counted: u64 = stream["nb_read_frames"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("frame count");
    assert!(
        counted.abs_diff(frames) <= 1,
        "expected {frames} frames, ffprobe counted {counted}"
    );
    let (moov, mdat) = box_offsets(path);
    assert!(
        moov.is_some() && mdat.is_some() && moov < mdat,
        "moov must come before mdat: {moov:?} {mdat:?}"
    );
    let errors = decode_errors(path);
    assert!(errors.trim().is_empty(), "ffmpeg reported: {errors}");
}

/// `varg-render render PROGRAM -o OUTPUT --data-dir DATA [EXTRA...]` through the real binary;
/// panics with its stderr unless it succeeds, else returns the stderr (warnings).
pub fn render_cli(program: &Path, output: &Path, data: &Path, extra: &[&str]) -> String {
    let out = run(Command::new(BIN)
        .arg("render")
        .arg(program)
        .arg("-o")
        .arg(output)
        .arg("--data-dir")
        .arg(data)
        .args(extra));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "render {} failed: {stderr}",
        program.display()
    );
    stderr
}

/// One decoded frame at `seconds`, RGB.
pub fn frame_rgb(mp4: &Path, seconds: f64) -> Vec<u8> {
    let out = run(Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &format!("{seconds:.3}"), "-i"])
        .arg(mp4)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
