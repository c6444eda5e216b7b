//! S3 storage against a real S3 API on loopback: `moto_server` (PyPI `moto[server]`, which
//! .ci/run installs), started here on a free port with its bucket created first.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, ServerOptions};
use serde_json::Value;

const BUCKET: &str = "varg-test";

/// A running `moto_server`, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start moto_server ({e}): install it with `pip install 'moto[server]'` (.ci/run does)")
            });
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // object_store does not create buckets: make it, which also shows moto is up.
            match ureq::put(&format!("{}/{BUCKET}", moto.endpoint)).call() {
                Ok(_) => return moto,
                Err(e) if Instant::now() > deadline => panic!("moto_server did not start: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3_server(moto: &Moto) -> Server {
    let env = [
        ("VARG_STORAGE", "s3"),
        ("VARG_S3_BUCKET", BUCKET),
        ("VARG_S3_ENDPOINT", moto.endpoint.as_str()),
        ("VARG_S3_REGION", "us-east-1"),
        ("VARG_S3_PREFIX", "varg"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    Server::start_with(ServerOptions {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    })
}

const PROGRAM: &str = r#"export default (
  <Render width={320} height={180} fps={10}>
    <Clip duration={1}><Image prompt="a lighthouse on a cliff" /></Clip>
    <Clip duration={1}><Image prompt="waves at night" /></Clip>
  </Render>
);"#;

fn render(server: &Server) -> Value {
    let id = server.submit_code(PROGRAM);
    server.wait(&id, Duration::from_secs(120))
}

#[test]
fn renders_store_outputs_and_the_cache_in_s3() {
    let moto = Moto::start();
    let server = s3_server(&moto);
    let (status, ready) = server.get_json("/readyz");
    assert_eq!(status, 200, "ready with S3 storage: {ready}");

    let job = render(&server);
    assert_eq!(job["status"], "completed", "{job}");
    let output = job["output_url"].as_str().expect("output_url");
    assert!(
        output.starts_with(&format!("{}/{BUCKET}/varg/renders/", moto.endpoint)),
        "{output}"
    );
    assert!(output.contains("X-Amz-Signature="), "presigned: {output}");
    let mp4 = common::download(output, "s3.mp4");
    common::assert_valid_mp4(&mp4, 320, 180, "10/1", 20);
    let thumb = common::download(job["thumbnail_url"].as_str().expect("thumb"), "s3.jpg");
    assert!(std::fs::read(thumb)
        .expect("thumb")
        .starts_with(&[0xFF, 0xD8]));
    for file in job["files"].as_array().expect("files") {
        assert_eq!(file["metadata"]["cached"], false);
        let png = common::download(file["url"].as_str().expect("url"), "asset.png");
        assert!(std::fs::read(png).expect("asset").starts_with(b"\x89PNG"));
    }
    // Nothing went to the local file store.
    let local = server.data_dir.join("files/renders");
    assert!(!local.exists(), "{} should not exist", local.display());

    // A new server with an empty data directory finds the assets in the bucket.
    let data_dir = server.data_dir.clone();
    drop(server);
    let restarted = s3_server(&moto);
    assert_ne!(restarted.data_dir, data_dir);
    let again = render(&restarted);
    assert_eq!(again["status"], "completed", "{again}");
    for file in again["files"].as_array().expect("files") {
        assert_eq!(file["metadata"]["cached"], true, "{file}");
    }
    assert_eq!(
        again["files"][0]["metadata"]["prompt"],
        "a lighthouse on a cliff"
    );
}
