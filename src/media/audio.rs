//! Audio files: probing (and, for the mixer, decoding).

use super::MediaError;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioInfo {
    /// Seconds.
    pub duration: f64,
    pub sample_rate: u32,
    pub channels: u16,
}

/// Reads an audio file's length and format without decoding all of it.
pub fn probe_audio(_bytes: &[u8]) -> Result<AudioInfo, MediaError> {
    Err(MediaError::Unsupported(
        "audio files are not supported by this version yet".into(),
    ))
}
