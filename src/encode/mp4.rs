//! MP4 muxing with muxide: `moov` first (faststart) so players start before the download ends.

use muxide::api::{Muxer, MuxerBuilder, VideoCodec};

use super::EncodeError;

pub struct Mp4Writer {
    muxer: Muxer<Vec<u8>>,
    fps: f64,
}

impl Mp4Writer {
    pub fn new(width: u32, height: u32, fps: u32) -> Result<Self, EncodeError> {
        let muxer = MuxerBuilder::new(Vec::new())
            .video(VideoCodec::H264, width, height, f64::from(fps))
            .with_fast_start(true)
            .build()
            .map_err(|e| EncodeError::Mux(e.to_string()))?;
        Ok(Mp4Writer {
            muxer,
            fps: f64::from(fps),
        })
    }

    /// Adds frame `index`; its timestamp comes from the index alone, so timing never drifts.
    pub fn write(&mut self, index: u64, annex_b: &[u8], keyframe: bool) -> Result<(), EncodeError> {
        self.muxer
            .write_video(index as f64 / self.fps, annex_b, keyframe)
            .map_err(|e| EncodeError::Mux(e.to_string()))
    }

    pub fn finish(mut self) -> Result<Vec<u8>, EncodeError> {
        self.muxer
            .finish_in_place()
            .map_err(|e| EncodeError::Mux(e.to_string()))?;
        Ok(self.muxer.into_writer())
    }
}
