//! `varg-render check`: every example and a program per row of the decisions table resolve to
//! the scene their authors meant, and every class of bad program gets its own clear message.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

/// Runs `check --json` on a program; returns the scene, or panics with what check printed.
fn check(code: &str) -> Value {
    let (ok, stdout, stderr) = check_raw(code);
    assert!(ok, "check failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("check --json printed {stdout}: {e}"))
}

fn check_raw(code: &str) -> (bool, String, String) {
    let dir = temp_dir("check");
    let file = dir.join("program.tsx");
    std::fs::write(&file, code).expect("write program");
    check_file(&file, &dir)
}

fn check_file(file: &Path, data: &Path) -> (bool, String, String) {
    let out = run(Command::new(BIN)
        .arg("check")
        .arg(file)
        .arg("--json")
        .arg("--data-dir")
        .arg(data));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check_error(code: &str) -> String {
    let (ok, stdout, stderr) = check_raw(code);
    assert!(!ok, "expected a failure, got {stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The value without `source` positions (the same program written on other lines).
fn without_sources(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "source")
                .map(|(k, v)| (k.clone(), without_sources(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_sources).collect()),
        other => other.clone(),
    }
}

fn approx(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-6)
}

#[test]
fn every_example_resolves() {
    let data = temp_dir("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(examples_dir()).expect("examples") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "tsx") {
            let (ok, stdout, stderr) = check_file(&path, &data);
            assert!(ok, "{}: {stderr}", path.display());
            let scene: Value = serde_json::from_str(&stdout).expect("json");
            for key in [
                "width",
                "height",
                "fps",
                "duration",
                "clips",
                "audio",
                "captions",
                "generations",
            ] {
                assert!(!scene[key].is_null(), "{} lacks {key}", path.display());
            }
            seen += 1;
        }
    }
    assert!(seen >= 4, "only {seen} examples");

    let hello = check(&example("hello.tsx"));
    assert_eq!(
        (
            hello["width"].as_u64(),
            hello["height"].as_u64(),
            hello["fps"].as_u64()
        ),
        (Some(1920), Some(1080), Some(30))
    );
    assert!(approx(&hello["duration"], 4.0));

    let slides = check(&example("slideshow.tsx"));
    let starts: Vec<f64> = slides["clips"]
        .as_array()
        .expect("clips")
        .iter()
        .filter_map(|c| c["start"].as_f64())
        .collect();
    assert_eq!(starts, vec![0.0, 2.5, 5.0]);
    assert!(approx(&slides["duration"], 8.0));
    assert_eq!(slides["clips"][0]["transition"]["name"], "fade");
    assert!(
        slides["clips"][2]["transition"].is_null(),
        "the last clip joins nothing"
    );
    let zooms: Vec<&str> = slides["clips"]
        .as_array()
        .expect("clips")
        .iter()
        .filter_map(|c| c["layers"][0]["zoom"].as_str())
        .collect();
    assert_eq!(zooms, vec!["in", "out", "in"]);
    let gens = slides["generations"].as_array().expect("generations");
    assert_eq!(gens.len(), 4, "three images and the music: {gens:?}");
    assert!(gens
        .iter()
        .any(|g| g["type"] == "music" && g["prompt"] == "warm acoustic guitar"));
    assert!(gens
        .iter()
        .any(|g| g["type"] == "image" && g["model"] == "flux-schnell"));
    let music = &slides["audio"][0];
    assert_eq!(music["type"], "music");
    assert!(approx(&music["volume"], 0.25));

    let layouts = check(&example("layouts.tsx"));
    let split = &layouts["clips"][0]["layers"];
    assert_eq!(
        split[0]["rect"]["height"], 360,
        "Split vertical halves: {split}"
    );
    assert_eq!(split[1]["rect"]["top"], 360);
    assert_eq!(layouts["clips"][1]["layers"][2]["kind"], "subtitle");

    let talking = check(&example("talking-captions.tsx"));
    assert!(
        approx(&talking["clips"][0]["duration"], 4.4),
        "auto follows the 11-word speech: {}",
        talking["clips"][0]
    );
    let captions = &talking["captions"][0];
    assert_eq!(captions["style"], "karaoke");
    assert_eq!(captions["words"].as_array().map(Vec::len), Some(11));
    let speech: Vec<&Value> = talking["audio"]
        .as_array()
        .expect("audio")
        .iter()
        .filter(|a| a["type"] == "speech")
        .collect();
    assert_eq!(
        speech.len(),
        2,
        "the clip's speech and the captions' withAudio"
    );
    assert_eq!(
        talking["generations"].as_array().map(Vec::len),
        Some(2),
        "one image and one speech, shared"
    );
}

#[test]
fn d1_d3_defaults_and_durations() {
    let scene = check(
        r#"export default <Render width={1281}><Clip><Image prompt="a" /></Clip>
        <Clip duration={2.5}><Image prompt="b" /></Clip>
        <Clip duration="auto"><Image prompt="c" /><Speech>one two three</Speech></Clip>
        <Clip><Video prompt="waves" duration={3} /></Clip>
        <Clip duration={6}><Video prompt="waves" duration={3} /></Clip></Render>;"#,
    );
    assert_eq!(scene["width"], 1282, "odd sizes round to even");
    let durations: Vec<f64> = scene["clips"]
        .as_array()
        .expect("clips")
        .iter()
        .filter_map(|c| c["duration"].as_f64())
        .collect();
    assert_eq!(
        durations,
        vec![4.0, 2.5, 1.2, 3.0, 6.0],
        "4 s default, a number wins, speech, video"
    );
}

#[test]
fn d2_d4_one_timeline_with_transition_overlaps() {
    let scene = check(
        r#"export default <Render>
          <Clip duration={3} transition={{ name: "cube" }}><Image prompt="a" /></Clip>
          <Clip duration={3} transition={{ name: "wipeleft", duration: 1 }}><Image prompt="b" /><Speech>hello there</Speech><Title>Hi</Title></Clip>
          <Clip duration={3}><Image prompt="c" /></Clip>
        </Render>;"#,
    );
    let clip = &scene["clips"][1];
    assert!(
        approx(&clip["start"], 2.5),
        "gl names work, default 0.5 s: {clip}"
    );
    assert!(approx(&scene["duration"], 7.5));
    assert_eq!(scene["clips"][0]["transition"]["name"], "cube");
    assert!(approx(&scene["clips"][0]["transition"]["duration"], 0.5));
    let speech = &scene["audio"][0];
    assert!(
        approx(&speech["start"], 2.5),
        "speech starts with its clip: {speech}"
    );
    let title = &clip["layers"][1];
    assert!(
        approx(&title["start"], 0.5) && approx(&title["end"], 2.0),
        "text avoids both overlaps: {title}"
    );
}

#[test]
fn d5_d6_d7_images_positions_and_trims() {
    let scene = check(
        r#"export default <Render>
          <Clip duration={4}>
            <Image prompt="bg" zoom={null} />
            <Image prompt="still" zoom="none" resize="contain" />
            <Overlay start={1} end={2} left="10%" top={20} width={300}><Image prompt="badge" /></Overlay>
            <Video src="clip.mp4" cutFrom={2} left={0} width="50%" keepAudio />
          </Clip>
        </Render>;"#,
    );
    let layers = &scene["clips"][0]["layers"];
    assert!(layers[0]["zoom"].is_null() && layers[1]["zoom"].is_null());
    assert_eq!(layers[0]["resize"], "cover");
    assert_eq!(layers[1]["resize"], "contain");
    assert_eq!(layers[2]["window"]["start"], 1.0);
    assert_eq!(layers[2]["rect"]["left"], 192);
    assert_eq!(layers[3]["type"], "video");
    assert_eq!(layers[3]["cut_from"], 2.0);
    assert_eq!(
        scene["audio"][0]["type"], "video",
        "keepAudio works for positioned videos (D8)"
    );
    assert!(approx(&scene["audio"][0]["end"], 4.0));
}

#[test]
fn d8_d9_audio_and_captions() {
    let scene = check(
        r##"const line = Speech({ children: "one two three four" });
        export default <Render normalize shortest={false}>
          <Music src="song.mp3" loop ducking volume={0.5} start={1} />
          <Clip duration="auto"><Image prompt="a" />{line}</Clip>
          <Captions src={line} style="tiktok" activeColor="#ff0000" wordsPerLine={2} font="Oswald" position="top" />
        </Render>;"##,
    );
    assert_eq!(scene["normalize"], true);
    let music = scene["audio"]
        .as_array()
        .expect("audio")
        .iter()
        .find(|a| a["type"] == "music")
        .expect("music")
        .clone();
    assert_eq!(
        (music["looped"].as_bool(), music["ducking"].as_bool()),
        (Some(true), Some(true))
    );
    assert!(
        approx(&music["start"], 1.0) && approx(&music["end"], 1.6),
        "{music}"
    );
    let captions = &scene["captions"][0];
    assert_eq!(
        captions["active_color"],
        serde_json::json!([255, 0, 0, 255])
    );
    assert_eq!(captions["words_per_line"], 2);
    assert_eq!(captions["font"], "oswald");
    assert_eq!(captions["position"], "start");
}

#[test]
fn d11_d14_sequences_fonts_and_edits() {
    let scene = check(
        r#"export default <Render>
          <Clip><Swipe direction="right"><Image prompt="a" /><Image prompt="b" /></Swipe></Clip>
          <Clip duration={3}><Image src="photo.jpg" prompt="make it snow" /><Title fontFamily="Roboto">Hi</Title></Clip>
        </Render>;"#,
    );
    let swipe = &scene["clips"][0]["layers"][0];
    assert_eq!(swipe["type"], "swipe");
    assert!(
        approx(&swipe["interval"], 3.0) && approx(&scene["clips"][0]["duration"], 5.5),
        "{swipe}"
    );
    assert_eq!(scene["clips"][1]["layers"][1]["font_family"], "Roboto");
    let gens = scene["generations"].as_array().expect("generations");
    assert!(
        gens.iter().any(|g| g["prompt"] == "make it snow"),
        "the edit is a generation: {gens:?}"
    );
}

#[test]
fn d15_d16_d17_modules_await_and_render_calls() {
    let with_imports = check(
        r#"import { Render, Clip, Image, Title } from "vargai/react";
        import { varg } from "vargai/ai";
        export default <Render><Clip><Image prompt="x" model={varg.imageModel("flux-schnell")} /><Title>Hi</Title></Clip></Render>;"#,
    );
    let globals = check(
        r#"export default <Render><Clip><Image prompt="x" model={varg.imageModel("flux-schnell")} /><Title>Hi</Title></Clip></Render>;"#,
    );
    assert_eq!(
        without_sources(&with_imports["clips"]),
        without_sources(&globals["clips"]),
        "imports and globals mean the same"
    );

    let awaited = check(
        r#"export default async function () {
          const s = await Speech({ children: "five words are said here" });
          return <Render><Clip duration={s.duration}><Image prompt="x" />{s}</Clip></Render>;
        }"#,
    );
    assert!(
        approx(&awaited["clips"][0]["duration"], 2.0),
        "{}",
        awaited["clips"][0]
    );

    let local_run = check(
        r#"import { render } from "vargai/react";
        async function main() { await render(<Render><Clip duration={2}><Image prompt="x" /></Clip></Render>, { output: "out.mp4" }); }
        main();"#,
    );
    assert!(approx(&local_run["duration"], 2.0));
}

