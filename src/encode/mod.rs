//! Frames to files: YUV conversion, H.264 (openh264), MP4 (muxide), thumbnail and PNG stills,
//! and the pipelined compose → encode loop.

mod frames;
mod h264;
mod mp4;
mod pipeline;
mod progress;
mod still;
mod yuv;

#[cfg(test)]
mod bench;
#[cfg(test)]
mod tests;

use image::RgbaImage;

pub use frames::encode_frames;
pub use pipeline::encode_scene;

use crate::render::Compositor;
use crate::scene::Scene;

pub struct EncodedVideo {
    pub mp4: Vec<u8>,
    pub thumbnail_jpeg: Vec<u8>,
    pub frames: u64,
    /// Time spent drawing frames and converting them to YUV, milliseconds.
    pub compose_ms: u64,
    /// Time spent in the H.264 encoder and the muxer, milliseconds.
    pub encode_ms: u64,
    /// Parts of the scene that could not be drawn (see `Compositor::take_warnings`).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("the render was cancelled")]
    Cancelled,
    #[error("a {width}×{height} video cannot be encoded: both sides must be even and non-zero")]
    InvalidSize { width: u32, height: u32 },
    #[error("the frame rate must be at least 1")]
    InvalidFps,
    #[error("there is no frame at time {0} s")]
    InvalidTime(f64),
    #[error("converting a frame to YUV failed: {0}")]
    Convert(String),
    #[error("the H.264 encoder failed: {0}")]
    Encoder(String),
    #[error("writing the MP4 file failed: {0}")]
    Mux(String),
    #[error("encoding a still image failed: {0}")]
    Still(String),
    #[error("internal error while encoding: {0}")]
    Internal(String),
}

/// One PNG of the frame showing time `t` seconds (clamped to the video).
pub fn frame_png(
    compositor: &mut Compositor,
    scene: &Scene,
    t: f64,
) -> Result<Vec<u8>, EncodeError> {
    if !t.is_finite() {
        return Err(EncodeError::InvalidTime(t));
    }
    if scene.fps == 0 {
        return Err(EncodeError::InvalidFps);
    }
    let last = compositor.frame_count().saturating_sub(1);
    // Frame i shows [i/fps, (i+1)/fps); the epsilon keeps t = i/fps from landing on i − 1.
    let index = ((t * f64::from(scene.fps) + 1e-6).floor().max(0.0) as u64).min(last);
    let (width, height) = compositor.size();
    let mut frame = RgbaImage::new(width, height);
    compositor.render_frame(index, &mut frame);
    still::png(&frame)
}
