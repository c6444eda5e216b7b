//! Video files: probing, and for the compositor, the picture shown at a source time.
//!
//! Only H.264 in MP4 is read: the boxes are walked in memory ([`demux`]), samples become
//! Annex-B NAL units for openh264 ([`decode`]), and every other codec or a damaged file is a
//! [`MediaError`] that says so.

mod decode;
mod demux;
mod sps;
#[cfg(test)]
pub(crate) mod tests;

use std::sync::Arc;

use image::RgbaImage;

use super::{MediaError, VideoFile};
use decode::FrameDecoder;
use demux::Track;

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
pub fn probe_video(bytes: &[u8]) -> Result<VideoInfo, MediaError> {
    let track = Track::parse(bytes)?;
    Ok(VideoInfo {
        duration: track.duration,
        width: track.width,
        height: track.height,
        fps: track.fps(),
        has_audio: track.has_audio,
    })
}

/// One video's pictures by source time, decoded on demand. Playing forward decodes each
/// picture once and keeps only the latest; memory is one decoder and one picture whatever
/// the video's length, and [`VideoSource::release`] frees even that.
pub struct VideoSource {
    file: Arc<VideoFile>,
    track: Track,
    decoder: FrameDecoder,
}

impl VideoSource {
    pub fn new(file: Arc<VideoFile>) -> Result<Self, MediaError> {
        let track = Track::parse(&file.bytes)?;
        Ok(VideoSource {
            file,
            track,
            decoder: FrameDecoder::new(),
        })
    }

    /// Seconds of picture the file holds.
    pub fn duration(&self) -> f64 {
        self.track.duration
    }

    /// The picture size the file states.
    pub fn size(&self) -> (u32, u32) {
        (self.track.width, self.track.height)
    }

    /// Which picture (presentation rank) is on screen at `seconds` of source time: the one
    /// whose presentation interval contains it, from the file's real timestamps. Before the
    /// start that is the first picture, past the end the last one holds.
    pub fn frame_index(&self, seconds: f64) -> usize {
        self.track.rank_at(seconds)
    }

    /// The picture on screen at `seconds` of source time (opaque, straight RGBA).
    pub fn frame_at(&mut self, seconds: f64) -> Result<&RgbaImage, MediaError> {
        let rank = self.frame_index(seconds);
        self.decoder.frame(&self.track, &self.file.bytes, rank)
    }

    /// The rank of the picture `frame_at` last returned, to skip work when it is unchanged.
    pub fn current_index(&self) -> Option<usize> {
        self.decoder.current()
    }

    /// (decoder starts, pictures converted) so far: how much work playing cost.
    #[cfg(test)]
    pub(crate) fn work(&self) -> (u64, u64) {
        (self.decoder.restarts, self.decoder.conversions)
    }

    /// Frees the decoder and the picture while the video is off screen.
    pub fn release(&mut self) {
        self.decoder.release();
    }
}
