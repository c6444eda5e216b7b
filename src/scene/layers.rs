//! Visual elements → layers: Image, Video, TalkingHead, Title/Subtitle, Overlay, Slider,
//! Swipe, Packshot, and the assets they need.

use serde_json::Value;

use super::build::Builder;
use super::color::parse_color;
use super::element::{describe, Element};
use super::size::size_value;
use super::transition::{canonical_name, GL_NAMES, XFADE_NAMES};
use super::*;

const DEFAULT_TRANSITION_SECONDS: f64 = 0.5;
/// A generated video's length when the program does not ask for one (§8).
const DEFAULT_VIDEO_SECONDS: f64 = 5.0;

/// Props that place an image without changing what it is (§23).
const IMAGE_LAYOUT: &[&str] = &[
    "left",
    "top",
    "width",
    "height",
    "resize",
    "position",
    "size",
    "zoom",
    "cropPosition",
];
/// Props that ask for a generation; an edit's source file is the same file without them.
const IMAGE_GENERATION: &[&str] = &[
    "prompt",
    "model",
    "aspectRatio",
    "providerOptions",
    "removeBackground",
];
/// Props that place or mix a video without changing what it is (§23).
const VIDEO_LAYOUT: &[&str] = &[
    "left",
    "top",
    "width",
    "height",
    "resize",
    "cutFrom",
    "cutTo",
    "volume",
    "keepAudio",
    "cropPosition",
];

