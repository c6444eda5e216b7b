//! Sound elements → audio tracks and caption tracks: Speech, Music, Captions, and the sound of
//! videos that keep theirs (§9, §10, §13, §20, D8, D9).

use serde_json::Value;

use super::assets::speech_estimate;
use super::build::Builder;
use super::element::{describe, Element};
use super::layers::{color_prop, model_ref};
use super::*;

/// Caption fonts of §13; an unknown name falls back to the first.
pub const CAPTION_FONTS: [&str; 9] = [
    "montserrat",
    "roboto",
    "poppins",
    "inter",
    "bebas-neue",
    "rock-salt",
    "oswald",
    "space-grotesk",
    "dm-sans",
];

/// `<Speech>` as a track at `anchor`; returns its asset.
pub(super) fn speech(b: &mut Builder, el: &Element, anchor: Anchor) -> Result<usize, SceneError> {
    let asset = speech_asset(b, el)?;
    let volume = volume(el)?;
    let index = push_track(b, AudioKind::Speech, asset, anchor, el.source);
    b.audio[index].volume = volume;
    Ok(asset)
}

/// The asset a `<Speech>` element asks for (text, voice, model), with its placeholder timing.
pub(super) fn speech_asset(b: &mut Builder, el: &Element) -> Result<usize, SceneError> {
    let text = el.text();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(el.error(None, "Speech element requires text content"));
    }
    let (duration, words) = speech_estimate(&text);
    let generation = Generation {
        prompt: text,
        model: model_ref(el, "model")?,
        voice: Some(el.string("voice")?.unwrap_or("rachel").to_string()),
        options: el.prop("providerOptions").cloned(),
        ..Generation::default()
    };
    Ok(b.assets.register(
        AssetKind::Speech,
        AssetSource::Prompt(generation),
        el,
        &["volume", "id"],
        Some(duration),
        words,
    ))
}

/// `<Music>` as a track. At Render level `start` delays it; elsewhere it starts with its clip.
pub(super) fn music(
    b: &mut Builder,
    el: &Element,
    anchor: Anchor,
    render_level: bool,
) -> Result<usize, SceneError> {
    let requested = el.number("duration")?;
    if let Some(d) = requested.filter(|d| *d <= 0.0) {
        return Err(el.error(
            Some("duration"),
            format!("must be more than 0 seconds, got {d}"),
        ));
    }
    let source = if let Some(src) = el.string("src")? {
        AssetSource::Src {
            src: src.to_string(),
        }
    } else if let Some(prompt) = el.string("prompt")? {
        AssetSource::Prompt(Generation {
            prompt: prompt.to_string(),
            model: model_ref(el, "model")?,
            duration: requested,
            options: el.prop("providerOptions").cloned(),
            ..Generation::default()
        })
    } else {
        return Err(el.error(None, "Music requires either src or prompt"));
    };
    let asset = b.assets.register(
        AssetKind::Music,
        source,
        el,
        &["volume", "start", "cutFrom", "cutTo", "loop", "ducking"],
        requested,
        Vec::new(),
    );
    let cut_from = el.number("cutFrom")?.unwrap_or(0.0);
    if cut_from < 0.0 {
        return Err(el.error(
            Some("cutFrom"),
            format!("must be 0 or more seconds, got {cut_from}"),
        ));
    }
    let cut_to = match el.number("cutTo")? {
        Some(to) if to <= cut_from => {
            return Err(el.error(
                Some("cutTo"),
                format!("{to} s is not after `cutFrom` ({cut_from} s)"),
            ))
        }
        Some(to) => Some(to),
        None => requested.map(|d| cut_from + d),
    };
    let start = el.number("start")?.unwrap_or(0.0);
    if start < 0.0 {
        return Err(el.error(
            Some("start"),
            format!("must be 0 or more seconds, got {start}"),
        ));
    }
    let anchor = match anchor {
        Anchor::Render { offset } if render_level => Anchor::Render {
            offset: offset + start,
        },
        other => other,
    };
    let volume = volume(el)?;
    let index = push_track(b, AudioKind::Music, asset, anchor, el.source);
    let track = &mut b.audio[index];
    track.cut_from = cut_from;
    track.cut_to = cut_to;
    track.volume = volume;
    track.looped = el.boolean("loop")?.unwrap_or(false);
    track.ducking = match el.prop("ducking") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) | Some(Value::Number(_)) => true,
        Some(other) => {
            return Err(el.error(
                Some("ducking"),
                format!("must be true or false, got {}", describe(other)),
            ))
        }
    };
    Ok(asset)
}

