//! Element tree → typed scene, applying every default of components.md and its decisions table.

use serde_json::Value;

use super::assets::AssetTable;
use super::element::{component_name, describe, Element};
use super::layers;
use super::sound;
use super::timeline;
use super::*;

/// What this server is willing to render (api.md "Limits").
#[derive(Debug, Clone)]
pub struct SceneLimits {
    pub max_width: u32,
    pub max_height: u32,
    pub max_fps: u32,
    pub max_duration: f64,
}

impl Default for SceneLimits {
    fn default() -> Self {
        SceneLimits {
            max_width: 3840,
            max_height: 3840,
            max_fps: 60,
            max_duration: 600.0,
        }
    }
}

pub(super) const DEFAULT_CLIP_SECONDS: f64 = 4.0;

/// State shared while one tree is read.
pub(super) struct Builder {
    pub width: u32,
    pub height: u32,
    pub assets: AssetTable,
    pub warnings: Vec<String>,
    pub overlays: Vec<Layer>,
    pub captions: Vec<CaptionTrack>,
    pub audio: Vec<AudioTrack>,
}

impl Builder {
    pub fn warn(&mut self, source: Option<SourcePos>, message: impl AsRef<str>) {
        let prefix = source
            .map(|s| format!("line {}, column {}: ", s.line, s.column))
            .unwrap_or_default();
        self.warnings.push(format!("{prefix}{}", message.as_ref()));
    }
}

/// Builds the scene a program's element tree means, or says precisely why it cannot.
pub fn build_scene(tree: &Value, limits: &SceneLimits) -> Result<Scene, SceneError> {
    let root = Element::from_value(tree).ok_or_else(|| {
        SceneError::invalid(
            format!(
                "the default export must be a <Render> element, got {}",
                describe(tree)
            ),
            None,
        )
    })?;
    if root.kind != "render" {
        return Err(SceneError::invalid(
            format!(
                "Root element must be <Render>, got <{}>",
                root.display_name()
            ),
            root.source,
        ));
    }
    let mut b = Builder {
        width: frame_side(&root, "width", 1920, limits.max_width)?,
        height: frame_side(&root, "height", 1080, limits.max_height)?,
        assets: AssetTable::default(),
        warnings: Vec::new(),
        overlays: Vec::new(),
        captions: Vec::new(),
        audio: Vec::new(),
    };
    let fps = match root.number("fps")? {
        None => 30,
        Some(fps) if fps >= 1.0 && fps.round() <= limits.max_fps as f64 => fps.round() as u32,
        Some(fps) => {
            return Err(SceneError::limit(
                format!(
                    "<Render> prop `fps`: {fps} is outside the allowed range 1..={}",
                    limits.max_fps
                ),
                root.source,
            ))
        }
    };
    let shortest = root.boolean("shortest")?.unwrap_or(false);
    let normalize = root.boolean("normalize")?.unwrap_or(false);

    let mut clips = Vec::new();
    for child in root.child_elements() {
        match child.kind {
            "clip" => walk_clip(&mut b, child, &mut clips, &[])?,
            "overlay" => {
                let layers = layers::overlay_layers(&mut b, &child, None)?;
                if child.number("start")?.is_some() || child.number("end")?.is_some() {
                    b.warn(child.source, "<Overlay> directly in <Render> spans the whole video; its `start`/`end` are ignored");
                }
                sound::render_overlay_audio(&mut b, &child)?;
                b.overlays.extend(layers);
            }
            "captions" => sound::captions(&mut b, &child, Anchor::Render { offset: 0.0 })?,
            "speech" => {
                sound::speech(&mut b, &child, Anchor::Render { offset: 0.0 })?;
            }
            "music" => {
                sound::music(&mut b, &child, Anchor::Render { offset: 0.0 }, true)?;
            }
            other => b.warn(
                child.source,
                format!(
                    "<{}> directly inside <Render> is ignored: put it in a <Clip>",
                    component_name(other)
                ),
            ),
        }
    }
    if clips.is_empty() {
        return Err(SceneError::invalid(
            "At least one clip is required: <Render> has no <Clip>",
            root.source,
        ));
    }
    let mut scene = Scene {
        width: b.width,
        height: b.height,
        fps,
        duration: 0.0,
        clips,
        overlays: b.overlays,
        captions: b.captions,
        audio: b.audio,
        assets: b.assets.into_requests(),
        shortest,
        normalize,
        warnings: b.warnings,
    };
    timeline::resolve(&mut scene)?;
    if scene.duration > limits.max_duration {
        return Err(SceneError::limit(
            format!(
                "the video would last {:.1} s, over the limit of {} s",
                scene.duration, limits.max_duration
            ),
            root.source,
        ));
    }
    Ok(scene)
}

/// Reads `width`/`height`: positive, rounded to even (D1), within the limit.
fn frame_side(root: &Element, prop: &str, default: u32, max: u32) -> Result<u32, SceneError> {
    let Some(value) = root.number(prop)? else {
        return Ok(default);
    };
    if value < 2.0 {
        return Err(root.error(
            Some(prop),
            format!("must be at least 2 pixels, got {value}"),
        ));
    }
    let even = ((value / 2.0).round() * 2.0) as u64;
    if even > max as u64 {
        return Err(SceneError::limit(
            format!("<Render> prop `{prop}`: {value} is over the limit of {max} pixels"),
            root.source,
        ));
    }
    Ok(even as u32)
}