pub(super) fn transition(clip: &Element) -> Result<Option<Transition>, SceneError> {
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

/// Where an `<Overlay>` puts its children: its box and, inside a clip, its window.
#[derive(Clone, Copy)]
pub(super) struct Placement {
    rect: Option<BoxRect>,
    window: Option<Window>,
}

pub(super) fn image(
    b: &mut Builder,
    el: &Element,
    placement: Option<Placement>,
) -> Result<ImageLayer, SceneError> {
    let asset = image_asset(b, el)?;
    let (rect, window) = match placement {
        Some(p) => (p.rect, p.window),
        None => (box_rect(b, el)?, None),
    };
    let zoom = if placement.is_some() {
        None
    } else if el.has_prop("zoom") {
        match el.prop("zoom") {
            None => None,
            Some(_) => match el.choice("zoom", &["in", "out", "left", "right", "none"])? {
                Some("out") => Some(Zoom::Out),
                Some("left") => Some(Zoom::Left),
                Some("right") => Some(Zoom::Right),
                Some("none") => None,
                _ => Some(Zoom::In),
            },
        }
    } else if rect.is_none() {
        Some(Zoom::In)
    } else {
        None
    };
    Ok(ImageLayer {
        asset,
        resize: resize(el)?,
        crop_position: crop_position(el)?,
        zoom,
        rect,
        window,
        source: el.source,
    })
}

pub(super) fn video(
    b: &mut Builder,
    el: &Element,
    placement: Option<Placement>,
    clip_cut: (Option<f64>, Option<f64>),
) -> Result<VideoLayer, SceneError> {
    let asset = video_asset(b, el)?;
    let (rect, window) = match placement {
        Some(p) => (p.rect, p.window),
        None => (box_rect(b, el)?, None),
    };
    let cut_from = el.number("cutFrom")?.or(clip_cut.0).unwrap_or(0.0);
    let cut_to = el.number("cutTo")?.or(clip_cut.1);
    if cut_from < 0.0 {
        return Err(el.error(
            Some("cutFrom"),
            format!("must be 0 or more seconds, got {cut_from}"),
        ));
    }
    if let Some(to) = cut_to {
        if to <= cut_from {
            return Err(el.error(
                Some("cutTo"),
                format!("{to} s is not after `cutFrom` ({cut_from} s)"),
            ));
        }
    }
    let volume = el.number("volume")?.unwrap_or(1.0);
    if volume < 0.0 {
        return Err(el.error(Some("volume"), format!("must be 0 or more, got {volume}")));
    }
    Ok(VideoLayer {
        asset,
        resize: resize(el)?,
        crop_position: crop_position(el)?,
        rect,
        window,
        cut_from,
        cut_to,
        keep_audio: el.boolean("keepAudio")?.unwrap_or(false),
        volume,
        source: el.source,
    })
}

/// `<TalkingHead image audio>`: a lip-synced video (full-frame, `cover`) and its voice.
pub(super) fn talking_head(
    b: &mut Builder,
    el: &Element,
) -> Result<(VideoLayer, usize), SceneError> {
    let image = el
        .prop("image")
        .and_then(Element::from_value)
        .filter(|e| e.kind == "image")
        .ok_or_else(|| {
            el.error(
                Some("image"),
                "TalkingHead requires 'image' prop (an Image element)",
            )
        })?;
    let audio = el
        .prop("audio")
        .and_then(Element::from_value)
        .filter(|e| e.kind == "speech")
        .ok_or_else(|| {
            el.error(
                Some("audio"),
                "TalkingHead requires 'audio' prop (a Speech element)",
            )
        })?;
    let face = image_asset(b, &image)?;
    let voice = super::sound::speech_asset(b, &audio)?;
    let model = model_ref(el, "lipsyncModel")?.or(model_ref(el, "model")?);
    let generation = Generation {
        prompt: String::new(),
        model,
        images: vec![face],
        audio: Some(voice),
        options: el
            .prop("resolution")
            .map(|r| serde_json::json!({ "resolution": r })),
        ..Generation::default()
    };
    let duration = b.assets.duration(voice);
    let asset = b.assets.register(
        AssetKind::Video,
        AssetSource::Prompt(generation),
        el,
        &["position", "size"],
        duration,
        Vec::new(),
    );
    Ok((VideoLayer::full_frame(asset, el.source), voice))
}

pub(super) fn text(el: &Element) -> Result<TextLayer, SceneError> {
    let kind = if el.kind == "subtitle" {
        TextKind::Subtitle
    } else {
        TextKind::Title
    };
    let mut text = el.text();
    if text.is_empty() {
        text = el.string("text")?.unwrap_or_default().to_string();
    }
    let position = match (kind, el.prop("position")) {
        (TextKind::Title, Some(Value::String(p))) => text_position(p),
        (TextKind::Subtitle, _) => TextPosition {
            horizontal: Align::Center,
            vertical: Align::End,
        },
        _ => TextPosition {
            horizontal: Align::Center,
            vertical: Align::Center,
        },
    };
    let color = color_prop(el, "color")?.unwrap_or([255, 255, 255, 255]);
    let background = match kind {
        TextKind::Subtitle => Some(color_prop(el, "backgroundColor")?.unwrap_or([0, 0, 0, 179])),
        TextKind::Title => color_prop(el, "backgroundColor")?,
    };
    let start = el.number("start")?;
    let end = el.number("end")?;
    if let Some(s) = start.filter(|s| *s < 0.0) {
        return Err(el.error(Some("start"), format!("must be 0 or more seconds, got {s}")));
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            return Err(el.error(Some("end"), format!("{e} is not after `start` ({s})")));
        }
    }
    Ok(TextLayer {
        kind,
        text,
        position,
        color,
        outline: el.number("outline")?.map(|o| o.max(0.0) as f32),
        outline_color: color_prop(el, "outlineColor")?.unwrap_or([0, 0, 0, 255]),
        background,
        font_family: el.string("fontFamily")?.map(str::to_string),
        font_path: el.string("fontPath")?.map(str::to_string),
        start: start.unwrap_or(0.0),
        end: end.unwrap_or(0.0),
        given_window: (start, end),
        source: el.source,
    })
}

/// An `<Overlay>`'s Image/Video children as layers placed by the overlay's box (§14). Inside a
/// clip (`in_clip`), `start`/`end` make a window; at Render level the layers span the video.
pub(super) fn overlay_layers(
    b: &mut Builder,
    el: &Element,
    in_clip: Option<()>,
) -> Result<Vec<Layer>, SceneError> {
    let rect = box_rect(b, el)?;
    let window = match (in_clip, el.number("start")?, el.number("end")?) {
        (Some(()), start, end) if start.is_some() || end.is_some() => {
            let start = start.unwrap_or(0.0);
            let end = end.unwrap_or(f64::INFINITY);
            if end <= start {
                return Err(el.error(Some("end"), format!("{end} is not after `start` ({start})")));
            }
            Some(Window { start, end })
        }
        _ => None,
    };
    let placement = Placement { rect, window };
    let mut layers = Vec::new();
    for child in el.child_elements() {
        match child.kind {
            "image" => layers.push(Layer::Image(image(b, &child, Some(placement))?)),
            "video" => {
                let video = video(b, &child, Some(placement), (None, None))?;
                layers.push(Layer::Video(video));
            }
            other => b.warn(
                child.source,
                format!(
                    "<{}> inside <Overlay> is ignored: an overlay holds images and videos",
                    super::element::component_name(other)
                ),
            ),
        }
    }
    Ok(layers)
}

