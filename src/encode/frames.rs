//! Short videos drawn frame by frame (placeholders, test media) through the same encoder and
//! muxer as renders, on the calling thread.

use image::RgbaImage;

use super::h264::H264Encoder;
use super::mp4::Mp4Writer;
use super::yuv::YuvFrame;
use super::EncodeError;

/// Encodes `count` frames of `width`×`height` at `fps` into an H.264 MP4 without sound.
/// `draw(index, frame)` paints frame `index` into an opaque RGBA buffer it may reuse.
pub fn encode_frames(
    width: u32,
    height: u32,
    fps: u32,
    count: u64,
    mut draw: impl FnMut(u64, &mut RgbaImage) -> Result<(), EncodeError>,
) -> Result<Vec<u8>, EncodeError> {
    if fps == 0 {
        return Err(EncodeError::InvalidFps);
    }
    let mut yuv = YuvFrame::new(width, height)?;
    let mut encoder = H264Encoder::new(width, height, fps)?;
    let mut mp4 = Mp4Writer::new(width, height, fps, None)?;
    let mut rgba = RgbaImage::new(width, height);
    let mut nal = Vec::new();
    for index in 0..count.max(1) {
        draw(index, &mut rgba)?;
        if rgba.dimensions() != (width, height) {
            return Err(EncodeError::Internal(format!(
                "frame {index} was drawn at {}×{}, not {width}×{height}",
                rgba.width(),
                rgba.height()
            )));
        }
        yuv.fill_from_rgba(&rgba)?;
        let keyframe = encoder.encode(&yuv, index, &mut nal)?;
        mp4.write(index, &nal, keyframe)?;
    }
    mp4.finish()
}
