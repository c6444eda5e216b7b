//! The web playground: its files are in the binary, and a real browser can use it end to end
//! (tests/playground.mjs, in headless Chromium).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn get(url: &str, headers: &[(&str, &str)]) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let mut req = ureq::get(url);
    for (name, value) in headers {
        req = req.set(name, value);
    }
    let resp = match req.call() {
        Ok(resp) => resp,
        Err(ureq::Error::Status(_, resp)) => resp,
        Err(e) => panic!("GET {url}: {e}"),
    };
    let status = resp.status();
    let content_type = resp.header("Content-Type").map(str::to_string);
    let etag = resp.header("ETag").map(str::to_string);
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).expect("body");
    (status, content_type, etag, body)
}

#[test]
fn the_page_and_its_files_are_embedded_and_served() {
    let server = Server::start();
    let (status, content_type, _, body) = get(&server.url("/"), &[]);
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
    let html = String::from_utf8(body).expect("utf-8");

    // Every file the page links is served, with a type a browser accepts.
    let linked: Vec<&str> = html
        .split('"')
        .filter(|s| s.starts_with("/static/"))
        .collect();
    for needed in [
        "/static/app.js",
        "/static/app.css",
        "/static/vendor/editor.js",
        "/static/favicon.svg",
    ] {
        assert!(linked.contains(&needed), "index.html links {needed}");
    }
    for path in &linked {
        let (status, content_type, etag, body) = get(&server.url(path), &[]);
        assert_eq!(status, 200, "{path}");
        assert!(!body.is_empty(), "{path}");
        let content_type = content_type.unwrap_or_default();
        let expected = match path.rsplit('.').next() {
            Some("js") => "javascript",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            Some("txt") => "text/plain",
            _ => "",
        };
        assert!(content_type.contains(expected), "{path}: {content_type}");
        // Revalidation by ETag: unchanged files cost a 304.
        let etag = etag.unwrap_or_else(|| panic!("{path} has no ETag"));
        let (status, ..) = get(&server.url(path), &[("If-None-Match", &etag)]);
        assert_eq!(status, 304, "{path}");
    }

    // Nothing is fetched from elsewhere at run time: no absolute URLs in the page's own code.
    for file in ["index.html", "app.js", "app.css"] {
        let text = std::fs::read_to_string(root().join("static").join(file)).expect("read");
        for scheme in ["http://", "https://", "//cdn"] {
            assert!(!text.contains(scheme), "static/{file} refers to {scheme}…");
        }
    }
    let (status, _, _, licences) = get(&server.url("/static/vendor/LICENSES.txt"), &[]);
    assert_eq!(status, 200);
    let licences = String::from_utf8_lossy(&licences);
    assert!(licences.contains("@codemirror/view") && licences.contains("MIT"));

    let (status, _, _, body) = get(&server.url("/static/no-such-file.js"), &[]);
    assert_eq!(status, 404);
    let error: Value = serde_json::from_slice(&body).expect("JSON 404");
    assert_eq!(error["error"]["code"], "not_found");
}

#[test]
fn the_examples_menu_lists_every_example_and_the_shared_ones_are_current() {
    let server = Server::start();
    let (status, _, _, body) = get(&server.url("/static/examples/index.json"), &[]);
    assert_eq!(status, 200);
    let list: Vec<Value> = serde_json::from_slice(&body).expect("examples index");
    let listed: Vec<String> = list
        .iter()
        .map(|e| e["file"].as_str().expect("file").to_string())
        .collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("static/examples"))
        .expect("static/examples")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".tsx"))
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(
        sorted, on_disk,
        "static/examples/index.json lists every example"
    );
    for example in &list {
        assert!(example["title"].is_string() && example["description"].is_string());
    }
    for file in &listed {
        let (status, content_type, _, _) =
            get(&server.url(&format!("/static/examples/{file}")), &[]);
        assert_eq!(status, 200, "{file}");
        assert_eq!(content_type.as_deref(), Some("text/plain; charset=utf-8"));
    }
    // The copies of ../shared/examples are the programs there now.
    for entry in std::fs::read_dir(examples_dir()).expect("shared examples") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("name");
        if !name.ends_with(".tsx") {
            continue;
        }
        let (status, _, _, served) = get(&server.url(&format!("/static/examples/{name}")), &[]);
        assert_eq!(status, 200, "the playground offers {name}");
        assert_eq!(
            String::from_utf8_lossy(&served),
            example(&name),
            "static/examples/{name} differs from ../shared/examples/{name}: copy it again"
        );
    }
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "headless Chromium is missing at {}: install it with `apt-get install chromium` \
         (.ci/run does), or point CHROMIUM at one",
        path.display()
    );
    path
}

#[test]
fn the_playground_works_in_headless_chromium() {
    let chromium = chromium();
    assert!(
        root()
            .join("node_modules/playwright-core/package.json")
            .exists(),
        "node_modules/playwright-core is missing: run `npm ci` in {} (.ci/run does)",
        root().display()
    );
    let artifacts = root().join("test-artifacts/playground");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");

    let server = Server::start();
    let log = artifacts.join("node.log");
    let mut child = Command::new("node")
        .arg(root().join("tests/playground.mjs"))
        .current_dir(root())
        .env("VARG_RENDER_URL", &server.base)
        .env("VARG_API_KEY", KEY)
        .env("VARG_ARTIFACTS", &artifacts)
        .env("CHROMIUM", &chromium)
        .stdout(std::fs::File::create(&log).expect("log"))
        .stderr(Stdio::from(
            std::fs::File::options()
                .append(true)
                .open(&log)
                .expect("log"),
        ))
        .spawn()
        .expect("run node (apt-get install nodejs)");
    let deadline = Instant::now() + Duration::from_secs(240);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the browser test did not finish in 4 minutes:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        status.success(),
        "the browser test failed (screenshots in {}):\n{output}\nserver log:\n{}",
        artifacts.display(),
        server.stderr()
    );
    assert!(output.contains("\"ok\":true"), "{output}");
    for step in [
        "idle",
        "rendering",
        "rendered",
        "error-at-line",
        "cancelled",
    ] {
        let found = std::fs::read_dir(&artifacts)
            .expect("artifacts")
            .filter_map(|e| e.ok())
            .any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.ends_with(&format!("-{step}.png"))
            });
        assert!(
            found,
            "no screenshot of step {step} in {}",
            artifacts.display()
        );
    }
}