/// `<Slider>` / `<Swipe>`: their image and video children as cards.
pub(super) fn sequence(b: &mut Builder, el: &Element) -> Result<SequenceLayer, SceneError> {
    let mut items = Vec::new();
    for child in el.child_elements() {
        match child.kind {
            "image" => items.push(MediaRef {
                asset: image_asset(b, &child)?,
                kind: AssetKind::Image,
            }),
            "video" => items.push(MediaRef {
                asset: video_asset(b, &child)?,
                kind: AssetKind::Video,
            }),
            other => b.warn(
                child.source,
                format!(
                    "<{}> inside <{}> is ignored",
                    super::element::component_name(other),
                    el.display_name()
                ),
            ),
        }
    }
    if items.is_empty() {
        return Err(el.error(
            None,
            format!(
                "{} element requires at least one image or video child",
                el.display_name()
            ),
        ));
    }
    let direction = if el.kind == "slider" {
        match el.choice("direction", &["horizontal", "vertical"])? {
            Some("vertical") => Direction::Up,
            _ => Direction::Left,
        }
    } else {
        match el.choice("direction", &["left", "right", "up", "down"])? {
            Some("right") => Direction::Right,
            Some("up") => Direction::Up,
            Some("down") => Direction::Down,
            _ => Direction::Left,
        }
    };
    let interval = el.number("interval")?.unwrap_or(3.0);
    if interval <= 0.5 {
        return Err(el.error(
            Some("interval"),
            format!("must be more than 0.5 seconds, got {interval}"),
        ));
    }
    Ok(SequenceLayer {
        items,
        direction,
        interval,
        source: el.source,
    })
}

impl SequenceLayer {
    /// The length an `"auto"` clip takes from it (§16, §17): cards of `interval` seconds joined
    /// by 0.5 s slides.
    pub fn natural_length(&self, _slider: bool) -> f64 {
        let n = self.items.len() as f64;
        self.interval * n - 0.5 * (n - 1.0)
    }
}

/// `<Packshot>` (§18).
pub(super) fn packshot(b: &mut Builder, el: &Element) -> Result<PackshotLayer, SceneError> {
    let (w, h) = (b.width as f64, b.height as f64);
    let background = match el.prop("background") {
        None => Background::Color {
            color: [0, 0, 0, 255],
        },
        Some(Value::String(c)) => Background::Color {
            color: parse_color(c)
                .ok_or_else(|| el.error(Some("background"), format!("\"{c}\" is not a colour")))?,
        },
        Some(v) => match Element::from_value(v) {
            Some(img) if img.kind == "image" => Background::Image {
                asset: image_asset(b, &img)?,
            },
            Some(vid) if vid.kind == "video" => Background::Video {
                asset: video_asset(b, &vid)?,
            },
            _ => {
                return Err(el.error(
                    Some("background"),
                    format!(
                        "must be a colour, an <Image> or a <Video>, got {}",
                        describe(v)
                    ),
                ))
            }
        },
    };
    let logo = match el.prop("logo") {
        None => None,
        Some(Value::String(src)) => Some(b.assets.register(
            AssetKind::Image,
            AssetSource::Src { src: src.clone() },
            el,
            &PACKSHOT_NOT_LOGO,
            None,
            Vec::new(),
        )),
        Some(v) => match Element::from_value(v) {
            Some(img) if img.kind == "image" => Some(image_asset(b, &img)?),
            _ => {
                return Err(el.error(
                    Some("logo"),
                    format!("must be a path, a URL or an <Image>, got {}", describe(v)),
                ))
            }
        },
    };
    let logo_width = match el.prop("logoSize") {
        None => (0.4 * w).round(),
        Some(v) => size_value(v, w).ok_or_else(|| el.error(Some("logoSize"), size_error(v)))?,
    }
    .max(1.0) as u32;
    let blink = el.boolean("blinkCta")?.unwrap_or(false);
    let cta_size = match el.prop("ctaSize") {
        None => ((0.7 * w).floor() as u32, (0.09 * h).floor() as u32),
        Some(Value::Object(o)) => {
            let side = |k: &str, base: f64| {
                o.get(k)
                    .and_then(|v| size_value(v, base))
                    .map(|v| v.max(1.0) as u32)
            };
            (
                side("width", w).unwrap_or((0.7 * w) as u32),
                side("height", h).unwrap_or((0.09 * h) as u32),
            )
        }
        Some(v) => {
            return Err(el.error(
                Some("ctaSize"),
                format!("must be {{ width, height }}, got {}", describe(v)),
            ))
        }
    };
    let duration = el.number("duration")?.unwrap_or(3.0);
    if duration <= 0.0 {
        return Err(el.error(
            Some("duration"),
            format!("must be more than 0 seconds, got {duration}"),
        ));
    }
    let blink_frequency = el.number("blinkFrequency")?.unwrap_or(0.8);
    if blink_frequency <= 0.0 {
        return Err(el.error(Some("blinkFrequency"), "must be more than 0 seconds"));
    }
    let default_cta = if blink {
        [0xFF, 0x6B, 0x00, 255]
    } else {
        [255, 255, 255, 255]
    };
    Ok(PackshotLayer {
        background,
        logo,
        logo_position: preset_prop(b, el, "logoPosition", "center")?,
        logo_width,
        title: el.string("title")?.map(str::to_string),
        title_color: color_prop(el, "titleColor")?.unwrap_or([255, 255, 255, 255]),
        title_position: preset_prop(b, el, "titlePosition", "center")?,
        cta: el.string("cta")?.map(str::to_string),
        cta_position: preset_prop(b, el, "ctaPosition", "bottom")?,
        cta_color: color_prop(el, "ctaColor")?.unwrap_or(default_cta),
        cta_text_color: color_prop(el, "ctaTextColor")?.unwrap_or([255, 255, 255, 255]),
        cta_size,
        blink,
        blink_frequency,
        duration,
        source: el.source,
    })
}

