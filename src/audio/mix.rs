//! The mix on the one timeline (D2, §20, D8): every audio track decoded once per asset, trimmed,
//! looped, faded, ducked under speech, summed (`amix normalize=0`: a plain sum), then
//! loudness-normalised on request and kept from clipping.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::decode::decode_audio_until;
use super::ducking::duck_gain;
use super::loudness::{
    limit, normalize, CLIP_CEILING_DB, LOUDNESS_TARGET_LUFS, NORMALIZED_CEILING_DB,
};
use super::resample::to_stereo_48k;
use super::{output_frames, to_frames, AudioError, Stereo};
use crate::media::Media;
use crate::scene::{AssetRequest, AssetSource, AudioKind, AudioTrack, Scene};

/// Every start and stop of a sound ramps over this long: no clicks at cuts and joins (D8).
const EDGE_RAMP_SECONDS: f64 = 0.005;
/// A loop's repeats overlap by this long, crossfaded.
const LOOP_CROSSFADE_SECONDS: f64 = 0.01;
/// Music that the video's end cuts off fades out over this long (§10 "trimmed to the video's
/// end with a short fade-out").
const MUSIC_END_FADE_SECONDS: f64 = 0.5;

pub struct Mixed {
    pub stereo: Stereo,
    pub warnings: Vec<String>,
}

/// The scene's sound as one stereo buffer exactly as long as the picture. `media` is indexed
/// like `scene.assets`.
pub fn mix_scene(scene: &Scene, media: &[Media]) -> Result<Mixed, AudioError> {
    let total = output_frames(scene);
    let mut warnings = Vec::new();
    let mut sources: HashMap<usize, Option<Stereo>> = HashMap::new();
    // Speech and ducked music get buses of their own only when a ducker needs them apart.
    let ducking = scene
        .audio
        .iter()
        .any(|t| t.kind == AudioKind::Music && t.ducking);
    let bus = || {
        if ducking {
            Stereo::silence(total)
        } else {
            Stereo::default()
        }
    };
    let (mut speech, mut ducked) = (bus(), bus());
    let mut rest = Stereo::silence(total);
    let needed = source_needed(scene, total);
    for track in &scene.audio {
        // Decoded once per asset, however many tracks play it.
        let source = match sources.entry(track.asset) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let until = needed.get(&track.asset).copied().flatten();
                new.insert(load(scene, media, track, until, &mut warnings)?)
            }
        };
        let Some(source) = source else {
            continue;
        };
        let bus = match track.kind {
            AudioKind::Speech if ducking => &mut speech,
            AudioKind::Music if track.ducking => &mut ducked,
            _ => &mut rest,
        };
        if let Err(warning) = place(track, source, total, bus) {
            warnings.push(format!("{} {warning}", describe(scene, track)));
        }
    }
    let mut stereo = rest;
    if ducking {
        let gain = duck_gain(&speech);
        add(&mut stereo, &ducked, Some(&gain));
        add(&mut stereo, &speech, None);
    }
    let ceiling = if scene.normalize {
        let gain_db = normalize(&mut stereo)?;
        tracing::debug!(gain_db, "mix normalised to {LOUDNESS_TARGET_LUFS} LUFS");
        NORMALIZED_CEILING_DB
    } else {
        CLIP_CEILING_DB
    };
    limit(&mut stereo, ceiling);
    Ok(Mixed { stereo, warnings })
}

/// A track's asset as 48 kHz stereo. `Ok(None)`: nothing to hear, with a warning when the
/// author should know why.
fn load(
    scene: &Scene,
    media: &[Media],
    track: &AudioTrack,
    until: Option<f64>,
    warnings: &mut Vec<String>,
) -> Result<Option<Stereo>, AudioError> {
    let what = describe(scene, track);
    let bytes = match media.get(track.asset) {
        Some(Media::Audio(file)) => &file.bytes,
        Some(Media::Video(file)) if !file.info.has_audio => {
            if !is_placeholder(scene.assets.get(track.asset)) {
                warnings.push(format!(
                    "{what} has no sound track; `keepAudio` adds nothing"
                ));
            }
            return Ok(None);
        }
        Some(Media::Video(file)) => &file.bytes,
        // Not resolved to sound (yet): the pipeline already reports assets it skipped.
        Some(Media::Image(_)) | None => return Ok(None),
    };
    let decoded = match decode_audio_until(bytes, until) {
        Ok(decoded) => decoded,
        // A video's sound is an extra: the picture still renders without it.
        Err(e) if track.kind == AudioKind::Video => {
            warnings.push(format!("{what}: its sound was left out ({e})"));
            return Ok(None);
        }
        Err(e) => return Err(AudioError::Decode(format!("{what} cannot be played: {e}"))),
    };
    Ok(Some(to_stereo_48k(&decoded)?))
}

