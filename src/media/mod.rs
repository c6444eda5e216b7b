//! Decoded media as the compositor and the mixer use it, and the probes that tell an asset's
//! length before it is drawn or heard.

pub mod audio;
pub(crate) mod mp4;
pub mod video;

use std::sync::Arc;

use bytes::Bytes;
use image::RgbaImage;

pub use audio::{probe_audio, AudioInfo};
pub use video::{probe_video, VideoInfo, VideoSource};

/// One resolved asset's content, indexed like `Scene::assets`.
#[derive(Clone)]
pub enum Media {
    Image(Arc<RgbaImage>),
    Video(Arc<VideoFile>),
    Audio(Arc<AudioFile>),
}

/// An MP4 (H.264) file; the compositor demuxes and decodes the frames it shows.
pub struct VideoFile {
    pub bytes: Bytes,
    pub info: VideoInfo,
}

/// An audio file (wav, mp3, aac/m4a, ogg/opus, flac); the mixer decodes it.
pub struct AudioFile {
    pub bytes: Bytes,
    pub info: AudioInfo,
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Corrupt(String),
}