/// Every Packshot prop but `logo`: a string logo's identity is the path alone.
const PACKSHOT_NOT_LOGO: [&str; 15] = [
    "duration",
    "background",
    "logoPosition",
    "logoSize",
    "title",
    "titleColor",
    "titlePosition",
    "cta",
    "ctaPosition",
    "ctaColor",
    "ctaTextColor",
    "ctaSize",
    "blinkCta",
    "blinkFrequency",
    "position",
];

/// A preset string, or a `{x, y}` object mapped to the nearest preset by thirds (§18).
fn preset_prop(
    b: &Builder,
    el: &Element,
    prop: &str,
    default: &str,
) -> Result<TextPosition, SceneError> {
    match el.prop(prop) {
        None => Ok(text_position(default)),
        Some(Value::String(p)) => Ok(text_position(p)),
        Some(Value::Object(o)) => {
            let fx = o
                .get("x")
                .and_then(|v| size_value(v, b.width as f64))
                .map_or(0.5, |x| x / b.width as f64);
            let fy = o
                .get("y")
                .and_then(|v| size_value(v, b.height as f64))
                .map_or(0.5, |y| y / b.height as f64);
            let third = |f: f64| {
                if f < 0.33 {
                    Align::Start
                } else if f > 0.67 {
                    Align::End
                } else {
                    Align::Center
                }
            };
            Ok(TextPosition {
                horizontal: third(fx),
                vertical: third(fy),
            })
        }
        Some(v) => Err(el.error(
            Some(prop),
            format!(
                "must be a position like \"top-left\" or {{ x, y }}, got {}",
                describe(v)
            ),
        )),
    }
}

/// The asset of an `<Image>`: its file, its generation, or (D14) an edit of its file.
pub(super) fn image_asset(b: &mut Builder, el: &Element) -> Result<usize, SceneError> {
    let src = el.string("src")?;
    let prompt = el.prop("prompt");
    let source = match (src, prompt) {
        (Some(src), None) => AssetSource::Src {
            src: src.to_string(),
        },
        (src, Some(prompt)) => {
            let (text, refs) = prompt_parts(b, el, prompt)?;
            let mut generation = Generation {
                prompt: text,
                model: model_ref(el, "model")?,
                aspect_ratio: el.string("aspectRatio")?.map(str::to_string),
                images: refs,
                options: el.prop("providerOptions").cloned(),
                ..Generation::default()
            };
            if let Some(src) = src {
                let original = b.assets.register(
                    AssetKind::Image,
                    AssetSource::Src {
                        src: src.to_string(),
                    },
                    el,
                    &IMAGE_LAYOUT
                        .iter()
                        .chain(IMAGE_GENERATION)
                        .copied()
                        .collect::<Vec<_>>(),
                    None,
                    Vec::new(),
                );
                generation.edit = Some(original);
                generation.images.insert(0, original);
            }
            AssetSource::Prompt(generation)
        }
        (None, None) => {
            return Err(el.error(None, "Image element requires either 'prompt' or 'src'"))
        }
    };
    Ok(b.assets
        .register(AssetKind::Image, source, el, IMAGE_LAYOUT, None, Vec::new()))
}

