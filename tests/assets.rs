//! Assets through the real binary: preview placeholders (deterministic, prompt-steered), `src`
//! files and URLs under the outbound rules and limits, and the asset cache.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::fake_http::{png, Body, FakeHttp, Response};
use common::{fetch_bytes, Server, ServerOptions};
use image::RgbaImage;
use serde_json::Value;
use varg_render::assets::placeholder::placeholder_image;

/// Ten prompts of the contact sheet in docs/placeholders.png.
const TEN_PROMPTS: [&str; 10] = [
    "sunset over the mountains",
    "ocean waves on a rocky coast",
    "a misty pine forest",
    "city skyline at night",
    "a snowy cabin in winter",
    "neon cyberpunk street",
    "desert dunes in the afternoon",
    "a galaxy seen from space",
    "cherry blossoms in spring",
    "a cat wearing a tiny hat",
];

/// Writes docs/placeholders.png: the ten prompts' placeholders at 16:9, five by two.
/// `cargo test --test assets -- --ignored contact_sheet`
#[test]
#[ignore]
fn contact_sheet() {
    let (w, h) = (384u32, 216u32);
    let mut sheet = RgbaImage::from_pixel(w * 5 + 60, h * 2 + 30, image::Rgba([24, 24, 28, 255]));
    for (i, prompt) in TEN_PROMPTS.iter().enumerate() {
        let tile = placeholder_image(prompt, "IMAGE", w, h);
        let (x, y) = ((i as u32 % 5) * (w + 12) + 6, (i as u32 / 5) * (h + 12) + 6);
        image::imageops::overlay(&mut sheet, &tile, i64::from(x), i64::from(y));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/placeholders.png");
    sheet.save(&path).expect("write the contact sheet");
}

fn ten_clip_program() -> String {
    let clips: String = TEN_PROMPTS
        .iter()
        .map(|p| format!("<Clip duration={{0.5}}><Image prompt=\"{p}\" /></Clip>"))
        .collect();
    format!("export default <Render width={{320}} height={{180}} fps={{10}}>{clips}</Render>;")
}

fn render(server: &Server, code: &str) -> Value {
    let id = server.submit_code(code);
    server.wait(&id, Duration::from_secs(180))
}

/// url → bytes of every file of a job, in `files` order.
fn file_bytes(job: &Value) -> Vec<(Value, Vec<u8>)> {
    job["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f.clone(), fetch_bytes(f["url"].as_str().expect("url"))))
        .collect()
}

fn mean_difference(a: &RgbaImage, b: &RgbaImage) -> f64 {
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

#[test]
fn preview_placeholders_are_byte_identical_and_ten_prompts_look_different() {
    let code = ten_clip_program();
    let first_server = Server::start();
    let first = render(&first_server, &code);
    assert_eq!(first["status"], "completed", "{first}");
    let files = file_bytes(&first);
    assert_eq!(files.len(), 10);
    for (file, _) in &files {
        assert_eq!(file["mediaType"], "image/png");
        assert_eq!(file["metadata"]["placeholder"], true, "{file}");
        assert_eq!(file["metadata"]["cached"], false, "{file}");
        assert_eq!(file["metadata"]["type"], "image");
    }

    // Ten prompts, ten clearly different pictures.
    let images: Vec<RgbaImage> = files
        .iter()
        .map(|(_, bytes)| image::load_from_memory(bytes).expect("png").to_rgba8())
        .collect();
    for (i, a) in images.iter().enumerate() {
        assert_eq!(a.dimensions(), (320, 180), "16:9 like the frame");
        for (j, b) in images.iter().enumerate().skip(i + 1) {
            let d = mean_difference(a, b);
            assert!(
                d > 12.0,
                "\"{}\" and \"{}\" look alike ({d:.1})",
                TEN_PROMPTS[i],
                TEN_PROMPTS[j]
            );
        }
    }

    // Again on the same server: from the cache, the same files.
    let again = render(&first_server, &code);
    for ((file, bytes), (old, old_bytes)) in file_bytes(&again).iter().zip(&files) {
        assert_eq!(file["metadata"]["cached"], true, "{file}");
        assert_eq!(file["url"], old["url"]);
        assert_eq!(bytes, old_bytes);
    }

    // On a fresh server with an empty cache: made again, byte for byte the same.
    let second_server = Server::start();
    let fresh = render(&second_server, &code);
    for ((file, bytes), (_, old_bytes)) in file_bytes(&fresh).iter().zip(&files) {
        assert_eq!(file["metadata"]["cached"], false, "{file}");
        assert!(
            bytes == old_bytes,
            "{} differs between two servers",
            file["metadata"]["prompt"]
        );
    }
}

#[test]
fn an_aspect_ratio_shapes_the_placeholder_and_an_edit_previews_its_source() {
    let dir = common::temp_dir("edit-assets");
    std::fs::write(dir.join("photo.png"), png(40, 30, [10, 200, 90])).expect("photo");
    let server = Server::start_with(ServerOptions {
        asset_dirs: Some(dir.clone()),
        ..Default::default()
    });
    let job = render(
        &server,
        r#"export default <Render width={640} height={360}>
  <Clip duration={0.5}><Image prompt="a tall tower" aspectRatio="9:16" left={10} width={100} /></Clip>
  <Clip duration={0.5}><Image src="photo.png" prompt="make it blue" /></Clip>
</Render>;"#,
    );
    assert_eq!(job["status"], "completed", "{job}");
    let files = file_bytes(&job);
    let tower = files
        .iter()
        .find(|(f, _)| f["metadata"]["prompt"] == "a tall tower")
        .expect("tower");
    let tower = image::load_from_memory(&tower.1).expect("png");
    assert_eq!(
        (tower.width(), tower.height()),
        (360, 640),
        "9:16, as long as the frame is wide"
    );
    // D14: the edit shows its source in preview.
    let edit = files
        .iter()
        .find(|(f, _)| f["metadata"]["prompt"] == "make it blue")
        .expect("edit");
    assert_eq!(edit.1, png(40, 30, [10, 200, 90]));
    assert_eq!(edit.0["metadata"]["placeholder"], true);
}

/// A folder of assets, a secret beside it, and a symlink that points out.
fn asset_dir() -> (PathBuf, PathBuf) {
    let base = common::temp_dir("sources");
    let assets = base.join("assets");
    std::fs::create_dir_all(&assets).expect("assets");
    std::fs::write(assets.join("photo.png"), png(32, 18, [200, 120, 40])).expect("photo");
    std::fs::write(
        assets.join("page.png"),
        b"<!DOCTYPE html><html><body>404</body></html>",
    )
    .expect("page");
    std::fs::write(base.join("secret.png"), png(8, 8, [1, 2, 3])).expect("secret");
    #[cfg(unix)]
    std::os::unix::fs::symlink(base.join("secret.png"), assets.join("escape.png")).expect("link");
    (base, assets)
}

fn image_program(src: &str) -> String {
    format!(
        "export default <Render width={{320}} height={{180}} fps={{10}}>\n  <Clip duration={{0.5}}>\n    <Image src=\"{src}\" />\n  </Clip>\n</Render>;"
    )
}

fn assert_invalid_source(job: &Value, words: &[&str]) {
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["error_category"], "invalid_source", "{job}");
    let error = job["error"].as_str().expect("error");
    for word in words {
        assert!(error.contains(word), "{error:?} should mention {word:?}");
    }
    assert_eq!(job["error_details"]["line"], 3, "the <Image> line: {job}");
}

#[test]
fn local_sources_stay_inside_the_asset_directories_and_must_be_images() {
    let (_base, assets) = asset_dir();
    let server = Server::start_with(ServerOptions {
        asset_dirs: Some(assets.clone()),
        ..Default::default()
    });
    let ok = render(&server, &image_program("photo.png"));
    assert_eq!(ok["status"], "completed", "{ok}");
    let (file, bytes) = &file_bytes(&ok)[0];
    assert_eq!(file["metadata"]["src"], "photo.png");
    assert_eq!(file["metadata"]["placeholder"], false);
    assert_eq!(bytes, &png(32, 18, [200, 120, 40]));

    assert_invalid_source(
        &render(&server, &image_program("../secret.png")),
        &["../secret.png", "asset directories"],
    );
    assert_invalid_source(
        &render(&server, &image_program("escape.png")),
        &["escape.png", "asset directories"],
    );
    let outside = assets.parent().expect("base").join("secret.png");
    assert_invalid_source(
        &render(&server, &image_program(&outside.display().to_string())),
        &["asset directories"],
    );
    assert_invalid_source(
        &render(&server, &image_program("page.png")),
        &["page.png", "HTML page", "PNG or JPEG"],
    );
    assert_invalid_source(
        &render(&server, &image_program("missing.png")),
        &["missing.png"],
    );
    assert_invalid_source(
        &render(&server, &image_program("file:///etc/passwd")),
        &["only http and https"],
    );
}

/// A file host on loopback: a photo, a web page, a redirect, an endless body and one that
/// declares too much.
fn file_host() -> FakeHttp {
    FakeHttp::start(|req| match req.path.as_str() {
        "/photo.png" => Response::bytes(200, "image/png", png(32, 18, [40, 90, 200])),
        "/page" => Response::bytes(
            200,
            "image/png",
            b"<html><body>not a picture</body></html>".to_vec(),
        ),
        "/endless.png" => Response {
            status: 200,
            headers: vec![("Content-Type".into(), "image/png".into())],
            body: Body::Endless(400 * 1024 * 1024),
        },
        "/declared.png" => Response {
            status: 200,
            headers: vec![("Content-Type".into(), "image/png".into())],
            body: Body::Declared(300 * 1024 * 1024),
        },
        p if p.starts_with("/redirect-to/") => {
            Response::redirect(&format!("http://{}", p.trim_start_matches("/redirect-to/")))
        }
        _ => Response::bytes(404, "text/plain", b"no".to_vec()),
    })
}

#[test]
fn url_sources_obey_the_outbound_rules() {
    let host = file_host();
    let server = Server::start();
    // Loopback and cloud metadata are refused before any connection.
    let loopback = render(&server, &image_program(&format!("{}/photo.png", host.base)));
    assert_invalid_source(&loopback, &["127.0.0.1", "loopback", "VARG_ALLOW_HOSTS"]);
    let by_name = render(
        &server,
        &image_program(&format!("http://localhost:{}/photo.png", host.port)),
    );
    assert_invalid_source(&by_name, &["loopback"]);
    let metadata = render(
        &server,
        &image_program("http://169.254.169.254/latest/meta-data/iam"),
    );
    assert_invalid_source(&metadata, &["169.254.169.254", "link-local"]);
    assert!(host.requests().is_empty(), "no request reached the host");
    drop(server);

    // Allowlisted by name only: the name works, a redirect to the bare address does not.
    let server = Server::start_with(ServerOptions {
        env: vec![("VARG_ALLOW_HOSTS".into(), "localhost".into())],
        ..Default::default()
    });
    let named = format!("http://localhost:{}", host.port);
    let ok = render(&server, &image_program(&format!("{named}/photo.png")));
    assert_eq!(ok["status"], "completed", "{ok}");
    assert_eq!(file_bytes(&ok)[0].1, png(32, 18, [40, 90, 200]));
    let again = render(&server, &image_program(&format!("{named}/photo.png")));
    assert_eq!(again["files"][0]["metadata"]["cached"], true, "{again}");
    assert_eq!(
        host.count("GET", "/photo.png"),
        1,
        "a cached URL is not fetched again"
    );

    let redirected = render(
        &server,
        &image_program(&format!(
            "{named}/redirect-to/127.0.0.1:{}/photo.png",
            host.port
        )),
    );
    assert_invalid_source(&redirected, &["127.0.0.1", "loopback"]);
    assert_eq!(
        host.count("GET", "/photo.png"),
        1,
        "the redirect was not followed"
    );
    let page = render(&server, &image_program(&format!("{named}/page")));
    assert_invalid_source(&page, &["HTML page"]);
}

#[test]
fn oversized_downloads_are_cut_off() {
    let host = file_host();
    let server = Server::start_with(ServerOptions {
        env: vec![("VARG_ALLOW_HOSTS".into(), "127.0.0.0/8".into())],
        ..Default::default()
    });
    let declared = render(
        &server,
        &image_program(&format!("{}/declared.png", host.base)),
    );
    assert_invalid_source(&declared, &["larger than the limit of 200 MiB"]);
    let started = std::time::Instant::now();
    let endless = render(
        &server,
        &image_program(&format!("{}/endless.png", host.base)),
    );
    assert_invalid_source(&endless, &["larger than the limit of 200 MiB", "stopped"]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
