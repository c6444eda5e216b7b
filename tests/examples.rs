//! Every program in the shared examples renders in preview mode, through the real binary, to
//! an MP4 of the declared size with `duration × fps` frames (±1), and with no warning that a
//! component was left undrawn.

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

/// `check --json` of a file: the scene as the language resolved it.
fn scene_of(file: &std::path::Path, data: &std::path::Path) -> Value {
    let out = run(Command::new(BIN)
        .arg("check")
        .arg(file)
        .arg("--json")
        .arg("--data-dir")
        .arg(data));
    assert!(
        out.status.success(),
        "check {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("check prints JSON")
}

#[test]
fn every_example_renders_with_its_declared_size_and_frame_count() {
    let mut names: Vec<_> = std::fs::read_dir(examples_dir())
        .expect("examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tsx"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 4,
        "expected the shared examples, found {names:?}"
    );
    for file in names {
        let data = temp_dir("example");
        let scene = scene_of(&file, &data);
        let out_path = data.join("out.mp4");
        let stderr = render_cli(&file, &out_path, &data, &["--preview"]);
        assert!(
            !stderr.contains("not drawn"),
            "{} left a component undrawn: {stderr}",
            file.display()
        );
        let width = scene["width"].as_u64().expect("width");
        let height = scene["height"].as_u64().expect("height");
        let fps = scene["fps"].as_u64().expect("fps");
        let duration = scene["duration"].as_f64().expect("duration");
        // Placeholder speech lasts what `check` estimates (0.4 s a word), so even `"auto"`
        // clips have the same length in both.
        let expected = (duration * fps as f64).round() as u64;
        assert_valid_mp4(&out_path, width, height, &format!("{fps}/1"), expected);
        let _ = std::fs::remove_dir_all(&data);
    }
}

/// D13: `output: "frames"` through the API, and `render --frames` through the CLI, give one PNG
/// per clip taken at its middle, drawn like the video.
#[test]
fn frames_output_writes_one_png_per_clip_at_its_middle() {
    let code = r##"export default <Render width={320} height={180}>
  <Clip duration={2} transition={{ name: "fade", duration: 0.5 }}><Packshot background="#ff0000" /></Clip>
  <Clip duration={3}><Packshot background="#0000ff" /></Clip>
  <Clip duration={1}><Packshot background="#00ff00" /></Clip>
</Render>;"##;
    let server = Server::start();
    let (status, accepted) =
        server.submit(&serde_json::json!({ "code": code, "output": "frames" }));
    assert_eq!(status, 202, "{accepted}");
    let id = accepted["job_id"].as_str().expect("job id");
    let done = server.wait(id, std::time::Duration::from_secs(60));
    assert_eq!(done["status"], "completed", "{done}");
    let files = done["files"].as_array().expect("files");
    let stills: Vec<&Value> = files
        .iter()
        .filter(|f| f["metadata"]["type"] == "frame")
        .collect();
    assert_eq!(stills.len(), 3, "{done}");
    assert_eq!(done["output_url"], stills[0]["url"]);
    // Clip starts 0, 1.5 (the fade overlaps 0.5 s), 4.5: middles at 1, 3, 5.
    let expected = [(1.0, [255, 0, 0]), (3.0, [0, 0, 255]), (5.0, [0, 255, 0])];
    for (i, (still, (at, rgb))) in stills.iter().zip(expected).enumerate() {
        assert_eq!(still["mediaType"], "image/png");
        assert_eq!(still["metadata"]["clip"], i);
        assert!((still["metadata"]["at"].as_f64().expect("at") - at).abs() < 1e-9);
        let png = download(
            still["url"].as_str().expect("url"),
            &format!("still-{i}.png"),
        );
        let image = image::open(&png).expect("a PNG").to_rgb8();
        assert_eq!(image.dimensions(), (320, 180));
        let pixel = image.get_pixel(10, 10).0;
        for (got, want) in pixel.iter().zip(rgb) {
            assert!(
                got.abs_diff(want) <= 2,
                "still {i}: {pixel:?}, expected {rgb:?}"
            );
        }
    }

    let dir = temp_dir("frames-cli");
    let program = dir.join("three.tsx");
    std::fs::write(&program, code).expect("write program");
    render_cli(
        &program,
        &dir.join("stills"),
        &dir.join("data"),
        &["--frames"],
    );
    for n in 1..=3 {
        let path = dir.join("stills").join(format!("clip-00{n}.png"));
        assert!(
            image::open(&path).is_ok(),
            "{} is not a PNG",
            path.display()
        );
    }
    assert!(!dir.join("stills").join("clip-004.png").exists());
}

/// D17: what a program prints reaches the person running `render`.
#[test]
fn render_prints_the_programs_console_output() {
    let dir = temp_dir("console");
    let program = dir.join("log.tsx");
    std::fs::write(
        &program,
        "console.log(\"hello from the program\");\nexport default <Render width={64} height={64}><Clip duration={1}/></Render>;\n",
    )
    .expect("write program");
    let stderr = render_cli(&program, &dir.join("out.mp4"), &dir.join("data"), &[]);
    assert!(
        stderr.contains("console: hello from the program"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(" INFO "),
        "render logs only problems by default: {stderr}"
    );
}