/// The asset of a `<Video>`: its file or its generation.
pub(super) fn video_asset(b: &mut Builder, el: &Element) -> Result<usize, SceneError> {
    let (source, duration) = if let Some(prompt) = el.prop("prompt") {
        let (text, images) = prompt_parts(b, el, prompt)?;
        let audio = match prompt.get("audio").and_then(Element::from_value) {
            Some(speech) if speech.kind == "speech" => {
                Some(super::sound::speech_asset(b, &speech)?)
            }
            _ => None,
        };
        let requested = el.number("duration")?.unwrap_or(DEFAULT_VIDEO_SECONDS);
        if requested <= 0.0 {
            return Err(el.error(
                Some("duration"),
                format!("must be more than 0 seconds, got {requested}"),
            ));
        }
        let generation = Generation {
            prompt: text,
            model: model_ref(el, "model")?,
            aspect_ratio: el.string("aspectRatio")?.map(str::to_string),
            duration: Some(requested),
            images,
            audio,
            options: el.prop("providerOptions").cloned(),
            ..Generation::default()
        };
        (AssetSource::Prompt(generation), Some(requested))
    } else if let Some(src) = el.string("src")? {
        (
            AssetSource::Src {
                src: src.to_string(),
            },
            None,
        )
    } else {
        return Err(el.error(None, "Video element requires either 'prompt' or 'src'"));
    };
    Ok(b.assets.register(
        AssetKind::Video,
        source,
        el,
        VIDEO_LAYOUT,
        duration,
        Vec::new(),
    ))
}

/// A prompt as text plus reference images (`{text, images: [url | <Image>]}`).
fn prompt_parts(
    b: &mut Builder,
    el: &Element,
    prompt: &Value,
) -> Result<(String, Vec<usize>), SceneError> {
    match prompt {
        Value::String(s) => Ok((s.clone(), Vec::new())),
        Value::Object(o) => {
            let text = match o.get("text") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(el.error(
                        Some("prompt"),
                        format!("`text` must be a string, got {}", describe(other)),
                    ))
                }
            };
            let mut refs = Vec::new();
            if let Some(images) = o.get("images") {
                let Some(list) = images.as_array() else {
                    return Err(el.error(
                        Some("prompt"),
                        "`images` must be an array of URLs or <Image> elements",
                    ));
                };
                for item in list {
                    match (item, Element::from_value(item)) {
                        (_, Some(img)) if img.kind == "image" => refs.push(image_asset(b, &img)?),
                        (Value::String(url), _) => refs.push(b.assets.register(
                            AssetKind::Image,
                            AssetSource::Src { src: url.clone() },
                            el,
                            &[],
                            None,
                            Vec::new(),
                        )),
                        (other, _) => {
                            return Err(el.error(
                                Some("prompt"),
                                format!(
                                    "`images` entries must be URLs or <Image> elements, got {}",
                                    describe(other)
                                ),
                            ))
                        }
                    }
                }
            }
            Ok((text, refs))
        }
        other => Err(el.error(
            Some("prompt"),
            format!(
                "must be a string or {{ text, images }}, got {}",
                describe(other)
            ),
        )),
    }
}

/// `left/top/width/height` → a box; `None` when none is given (a full-frame layer).
fn box_rect(b: &Builder, el: &Element) -> Result<Option<BoxRect>, SceneError> {
    let props = ["left", "top", "width", "height"];
    if !props.iter().any(|p| el.prop(p).is_some()) {
        return Ok(None);
    }
    let (w, h) = (b.width as f64, b.height as f64);
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
        height: height.map(|hh| hh.min(4.0 * h) as u32),
    }))
}

fn size_error(v: &Value) -> String {
    format!(
        "must be a number of pixels, \"N%\" or \"Npx\", got {}",
        describe(v)
    )
}

pub(super) fn model_ref(el: &Element, prop: &str) -> Result<Option<ModelRef>, SceneError> {
    let Some(model) = el.prop(prop) else {
        return Ok(None);
    };
    let obj = model.as_object().ok_or_else(|| {
        el.error(
            Some(prop),
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
pub(super) fn text_position(preset: &str) -> TextPosition {
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

pub(super) fn color_prop(el: &Element, prop: &str) -> Result<Option<[u8; 4]>, SceneError> {
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
