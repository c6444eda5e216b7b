//! Element tree → typed scene, applying every default of components.md and its decisions table.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::color::parse_color;
use super::element::{describe, Element};
use super::size::size_value;
use super::timeline;
use super::transition::{canonical_name, GL_NAMES, XFADE_NAMES};
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

const DEFAULT_CLIP_SECONDS: f64 = 4.0;
const DEFAULT_TRANSITION_SECONDS: f64 = 0.5;

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
    let mut builder = Builder {
        width: 0,
        height: 0,
        assets: Vec::new(),
        asset_index: HashMap::new(),
        warnings: Vec::new(),
    };
    builder.width = frame_side(&root, "width", 1920, limits.max_width)?;
    builder.height = frame_side(&root, "height", 1080, limits.max_height)?;
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

    let mut leaves = Vec::new();
    for child in root.child_elements() {
        match child.kind {
            "clip" => collect_leaf_clips(child, &mut leaves, &mut builder.warnings),
            other => builder.warn_unrendered(other, child.source),
        }
    }
    if leaves.is_empty() {
        return Err(SceneError::invalid(
            "At least one clip is required: <Render> has no <Clip>",
            root.source,
        ));
    }

    let mut clips = Vec::with_capacity(leaves.len());
    for leaf in &leaves {
        clips.push(builder.clip(leaf)?);
    }
    let duration = timeline::resolve(&mut clips, &leaves)?;
    if duration > limits.max_duration {
        return Err(SceneError::limit(
            format!(
                "the video would last {duration:.1} s, over the limit of {} s",
                limits.max_duration
            ),
            root.source,
        ));
    }
    Ok(Scene {
        width: builder.width,
        height: builder.height,
        fps,
        duration,
        clips,
        assets: builder.assets,
        warnings: builder.warnings,
    })
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

/// Flattens nested ("container") clips depth-first into leaf clips (§6.6).
fn collect_leaf_clips<'a>(
    clip: Element<'a>,
    out: &mut Vec<Element<'a>>,
    warnings: &mut Vec<String>,
) {
    let nested: Vec<Element<'a>> = clip.child_elements().filter(|c| c.kind == "clip").collect();
    if nested.is_empty() {
        out.push(clip);
        return;
    }
    if clip.child_elements().any(|c| c.kind != "clip") {
        warnings.push(format!(
            "{}a <Clip> that contains clips uses only its clips; its other children are not rendered yet",
            location_prefix(clip.source)
        ));
    }
    for child in nested {
        collect_leaf_clips(child, out, warnings);
    }
}

fn location_prefix(source: Option<SourcePos>) -> String {
    source
        .map(|s| format!("line {}, column {}: ", s.line, s.column))
        .unwrap_or_default()
}

struct Builder {
    width: u32,
    height: u32,
    assets: Vec<AssetRequest>,
    asset_index: HashMap<String, usize>,
    warnings: Vec<String>,
}

impl Builder {
    fn warn_unrendered(&mut self, kind: &str, source: Option<SourcePos>) {
        self.warnings.push(format!(
            "{}<{}> is not rendered by this version yet and was skipped",
            location_prefix(source),
            super::element::component_name(kind)
        ));
    }

