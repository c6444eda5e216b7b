//! `<Captions>` end to end: a talking-head style example rendered in preview mode by the real
//! server, the caption found in the decoded video.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

/// `shared/examples/talking-captions.tsx`.
const TALKING_CAPTIONS: &str = r#"const line = Speech({ model: elevenlabs.speechModel("eleven_v3"), voice: "rachel", children: "Here is the forecast: sunshine in the morning, rain after lunch." });

export default (
  <Render width={1080} height={1920}>
    <Clip duration="auto">
      <Image prompt="weather presenter in a bright studio" />
      {line}
    </Clip>
    <Captions src={line} style="karaoke" withAudio />
  </Render>
);
"#;

#[test]
fn karaoke_captions_are_burned_into_the_video() {
    let server = Server::start();
    let (status, body) = server.submit(&json!({ "code": TALKING_CAPTIONS }));
    assert_eq!(status, 202, "{body}");
    let id = body["job_id"].as_str().expect("job id").to_string();
    let job = server.wait(&id, Duration::from_secs(300));
    assert_eq!(job["status"], "completed", "{job}");
    let warnings = job["warnings"].to_string();
    assert!(!warnings.contains("not drawn"), "{warnings}");

    let url = job["output_url"].as_str().expect("output_url");
    let mp4 = download(url, "captions.mp4");
    let (width, height) = (1080usize, 1920usize);
    // Placeholder speech: 0.4 s a word, so the second word is being sung at 0.6 s.
    let rgb = frame_rgb(&mp4, 0.6);
    assert_eq!(rgb.len(), width * height * 3);
    // Karaoke at the bottom: sung text is the preset yellow, the rest white, outlined black.
    let band = (height - 200)..height;
    let sung = band
        .flat_map(|y| (0..width).map(move |x| (y * width + x) * 3))
        .filter(|&i| rgb[i] > 180 && rgb[i + 1] > 180 && rgb[i + 2] < 90)
        .count();
    assert!(sung > 30, "{sung} yellow pixels in the caption band");
}

fn title_job(server: &Server, family: &str) -> serde_json::Value {
    let code = format!(
        r#"export default (
  <Render width={{320}} height={{180}} fps={{10}}>
    <Clip duration={{1}}>
      <Title fontFamily="{family}">Fonts</Title>
    </Clip>
  </Render>
);
"#
    );
    let (status, body) = server.submit(&json!({ "code": code }));
    assert_eq!(status, 202, "{body}");
    let id = body["job_id"].as_str().expect("job id").to_string();
    let job = server.wait(&id, Duration::from_secs(120));
    assert_eq!(job["status"], "completed", "{job}");
    job
}

#[test]
fn the_fonts_directory_adds_families_and_unknown_ones_warn() {
    let fonts = temp_dir("fonts");
    std::fs::write(fonts.join("mono.ttf"), dejavu::sans_mono::regular()).expect("write font");
    let server = Server::start_with(ServerOptions {
        env: vec![("VARG_FONTS_DIR".into(), fonts.display().to_string())],
        ..ServerOptions::default()
    });
    // Not bundled: found only through VARG_FONTS_DIR.
    let job = title_job(&server, "DejaVu Sans Mono");
    assert!(!job["warnings"].to_string().contains("fontFamily"), "{job}");
    let job = title_job(&server, "No Such Face");
    let warnings = job["warnings"].to_string();
    assert!(
        warnings.contains("\\\"No Such Face\\\" is not a bundled"),
        "{warnings}"
    );
}
