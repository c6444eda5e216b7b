//! H.264 through openh264: one frame in, its Annex-B access unit out.

use openh264::encoder::{
    BitRate, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, RateControlMode,
    VuiConfig,
};
use openh264::formats::YUVSlices;
use openh264::{OpenH264API, Timestamp};

use super::yuv::YuvFrame;
use super::EncodeError;

/// Bits per pixel per frame: enough for photos under slow zooms at 720p/1080p without
/// visible blocking, about 2.8 Mbit/s at 720p30 and 6.2 Mbit/s at 1080p30.
const BITS_PER_PIXEL: f64 = 0.1;
const MIN_BITRATE: f64 = 200_000.0;
const MAX_BITRATE: f64 = 40_000_000.0;

/// Seconds between IDR frames: the seek granularity of the output.
const IDR_INTERVAL_SECONDS: u32 = 2;

pub struct H264Encoder {
    encoder: Encoder,
    fps: u32,
}

pub fn bitrate(width: u32, height: u32, fps: u32) -> u32 {
    (f64::from(width) * f64::from(height) * f64::from(fps) * BITS_PER_PIXEL)
        .clamp(MIN_BITRATE, MAX_BITRATE) as u32
}

impl H264Encoder {
    pub fn new(width: u32, height: u32, fps: u32) -> Result<Self, EncodeError> {
        // The default usage type: `CameraVideoNonRealTime` fails to initialise, and frame
        // skipping would drop frames the timeline needs.
        let config = EncoderConfig::new()
            .bitrate(BitRate::from_bps(bitrate(width, height, fps)))
            .rate_control_mode(RateControlMode::Bitrate)
            .max_frame_rate(FrameRate::from_hz(fps as f32))
            .skip_frames(false)
            .intra_frame_period(IntraFramePeriod::from_num_frames(
                fps * IDR_INTERVAL_SECONDS,
            ))
            .vui(VuiConfig::bt709());
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| EncodeError::Encoder(e.to_string()))?;
        Ok(H264Encoder { encoder, fps })
    }

    /// Encodes frame `index`, appending its NAL units to `out` (cleared first). Returns whether
    /// it is an IDR frame (a sync sample for the muxer).
    pub fn encode(
        &mut self,
        frame: &YuvFrame,
        index: u64,
        out: &mut Vec<u8>,
    ) -> Result<bool, EncodeError> {
        let (w, h) = (frame.width as usize, frame.height as usize);
        let source = YUVSlices::new((&frame.y, &frame.u, &frame.v), (w, h), (w, w / 2, w / 2));
        let millis = index * 1000 / u64::from(self.fps);
        let stream = self
            .encoder
            .encode_at(&source, Timestamp::from_millis(millis))
            .map_err(|e| EncodeError::Encoder(e.to_string()))?;
        out.clear();
        stream.write_vec(out);
        if out.is_empty() {
            return Err(EncodeError::Encoder(format!(
                "frame {index} came out empty"
            )));
        }
        Ok(matches!(stream.frame_type(), FrameType::IDR))
    }
}