/// How far into each asset the tracks that play it reach, in source seconds (`None`: to its
/// end). A track needs `cut_from` plus the shorter of its time on the timeline and its trimmed
/// segment; a loop that outlasts its file needs all of the segment.
pub(super) fn source_needed(scene: &Scene, total: usize) -> HashMap<usize, Option<f64>> {
    let picture_end = total as f64 / f64::from(super::SAMPLE_RATE);
    let mut needed: HashMap<usize, Option<f64>> = HashMap::new();
    for track in &scene.audio {
        let window = track.end.unwrap_or(picture_end).min(picture_end) - track.start;
        let segment = track.cut_to.map_or(f64::INFINITY, |to| to - track.cut_from);
        let reach = track.cut_from + window.max(0.0).min(segment);
        let reach = reach.is_finite().then_some(reach);
        let entry = needed.entry(track.asset).or_insert(Some(0.0));
        *entry = match (*entry, reach) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    needed
}

/// Adds one track to `bus`: trimmed to `[cut_from, cut_to]`, repeated when looped, placed at its
/// start, stopped at its end, the picture's end at the latest, with its gain and fades.
/// `Err` carries a warning for a track that cannot sound.
fn place(
    track: &AudioTrack,
    source: &Stereo,
    total: usize,
    bus: &mut Stereo,
) -> Result<(), String> {
    let length = source.frames();
    let from = to_frames(track.cut_from).min(length);
    let to = track.cut_to.map_or(length, to_frames).min(length);
    if to <= from {
        return Err(format!(
            "is {:.2} s long, so `cutFrom` {} s leaves nothing to play",
            source.seconds(),
            track.cut_from
        ));
    }
    let segment = to - from;
    let start = to_frames(track.start);
    let window_end = track.end.map_or(usize::MAX, to_frames);
    let natural_end = if track.looped {
        usize::MAX
    } else {
        start.saturating_add(segment)
    };
    let end = window_end.min(natural_end).min(total);
    if end <= start || track.volume <= 0.0 {
        return Ok(());
    }
    let frames = end - start;
    let looped;
    let (left, right) = if track.looped && frames > segment {
        looped = repeat(source, from, segment, frames);
        (&looped.left[..], &looped.right[..])
    } else {
        (
            &source.left[from..from + frames],
            &source.right[from..from + frames],
        )
    };
    // Music that the video's end (or its own end) cuts off fades out rather than stopping dead.
    let cut_short = end < natural_end;
    let tail = if track.kind == AudioKind::Music && cut_short {
        to_frames(MUSIC_END_FADE_SECONDS).min(frames / 2)
    } else {
        0
    };
    let envelope = Envelope {
        volume: track.volume as f32,
        frames,
        edge: to_frames(EDGE_RAMP_SECONDS).min(frames / 2).max(1),
        fade_in: to_frames(track.fade_in).min(frames),
        fade_out: to_frames(track.fade_out).max(tail).min(frames),
    };
    let out_left = &mut bus.left[start..end];
    let out_right = &mut bus.right[start..end];
    for i in 0..frames {
        let g = envelope.at(i);
        out_left[i] += left[i] * g;
        out_right[i] += right[i] * g;
    }
    Ok(())
}

/// The trimmed segment repeated to `frames`, each repeat crossfading into the next.
fn repeat(source: &Stereo, from: usize, segment: usize, frames: usize) -> Stereo {
    let mut fade = to_frames(LOOP_CROSSFADE_SECONDS);
    if segment <= fade * 4 {
        fade = 0;
    }
    let period = segment - fade;
    let mut out = Stereo::silence(frames);
    let mut offset = 0;
    let mut first = true;
    while offset < frames {
        let n = segment.min(frames - offset);
        let continues = offset + period < frames;
        for j in 0..n {
            let mut w = 1.0f32;
            if !first && j < fade {
                w *= j as f32 / fade as f32;
            }
            if continues && j >= segment - fade {
                w *= (segment - j) as f32 / fade as f32;
            }
            out.left[offset + j] += source.left[from + j] * w;
            out.right[offset + j] += source.right[from + j] * w;
        }
        offset += period;
        first = false;
    }
    out
}

/// A track's gain over its time on the timeline: volume, transition fades (linear, ffmpeg's
/// `afade` default) and the short anti-click ramps at both edges.
struct Envelope {
    volume: f32,
    frames: usize,
    edge: usize,
    fade_in: usize,
    fade_out: usize,
}

impl Envelope {
    fn at(&self, i: usize) -> f32 {
        let from_end = self.frames - i;
        let mut g = self.volume;
        if i < self.edge {
            g *= smoothstep(i as f32 / self.edge as f32);
        }
        if from_end <= self.edge {
            g *= smoothstep((from_end - 1) as f32 / self.edge as f32);
        }
        if i < self.fade_in {
            g *= i as f32 / self.fade_in as f32;
        }
        if from_end <= self.fade_out {
            g *= (from_end - 1) as f32 / self.fade_out as f32;
        }
        g
    }
}

fn smoothstep(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

fn add(target: &mut Stereo, source: &Stereo, gain: Option<&[f32]>) {
    let gains = gain.map(|g| g.iter().copied());
    match gains {
        Some(gains) => {
            for (((t, s), (tr, sr)), g) in target
                .left
                .iter_mut()
                .zip(&source.left)
                .zip(target.right.iter_mut().zip(&source.right))
                .zip(gains)
            {
                *t += s * g;
                *tr += sr * g;
            }
        }
        None => {
            for (t, s) in target.left.iter_mut().zip(&source.left) {
                *t += s;
            }
            for (t, s) in target.right.iter_mut().zip(&source.right) {
                *t += s;
            }
        }
    }
}

fn is_placeholder(request: Option<&AssetRequest>) -> bool {
    matches!(request.map(|r| &r.source), Some(AssetSource::Prompt(_)))
}

/// "the music \"tone.wav\"", "the speech \"Hello there…\"": how messages name a track.
fn describe(scene: &Scene, track: &AudioTrack) -> String {
    let kind = match track.kind {
        AudioKind::Speech => "speech",
        AudioKind::Music => "music",
        AudioKind::Video => "video",
    };
    let name = match scene.assets.get(track.asset).map(|a| &a.source) {
        Some(AssetSource::Src { src }) => src.clone(),
        Some(AssetSource::Prompt(g)) => {
            let mut text: String = g.prompt.chars().take(40).collect();
            if g.prompt.chars().count() > 40 {
                text.push('…');
            }
            text
        }
        None => return format!("the {kind}"),
    };
    format!("the {kind} \"{name}\"")
}
