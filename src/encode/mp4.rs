//! MP4 muxing with muxide: `moov` first (faststart) so players start before the download ends.
//! The sound, when the render has any, is one Opus track (README "Audio").

use muxide::api::{AudioCodec, Muxer, MuxerBuilder, VideoCodec};

use super::EncodeError;
use crate::audio::EncodedAudio;

pub struct Mp4Writer {
    muxer: Muxer<Vec<u8>>,
    fps: f64,
}

impl Mp4Writer {
    /// A video track, and an Opus track when `audio` is given (its packets go in with
    /// [`Mp4Writer::write_audio`]).
    pub fn new(
        width: u32,
        height: u32,
        fps: u32,
        audio: Option<&EncodedAudio>,
    ) -> Result<Self, EncodeError> {
        let mut builder = MuxerBuilder::new(Vec::new())
            .video(VideoCodec::H264, width, height, f64::from(fps))
            .with_fast_start(true);
        if let Some(audio) = audio {
            builder = builder.audio(AudioCodec::Opus, audio.sample_rate, audio.channels);
        }
        let muxer = builder
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

    /// Adds every audio packet. Called after the first video frame (muxide wants audio to
    /// start no earlier than the video); muxide interleaves the two by time when it finishes.
    pub fn write_audio(&mut self, audio: &EncodedAudio) -> Result<(), EncodeError> {
        let rate = f64::from(audio.sample_rate);
        for packet in &audio.packets {
            self.muxer
                .write_audio(packet.pts as f64 / rate, &packet.data)
                .map_err(|e| EncodeError::Mux(format!("audio: {e}")))?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, EncodeError> {
        self.muxer
            .finish_in_place()
            .map_err(|e| EncodeError::Mux(e.to_string()))?;
        Ok(self.muxer.into_writer())
    }
}
