//! Streaming H.264 decoding with openh264: pictures come out in presentation order and only
//! the one asked for is converted to RGBA.

use image::RgbaImage;
use openh264::decoder::{DecodedYUV, Decoder, DecoderConfig, Flush};
use openh264::formats::YUVSource;
use openh264::OpenH264API;
use yuv::{yuv420_to_rgba, YuvPlanarImage};

use super::demux::{Track, MAX_SIDE};
use super::sps::Colour;
use crate::media::MediaError;

/// Playing forward, a later keyframe is worth a decoder restart only when it saves decoding
/// more than this many pictures: all-intra files make every sample a keyframe, and restarting
/// at each would cost more than it saves.
const SKIP_AHEAD: usize = 4;

/// A decoder positioned somewhere in one track, and the last picture it converted.
pub struct FrameDecoder {
    decoder: Option<Decoder>,
    /// Decode-order index of the next sample to feed.
    next_sample: usize,
    /// Presentation rank of the next picture the decoder will output.
    next_rank: usize,
    /// Rank of the picture in `frame`.
    current: Option<usize>,
    frame: RgbaImage,
    annex_b: Vec<u8>,
    /// Decoder starts and pictures converted to RGBA since creation: the work done, which
    /// tests hold to "each picture once, one start when playing forward".
    pub(super) restarts: u64,
    pub(super) conversions: u64,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    pub fn new() -> Self {
        FrameDecoder {
            decoder: None,
            next_sample: 0,
            next_rank: 0,
            current: None,
            frame: RgbaImage::new(0, 0),
            annex_b: Vec::new(),
            restarts: 0,
            conversions: 0,
        }
    }

    /// The rank of the picture last returned by [`FrameDecoder::frame`].
    pub fn current(&self) -> Option<usize> {
        self.current
    }

    /// The picture at presentation rank `rank` (opaque RGBA). Moving forward decodes on from
    /// where the decoder is, jumping to a later keyframe when that is shorter; moving back
    /// restarts at the keyframe before the target.
    pub fn frame(
        &mut self,
        track: &Track,
        file: &[u8],
        rank: usize,
    ) -> Result<&RgbaImage, MediaError> {
        let rank = rank.min(track.samples.len().saturating_sub(1));
        if self.current == Some(rank) {
            return Ok(&self.frame);
        }
        let keyframe = track.keyframe_for(rank);
        let skip_ahead = keyframe > self.next_sample + SKIP_AHEAD;
        if self.decoder.is_none() || rank < self.next_rank || skip_ahead {
            self.restart(track, keyframe)?;
        }
        loop {
            let found = if self.next_sample < track.samples.len() {
                self.feed(track, file, rank)?
            } else {
                self.drain(track, rank)?
            };
            if found {
                return Ok(&self.frame);
            }
            if self.next_sample >= track.samples.len() && self.drained() {
                break;
            }
        }
        // Fewer pictures came out than the table lists (damaged ones are skipped): the last
        // one that did is the best there is.
        if self.current.is_some() {
            return Ok(&self.frame);
        }
        Err(MediaError::Corrupt(
            "the video file is damaged: no picture could be decoded".into(),
        ))
    }

    /// Drops the decoder and the picture, keeping nothing of the video in memory.
    pub fn release(&mut self) {
        *self = FrameDecoder {
            restarts: self.restarts,
            conversions: self.conversions,
            ..FrameDecoder::new()
        };
    }

    fn restart(&mut self, track: &Track, keyframe: usize) -> Result<(), MediaError> {
        // No flush after each call: flushing would push out B-frame pictures before their
        // reordering is done. What is still held at the end comes out in `drain`.
        let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
        let mut decoder = Decoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| MediaError::Corrupt(format!("the H.264 decoder failed to start: {e}")))?;
        decoder
            .decode(&track.parameter_sets)
            .map_err(|e| bad_stream("its H.264 parameter sets", e))?;
        self.decoder = Some(decoder);
        self.restarts += 1;
        self.next_sample = keyframe;
        // With closed GOPs the pictures decoded from a keyframe on are exactly the ranks
        // from its index on.
        self.next_rank = keyframe;
        self.current = None;
        Ok(())
    }

    /// Feeds the next sample; `true` when the picture at `rank` came out.
    fn feed(&mut self, track: &Track, file: &[u8], rank: usize) -> Result<bool, MediaError> {
        let index = self.next_sample;
        self.next_sample += 1;
        self.annex_b.clear();
        track.annex_b(file, index, &mut self.annex_b)?;
        let Some(decoder) = self.decoder.as_mut() else {
            return Ok(false);
        };
        let output = decoder
            .decode(&self.annex_b)
            .map_err(|e| bad_stream(&format!("picture {index}"), e))?;
        let Some(yuv) = output else {
            return Ok(false);
        };
        let got = self.next_rank;
        self.next_rank += 1;
        if got < rank {
            return Ok(false);
        }
        to_rgba(&yuv, track.colour, &mut self.frame)?;
        self.conversions += 1;
        self.current = Some(got);
        Ok(true)
    }

    /// After the last sample: the pictures still held for reordering.
    fn drain(&mut self, track: &Track, rank: usize) -> Result<bool, MediaError> {
        let Some(decoder) = self.decoder.as_mut() else {
            return Ok(false);
        };
        let rest = decoder
            .flush_remaining()
            .map_err(|e| bad_stream("the last pictures", e))?;
        let mut found = false;
        let wanted = Some(rank.saturating_sub(self.next_rank)).filter(|&k| k < rest.len());
        // The last picture stands in when the target is past what came out.
        let pick = wanted.or(rest.len().checked_sub(1));
        if let Some(k) = pick {
            to_rgba(&rest[k], track.colour, &mut self.frame)?;
            self.conversions += 1;
            self.current = Some(self.next_rank + k);
            found = wanted.is_some();
        }
        self.next_rank += rest.len();
        drop(rest);
        self.decoder = None;
        Ok(found)
    }

    fn drained(&self) -> bool {
        self.decoder.is_none()
    }
}

fn bad_stream(what: &str, e: openh264::Error) -> MediaError {
    MediaError::Corrupt(format!(
        "the video file is damaged: {what} could not be decoded ({e})"
    ))
}

fn to_rgba(yuv: &DecodedYUV<'_>, colour: Colour, out: &mut RgbaImage) -> Result<(), MediaError> {
    let (w, h) = yuv.dimensions();
    let (w, h) = (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    );
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(MediaError::Unsupported(format!(
            "its pictures decode to {w}×{h}; each side must be 1 to {MAX_SIDE} pixels"
        )));
    }
    if out.dimensions() != (w, h) {
        *out = RgbaImage::new(w, h);
    }
    let (ys, us, vs) = yuv.strides();
    let planar = YuvPlanarImage {
        y_plane: yuv.y(),
        y_stride: ys as u32,
        u_plane: yuv.u(),
        u_stride: us as u32,
        v_plane: yuv.v(),
        v_stride: vs as u32,
        width: w,
        height: h,
    };
    yuv420_to_rgba(&planar, out.as_mut(), w * 4, colour.range, colour.matrix)
        .map_err(|e| MediaError::Corrupt(format!("converting a picture to RGB failed: {e}")))
}
