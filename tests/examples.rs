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
        let out = run(Command::new(BIN)
            .arg("render")
            .arg(&file)
            .arg("--preview")
            .arg("-o")
            .arg(&out_path)
            .arg("--data-dir")
            .arg(&data));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "render {}: {stderr}", file.display());
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