/// `<Captions>` as a caption track at `anchor`, plus its speech when `withAudio`.
pub(super) fn captions(b: &mut Builder, el: &Element, anchor: Anchor) -> Result<(), SceneError> {
    let from = if let Some(srt) = el.string("srt")? {
        CaptionSource::Srt {
            path: srt.to_string(),
        }
    } else {
        match el.prop("src") {
            Some(Value::String(path)) => CaptionSource::Srt { path: path.clone() },
            Some(v) => match Element::from_value(v) {
                Some(speech) if speech.kind == "speech" => CaptionSource::Speech {
                    asset: speech_asset(b, &speech)?,
                },
                _ => {
                    return Err(el.error(
                        Some("src"),
                        "Captions src must be a path to SRT file or Speech element",
                    ))
                }
            },
            None => {
                return Err(el.error(None, "Captions element requires either 'srt' or 'src' prop"))
            }
        }
    };
    let style = match el.choice("style", &["tiktok", "karaoke", "bounce", "typewriter"])? {
        Some("karaoke") => CaptionStyle::Karaoke,
        Some("bounce") => CaptionStyle::Bounce,
        Some("typewriter") => CaptionStyle::Typewriter,
        _ => CaptionStyle::Tiktok,
    };
    let position = match el.choice("position", &["top", "center", "bottom"])? {
        Some("top") => Align::Start,
        Some("center") => Align::Center,
        _ => Align::End,
    };
    let font = match el.string("font")? {
        None => "montserrat".to_string(),
        Some(f) if CAPTION_FONTS.contains(&f.to_ascii_lowercase().as_str()) => {
            f.to_ascii_lowercase()
        }
        Some(f) => {
            b.warn(
                el.source,
                format!(
                    "caption font \"{f}\" is not one of {}; using montserrat",
                    CAPTION_FONTS.join(", ")
                ),
            );
            "montserrat".to_string()
        }
    };
    let words_per_line = match el.number("wordsPerLine")? {
        None => None,
        Some(n) if n >= 1.0 => Some(n.round() as u32),
        Some(n) => {
            return Err(el.error(Some("wordsPerLine"), format!("must be 1 or more, got {n}")))
        }
    };
    let font_size = match el.number("fontSize")? {
        Some(s) if s <= 0.0 => {
            return Err(el.error(Some("fontSize"), format!("must be more than 0, got {s}")))
        }
        other => other.map(|s| s as f32),
    };
    let with_audio = el.boolean("withAudio")?.unwrap_or(false);
    if with_audio {
        match &from {
            CaptionSource::Speech { asset } => {
                push_track(b, AudioKind::Speech, *asset, anchor, el.source);
            }
            CaptionSource::Srt { .. } => b.warn(
                el.source,
                "<Captions withAudio> needs a Speech `src`; an SRT file has no sound",
            ),
        }
    }
    b.captions.push(CaptionTrack {
        from,
        anchor,
        start: 0.0,
        words: Vec::new(),
        style,
        position,
        color: caption_color(el, "color")?,
        active_color: caption_color(el, "activeColor")?,
        font_size,
        words_per_line,
        font,
        with_audio,
        source: el.source,
    });
    Ok(())
}

/// Caption colours also come as ASS `&HBBGGRR` (§13).
fn caption_color(el: &Element, prop: &str) -> Result<Option<[u8; 4]>, SceneError> {
    if let Some(text) = el.string(prop)? {
        if let Some(hex) = text.strip_prefix("&H").or_else(|| text.strip_prefix("&h")) {
            let hex = hex.trim_end_matches('&');
            let value = u32::from_str_radix(hex, 16)
                .map_err(|_| el.error(Some(prop), format!("\"{text}\" is not a colour")))?;
            let [_, b_, g, r] = value.to_be_bytes();
            return Ok(Some([r, g, b_, 255]));
        }
    }
    color_prop(el, prop)
}

/// The sound of a `<Video keepAudio>` (D8: positioned videos too).
pub(super) fn video_sound(b: &mut Builder, video: &VideoLayer, anchor: Anchor) {
    let index = push_track(b, AudioKind::Video, video.asset, anchor, video.source);
    let track = &mut b.audio[index];
    track.cut_from = video.cut_from;
    track.cut_to = video.cut_to;
    track.volume = video.volume;
}

/// A Render-level `<Overlay keepAudio>`: its video child's sound from the start (§14.2).
pub(super) fn render_overlay_audio(b: &mut Builder, el: &Element) -> Result<(), SceneError> {
    if !el.boolean("keepAudio")?.unwrap_or(false) {
        return Ok(());
    }
    let volume = volume(el)?;
    let videos: Vec<Element> = el.child_elements().filter(|c| c.kind == "video").collect();
    for video in videos {
        let asset = super::layers::video_asset(b, &video)?;
        let index = push_track(
            b,
            AudioKind::Video,
            asset,
            Anchor::Render { offset: 0.0 },
            video.source,
        );
        b.audio[index].volume = volume;
    }
    Ok(())
}

pub(super) fn push_track(
    b: &mut Builder,
    kind: AudioKind,
    asset: usize,
    anchor: Anchor,
    source: Option<SourcePos>,
) -> usize {
    b.audio.push(AudioTrack {
        kind,
        asset,
        anchor,
        start: 0.0,
        cut_from: 0.0,
        cut_to: None,
        end: None,
        volume: 1.0,
        looped: false,
        ducking: false,
        fade_in: 0.0,
        fade_out: 0.0,
        source,
    });
    b.audio.len() - 1
}

fn volume(el: &Element) -> Result<f64, SceneError> {
    let v = el.number("volume")?.unwrap_or(1.0);
    if v < 0.0 {
        return Err(el.error(Some("volume"), format!("must be 0 or more, got {v}")));
    }
    Ok(v)
}