    fn clip(&mut self, clip: &Element) -> Result<Clip, SceneError> {
        let duration = match clip.prop("duration") {
            None => DEFAULT_CLIP_SECONDS,
            Some(Value::String(s)) if s == "auto" => DEFAULT_CLIP_SECONDS,
            Some(Value::Number(_)) => {
                let d = clip.number("duration")?.unwrap_or(DEFAULT_CLIP_SECONDS);
                if d <= 0.0 {
                    return Err(clip.error(
                        Some("duration"),
                        format!("must be more than 0 seconds, got {d}"),
                    ));
                }
                d
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
        let transition = self.transition(clip)?;
        let mut layers = Vec::new();
        for child in clip.child_elements() {
            match child.kind {
                "image" => layers.push(Layer::Image(self.image(&child)?)),
                "title" => layers.push(Layer::Title(self.title(&child)?)),
                other => self.warn_unrendered(other, child.source),
            }
        }
        Ok(Clip {
            start: 0.0,
            duration,
            transition,
            layers,
            source: clip.source,
        })
    }

    fn transition(&self, clip: &Element) -> Result<Option<Transition>, SceneError> {
        let Some(value) = clip.prop("transition") else {
            return Ok(None);
        };
        let Some(obj) = value.as_object() else {
            return Err(clip.error(
                Some("transition"),
                format!(
                    "must be an object like {{ name: \"fade\", duration: 0.5 }}, got {}",
                    describe(value)
                ),
            ));
        };
        let name = match obj.get("name") {
            None | Some(Value::Null) => "fade".to_string(),
            Some(Value::String(name)) => canonical_name(name).ok_or_else(|| {
                clip.error(
                    Some("transition"),
                    format!(
                        "unknown transition \"{name}\"; known names: none, {}, {}",
                        XFADE_NAMES.join(", "),
                        GL_NAMES.join(", ")
                    ),
                )
            })?,
            Some(other) => {
                return Err(clip.error(
                    Some("transition"),
                    format!("`name` must be a string, got {}", describe(other)),
                ))
            }
        };
        let duration = match obj.get("duration") {
            None | Some(Value::Null) => DEFAULT_TRANSITION_SECONDS,
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|d| d.is_finite() && *d >= 0.0)
                .ok_or_else(|| {
                    clip.error(Some("transition"), "`duration` must be 0 or more seconds")
                })?,
            Some(other) => {
                return Err(clip.error(
                    Some("transition"),
                    format!(
                        "`duration` must be a number of seconds, got {}",
                        describe(other)
                    ),
                ))
            }
        };
        if name == "none" || duration == 0.0 {
            return Ok(None);
        }
        Ok(Some(Transition { name, duration }))
    }

    fn image(&mut self, el: &Element) -> Result<ImageLayer, SceneError> {
        let source = if let Some(src) = el.string("src")? {
            AssetSource::Src {
                src: src.to_string(),
            }
        } else if let Some(prompt) = el.prop("prompt") {
            let text = match prompt {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                other => {
                    return Err(el.error(
                        Some("prompt"),
                        format!(
                            "must be a string or {{ text, images }}, got {}",
                            describe(other)
                        ),
                    ))
                }
            };
            AssetSource::Prompt {
                prompt: text,
                model: model_ref(el)?,
                aspect_ratio: el.string("aspectRatio")?.map(str::to_string),
            }
        } else {
            return Err(el.error(None, "Image element requires either 'prompt' or 'src'"));
        };
        let rect = self.box_rect(el)?;
        let zoom = if el.has_prop("zoom") {
            match el.prop("zoom") {
                None => None,
                Some(Value::String(s)) if s == "none" => None,
                Some(_) => Some(
                    match el.choice("zoom", &["in", "out", "left", "right", "none"])? {
                        Some("out") => Zoom::Out,
                        Some("left") => Zoom::Left,
                        Some("right") => Zoom::Right,
                        _ => Zoom::In,
                    },
                ),
            }
        } else if rect.is_none() {
            Some(Zoom::In)
        } else {
            None
        };
        let asset = self.asset(AssetKind::Image, source, el, &IMAGE_LAYOUT_PROPS);
        Ok(ImageLayer {
            asset,
            resize: resize(el)?,
            crop_position: crop_position(el)?,
            zoom,
            rect,
            source: el.source,
        })
    }

    /// `left/top/width/height` → a box; `None` when none is given (a full-frame layer).
    fn box_rect(&self, el: &Element) -> Result<Option<BoxRect>, SceneError> {
        let props = ["left", "top", "width", "height"];
        if !props.iter().any(|p| el.prop(p).is_some()) {
            return Ok(None);
        }
        let (w, h) = (self.width as f64, self.height as f64);
        let read = |prop: &str, base: f64| -> Result<Option<f64>, SceneError> {
            el.prop(prop)
                .map(|v| size_value(v, base).ok_or_else(|| el.error(Some(prop), size_error(v))))
                .transpose()
        };
        let width = read("width", w)?.unwrap_or((0.3 * w).round());
        let height = read("height", h)?;
        if width < 1.0 || height.is_some_and(|h| h < 1.0) {
            return Err(el.error(
                None,
                "a positioned layer needs a width and height of at least 1 pixel",
            ));
        }
        Ok(Some(BoxRect {
            left: read("left", w)?.unwrap_or(0.0) as i32,
            top: read("top", h)?.unwrap_or(0.0) as i32,
            width: width.min(4.0 * w) as u32,
            height: height.map(|h| h.min(4.0 * self.height as f64) as u32),
        }))
    }

    fn title(&mut self, el: &Element) -> Result<TextLayer, SceneError> {
        let mut text = el.text();
        if text.is_empty() {
            text = el.string("text")?.unwrap_or_default().to_string();
        }
        let position = match el.prop("position") {
            Some(Value::String(p)) => text_position(p),
            _ => TextPosition {
                horizontal: Align::Center,
                vertical: Align::Center,
            },
        };
        let color = color_prop(el, "color")?.unwrap_or([255, 255, 255, 255]);
        let outline = el.number("outline")?.map(|o| o.max(0.0) as f32);
        let outline_color = color_prop(el, "outlineColor")?.unwrap_or([0, 0, 0, 255]);
        let start = el.number("start")?;
        let end = el.number("end")?;
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                return Err(el.error(Some("end"), format!("{e} is not after `start` ({s})")));
            }
        }
        Ok(TextLayer {
            text,
            position,
            color,
            outline,
            outline_color,
            // NaN marks "not given": the timeline fills in the §11 default window.
            start: start.unwrap_or(f64::NAN),
            end: end.unwrap_or(f64::NAN),
            source: el.source,
        })
    }

    /// Registers an asset once per distinct cache key (§23) and returns its index.
    fn asset(
        &mut self,
        kind: AssetKind,
        source: AssetSource,
        el: &Element,
        layout_props: &[&str],
    ) -> usize {
        let identity: BTreeMap<&str, &Value> = el
            .props
            .iter()
            .filter(|(k, _)| {
                !layout_props.contains(&k.as_str()) && !ALWAYS_IGNORED.contains(&k.as_str())
            })
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        let cache_key = format!(
            "{}:{}",
            el.kind,
            serde_json::to_string(&identity).unwrap_or_default()
        );
        if let Some(&index) = self.asset_index.get(&cache_key) {
            return index;
        }
        let index = self.assets.len();
        self.asset_index.insert(cache_key.clone(), index);
        self.assets.push(AssetRequest {
            kind,
            source,
            cache_key,
        });
        index
    }
}