#[test]
fn each_failure_class_has_its_own_message() {
    let cases: &[(&str, &str, &str)] = &[
        ("syntax", "const a = (1 +;\nexport default <Render />;", ":1:"),
        ("no default export", "const x = <Render><Clip><Image prompt=\"a\" /></Clip></Render>;", "no default export"),
        ("root", "export default <Clip><Image prompt=\"a\" /></Clip>;", "Root element must be <Render>"),
        ("unknown component", "export default <Render><Clip><Imagee prompt=\"a\" /></Clip></Render>;", "Imagee"),
        ("wrong prop type", "export default <Render><Clip duration=\"long\"><Image prompt=\"a\" /></Clip></Render>;", "<Clip> prop `duration`"),
        ("unknown transition", "export default <Render><Clip transition={{name:\"spin\"}}><Image prompt=\"a\" /></Clip><Clip><Image prompt=\"b\" /></Clip></Render>;", "unknown transition \"spin\""),
        ("size", "export default <Render width={8000}><Clip><Image prompt=\"a\" /></Clip></Render>;", "over the limit"),
        ("import", "import _ from \"lodash\";\nexport default <Render><Clip><Image prompt=\"a\" /></Clip></Render>;", "lodash"),
        ("require", "const fs = require(\"fs\");\nexport default <Render><Clip><Image prompt=\"a\" /></Clip></Render>;", "require"),
        ("loop", "for (;;) {}\nexport default <Render />;", "loop"),
        ("allocation", "let s = \"x\"; while (true) s += s;\nexport default <Render />;", "memory"),
        ("recursion", "function f(n) { return f(n + 1) + 1; }\nf(0);\nexport default <Render />;", "recursed"),
    ];
    let mut messages = std::collections::HashSet::new();
    for (name, code, expected) in cases {
        let stderr = check_error(code);
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in {stderr}"
        );
        assert!(
            stderr.contains("program.tsx"),
            "{name}: names the file: {stderr}"
        );
        assert!(
            messages.insert(stderr.clone()),
            "{name}: message is not distinct: {stderr}"
        );
    }
    // Location where the program has one: FILE:LINE:COLUMN.
    let stderr = check_error("export default <Render>\n  <Clip duration=\"long\"><Image prompt=\"a\" /></Clip>\n</Render>;");
    assert!(stderr.contains("program.tsx:2:3:"), "{stderr}");
}
