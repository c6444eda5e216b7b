//! The one timeline (D2): clip lengths (D3), starts after transition overlaps (§4.5), text
//! windows (§11), and where every sound and caption track sits. Idempotent: it runs once when
//! the scene is built and again when resolved assets tell real lengths.

use super::build::DEFAULT_CLIP_SECONDS;
use super::{Anchor, AudioKind, AutoDuration, CaptionSource, Layer, Scene, SceneError, Word};

/// Places everything on the timeline from the scene's own rules and its assets' lengths.
pub fn resolve(scene: &mut Scene) -> Result<(), SceneError> {
    let min_clip = 1.0 / scene.fps as f64;
    for clip in scene.clips.iter_mut() {
        let Some(auto) = clip.auto_duration else {
            continue;
        };
        clip.duration = match auto {
            AutoDuration::Speech { asset } => {
                scene.assets[asset].duration.unwrap_or(DEFAULT_CLIP_SECONDS)
            }
            AutoDuration::Fixed { seconds } => seconds,
            AutoDuration::Video {
                asset,
                cut_from,
                cut_to,
            } => match scene.assets[asset].duration {
                Some(length) => cut_to.map_or(length, |to| to.min(length)) - cut_from,
                None => cut_to.map_or(DEFAULT_CLIP_SECONDS, |to| to - cut_from),
            },
        }
        .max(min_clip);
    }

    let count = scene.clips.len();
    if let Some(last) = scene.clips.last_mut() {
        // The last clip's transition joins nothing.
        last.transition = None;
    }
    for i in 0..count.saturating_sub(1) {
        let Some(t) = scene.clips[i].transition.as_ref().map(|t| t.duration) else {
            continue;
        };
        let (a, b) = (scene.clips[i].duration, scene.clips[i + 1].duration);
        if t >= a.min(b) {
            return Err(SceneError::invalid(
                format!(
                    "<Clip> prop `transition`: a {t} s transition does not fit between clips of {a:.2} s and {b:.2} s: it must be shorter than both"
                ),
                scene.clips[i].source,
            ));
        }
    }

    let mut start = 0.0;
    let mut incoming = 0.0;
    let mut joins = Vec::with_capacity(count);
    for clip in scene.clips.iter_mut() {
        clip.start = start;
        let outgoing = clip.transition.as_ref().map_or(0.0, |t| t.duration);
        for layer in &mut clip.layers {
            if let Layer::Text(text) = layer {
                text.start = text.given_window.0.unwrap_or(incoming);
                text.end = text.given_window.1.unwrap_or(clip.duration - outgoing);
            }
        }
        joins.push((incoming, outgoing));
        start += clip.duration - outgoing;
        incoming = outgoing;
    }
    let picture_end = scene.clips.last().map_or(0.0, |c| c.end());

    let anchor_time = |anchor: Anchor, clips: &[super::Clip]| match anchor {
        Anchor::Render { offset } => offset,
        Anchor::Clip { index, offset } => clips.get(index).map_or(0.0, |c| c.start) + offset,
    };
    let mut sound_end: f64 = 0.0;
    for track in scene.audio.iter_mut() {
        track.start = anchor_time(track.anchor, &scene.clips);
        let length = scene.assets[track.asset].duration;
        match (track.kind, track.anchor) {
            // A video's sound plays with its picture: trimmed to its clip, crossfaded at joins.
            (AudioKind::Video, Anchor::Clip { index, .. }) => {
                let clip = &scene.clips[index];
                let mut end = clip.end();
                if let Some(to) = track.cut_to {
                    end = end.min(track.start + (to - track.cut_from));
                }
                track.end = Some(end);
                (track.fade_in, track.fade_out) = joins[index];
            }
            // Music and Render-level video sound never run past the picture (D8 fade-out).
            (AudioKind::Music, _) | (AudioKind::Video, Anchor::Render { .. }) => {
                track.end = Some(picture_end);
            }
            (AudioKind::Speech, _) => track.end = None,
        }
        let natural =
            length.map(|l| track.start + track.cut_to.unwrap_or(l).min(l) - track.cut_from);
        let end = match (track.end, natural) {
            (Some(e), Some(n)) if !track.looped => e.min(n),
            (Some(e), _) => e,
            (None, Some(n)) => n,
            (None, None) => track.start,
        };
        sound_end = sound_end.max(end);
    }

    for captions in scene.captions.iter_mut() {
        captions.start = anchor_time(captions.anchor, &scene.clips);
        if let CaptionSource::Speech { asset } = captions.from {
            let offset = captions.start;
            captions.words = scene.assets[asset]
                .words
                .iter()
                .map(|w| Word {
                    text: w.text.clone(),
                    start: w.start + offset,
                    end: w.end + offset,
                })
                .collect();
        }
    }

    scene.duration = if scene.shortest && !scene.audio.is_empty() && sound_end > 0.0 {
        picture_end.min(sound_end)
    } else {
        picture_end
    };
    Ok(())
}