const ALWAYS_IGNORED: [&str; 2] = ["children", "key"];
/// Props that change where an image is drawn, not what it is (§23).
const IMAGE_LAYOUT_PROPS: [&str; 8] = [
    "left", "top", "width", "height", "resize", "position", "size", "zoom",
];

fn size_error(v: &Value) -> String {
    format!(
        "must be a number of pixels, \"N%\" or \"Npx\", got {}",
        describe(v)
    )
}

fn model_ref(el: &Element) -> Result<Option<ModelRef>, SceneError> {
    let Some(model) = el.prop("model") else {
        return Ok(None);
    };
    let obj = model.as_object().ok_or_else(|| {
        el.error(
            Some("model"),
            format!(
                "must be a model such as varg.imageModel(\"flux-schnell\"), got {}",
                describe(model)
            ),
        )
    })?;
    Ok(Some(ModelRef {
        provider: obj
            .get("provider")
            .and_then(Value::as_str)
            .unwrap_or("varg")
            .to_string(),
        model_id: obj
            .get("modelId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    }))
}

fn resize(el: &Element) -> Result<Resize, SceneError> {
    Ok(
        match el.choice("resize", &["cover", "contain", "contain-blur", "stretch"])? {
            Some("contain") => Resize::Contain,
            Some("contain-blur") => Resize::ContainBlur,
            Some("stretch") => Resize::Stretch,
            _ => Resize::Cover,
        },
    )
}

fn crop_position(el: &Element) -> Result<CropPosition, SceneError> {
    Ok(
        match el.choice(
            "cropPosition",
            &[
                "center",
                "top",
                "bottom",
                "left",
                "right",
                "top-left",
                "top-right",
                "bottom-left",
                "bottom-right",
            ],
        )? {
            Some("top") => CropPosition::Top,
            Some("bottom") => CropPosition::Bottom,
            Some("left") => CropPosition::Left,
            Some("right") => CropPosition::Right,
            Some("top-left") => CropPosition::TopLeft,
            Some("top-right") => CropPosition::TopRight,
            Some("bottom-left") => CropPosition::BottomLeft,
            Some("bottom-right") => CropPosition::BottomRight,
            _ => CropPosition::Center,
        },
    )
}

/// §11: a preset containing `left`/`right`/`top`/`bottom` moves that way; anything else centres.
fn text_position(preset: &str) -> TextPosition {
    let horizontal = if preset.contains("left") {
        Align::Start
    } else if preset.contains("right") {
        Align::End
    } else {
        Align::Center
    };
    let vertical = if preset.contains("top") {
        Align::Start
    } else if preset.contains("bottom") {
        Align::End
    } else {
        Align::Center
    };
    TextPosition {
        horizontal,
        vertical,
    }
}

fn color_prop(el: &Element, prop: &str) -> Result<Option<[u8; 4]>, SceneError> {
    let Some(text) = el.string(prop)? else {
        return Ok(None);
    };
    parse_color(text).map(Some).ok_or_else(|| {
        el.error(
            Some(prop),
            format!("\"{text}\" is not a colour (use a name like \"white\", \"#ff8800\" or \"black@0.5\")"),
        )
    })
}
