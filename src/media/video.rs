//! Video files: probing (and, for the compositor, demuxing and decoding).

use super::MediaError;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoInfo {
    /// Seconds.
    pub duration: f64,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub has_audio: bool,
}

/// Reads an MP4's length, size and frame rate without decoding its pictures.
pub fn probe_video(_bytes: &[u8]) -> Result<VideoInfo, MediaError> {
    Err(MediaError::Unsupported(
        "video files are not supported by this version yet".into(),
    ))
}
