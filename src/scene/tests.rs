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
            Layer::Text(t) => (t.start, t.end, t.text.clone()),
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

fn speech(text: &str) -> Value {
    el("speech", json!({ "voice": "adam" }), vec![json!(text)])
}

#[test]
fn auto_clips_follow_their_speech_and_captions_share_its_timings() {
    // D3 + D9 + D10: 5 words at 0.4 s → a 2 s clip; captions sit on the same word times.
    let line = speech("one two three four five");
    let tree = el(
        "render",
        json!({}),
        vec![
            el("clip", json!({ "duration": 3 }), vec![image("a")]),
            el(
                "clip",
                json!({ "duration": "auto" }),
                vec![image("b"), line.clone()],
            ),
            el(
                "captions",
                json!({ "src": line, "style": "karaoke" }),
                vec![],
            ),
        ],
    );
    let scene = build(tree).expect("scene");
    assert_eq!(scene.clips[1].duration, 2.0);
    assert_eq!(scene.duration, 5.0);
    assert_eq!(
        scene
            .assets
            .iter()
            .filter(|a| a.kind == AssetKind::Speech)
            .count(),
        1,
        "one speech, shared"
    );
    let speech_track = scene
        .audio
        .iter()
        .find(|t| t.kind == AudioKind::Speech)
        .expect("speech track");
    assert_eq!(speech_track.start, 3.0);
    let words = &scene.captions[0].words;
    assert_eq!(words.len(), 5);
    // Render-level captions are anchored at 0 (§13), so they do not follow the clip.
    assert_eq!(words[1].start, 0.4);
    assert_eq!(scene.captions[0].style, CaptionStyle::Karaoke);
}

#[test]
fn auto_clips_follow_their_first_full_frame_video_trimmed_once() {
    let video = el(
        "video",
        json!({ "prompt": "waves", "duration": 6, "cutFrom": 1, "keepAudio": true }),
        vec![],
    );
    let tree = el(
        "render",
        json!({}),
        vec![el("clip", json!({}), vec![video])],
    );
    let scene = build(tree).expect("scene");
    assert_eq!(scene.clips[0].duration, 5.0, "6 s generated, cut from 1 s");
    let sound = &scene.audio[0];
    assert_eq!(
        (sound.kind, sound.cut_from, sound.end),
        (AudioKind::Video, 1.0, Some(5.0))
    );
}

#[test]
fn nested_clips_flatten_and_container_overlays_reach_every_leaf() {
    let tree = el(
        "render",
        json!({}),
        vec![el(
            "clip",
            json!({}),
            vec![
                el(
                    "overlay",
                    json!({ "left": 10, "top": 10, "width": 100 }),
                    vec![image("logo")],
                ),
                el("clip", json!({ "duration": 2 }), vec![image("a")]),
                el("clip", json!({ "duration": 3 }), vec![image("b")]),
                el("music", json!({ "prompt": "pad" }), vec![]),
            ],
        )],
    );
    let scene = build(tree).expect("scene");
    assert_eq!(scene.clips.len(), 2);
    assert!(
        scene.clips.iter().all(|c| c.layers.len() == 2),
        "each leaf has its image and the overlay"
    );
    assert_eq!(scene.audio[0].start, 0.0);
    assert_eq!(
        scene.audio[0].end,
        Some(5.0),
        "music stops with the picture"
    );
}

#[test]
fn overlay_windows_and_render_level_overlays() {
    let tree = el(
        "render",
        json!({}),
        vec![
            el(
                "clip",
                json!({ "duration": 4 }),
                vec![
                    image("bg"),
                    el(
                        "overlay",
                        json!({ "start": 1, "end": 2, "left": "50%" }),
                        vec![image("badge")],
                    ),
                ],
            ),
            el(
                "overlay",
                json!({ "left": 0, "top": 0, "width": 200 }),
                vec![image("watermark")],
            ),
        ],
    );
    let scene = build(tree).expect("scene");
    let Layer::Image(badge) = &scene.clips[0].layers[1] else {
        panic!("image")
    };
    assert_eq!(
        badge.window,
        Some(Window {
            start: 1.0,
            end: 2.0
        })
    );
    assert_eq!(badge.rect.map(|r| r.left), Some(960));
    assert_eq!(scene.overlays.len(), 1);
}