/// Flattens nested ("container") clips depth-first into leaf clips (§6.6). A container's
/// overlays apply to each of its leaves; its captions and sounds start with its first leaf.
fn walk_clip<'a>(
    b: &mut Builder,
    clip: Element<'a>,
    out: &mut Vec<Clip>,
    inherited_overlays: &[Element<'a>],
) -> Result<(), SceneError> {
    let is_container = clip.child_elements().any(|c| c.kind == "clip");
    if !is_container {
        let index = out.len();
        let leaf = leaf_clip(b, &clip, index, inherited_overlays)?;
        out.push(leaf);
        return Ok(());
    }
    let first_leaf = out.len();
    let mut overlays = inherited_overlays.to_vec();
    overlays.extend(clip.child_elements().filter(|c| c.kind == "overlay"));
    for child in clip.child_elements() {
        if child.kind == "clip" {
            walk_clip(b, child, out, &overlays)?;
        }
    }
    let anchor = Anchor::Clip {
        index: first_leaf,
        offset: 0.0,
    };
    for child in clip.child_elements() {
        match child.kind {
            "clip" | "overlay" => {}
            "captions" => sound::captions(b, &child, anchor)?,
            "speech" => {
                sound::speech(b, &child, anchor)?;
            }
            "music" => {
                sound::music(b, &child, anchor, false)?;
            }
            other => b.warn(
                child.source,
                format!("<{}> in a <Clip> that contains clips is ignored: put it in one of the inner clips", component_name(other)),
            ),
        }
    }
    for prop in ["duration", "transition", "cutFrom", "cutTo"] {
        if clip.prop(prop).is_some() {
            b.warn(
                clip.source,
                format!("`{prop}` of a <Clip> that contains clips is ignored"),
            );
        }
    }
    Ok(())
}

fn leaf_clip(
    b: &mut Builder,
    clip: &Element,
    index: usize,
    inherited_overlays: &[Element],
) -> Result<Clip, SceneError> {
    let explicit = match clip.prop("duration") {
        None => None,
        Some(Value::String(s)) if s == "auto" => None,
        Some(Value::Number(_)) => {
            let d = clip.number("duration")?.unwrap_or(DEFAULT_CLIP_SECONDS);
            if d <= 0.0 {
                return Err(clip.error(
                    Some("duration"),
                    format!("must be more than 0 seconds, got {d}"),
                ));
            }
            Some(d)
        }
        Some(other) => {
            return Err(clip.error(
                Some("duration"),
                format!(
                    "must be a number of seconds or \"auto\", got {}",
                    describe(other)
                ),
            ))
        }
    };
    let transition = layers::transition(clip)?;
    let clip_cut = (clip.number("cutFrom")?, clip.number("cutTo")?);
    let anchor = Anchor::Clip { index, offset: 0.0 };
    let mut stack = Vec::new();
    let mut speech_auto = None;
    let mut video_auto = None;
    for child in clip.child_elements() {
        match child.kind {
            "image" => stack.push(Layer::Image(layers::image(b, &child, None)?)),
            "video" => {
                let video = layers::video(b, &child, None, clip_cut)?;
                if video.keep_audio {
                    sound::video_sound(b, &video, anchor);
                }
                if video.rect.is_none() && video_auto.is_none() {
                    video_auto = Some(AutoDuration::Video {
                        asset: video.asset,
                        cut_from: video.cut_from,
                        cut_to: video.cut_to,
                    });
                }
                stack.push(Layer::Video(video));
            }
            "talking-head" => {
                let (video, speech) = layers::talking_head(b, &child)?;
                sound::push_track(b, AudioKind::Speech, speech, anchor, child.source);
                if speech_auto.is_none() {
                    speech_auto = Some(AutoDuration::Speech { asset: speech });
                }
                stack.push(Layer::Video(video));
            }
            "title" | "subtitle" => stack.push(Layer::Text(layers::text(&child)?)),
            "speech" => {
                let asset = sound::speech(b, &child, anchor)?;
                if speech_auto.is_none() {
                    speech_auto = Some(AutoDuration::Speech { asset });
                }
            }
            "music" => {
                sound::music(b, &child, anchor, false)?;
            }
            "captions" => sound::captions(b, &child, anchor)?,
            "overlay" => stack.extend(layers::overlay_layers(b, &child, Some(()))?),
            "slider" | "swipe" => {
                let layer = layers::sequence(b, &child)?;
                let seconds = layer.natural_length(child.kind == "slider");
                if video_auto.is_none() {
                    video_auto = Some(AutoDuration::Fixed { seconds });
                }
                stack.push(if child.kind == "slider" {
                    Layer::Slider(layer)
                } else {
                    Layer::Swipe(layer)
                });
            }
            "packshot" => {
                let layer = layers::packshot(b, &child)?;
                if video_auto.is_none() {
                    video_auto = Some(AutoDuration::Fixed {
                        seconds: layer.duration,
                    });
                }
                stack.push(Layer::Packshot(layer));
            }
            other => b.warn(
                child.source,
                format!("<{}> inside a <Clip> is ignored", component_name(other)),
            ),
        }
    }
    for overlay in inherited_overlays {
        stack.extend(layers::overlay_layers(b, overlay, Some(()))?);
    }
    Ok(Clip {
        start: 0.0,
        duration: explicit.unwrap_or(DEFAULT_CLIP_SECONDS),
        auto_duration: if explicit.is_some() {
            None
        } else {
            speech_auto.or(video_auto)
        },
        transition,
        layers: stack,
        source: clip.source,
    })
}
