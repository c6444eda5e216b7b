//! Sound: placeholder speech and music, decoding, the mix on the one timeline (§20, D8), its
//! loudness and its Opus encoding for the MP4.
//!
//! Everything runs at one rate and layout, [`SAMPLE_RATE`] stereo, as planar `f32`.

mod decode;
mod ducking;
mod encode;
mod loudness;
mod mix;
mod mp4_edit;
pub mod placeholder;
mod resample;
mod wav;

#[cfg(test)]
mod bench;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

pub use decode::{decode_audio, probe, Decoded};
pub use encode::{encode_opus, AudioPacket, EncodedAudio, OPUS_PRE_SKIP};
pub use loudness::{integrated_lufs, LOUDNESS_TARGET_LUFS};
pub use mix::{mix_scene, Mixed};
pub use resample::to_stereo_48k;

use crate::media::Media;
use crate::scene::Scene;

/// The one rate of the mix and of the encoded track.
pub const SAMPLE_RATE: u32 = 48_000;

/// Planar stereo at [`SAMPLE_RATE`]: `[left, right]`, always the same length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stereo {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
}

impl Stereo {
    pub fn silence(frames: usize) -> Self {
        Stereo {
            left: vec![0.0; frames],
            right: vec![0.0; frames],
        }
    }

    pub fn frames(&self) -> usize {
        self.left.len()
    }

    pub fn seconds(&self) -> f64 {
        self.frames() as f64 / f64::from(SAMPLE_RATE)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// A file the program named could not be read as sound.
    #[error("{0}")]
    Decode(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("the file has no audio track")]
    NoAudioTrack,
    #[error("resampling failed: {0}")]
    Resample(String),
    #[error("the Opus encoder failed: {0}")]
    Encode(String),
}

/// The soundtrack of one render, ready for the muxer.
pub struct Soundtrack {
    pub encoded: EncodedAudio,
    /// Things the author should know (a sound that could not be placed, …).
    pub warnings: Vec<String>,
    /// Decoding, resampling and mixing.
    pub mix_time: Duration,
    pub encode_time: Duration,
}

/// Mixes and encodes the scene's sound. `None` when the program has no sound at all: the MP4
/// then has no audio track (README, "Audio").
pub fn render_soundtrack(scene: &Scene, media: &[Media]) -> Result<Option<Soundtrack>, AudioError> {
    if scene.audio.is_empty() {
        return Ok(None);
    }
    let started = Instant::now();
    let mixed = mix_scene(scene, media)?;
    let mix_time = started.elapsed();
    let started = Instant::now();
    let encoded = encode_opus(&mixed.stereo)?;
    Ok(Some(Soundtrack {
        encoded,
        warnings: mixed.warnings,
        mix_time,
        encode_time: started.elapsed(),
    }))
}

/// Output length in samples: exactly the picture's length, `frame_count / fps`, so the audio and
/// video tracks end together.
pub fn output_frames(scene: &Scene) -> usize {
    let fps = u64::from(scene.fps.max(1));
    (scene.frame_count() * u64::from(SAMPLE_RATE) / fps) as usize
}

/// Seconds → a sample index at [`SAMPLE_RATE`] (negative and non-finite times clamp to 0).
pub(crate) fn to_frames(seconds: f64) -> usize {
    if seconds.is_finite() && seconds > 0.0 {
        (seconds * f64::from(SAMPLE_RATE)).round() as usize
    } else {
        0
    }
}