#[test]
fn slider_swipe_and_packshot_give_auto_clips_their_length() {
    let cards = vec![image("a"), image("b"), image("c")];
    let tree = el(
        "render",
        json!({}),
        vec![
            el(
                "clip",
                json!({}),
                vec![el(
                    "swipe",
                    json!({ "direction": "up", "interval": 2 }),
                    cards.clone(),
                )],
            ),
            el("clip", json!({}), vec![el("slider", json!({}), cards)]),
            el(
                "clip",
                json!({}),
                vec![el(
                    "packshot",
                    json!({ "title": "Buy", "cta": "Now", "blinkCta": true }),
                    vec![],
                )],
            ),
        ],
    );
    let scene = build(tree).expect("scene");
    let durations: Vec<f64> = scene.clips.iter().map(|c| c.duration).collect();
    assert_eq!(durations, vec![5.0, 8.0, 3.0]);
    let Layer::Packshot(p) = &scene.clips[2].layers[0] else {
        panic!("packshot")
    };
    assert_eq!(
        p.cta_color,
        [0xFF, 0x6B, 0x00, 255],
        "a blinking CTA is an orange button by default"
    );
    assert_eq!(p.cta_size, (1344, 97));
}

#[test]
fn impossible_trims_and_missing_parts_are_errors() {
    let err = build(el(
        "render",
        json!({}),
        vec![el(
            "clip",
            json!({}),
            vec![el(
                "video",
                json!({ "src": "a.mp4", "cutFrom": 3, "cutTo": 1 }),
                vec![],
            )],
        )],
    ))
    .expect_err("cutTo before cutFrom");
    assert!(
        err.message.contains("<Video> prop `cutTo`"),
        "{}",
        err.message
    );
    let err = build(el(
        "render",
        json!({}),
        vec![el(
            "clip",
            json!({}),
            vec![el("talking-head", json!({}), vec![])],
        )],
    ))
    .expect_err("no face");
    assert!(
        err.message.contains("TalkingHead requires 'image'"),
        "{}",
        err.message
    );
    let err = build(el(
        "render",
        json!({}),
        vec![el(
            "clip",
            json!({}),
            vec![image("a"), el("speech", json!({}), vec![])],
        )],
    ))
    .expect_err("no text");
    assert!(
        err.message.contains("Speech element requires text content"),
        "{}",
        err.message
    );
    let err = build(el(
        "render",
        json!({}),
        vec![el(
            "clip",
            json!({}),
            vec![image("a"), el("captions", json!({}), vec![])],
        )],
    ))
    .expect_err("no source");
    assert!(err.message.contains("'srt' or 'src'"), "{}", err.message);
}

#[test]
fn an_image_with_src_and_prompt_is_an_edit_of_its_source() {
    let tree = el(
        "render",
        json!({}),
        vec![el(
            "clip",
            json!({}),
            vec![el(
                "image",
                json!({ "src": "photo.jpg", "prompt": "make it snow" }),
                vec![],
            )],
        )],
    );
    let scene = build(tree).expect("scene");
    let Layer::Image(layer) = &scene.clips[0].layers[0] else {
        panic!("image")
    };
    let AssetSource::Prompt(generation) = &scene.assets[layer.asset].source else {
        panic!("generation")
    };
    let original = generation.edit.expect("edit source");
    assert_eq!(
        scene.assets[original].source,
        AssetSource::Src {
            src: "photo.jpg".into()
        }
    );
}

#[test]
fn subtitles_have_a_box_and_sit_low() {
    let tree = el(
        "render",
        json!({}),
        vec![el(
            "clip",
            json!({}),
            vec![image("a"), el("subtitle", json!({}), vec![json!("Hi")])],
        )],
    );
    let scene = build(tree).expect("scene");
    let Layer::Text(sub) = &scene.clips[0].layers[1] else {
        panic!("text")
    };
    assert_eq!(sub.kind, TextKind::Subtitle);
    assert_eq!(sub.background, Some([0, 0, 0, 179]));
    assert_eq!(sub.position.vertical, Align::End);
}
