//! Audio files: probing (the mixer in `crate::audio` decodes them).

use super::MediaError;
use crate::audio::{probe, AudioError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioInfo {
    /// Seconds.
    pub duration: f64,
    pub sample_rate: u32,
    pub channels: u16,
}

/// Reads an audio file's length and format without decoding all of it (files whose headers do
/// not state their length, like some MP3s, are decoded to measure it).
pub fn probe_audio(bytes: &[u8]) -> Result<AudioInfo, MediaError> {
    let (duration, sample_rate, channels) = probe(bytes).map_err(|e| match e {
        AudioError::Unsupported(m) => MediaError::Unsupported(m),
        other => MediaError::Corrupt(other.to_string()),
    })?;
    if !(duration.is_finite() && duration > 0.0) {
        return Err(MediaError::Corrupt("the file holds no sound".into()));
    }
    Ok(AudioInfo {
        duration,
        sample_rate,
        channels,
    })
}
