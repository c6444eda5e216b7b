use serde_json::{json, Value};

use super::*;

fn el(kind: &str, props: Value, children: Vec<Value>) -> Value {
    json!({ "type": kind, "props": props, "children": children })
}

fn image(prompt: &str) -> Value {
    el("image", json!({ "prompt": prompt }), vec![])
}

fn build(tree: Value) -> Result<Scene, SceneError> {
    build_scene(&tree, &SceneLimits::default())
}

#[test]
fn defaults_are_1080p_30fps_and_4_second_clips() {
    let scene = build(el(
        "render",
        json!({}),
        vec![el("clip", json!({}), vec![image("a cat")])],
    ))
    .expect("scene");
    assert_eq!((scene.width, scene.height, scene.fps), (1920, 1080, 30));
    assert_eq!(scene.duration, 4.0);
    assert_eq!(scene.frame_count(), 120);
    let Layer::Image(layer) = &scene.clips[0].layers[0] else {
        panic!("image layer expected");
    };
    assert_eq!(layer.zoom, Some(Zoom::In));
    assert_eq!(layer.resize, Resize::Cover);
}

#[test]
fn odd_sizes_round_to_even() {
    let scene = build(el(
        "render",
        json!({ "width": 1279, "height": 721 }),
        vec![el("clip", json!({}), vec![image("x")])],
    ))
    .expect("scene");
    assert_eq!((scene.width, scene.height), (1280, 722));
}

#[test]
fn transitions_overlap_clips_and_shorten_the_total() {
    // §6.5: d = [5, 3, 4], fade 0.5 on clip 0 → starts [0, 4.5, 7.5], total 11.5.
    let tree = el(
        "render",
        json!({}),
        vec![
            el(
                "clip",
                json!({ "duration": 5, "transition": { "name": "fade", "duration": 0.5 } }),
                vec![image("a")],
            ),
            el("clip", json!({ "duration": 3 }), vec![image("b")]),
            el(
                "clip",
                json!({ "duration": 4, "transition": {} }),
                vec![image("c")],
            ),
        ],
    );
    let scene = build(tree).expect("scene");
    let starts: Vec<f64> = scene.clips.iter().map(|c| c.start).collect();
    assert_eq!(starts, vec![0.0, 4.5, 7.5]);
    assert_eq!(scene.duration, 11.5);
    assert!(
        scene.clips[2].transition.is_none(),
        "the last clip joins nothing"
    );
}

#[test]
fn identical_prompts_share_one_asset() {
    let tree = el(
        "render",
        json!({}),
        vec![
            el("clip", json!({}), vec![image("same")]),
            el(
                "clip",
                json!({}),
                vec![el(
                    "image",
                    json!({ "prompt": "same", "zoom": "out" }),
                    vec![],
                )],
            ),
            el("clip", json!({}), vec![image("other")]),
        ],
    );
    let scene = build(tree).expect("scene");
    assert_eq!(scene.assets.len(), 2);
}

#[test]
fn title_window_avoids_transition_overlaps() {
    let title = el(
        "title",
        json!({ "position": "bottom" }),
        vec![json!("Hello "), json!(42)],
    );
    let tree = el(
        "render",
        json!({}),
        vec![
            el(
                "clip",
                json!({ "duration": 3, "transition": { "duration": 1 } }),
                vec![image("a"), title.clone()],
            ),
            el("clip", json!({ "duration": 3 }), vec![image("b"), title]),
        ],
    );
    let scene = build(tree).expect("scene");
    let windows: Vec<(f64, f64, String)> = scene
        .clips
        .iter()
        .map(|c| match &c.layers[1] {
            Layer::Title(t) => (t.start, t.end, t.text.clone()),
            other => panic!("title expected, got {other:?}"),
        })
        .collect();
    assert_eq!(windows[0], (0.0, 2.0, "Hello 42".to_string()));
    assert_eq!(windows[1], (1.0, 3.0, "Hello 42".to_string()));
}

#[test]
fn errors_name_the_component_prop_and_place() {
    let tree = json!({ "type": "render", "props": {}, "children": [
        { "type": "clip", "props": { "transition": { "name": "spin" } }, "children": [image("a")],
          "source": { "line": 3, "column": 5 } },
        { "type": "clip", "props": {}, "children": [image("b")] }
    ]});
    let err = build(tree).expect_err("unknown transition");
    assert_eq!(err.kind, SceneErrorKind::InvalidCode);
    assert!(
        err.message.contains("<Clip> prop `transition`"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("unknown transition \"spin\""),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("wipeleft"),
        "lists known names: {}",
        err.message
    );
    assert_eq!(err.position, Some(SourcePos { line: 3, column: 5 }));
}

#[test]
fn root_must_be_render_and_have_clips() {
    let err = build(el("clip", json!({}), vec![])).expect_err("root");
    assert!(err
        .message
        .contains("Root element must be <Render>, got <Clip>"));
    let err = build(el("render", json!({}), vec![])).expect_err("no clips");
    assert!(err.message.contains("At least one clip is required"));
}

#[test]
fn limits_are_limit_exceeded() {
    let err = build(el(
        "render",
        json!({ "width": 8000 }),
        vec![el("clip", json!({}), vec![image("a")])],
    ))
    .expect_err("too wide");
    assert_eq!(err.kind, SceneErrorKind::LimitExceeded);
    let err = build(el(
        "render",
        json!({ "fps": 120 }),
        vec![el("clip", json!({}), vec![image("a")])],
    ))
    .expect_err("too fast");
    assert_eq!(err.kind, SceneErrorKind::LimitExceeded);
    let err = build(el(
        "render",
        json!({}),
        vec![el("clip", json!({ "duration": 601 }), vec![image("a")])],
    ))
    .expect_err("too long");
    assert_eq!(err.kind, SceneErrorKind::LimitExceeded);
}

#[test]
fn wrong_prop_types_are_reported() {
    let err = build(el(
        "render",
        json!({}),
        vec![el("clip", json!({ "duration": "long" }), vec![image("a")])],
    ))
    .expect_err("bad duration");
    assert!(
        err.message.contains("<Clip> prop `duration`"),
        "{}",
        err.message
    );
    let err = build(el(
        "render",
        json!({}),
        vec![el("clip", json!({}), vec![el("image", json!({}), vec![])])],
    ))
    .expect_err("no prompt");
    assert!(
        err.message.contains("requires either 'prompt' or 'src'"),
        "{}",
        err.message
    );
}

#[test]
fn positioned_images_have_a_box_and_no_default_zoom() {
    let tree = el(
        "render",
        json!({ "width": 1280, "height": 720 }),
        vec![el(
            "clip",
            json!({}),
            vec![
                image("bg"),
                el(
                    "image",
                    json!({ "prompt": "logo", "left": "70%", "top": "5%", "width": "25%" }),
                    vec![],
                ),
            ],
        )],
    );
    let scene = build(tree).expect("scene");
    let Layer::Image(logo) = &scene.clips[0].layers[1] else {
        panic!("image")
    };
    assert_eq!(logo.zoom, None);
    assert_eq!(
        logo.rect,
        Some(BoxRect {
            left: 896,
            top: 36,
            width: 320,
            height: None
        })
    );
}
